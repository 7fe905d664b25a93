// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

// developer.android.com/reference/android/bluetooth/le/AdvertisingSetCallback (API 26):
// ADVERTISE_SUCCESS, onAdvertisingSetStarted(AdvertisingSet, int txPower, int status).
public abstract class AdvertisingSetCallback {
  public static final int ADVERTISE_SUCCESS = 0;

  public void onAdvertisingSetStarted(AdvertisingSet advertisingSet, int txPower, int status) {
    throw new UnsupportedOperationException();
  }
}
