// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

// developer.android.com/reference/android/bluetooth/le/BluetoothLeAdvertiser (API 26 methods):
// startAdvertisingSet(AdvertisingSetParameters, AdvertiseData, AdvertiseData,
// PeriodicAdvertisingParameters, AdvertiseData, AdvertisingSetCallback), stopAdvertisingSet.
public final class BluetoothLeAdvertiser {
  public void startAdvertisingSet(AdvertisingSetParameters parameters, AdvertiseData advertiseData,
      AdvertiseData scanResponse, PeriodicAdvertisingParameters periodicParameters,
      AdvertiseData periodicData, AdvertisingSetCallback callback) {
    throw new UnsupportedOperationException();
  }

  public void stopAdvertisingSet(AdvertisingSetCallback callback) {
    throw new UnsupportedOperationException();
  }
}
