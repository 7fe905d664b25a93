// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

// developer.android.com/reference/android/bluetooth/le/PeriodicAdvertisingParameters (API 26):
// only a parameter type of startAdvertisingSet here.
public final class PeriodicAdvertisingParameters {}
