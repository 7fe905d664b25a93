// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.io.FileNotFoundException;
import java.io.InterruptedIOException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.NoSuchFileException;

// The native trampolines call the app's callbacks through these methods, which never throw: each
// turns what the callback did into the C API's answer, and keeps the first exception a callback of
// this thread threw during the current call, to be the cause of the OpenEnException that call may
// end in. A callback the library makes on a thread the JVM did not start (attached for the call)
// keeps its exception on that thread, where no call collects it.
final class Callbacks {
  private static final ThreadLocal<Throwable> FAILURE = new ThreadLocal<>();

  private Callbacks() {}

  // Forgets an earlier call's failure; every client method starts with it.
  static void reset() {
    FAILURE.remove();
  }

  static Throwable takeFailure() {
    Throwable t = FAILURE.get();
    FAILURE.remove();
    return t;
  }

  private static void keep(Throwable t) {
    if (FAILURE.get() == null) FAILURE.set(t);
  }

  static Status statusOf(Throwable t, Cancellation cancel) {
    if (cancel != null && cancel.isCancelled()) return Status.CANCELLED;
    if (t instanceof OpenEnException e) return e.status() == Status.OK ? Status.INTERNAL : e.status();
    if (t instanceof FileNotFoundException || t instanceof NoSuchFileException) return Status.NOT_FOUND;
    if (t instanceof SocketTimeoutException || isA(t, "java.net.http.HttpTimeoutException")) {
      return Status.DEADLINE_EXCEEDED;
    }
    if (t instanceof IOException) return Status.UNAVAILABLE;
    return Status.INTERNAL;
  }

  // By name: java.net.http is absent on Android, where naming its class here would fail.
  private static boolean isA(Throwable t, String className) {
    for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals(className)) return true;
    }
    return false;
  }

  // KeyStore.wrap and unwrap: the result, or null when the key store threw or returned null.
  static byte[] wrap(KeyStore keyStore, byte[] in, boolean unwrap) {
    try {
      byte[] out = unwrap ? keyStore.unwrap(in) : keyStore.wrap(in);
      if (out == null) throw new NullPointerException("KeyStore." + (unwrap ? "unwrap" : "wrap") + " returned null");
      return out;
    } catch (Throwable t) {
      keep(t);
      return null;
    }
  }

  static boolean destroy(KeyStore keyStore) {
    try {
      keyStore.destroy();
      return true;
    } catch (Throwable t) {
      keep(t);
      return false;
    }
  }

  // TimeSource.nowSeconds, or Long.MIN_VALUE when it threw (the native side reads the system clock).
  static long now(TimeSource time) {
    try {
      return time.nowSeconds();
    } catch (Throwable t) {
      keep(t);
      return Long.MIN_VALUE;
    }
  }

  static int fetch(BatchSource source, String name, long response, long maxBytes, Cancellation cancel) {
    ResponseBody body = new ResponseBody(response, maxBytes);
    int status;
    try {
      source.fetch(name, body, cancel);
      status = Status.OK.code();
    } catch (Throwable t) {
      Status s = statusOf(t, cancel);
      // A missing file is an answer (no configuration published, say), not a failure.
      if (s != Status.NOT_FOUND) keep(t);
      status = s.code();
    }
    // A body cut at its limit is never taken as the whole file.
    if (body.detach() && status == Status.OK.code()) status = Status.RESOURCE_EXHAUSTED.code();
    return status;
  }

  // Transport.call: the response, or null with status[0] set.
  static byte[] call(Transport transport, String method, byte[] request, int[] status) {
    try {
      byte[] response = transport.call(method, request);
      if (response == null) throw new NullPointerException("Transport.call returned null");
      return response;
    } catch (Throwable t) {
      keep(t);
      status[0] = statusOf(t, null).code();
      return null;
    }
  }
}
