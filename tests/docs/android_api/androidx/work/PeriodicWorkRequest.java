// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package androidx.work;

import java.util.concurrent.TimeUnit;

// developer.android.com/reference/androidx/work/PeriodicWorkRequest.Builder:
// Builder(Class<? extends ListenableWorker>, long repeatInterval, TimeUnit), build().
public final class PeriodicWorkRequest {
  public static final class Builder {
    public Builder(Class<? extends ListenableWorker> workerClass, long repeatInterval,
        TimeUnit repeatIntervalTimeUnit) {
      throw new UnsupportedOperationException();
    }

    public PeriodicWorkRequest build() {
      throw new UnsupportedOperationException();
    }
  }
}
