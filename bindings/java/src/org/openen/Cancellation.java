// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.util.ArrayList;
import java.util.List;

/**
 * A flag that stops a running {@link OpenEnClient#sync} or {@link OpenEnClient#retryUpload} from
 * another thread (Android: when WorkManager stops the worker), read by the library and by the
 * app's {@link BatchSource}. {@link #cancel()} may be called from any thread. It holds no native
 * memory: each call it is given makes its own native flag, which mirrors this one while the call
 * runs.
 */
public final class Cancellation {
  private boolean cancelled; // guarded by this
  private final List<Long> running = new ArrayList<>(1); // the native flags of running calls

  /** Sets the flag: the calls it was given return {@link Status#CANCELLED} at their next step. */
  public synchronized void cancel() {
    cancelled = true;
    for (long flag : running) Native.cancelSet(flag);
  }

  /** Clears the flag, to reuse it for another call. */
  public synchronized void reset() {
    cancelled = false;
    for (long flag : running) Native.cancelReset(flag);
  }

  /** True once {@link #cancel()} was called (and not {@link #reset()}). */
  public synchronized boolean isCancelled() {
    return cancelled;
  }

  // A call starts: |flag| (an openen_cancel*) mirrors this flag until detach.
  private synchronized void attach(long flag) {
    running.add(flag);
    if (cancelled) Native.cancelSet(flag);
  }

  private synchronized void detach(long flag) {
    running.remove(Long.valueOf(flag));
  }

  // A call of the library that takes a native cancel flag.
  interface Flagged<T> {
    T run(long flag);
  }

  // Runs |call| with a native flag that mirrors this one, freed when the call returns.
  <T> T with(Flagged<T> call) {
    long flag = Native.cancelCreate();
    if (flag == 0) throw new OpenEnException(Status.RESOURCE_EXHAUSTED, "no memory for a cancel flag");
    try {
      attach(flag);
      return call.run(flag);
    } finally {
      detach(flag);
      Native.cancelFree(flag);
    }
  }
}
