// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

// The native methods of libopenen_jni.so (bindings/java/jni/openen_jni.cc), each over one C API
// function. Failures throw OpenEnException; handles are the C objects' addresses.
final class Native {
  static {
    // The system property openen.jni.library names the library's file (tests, tools); an app ships it in its APK and
    // loads it by name.
    String path = System.getProperty("openen.jni.library");
    if (path != null) {
      System.load(path);
    } else {
      System.loadLibrary("openen_jni");
    }
  }

  private Native() {}

  static native int[] observationLayout();

  static native long cancelCreate();

  static native void cancelFree(long cancel);

  static native void cancelSet(long cancel);

  static native void cancelReset(long cancel);


  static native int responseAppend(long response, byte[] data, int offset, int length);

  static native boolean isDecommissioned(String storeDir);

  static native long open(ClientOptions options, KeyStore keyStore);

  static native void close(long client);

  // The openen_client* inside a client handle: tests call the C API on it from native threads.
  static native long cClient(long client);

  static native byte[] broadcastPayload(long client);

  static native void recordSighting(long client, byte[] rpi, byte[] aem, int rssi, long unixTime);

  static native void recordSightings(long client, java.nio.ByteBuffer observations, int count);

  // Fills report: batches, keys, matched identifiers, new exposure windows.
  // |cancel| is handed to the source; |flag| is the openen_cancel* that mirrors it.
  static native void sync(long client, BatchSource source, Cancellation cancel, long flag, long[] report);

  static native void syncDirectory(long client, String dir, long[] report);

  static native void updateConfiguration(long client, byte[] envelope);

  // Five numbers per day: day, score sum, max score, weighted duration, exposure (0 or 1).
  static native double[] dailySummaries(long client);

  // Five per day: day, own keys, identifiers seen, scans, exposure windows.
  static native int[] storageSummary(long client);

  // Returns keys sent and accepted.
  static native int[] uploadDiagnosis(long client, Transport transport, String code, int[] excludedDays);

  static native int[] retryUpload(long client, Transport transport, long flag);

  static native boolean uploadPending(long client);

  static native void sendChaff(long client, Transport transport);

  static native boolean maybeSendChaff(long client, Transport transport, double meanDays);

  static native void pause(long client);

  static native void resume(long client);

  static native boolean isPaused(long client);

  static native void eraseAll(long client);

  // Returns decommissioned (0 or 1) and days purged.
  static native int[] maintain(long client);
}
