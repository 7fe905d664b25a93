// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package androidx.work;

import android.content.Context;

// developer.android.com/reference/androidx/work/Worker: Worker(Context, WorkerParameters),
// abstract Result doWork(), run on a background thread that WorkManager provides.
public abstract class Worker extends ListenableWorker {
  public Worker(Context context, WorkerParameters workerParams) {
    super(context, workerParams);
  }

  public abstract Result doWork();
}
