// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.os;

// developer.android.com/reference/android/os/SystemClock: elapsedRealtime(), milliseconds since
// boot, the clock of ScanResult.getTimestampNanos().
public final class SystemClock {
  private SystemClock() {}

  public static long elapsedRealtime() {
    throw new UnsupportedOperationException();
  }
}
