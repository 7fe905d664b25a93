// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

// developer.android.com/reference/android/bluetooth/le/ScanResult (API 21): getScanRecord(),
// getRssi() in dBm, getTimestampNanos() "timestamp since boot when the scan record was observed".
public final class ScanResult {
  public ScanRecord getScanRecord() {
    throw new UnsupportedOperationException();
  }

  public int getRssi() {
    throw new UnsupportedOperationException();
  }

  public long getTimestampNanos() {
    throw new UnsupportedOperationException();
  }
}
