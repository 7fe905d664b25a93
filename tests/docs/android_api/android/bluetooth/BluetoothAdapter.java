// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth;

import android.bluetooth.le.BluetoothLeAdvertiser;
import android.bluetooth.le.BluetoothLeScanner;

// developer.android.com/reference/android/bluetooth/BluetoothAdapter: getBluetoothLeAdvertiser(),
// getBluetoothLeScanner(), isOffloadedScanBatchingSupported() (all API 21).
public final class BluetoothAdapter {
  public BluetoothLeAdvertiser getBluetoothLeAdvertiser() {
    throw new UnsupportedOperationException();
  }

  public BluetoothLeScanner getBluetoothLeScanner() {
    throw new UnsupportedOperationException();
  }

  public boolean isOffloadedScanBatchingSupported() {
    throw new UnsupportedOperationException();
  }
}
