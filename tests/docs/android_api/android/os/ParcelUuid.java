// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.os;

// developer.android.com/reference/android/os/ParcelUuid: fromString(String).
public final class ParcelUuid {
  public static ParcelUuid fromString(String uuid) {
    throw new UnsupportedOperationException();
  }
}
