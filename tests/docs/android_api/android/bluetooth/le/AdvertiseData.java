// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

import android.os.ParcelUuid;

// developer.android.com/reference/android/bluetooth/le/AdvertiseData.Builder:
// addServiceUuid(ParcelUuid), addServiceData(ParcelUuid, byte[]), build() (API 21).
public final class AdvertiseData {
  public static final class Builder {
    public Builder addServiceUuid(ParcelUuid serviceUuid) {
      throw new UnsupportedOperationException();
    }

    public Builder addServiceData(ParcelUuid serviceDataUuid, byte[] serviceData) {
      throw new UnsupportedOperationException();
    }

    public AdvertiseData build() {
      throw new UnsupportedOperationException();
    }
  }
}
