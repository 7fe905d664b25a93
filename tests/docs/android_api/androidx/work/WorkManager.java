// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package androidx.work;

import android.content.Context;

// developer.android.com/reference/androidx/work/WorkManager: getInstance(Context),
// enqueueUniquePeriodicWork(String, ExistingPeriodicWorkPolicy, PeriodicWorkRequest).
public abstract class WorkManager {
  public static WorkManager getInstance(Context context) {
    throw new UnsupportedOperationException();
  }

  public abstract Operation enqueueUniquePeriodicWork(String uniqueWorkName,
      ExistingPeriodicWorkPolicy existingPeriodicWorkPolicy, PeriodicWorkRequest periodicWork);
}
