// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

import android.os.ParcelUuid;

// developer.android.com/reference/android/bluetooth/le/ScanRecord (API 21):
// getServiceData(ParcelUuid) returns the service data of that UUID, or null.
public final class ScanRecord {
  public byte[] getServiceData(ParcelUuid serviceDataUuid) {
    throw new UnsupportedOperationException();
  }
}
