// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.lang.ref.Cleaner;

/**
 * A flag that stops a running {@link OpenEnClient#sync} or {@link OpenEnClient#retryUpload} from
 * another thread (Android: when WorkManager stops the worker), read by the library and by the
 * app's {@link BatchSource}. {@link #cancel()} may be called from any thread; the native flag is
 * freed once the object is unreachable, never while a call uses it.
 */
public final class Cancellation {
  private static final Cleaner CLEANER = Cleaner.create();

  final long handle;

  public Cancellation() {
    long h = Native.cancelCreate();
    if (h == 0) throw new OpenEnException(Status.RESOURCE_EXHAUSTED, "no memory for a cancel flag");
    handle = h;
    CLEANER.register(this, () -> Native.cancelFree(h));
  }

  /** Sets the flag: the call it was given returns {@link Status#CANCELLED} at its next step. */
  public void cancel() {
    Native.cancelSet(handle);
  }

  /** Clears the flag, to reuse it for another call. */
  public void reset() {
    Native.cancelReset(handle);
  }

  /** True once {@link #cancel()} was called (and not {@link #reset()}). */
  public boolean isCancelled() {
    return Native.cancelIsSet(handle);
  }
}
