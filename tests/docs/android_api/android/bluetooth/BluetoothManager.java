// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth;

// developer.android.com/reference/android/bluetooth/BluetoothManager: getAdapter().
public final class BluetoothManager {
  public BluetoothAdapter getAdapter() {
    throw new UnsupportedOperationException();
  }
}
