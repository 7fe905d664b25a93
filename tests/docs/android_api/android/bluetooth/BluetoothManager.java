package android.bluetooth;

// developer.android.com/reference/android/bluetooth/BluetoothManager: getAdapter().
public final class BluetoothManager {
  public BluetoothAdapter getAdapter() {
    throw new UnsupportedOperationException();
  }
}
