// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * The one exception the library throws: a {@link Status} and the C library's message. It is
 * unchecked, as Kotlin code expects. When one of the app's callbacks (a {@link KeyStore}, a
 * {@link BatchSource}, a {@link Transport}, the {@link TimeSource}) threw and that made the call
 * fail, the callback's exception is the cause.
 */
public final class OpenEnException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Status status;

  public OpenEnException(@NotNull Status status, @NotNull String message) {
    this(status, message, null);
  }

  public OpenEnException(@NotNull Status status, @NotNull String message, @Nullable Throwable cause) {
    super(status.name() + ": " + message, cause);
    this.status = status;
  }

  /** Why the call failed. */
  public @NotNull Status status() {
    return status;
  }

  // Made by the native code for a failed C call: the cause is what a callback of this thread threw
  // during it, if anything.
  static OpenEnException fromNative(int code, String message) {
    return new OpenEnException(Status.fromCode(code), message, Callbacks.takeFailure());
  }
}
