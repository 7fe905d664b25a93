// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Recording sightings through the Java API (OpenEnClient.recordSightings over JNI): the workload of
// bench/jni_sightings_bench.cc, the C API baseline, byte for byte (the same SplitMix64 stream). For
// each batch size and each of --runs runs, a fresh store under a fixed TimeSource, an unmeasured
// warm-up of --warmup sightings (which also lets the JIT compile the path), then --sightings
// sightings timed (one SightingBatch filled from memory made beforehand, recorded, cleared), each
// a random 16-byte RPI and 4-byte AEM at RSSI -60, heard within the day before the clock's time.
// Batch 0 is the bare call: --calls empty batches, nothing stored. Prints one JSON line per batch
// size, the fastest of its runs, as the C bench does, named "record_sightings_java".
// Usage: java -Dopenen.jni.library=.../libopenen_jni.so -cp openen.jar:bench.jar
//          org.openen.bench.RecordSightingsBench --dir DIR [--sightings N] [--warmup N]
//          [--calls N] [--runs N]
// (bench/jni_sightings.sh runs both.)
package org.openen.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import org.openen.ClientOptions;
import org.openen.FileKeyStore;
import org.openen.OpenEnClient;
import org.openen.SightingBatch;

public final class RecordSightingsBench {
  // The clock's fixed time: noon UTC, so the day before it spans two store days.
  private static final long NOW = 1795000000L / 86400 * 86400 + 12 * 3600;
  private static final int RSSI = -60;
  private static final int[] BATCH_SIZES = {0, 1, 16, 256};

  private RecordSightingsBench() {}

  // SplitMix64, as jni_sightings_bench.cc has it.
  private static final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
      state = seed;
    }

    long next() {
      long z = (state += 0x9e3779b97f4a7c15L);
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      return z ^ (z >>> 31);
    }
  }

  // The sightings, made before any timing: 20 bytes of service data (RPI then AEM) and a time each.
  private static final class Workload {
    final byte[][] serviceData;
    final long[] times;

    Workload(int n) {
      serviceData = new byte[n][SightingBatch.SERVICE_DATA_BYTES];
      times = new long[n];
      SplitMix64 rng = new SplitMix64(1);
      byte[] bytes = new byte[24];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < 3; j++) {
          long v = rng.next();
          for (int k = 0; k < 8; k++) bytes[j * 8 + k] = (byte) (v >>> (8 * k));
        }
        System.arraycopy(bytes, 0, serviceData[i], 0, SightingBatch.SERVICE_DATA_BYTES);
        times[i] = NOW - Long.remainderUnsigned(rng.next(), 86400);
      }
    }
  }

  // Records sightings [first, first + count) in batches of batch.capacity() (count empty calls
  // when empty); returns the seconds it took.
  private static double record(
      OpenEnClient client, Workload w, int first, int count, SightingBatch batch, boolean empty) {
    long start = System.nanoTime();
    if (empty) {
      batch.clear();
      for (int i = 0; i < count; i++) client.recordSightings(batch);
      return (System.nanoTime() - start) / 1e9;
    }
    int size = batch.capacity();
    for (int at = first; at < first + count; at += size) {
      int n = Math.min(size, first + count - at);
      batch.clear();
      for (int i = 0; i < n; i++) batch.add(w.serviceData[at + i], RSSI, w.times[at + i]);
      client.recordSightings(batch);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  // A number as bench_util.h's JsonLine prints a double (%.6g), for the figures that are not counts.
  private static String g6(double v) {
    return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  public static void main(String[] args) {
    String dir = null;
    int sightings = 20000, warmup = 10000, calls = 200000, runs = 3;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--dir" -> dir = args[i + 1];
        case "--sightings" -> sightings = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--calls" -> calls = Integer.parseInt(args[i + 1]);
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        default -> {}
      }
    }
    if (dir == null || sightings <= 0 || runs <= 0) {
      System.err.println("usage: RecordSightingsBench --dir DIR [--sightings N] [--warmup N]"
          + " [--calls N] [--runs N]");
      System.exit(2);
    }
    Workload w = new Workload(warmup + sightings);
    for (int b : BATCH_SIZES) {
      int count = b == 0 ? calls : sightings;
      double seconds = 0;
      for (int run = 0; run < runs; run++) {
        Path store = Path.of(dir, "batch-" + b + "-run-" + run);
        ClientOptions options = ClientOptions.builder(store).timeSource(() -> NOW).build();
        try (OpenEnClient client =
            OpenEnClient.open(options, new FileKeyStore(Path.of(store + ".key")))) {
          SightingBatch batch = new SightingBatch(Math.max(b, 1));
          // Batch 0 warms up with a quarter of its calls.
          record(client, w, 0, b == 0 ? calls / 4 : warmup, batch, b == 0);
          double s = record(client, w, warmup, count, batch, b == 0);
          if (run == 0 || s < seconds) seconds = s;
        }
      }
      long batches = b == 0 ? calls : (count + b - 1) / b;
      StringBuilder line = new StringBuilder();
      line.append("{\"name\": \"record_sightings_java\", \"batch\": ").append(b)
          .append(", \"sightings\": ").append(b == 0 ? 0 : count)
          .append(", \"batches\": ").append(batches)
          .append(", \"runs\": ").append(runs)
          .append(", \"seconds\": ").append(g6(seconds));
      if (b != 0) line.append(", \"sightings_per_second\": ").append(g6(count / seconds));
      line.append(", \"ns_per_batch\": ").append(g6(seconds * 1e9 / batches)).append('}');
      System.out.println(line);
      System.out.flush();
    }
  }
}
