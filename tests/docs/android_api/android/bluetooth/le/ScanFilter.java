// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

import android.os.ParcelUuid;

// developer.android.com/reference/android/bluetooth/le/ScanFilter.Builder (API 21):
// setServiceUuid(ParcelUuid), build().
public final class ScanFilter {
  public static final class Builder {
    public Builder setServiceUuid(ParcelUuid serviceUuid) {
      throw new UnsupportedOperationException();
    }

    public ScanFilter build() {
      throw new UnsupportedOperationException();
    }
  }
}
