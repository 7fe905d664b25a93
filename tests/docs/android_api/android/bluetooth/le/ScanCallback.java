// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

import java.util.List;

// developer.android.com/reference/android/bluetooth/le/ScanCallback (API 21): onScanResult(int,
// ScanResult), onBatchScanResults(List<ScanResult>), onScanFailed(int).
public abstract class ScanCallback {
  public void onScanResult(int callbackType, ScanResult result) {
    throw new UnsupportedOperationException();
  }

  public void onBatchScanResults(List<ScanResult> results) {
    throw new UnsupportedOperationException();
  }

  public void onScanFailed(int errorCode) {
    throw new UnsupportedOperationException();
  }
}
