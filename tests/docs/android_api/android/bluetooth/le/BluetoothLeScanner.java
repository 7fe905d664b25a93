// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

import java.util.List;

// developer.android.com/reference/android/bluetooth/le/BluetoothLeScanner (API 21):
// startScan(List<ScanFilter>, ScanSettings, ScanCallback), stopScan(ScanCallback).
public final class BluetoothLeScanner {
  public void startScan(List<ScanFilter> filters, ScanSettings settings, ScanCallback callback) {
    throw new UnsupportedOperationException();
  }

  public void stopScan(ScanCallback callback) {
    throw new UnsupportedOperationException();
  }
}
