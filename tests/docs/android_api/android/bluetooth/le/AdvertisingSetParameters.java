// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

// developer.android.com/reference/android/bluetooth/le/AdvertisingSetParameters (API 26):
// INTERVAL_MEDIUM "around every 250ms" (400 units of 0.625 ms), TX_POWER_LOW (-15 dBm), and the
// Builder's setLegacyMode, setConnectable, setScannable, setInterval, setTxPowerLevel, build.
public final class AdvertisingSetParameters {
  public static final int INTERVAL_MEDIUM = 400;
  public static final int TX_POWER_LOW = -15;

  public static final class Builder {
    public Builder setLegacyMode(boolean isLegacy) {
      throw new UnsupportedOperationException();
    }

    public Builder setConnectable(boolean connectable) {
      throw new UnsupportedOperationException();
    }

    public Builder setScannable(boolean scannable) {
      throw new UnsupportedOperationException();
    }

    public Builder setInterval(int interval) {
      throw new UnsupportedOperationException();
    }

    public Builder setTxPowerLevel(int txPowerLevel) {
      throw new UnsupportedOperationException();
    }

    public AdvertisingSetParameters build() {
      throw new UnsupportedOperationException();
    }
  }
}
