// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.security.keystore;

import java.security.spec.AlgorithmParameterSpec;

// developer.android.com/reference/android/security/keystore/KeyGenParameterSpec (API 23):
// implements AlgorithmParameterSpec; Builder(String keystoreAlias, int purposes),
// setBlockModes(String...), setEncryptionPaddings(String...), setKeySize(int), build().
public final class KeyGenParameterSpec implements AlgorithmParameterSpec {
  public static final class Builder {
    public Builder(String keystoreAlias, int purposes) {
      throw new UnsupportedOperationException();
    }

    public Builder setBlockModes(String... blockModes) {
      throw new UnsupportedOperationException();
    }

    public Builder setEncryptionPaddings(String... paddings) {
      throw new UnsupportedOperationException();
    }

    public Builder setKeySize(int keySize) {
      throw new UnsupportedOperationException();
    }

    public KeyGenParameterSpec build() {
      throw new UnsupportedOperationException();
    }
  }
}
