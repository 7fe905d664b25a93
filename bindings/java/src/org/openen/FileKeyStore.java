// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jetbrains.annotations.NotNull;

/**
 * A {@link KeyStore} whose AES-256 key lives in a file (mode 0600, made with a fresh random key
 * when missing): for tests, tools and Linux devices. A phone uses its platform keystore instead,
 * where the key cannot be read out. Wrapped form: a 12-byte nonce, then AES-GCM's ciphertext and
 * 16-byte tag.
 */
public final class FileKeyStore implements KeyStore {
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path path;

  /** A key store on {@code path}; the key is read (or made) at the first wrap or unwrap. */
  public FileKeyStore(@NotNull Path path) {
    this.path = path;
  }

  @Override
  public synchronized @NotNull byte[] wrap(@NotNull byte[] dataKey) throws GeneralSecurityException, IOException {
    byte[] key = loadOrCreate();
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(dataKey);
      byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return out;
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  @Override
  public synchronized @NotNull byte[] unwrap(@NotNull byte[] wrapped) throws GeneralSecurityException, IOException {
    if (wrapped.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new GeneralSecurityException("wrapped key is " + wrapped.length + " bytes, too short");
    }
    byte[] key;
    try {
      key = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new GeneralSecurityException("the wrapping key " + path + " does not exist", e);
    }
    try {
      checkLength(key);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_BITS, wrapped, 0, NONCE_BYTES));
      return cipher.doFinal(wrapped, NONCE_BYTES, wrapped.length - NONCE_BYTES);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Overwrites the key file, syncs it and deletes it. */
  @Override
  public synchronized void destroy() throws IOException {
    try (FileChannel file = FileChannel.open(path, StandardOpenOption.WRITE)) {
      file.write(ByteBuffer.allocate(KEY_BYTES), 0);
      file.force(true);
    } catch (NoSuchFileException e) {
      return;
    }
    Files.deleteIfExists(path);
  }

  private byte[] loadOrCreate() throws IOException, GeneralSecurityException {
    try {
      byte[] key = Files.readAllBytes(path);
      checkLength(key);
      return key;
    } catch (NoSuchFileException e) {
      // Made below.
    }
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    // A temporary file of this call's own, linked into place: a key another process or instance
    // made meanwhile is never replaced, and whichever key the path holds afterwards is the key.
    Path fresh = Files.createTempFile(path.toAbsolutePath().getParent(), path.getFileName() + ".", ".new",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (FileChannel file = FileChannel.open(fresh, StandardOpenOption.WRITE)) {
        file.write(ByteBuffer.wrap(key));
        file.force(true);
      }
      try {
        Files.createLink(path, fresh);
      } catch (FileAlreadyExistsException e) {
        // Another made it first: its key is read below.
      }
    } finally {
      Arrays.fill(key, (byte) 0);
      Files.deleteIfExists(fresh);
    }
    key = Files.readAllBytes(path);
    checkLength(key);
    return key;
  }

  private void checkLength(byte[] key) throws GeneralSecurityException {
    if (key.length != KEY_BYTES) {
      Arrays.fill(key, (byte) 0);
      throw new GeneralSecurityException(
          "the wrapping key " + path + " is " + key.length + " bytes, want " + KEY_BYTES);
    }
  }
}
