package android.bluetooth.le;

// developer.android.com/reference/android/bluetooth/le/PeriodicAdvertisingParameters (API 26):
// only a parameter type of startAdvertisingSet here.
public final class PeriodicAdvertisingParameters {}
