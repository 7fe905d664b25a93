// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.bluetooth.le;

// developer.android.com/reference/android/bluetooth/le/AdvertisingSet (API 26): only a
// parameter type of AdvertisingSetCallback here.
public final class AdvertisingSet {}
