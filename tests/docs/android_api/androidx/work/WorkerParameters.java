// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package androidx.work;

// developer.android.com/reference/androidx/work/WorkerParameters: a constructor parameter here.
public final class WorkerParameters {}
