// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package androidx.work;

// developer.android.com/reference/androidx/work/ExistingPeriodicWorkPolicy: KEEP keeps the work
// already enqueued under the name.
public enum ExistingPeriodicWorkPolicy {
  KEEP,
  UPDATE
}
