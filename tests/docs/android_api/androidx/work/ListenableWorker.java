// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package androidx.work;

import android.content.Context;

// developer.android.com/reference/androidx/work/ListenableWorker: getApplicationContext(),
// onStopped() (called when the work must stop), Result.success(), retry(), failure().
public abstract class ListenableWorker {
  public ListenableWorker(Context appContext, WorkerParameters workerParams) {
    throw new UnsupportedOperationException();
  }

  public final Context getApplicationContext() {
    throw new UnsupportedOperationException();
  }

  public void onStopped() {
    throw new UnsupportedOperationException();
  }

  public abstract static class Result {
    public static Result success() {
      throw new UnsupportedOperationException();
    }

    public static Result retry() {
      throw new UnsupportedOperationException();
    }

    public static Result failure() {
      throw new UnsupportedOperationException();
    }
  }
}
