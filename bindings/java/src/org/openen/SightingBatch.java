// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jetbrains.annotations.NotNull;

/**
 * Scan results gathered for one {@link OpenEnClient#recordSightings} call (Android delivers them in
 * batches: {@code ScanCallback.onBatchScanResults}). The batch is laid out as the C API's
 * openen_observation array in native memory, so recording it copies nothing. Reuse it with {@link
 * #clear()}. Not thread-safe.
 */
public final class SightingBatch {
  /** The service data of one advertisement: the 16-byte RPI, then the 4-byte AEM. */
  public static final int SERVICE_DATA_BYTES = 20;
  public static final int RPI_BYTES = 16;
  public static final int AEM_BYTES = 4;

  // openen_observation's size and field offsets on this ABI.
  private static final int[] LAYOUT = Native.observationLayout();
  private static final int SIZE = LAYOUT[0];
  private static final int RSSI_OFFSET = LAYOUT[1];
  private static final int TIME_OFFSET = LAYOUT[2];

  private final int capacity;
  final ByteBuffer buffer;
  private int count;

  /** A batch of at most {@code capacity} sightings. */
  public SightingBatch(int capacity) {
    if (capacity < 1 || capacity > Integer.MAX_VALUE / SIZE) {
      throw new OpenEnException(Status.INVALID_ARGUMENT, "capacity " + capacity + " is out of range");
    }
    this.capacity = capacity;
    this.buffer = ByteBuffer.allocateDirect(capacity * SIZE).order(ByteOrder.nativeOrder());
  }

  /** Adds one advertisement heard: its 20 bytes of service data, the RSSI in dBm and the time. */
  public @NotNull SightingBatch add(@NotNull byte[] serviceData, int rssi, long unixTime) {
    if (serviceData.length != SERVICE_DATA_BYTES) {
      throw new OpenEnException(Status.INVALID_ARGUMENT,
          "service data is " + serviceData.length + " bytes, want " + SERVICE_DATA_BYTES);
    }
    return put(serviceData, 0, serviceData, RPI_BYTES, rssi, unixTime);
  }

  /** Adds one advertisement heard, given as its RPI (16 bytes) and AEM (4 bytes). */
  public @NotNull SightingBatch add(@NotNull byte[] rpi, @NotNull byte[] aem, int rssi, long unixTime) {
    if (rpi.length != RPI_BYTES) {
      throw new OpenEnException(Status.INVALID_ARGUMENT, "rpi is " + rpi.length + " bytes, want " + RPI_BYTES);
    }
    if (aem.length != AEM_BYTES) {
      throw new OpenEnException(Status.INVALID_ARGUMENT, "aem is " + aem.length + " bytes, want " + AEM_BYTES);
    }
    return put(rpi, 0, aem, 0, rssi, unixTime);
  }

  private SightingBatch put(byte[] rpi, int rpiAt, byte[] aem, int aemAt, int rssi, long unixTime) {
    if (count == capacity) {
      throw new OpenEnException(Status.RESOURCE_EXHAUSTED, "the batch holds " + capacity + " sightings");
    }
    int at = count * SIZE;
    // Relative bulk puts: the absolute ones are Java 16 (Android API 35).
    buffer.position(at);
    buffer.put(rpi, rpiAt, RPI_BYTES);
    buffer.put(aem, aemAt, AEM_BYTES);
    buffer.putInt(at + RSSI_OFFSET, rssi);
    buffer.putLong(at + TIME_OFFSET, unixTime);
    count++;
    return this;
  }

  /** How many sightings the batch holds. */
  public int size() {
    return count;
  }

  public int capacity() {
    return capacity;
  }

  /** Empties the batch for reuse. */
  public void clear() {
    count = 0;
  }
}
