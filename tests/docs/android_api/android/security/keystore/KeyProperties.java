// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.security.keystore;

// developer.android.com/reference/android/security/keystore/KeyProperties (API 23).
public abstract class KeyProperties {
  public static final String KEY_ALGORITHM_AES = "AES";
  public static final int PURPOSE_ENCRYPT = 1;
  public static final int PURPOSE_DECRYPT = 2;
  public static final String BLOCK_MODE_GCM = "GCM";
  public static final String ENCRYPTION_PADDING_NONE = "NoPadding";
}
