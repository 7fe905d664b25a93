// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

// developer.android.com/reference/android/bluetooth/le/ScanSettings (API 21): SCAN_MODE_LOW_POWER
// and the Builder's setScanMode(int), setReportDelay(long reportDelayMillis), build().
public final class ScanSettings {
  public static final int SCAN_MODE_LOW_POWER = 0;

  public static final class Builder {
    public Builder setScanMode(int scanMode) {
      throw new UnsupportedOperationException();
    }

    public Builder setReportDelay(long reportDelayMillis) {
      throw new UnsupportedOperationException();
    }

    public ScanSettings build() {
      throw new UnsupportedOperationException();
    }
  }
}
