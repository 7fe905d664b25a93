// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package androidx.work;

// developer.android.com/reference/androidx/work/Operation: what enqueue calls return.
public interface Operation {}
