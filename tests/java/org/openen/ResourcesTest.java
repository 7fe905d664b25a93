// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What JNI glue gets wrong: references that leak, threads the JVM did not start, and a client
 * closed under a running call. The JVM runs with a small heap (-Xmx48m, set by tests/java).
 */
class ResourcesTest {
  @TempDir Path dir;

  private static long globalReferencesAfterGc() throws InterruptedException {
    System.gc();
    Thread.sleep(50);
    return TestSupport.jniGlobalReferences();
  }

  @Test
  void tenThousandClientsOpenAndCloseLeavingNoGlobalReference() throws Exception {
    Path store = dir.resolve("store");
    FileKeyStore keys = new FileKeyStore(dir.resolve("k"));
    ClientOptions options = ClientOptions.builder(store).timeSource(() -> 1700000000L).build();
    BatchSource empty = (name, body, cancel) -> {
      if (!name.equals("index.txt")) throw new FileNotFoundException(name);
    };
    // Warm up: the classes the loop uses are loaded, and the JDK's own references made.
    for (int i = 0; i < 20; i++) {
      try (OpenEnClient c = OpenEnClient.open(options, keys)) {
        c.broadcastPayload();
        c.sync(empty, new Cancellation());
      }
    }
    long before = globalReferencesAfterGc();
    assertTrue(before > 0, "JVMTI counts no global reference at all: the count is broken");
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 10_000; i++) {
      try (OpenEnClient c = OpenEnClient.open(options, keys)) {
        assertFalse(c.isPaused());
        if (i % 100 == 0) {
          c.broadcastPayload(); // the TimeSource and the KeyStore, called back
          c.sync(empty, new Cancellation()); // a call's own references
        }
      }
      if (i == 5_000) {
        // Mid-way, with clients open: each holds its KeyStore and TimeSource, which close releases.
        try (OpenEnClient a = OpenEnClient.open(options, keys)) {
          assertEquals(before + 2, globalReferencesAfterGc(), "an open client holds two references");
        }
      }
    }
    long after = globalReferencesAfterGc();
    assertEquals(before, after, "global references leaked over 10,000 clients");
    long used = rt.totalMemory() - rt.freeMemory();
    assertTrue(rt.maxMemory() <= 64L * 1024 * 1024, "the test runs with a bounded heap");
    System.out.printf("10,000 clients: %d global references before and after; heap %d KiB used of %d KiB%n",
        after, used / 1024, rt.maxMemory() / 1024);
  }

  @Test
  void callbacksOnThreadsTheJvmDidNotStartAreAttachedAndDetached() throws Exception {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    AtomicInteger calls = new AtomicInteger();
    Thread test = Thread.currentThread();
    TimeSource clock = () -> {
      Thread t = Thread.currentThread();
      if (t != test) {
        threads.add(t.getName() + (t.isDaemon() ? "/daemon" : ""));
        calls.incrementAndGet();
      }
      return 1700000000L;
    };
    Path store = dir.resolve("store");
    try (OpenEnClient c = OpenEnClient.open(ClientOptions.builder(store).timeSource(clock).build(),
             new FileKeyStore(dir.resolve("k")))) {
      c.broadcastPayload();
      long before = globalReferencesAfterGc();
      assertEquals(200, TestSupport.broadcastFromNativeThreads(c.cClientForTesting(), 200));
      assertTrue(calls.get() >= 200, "the clock was called back " + calls.get() + " times from native threads");
      assertEquals(Set.of("openen-native/daemon"), threads);
      assertEquals(before, globalReferencesAfterGc());
    }
    // Every attached thread was detached: none is left in the JVM.
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      assertFalse(t.getName().equals("openen-native"), "a native thread is still attached");
    }
  }

  @Test
  void closeWaitsForARunningCallAndManyThreadsShareAClient() throws Exception {
    Path store = dir.resolve("store");
    OpenEnClient c = OpenEnClient.open(ClientOptions.builder(store).timeSource(() -> 1700000000L).build(),
        new FileKeyStore(dir.resolve("k")));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      // Four threads record and broadcast at once.
      List<Future<?>> work = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        work.add(pool.submit(() -> {
          SightingBatch batch = new SightingBatch(16);
          java.util.Random random = new java.util.Random();
          byte[] heard = new byte[20];
          for (int i = 0; i < 50; i++) {
            batch.clear();
            for (int k = 0; k < 16; k++) {
              random.nextBytes(heard);
              batch.add(heard, -60, 1700000000L - k);
            }
            c.recordSightings(batch);
            assertEquals(20, c.broadcastPayload().length);
          }
          return null;
        }));
      }
      for (Future<?> f : work) f.get(120, TimeUnit.SECONDS);
      assertEquals(4 * 50 * 16, c.storageSummary().stream().mapToInt(DayCounts::scans).sum());

      // A sync blocked inside its source: close() waits for it.
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<?> sync = pool.submit(() -> c.sync((name, body, cancel) -> {
        inside.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (!name.equals("index.txt")) throw new FileNotFoundException(name);
      }));
      assertTrue(inside.await(60, TimeUnit.SECONDS));
      Future<?> closing = pool.submit(c::close);
      Thread.sleep(300);
      assertFalse(closing.isDone(), "close() did not wait for the running sync");
      release.countDown();
      sync.get(60, TimeUnit.SECONDS);
      closing.get(60, TimeUnit.SECONDS);
      assertEquals(Status.FAILED_PRECONDITION,
          assertThrows(OpenEnException.class, c::broadcastPayload).status());
    } finally {
      pool.shutdownNow();
      c.close();
    }
  }
}
