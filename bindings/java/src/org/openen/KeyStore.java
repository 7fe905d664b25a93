// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import org.jetbrains.annotations.NotNull;

/**
 * The platform key that wraps the library's per-day data keys and never leaves the platform: in an
 * app, an AES-GCM key in the Android Keystore ({@code KeyGenParameterSpec} with purposes
 * ENCRYPT|DECRYPT, not exportable). {@link FileKeyStore} keeps one in a file, for tests and tools.
 *
 * <p>The library calls these from the thread that called it (a background thread). A method that
 * throws fails the library's call; its exception becomes the cause of the {@link OpenEnException}.
 */
public interface KeyStore {
  /**
   * Encrypts {@code dataKey} (32 bytes) into at most {@code dataKey.length + 64} bytes. When the
   * platform key was destroyed, makes a fresh one first.
   */
  @NotNull byte[] wrap(@NotNull byte[] dataKey) throws Exception;

  /**
   * The reverse of {@link #wrap}. Must throw when {@code wrapped} was not made by this platform key,
   * was altered, or the key was destroyed.
   */
  @NotNull byte[] unwrap(@NotNull byte[] wrapped) throws Exception;

  /**
   * Deletes the platform key irrecoverably (Android: {@code KeyStore.deleteEntry}), so that nothing
   * wrapped before can be unwrapped again; returns normally also when there is no key. {@link
   * OpenEnClient#eraseAll()} and a decommission order call it.
   */
  void destroy() throws Exception;
}
