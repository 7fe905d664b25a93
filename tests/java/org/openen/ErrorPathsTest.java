// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API's error paths: each failure arrives as an OpenEnException with the C API's status,
 * a callback's own exception as its cause, and nothing is lost.
 */
class ErrorPathsTest {
  // The C API test's fixture (tests/client/c_api_fixture.cc): exports/ holds one batch signed by
  // the key in exports/key.txt, whose RPIs the C test records.
  private static final Path FIXTURE = Path.of(TestSupport.property("openen.c_api_fixture"));
  private static final long AFTER_FIXTURE_BATCH = 1585872000L + 3600;

  @TempDir Path dir;

  private OpenEnClient open(Path store, KeyStore keys, ClientOptions.Builder options) {
    return OpenEnClient.open(options.build(), keys);
  }

  private ClientOptions.Builder at(Path store, long now) {
    return ClientOptions.builder(store).timeSource(() -> now);
  }

  @Test
  void aStoreOpenedWithAnotherPlatformKeyIsRefusedAndKeptAsItWas() throws Exception {
    Path store = dir.resolve("store");
    byte[] payload;
    try (OpenEnClient c = open(store, new FileKeyStore(dir.resolve("right.key")), at(store, 1700000000))) {
      payload = c.broadcastPayload();
    }
    // A platform key that is gone (the app's data was restored elsewhere), then another one.
    OpenEnException e = assertThrows(OpenEnException.class,
        () -> open(store, new FileKeyStore(dir.resolve("wrong.key")), at(store, 1700000000)));
    assertEquals(Status.PERMISSION_DENIED, e.status(), e.getMessage());
    assertInstanceOf(GeneralSecurityException.class, e.getCause(), "the key store's own exception is the cause");
    new FileKeyStore(dir.resolve("wrong.key")).wrap(new byte[32]);
    e = assertThrows(OpenEnException.class,
        () -> open(store, new FileKeyStore(dir.resolve("wrong.key")), at(store, 1700000000)));
    assertEquals(Status.PERMISSION_DENIED, e.status(), e.getMessage());
    assertInstanceOf(AEADBadTagException.class, e.getCause(), "the key store's own exception is the cause");
    try (OpenEnClient c = open(store, new FileKeyStore(dir.resolve("right.key")), at(store, 1700000000))) {
      assertArrayEquals(payload, c.broadcastPayload(), "the refused open changed the store");
    }
  }

  @Test
  void theArraysThatCarryADataKeyAreOverwritten() throws Exception {
    // A key store that keeps every array holding a plain data key: the one it was given to wrap
    // and the one it returned from unwrap. Once the library has copied them, they hold zeros.
    FileKeyStore file = new FileKeyStore(dir.resolve("k"));
    List<byte[]> plain = new java.util.ArrayList<>();
    KeyStore keeping = new KeyStore() {
      @Override
      public byte[] wrap(byte[] dataKey) throws Exception {
        plain.add(dataKey);
        return file.wrap(dataKey.clone());
      }

      @Override
      public byte[] unwrap(byte[] wrapped) throws Exception {
        byte[] dataKey = file.unwrap(wrapped);
        plain.add(dataKey);
        return dataKey;
      }

      @Override
      public void destroy() throws Exception {
        file.destroy();
      }
    };
    Path store = dir.resolve("store");
    for (int i = 0; i < 2; i++) {
      try (OpenEnClient c = open(store, keeping, at(store, 1700000000))) {
        c.broadcastPayload();
      }
    }
    assertTrue(plain.size() >= 2, "the key store saw " + plain.size() + " plain keys");
    for (byte[] key : plain) {
      assertEquals(32, key.length);
      assertArrayEquals(new byte[32], key, "a data key stayed on the Java heap");
    }
  }

  @Test
  void aCorruptStoreIsDataLoss() throws Exception {
    Path store = dir.resolve("store");
    try (OpenEnClient c = open(store, new FileKeyStore(dir.resolve("k")), at(store, 1700000000))) {
      c.broadcastPayload();
    }
    for (Path f : TestSupport.filesUnder(store)) {
      byte[] garbage = new byte[(int) Math.max(64, Files.size(f))];
      java.util.Arrays.fill(garbage, (byte) 0x5a);
      Files.write(f, garbage);
    }
    OpenEnException e = assertThrows(OpenEnException.class,
        () -> open(store, new FileKeyStore(dir.resolve("k")), at(store, 1700000000)));
    assertEquals(Status.DATA_LOSS, e.status(), e.getMessage());
  }

  @Test
  void aKeyStoreThatFailsFailsTheCallWithItsException() {
    Path store = dir.resolve("store");
    KeyStore broken = new KeyStore() {
      @Override
      public byte[] wrap(byte[] dataKey) throws GeneralSecurityException {
        throw new GeneralSecurityException("the Keystore is locked");
      }

      @Override
      public byte[] unwrap(byte[] wrapped) throws GeneralSecurityException {
        throw new GeneralSecurityException("the Keystore is locked");
      }

      @Override
      public void destroy() {}
    };
    try (OpenEnClient c = open(store, broken, at(store, 1700000000))) {
      OpenEnException e = assertThrows(OpenEnException.class, c::broadcastPayload);
      assertInstanceOf(GeneralSecurityException.class, e.getCause(), e.getMessage());
      assertEquals("the Keystore is locked", e.getCause().getMessage());
    } catch (OpenEnException e) {
      // Opening may already need the key: the same cause then.
      assertInstanceOf(GeneralSecurityException.class, e.getCause(), e.getMessage());
    }
  }

  @Test
  void aBatchSignedByAnUnknownKeyIsRefusedAndLosesNothing() throws Exception {
    Path store = dir.resolve("store");
    String other = TestSupport.run(dir, TestSupport.property("openen.relay"), "keygen", "--out", "other.pem");
    String right = Files.readString(FIXTURE.resolve("exports/key.txt")).strip();
    Path keys = dir.resolve("k");
    try (OpenEnClient c = open(store, new FileKeyStore(keys),
             at(store, AFTER_FIXTURE_BATCH).exportKey("fixture-v1", other))) {
      OpenEnException e = assertThrows(OpenEnException.class, () -> c.syncDirectory(FIXTURE.resolve("exports")));
      assertEquals(Status.UNAUTHENTICATED, e.status(), e.getMessage());
    }
    // Pinned to the key that signed it, the same phone processes the batch it refused.
    try (OpenEnClient c = open(store, new FileKeyStore(keys),
             at(store, AFTER_FIXTURE_BATCH).exportKey("fixture-v1", right))) {
      SyncReport r = c.syncDirectory(FIXTURE.resolve("exports"));
      assertEquals(1, r.batches());
      assertEquals(201, r.keys());
    }
  }

  @Test
  void aTransportThatThrowsFailsTheUploadWithItsExceptionAndSendsEveryCall() {
    Path store = dir.resolve("store");
    try (OpenEnClient c = open(store, new FileKeyStore(dir.resolve("k")),
             at(store, System.currentTimeMillis() / 1000))) {
      c.broadcastPayload();
      AtomicInteger calls = new AtomicInteger();
      Transport crashing = (method, request) -> {
        calls.incrementAndGet();
        throw new IllegalStateException("the carrier crashed");
      };
      OpenEnException e = assertThrows(OpenEnException.class, () -> c.uploadDiagnosis(crashing, "12345678"));
      assertEquals(Status.INTERNAL, e.status(), e.getMessage());
      assertInstanceOf(IllegalStateException.class, e.getCause());
      // Exchange and certify are refused; the Publish still goes out, as chaff, and is tried
      // again (up to 4 times) since the transport, not the relay, failed it.
      assertTrue(calls.get() >= 3, "the refused steps still go out, as chaff: " + calls.get());

      Transport offline = (method, request) -> {
        throw new IOException("no network");
      };
      e = assertThrows(OpenEnException.class, () -> c.sendChaff(offline));
      assertEquals(Status.UNAVAILABLE, e.status(), e.getMessage());
      assertInstanceOf(IOException.class, e.getCause());

      Transport refusing = (method, request) -> {
        throw new OpenEnException(Status.NOT_FOUND, "unknown code");
      };
      e = assertThrows(OpenEnException.class, () -> c.uploadDiagnosis(refusing, "12345678"));
      assertEquals(Status.NOT_FOUND, e.status(), e.getMessage());

      Transport nothing = (method, request) -> null;
      e = assertThrows(OpenEnException.class, () -> c.sendChaff(nothing));
      assertEquals(Status.INTERNAL, e.status(), e.getMessage());
      assertInstanceOf(NullPointerException.class, e.getCause());
      assertFalse(c.uploadPending());
    }
  }

  @Test
  void aSourceThatFailsOrOverflowsFailsTheSyncAndACancelStopsIt() throws Exception {
    Path store = dir.resolve("store");
    String key = Files.readString(FIXTURE.resolve("exports/key.txt")).strip();
    try (OpenEnClient c = open(store, new FileKeyStore(dir.resolve("k")),
             at(store, AFTER_FIXTURE_BATCH).exportKey("fixture-v1", key))) {
      OpenEnException e = assertThrows(OpenEnException.class, () -> c.sync((name, body, cancel) -> {
        throw new IOException("HTTP 503");
      }));
      assertEquals(Status.UNAVAILABLE, e.status(), e.getMessage());
      assertEquals("HTTP 503", e.getCause().getMessage());

      e = assertThrows(OpenEnException.class, () -> c.sync((name, body, cancel) -> {
        throw new java.net.http.HttpTimeoutException("timed out");
      }));
      assertEquals(Status.DEADLINE_EXCEEDED, e.status(), e.getMessage());

      // A body larger than the library allows for the file stops at the limit.
      AtomicInteger written = new AtomicInteger();
      e = assertThrows(OpenEnException.class, () -> c.sync((name, body, cancel) -> {
        byte[] chunk = new byte[64 * 1024];
        while (true) {
          body.write(chunk);
          written.addAndGet(chunk.length);
        }
      }));
      assertEquals(Status.RESOURCE_EXHAUSTED, e.status(), e.getMessage());
      assertTrue(written.get() <= 64L * 1024 * 1024, "wrote " + written.get());

      // A source that swallows the refusal and returns normally still fails the sync: the body
      // was cut at its limit.
      e = assertThrows(OpenEnException.class, () -> c.sync((name, body, cancel) -> {
        try {
          body.write(new byte[(int) Math.min(body.maxBytes() + 1, 64L * 1024 * 1024 + 1)]);
        } catch (OpenEnException swallowed) {
          // The source goes on as if nothing happened.
        }
      }));
      assertEquals(Status.RESOURCE_EXHAUSTED, e.status(), e.getMessage());

      // A response body used after its fetch returned refuses the write.
      ResponseBody[] kept = new ResponseBody[1];
      assertThrows(OpenEnException.class, () -> c.sync((name, body, cancel) -> {
        kept[0] = body;
        throw new IOException("offline");
      }));
      assertThrows(IOException.class, () -> kept[0].write(1));

      // Cancelled before it starts, and from the source itself.
      Cancellation cancel = new Cancellation();
      cancel.cancel();
      assertTrue(cancel.isCancelled());
      AtomicInteger fetched = new AtomicInteger();
      e = assertThrows(OpenEnException.class, () -> c.sync((name, body, flag) -> {
        fetched.incrementAndGet();
        Files.newInputStream(FIXTURE.resolve("exports").resolve(name)).transferTo(body);
      }, cancel));
      assertEquals(Status.CANCELLED, e.status(), e.getMessage());
      assertEquals(0, fetched.get(), "the library's own flag was not set: it fetched");
      cancel.reset();
      assertFalse(cancel.isCancelled());
      e = assertThrows(OpenEnException.class, () -> c.sync((name, body, flag) -> {
        flag.cancel();
        throw new java.io.InterruptedIOException("cancelled");
      }, cancel));
      assertEquals(Status.CANCELLED, e.status(), e.getMessage());

      // Cancelled from another thread while index.txt downloads: the sync stops (the library at
      // its next step, or the next file the source is asked for, which a cancel fails).
      cancel.reset();
      e = assertThrows(OpenEnException.class, () -> c.sync((name, body, flag) -> {
        if (name.equals("index.txt")) {
          Thread canceller = new Thread(flag::cancel);
          canceller.start();
          try {
            canceller.join();
          } catch (InterruptedException x) {
            throw new java.io.InterruptedIOException();
          }
        }
        Files.newInputStream(FIXTURE.resolve("exports").resolve(name)).transferTo(body);
      }, cancel));
      assertEquals(Status.CANCELLED, e.status(), e.getMessage());

      // Nothing above moved the phone: the fixture's batch is still to be processed.
      SyncReport r = c.syncDirectory(FIXTURE.resolve("exports"));
      assertEquals(1, r.batches());
    }
  }

  @Test
  void httpBatchSourceMapsTheServersAnswers() throws Exception {
    Path store = dir.resolve("store");
    // A port bound and never listened on: connections to it are refused, and no one else takes it.
    try (java.net.Socket bound = new java.net.Socket();
         OpenEnClient c = open(store, new FileKeyStore(dir.resolve("k")), at(store, AFTER_FIXTURE_BATCH));
         TestSupport.Nginx cdn = new TestSupport.Nginx(dir.resolve("nginx"), FIXTURE.resolve("exports"))) {
      bound.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int closed = bound.getLocalPort();
      OpenEnException e = assertThrows(OpenEnException.class,
          () -> c.sync(new HttpBatchSource(URI.create("http://127.0.0.1:" + closed + "/"))));
      assertEquals(Status.UNAVAILABLE, e.status(), e.getMessage());
      assertInstanceOf(java.net.ConnectException.class, e.getCause());

      // A missing file is NOT_FOUND to the library, never a failure of its own.
      HttpBatchSource missing = new HttpBatchSource(URI.create("http://127.0.0.1:" + cdn.port + "/nothing/"));
      ResponseBody body = new ResponseBody(0, 10);
      assertThrows(FileNotFoundException.class, () -> missing.fetch("index.txt", body, new Cancellation()));

      // The fixture's batch is signed by a key this phone did not pin: refused, over HTTP too.
      e = assertThrows(OpenEnException.class,
          () -> c.sync(new HttpBatchSource(URI.create("http://127.0.0.1:" + cdn.port))));
      assertEquals(Status.UNAUTHENTICATED, e.status(), e.getMessage());
      assertNull(e.getCause(), "no callback failed");
    }
  }

  @Test
  void aServerThatStallsInTheBodyTimesOutAndACancelEndsTheWait() throws Exception {
    // The JDK's own HTTP server: index.txt's headers promise 100 bytes, 10 come, then nothing.
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    CountDownLatch stop = new CountDownLatch(1);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, 100);
      exchange.getResponseBody().write(new byte[10]);
      exchange.getResponseBody().flush();
      try {
        stop.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    Path store = dir.resolve("store");
    try (OpenEnClient c = open(store, new FileKeyStore(dir.resolve("k")), at(store, AFTER_FIXTURE_BATCH))) {
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      HttpBatchSource source = new HttpBatchSource(base, java.net.http.HttpClient.newHttpClient(), java.time.Duration.ofSeconds(1));
      long start = System.nanoTime();
      OpenEnException e = assertThrows(OpenEnException.class, () -> c.sync(source));
      assertEquals(Status.DEADLINE_EXCEEDED, e.status(), e.getMessage());
      assertTrue(System.nanoTime() - start < 30_000_000_000L, "the stalled body was waited for");

      HttpBatchSource patient = new HttpBatchSource(base, java.net.http.HttpClient.newHttpClient(), java.time.Duration.ofSeconds(300));
      Cancellation cancel = new Cancellation();
      Thread canceller = new Thread(() -> {
        try {
          Thread.sleep(500);
        } catch (InterruptedException x) {
          return;
        }
        cancel.cancel();
      });
      canceller.start();
      start = System.nanoTime();
      e = assertThrows(OpenEnException.class, () -> c.sync(patient, cancel));
      assertEquals(Status.CANCELLED, e.status(), e.getMessage());
      assertTrue(System.nanoTime() - start < 60_000_000_000L, "the cancel did not end the wait");
      canceller.join();
    } finally {
      stop.countDown();
      server.stop(0);
    }
  }

  @Test
  void badInputIsInvalidArgumentAndStoresNothing() {
    Path store = dir.resolve("store");
    long now = 1700000000;
    try (OpenEnClient c = open(store, new FileKeyStore(dir.resolve("k")), at(store, now))) {
      OpenEnException e = assertThrows(OpenEnException.class,
          () -> c.recordSighting(new byte[15], new byte[4], -60, now));
      assertEquals(Status.INVALID_ARGUMENT, e.status());
      assertEquals("INVALID_ARGUMENT: rpi is 15 bytes, want 16", e.getMessage());
      assertThrows(OpenEnException.class, () -> new SightingBatch(1).add(new byte[19], -60, now));
      SightingBatch full = new SightingBatch(1).add(new byte[20], -60, now);
      assertEquals(Status.RESOURCE_EXHAUSTED,
          assertThrows(OpenEnException.class, () -> full.add(new byte[20], -60, now)).status());

      SightingBatch batch = new SightingBatch(4).add(new byte[20], -60, now).add(new byte[20], 200, now);
      e = assertThrows(OpenEnException.class, () -> c.recordSightings(batch));
      assertEquals(Status.INVALID_ARGUMENT, e.status());
      assertTrue(e.getMessage().startsWith("INVALID_ARGUMENT: observation 1: "), e.getMessage());
      assertTrue(c.storageSummary().stream().allMatch(d -> d.scans() == 0), "all or nothing");
      batch.clear();
      c.recordSightings(batch.add(new byte[20], -60, now));
      assertEquals(1, c.storageSummary().stream().mapToInt(DayCounts::scans).sum());

      // A code with U+0000 would reach C cut short: refused, nothing sent.
      AtomicInteger sent = new AtomicInteger();
      e = assertThrows(OpenEnException.class, () -> c.uploadDiagnosis((m, r) -> {
        sent.incrementAndGet();
        return new byte[0];
      }, "1234\u00005678"));
      assertEquals(Status.INVALID_ARGUMENT, e.status(), e.getMessage());
      assertEquals(0, sent.get());
      assertEquals(Status.INVALID_ARGUMENT,
          assertThrows(OpenEnException.class, () -> ClientOptions.builder(store).minConfigSerial(-1)).status());

      e = assertThrows(OpenEnException.class, () -> c.updateConfiguration(new byte[] {1, 2, 3}));
      assertTrue(e.status() == Status.INVALID_ARGUMENT || e.status() == Status.UNAUTHENTICATED, e.getMessage());
    }
    OpenEnException e = assertThrows(OpenEnException.class,
        () -> OpenEnClient.open(ClientOptions.builder(store).exportKey("x-v1", "not base64!").build(),
            new FileKeyStore(dir.resolve("k"))));
    assertEquals(Status.INVALID_ARGUMENT, e.status(), e.getMessage());
    e = assertThrows(OpenEnException.class,
        () -> OpenEnClient.open(ClientOptions.builder(store).configKey(new byte[31]).build(),
            new FileKeyStore(dir.resolve("k"))));
    assertEquals(Status.INVALID_ARGUMENT, e.status(), e.getMessage());
    e = assertThrows(OpenEnException.class,
        () -> OpenEnClient.open(ClientOptions.builder(store).logKey("no vkey").build(),
            new FileKeyStore(dir.resolve("k"))));
    assertEquals(Status.INVALID_ARGUMENT, e.status(), e.getMessage());
  }

  @Test
  void aClosedClientRefusesCallsAndAStorePathBeyondTheBmpWorks() throws Exception {
    // A directory name with a character beyond U+FFFF: JNI's modified UTF-8 would mangle it.
    Path store = dir.resolve("store-\uD83D\uDE37");
    OpenEnClient c = open(store, new FileKeyStore(dir.resolve("k")), at(store, 1700000000));
    c.broadcastPayload();
    assertTrue(Files.isDirectory(store), "the store is not where it was asked to be");
    c.close();
    c.close();
    assertEquals(Status.FAILED_PRECONDITION, assertThrows(OpenEnException.class, c::broadcastPayload).status());
    assertEquals(Status.FAILED_PRECONDITION, assertThrows(OpenEnException.class, c::isPaused).status());

    // close() from inside one of the client's own callbacks would wait for itself: refused.
    try (OpenEnClient d = open(store, new FileKeyStore(dir.resolve("k")), at(store, 1700000000))) {
      OpenEnException e = assertThrows(OpenEnException.class, () -> d.sync((name, body, cancel) -> d.close()));
      assertEquals(Status.FAILED_PRECONDITION, e.status(), e.getMessage());
      assertInstanceOf(OpenEnException.class, e.getCause());
      assertEquals(Status.FAILED_PRECONDITION, ((OpenEnException) e.getCause()).status());
      d.broadcastPayload(); // still open
    }
  }

  @Test
  void statusCodesAreTheCApis() {
    int[] codes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 100, 101, 102, 103};
    assertEquals(codes.length, Status.values().length);
    for (int i = 0; i < codes.length; i++) {
      assertEquals(codes[i], Status.values()[i].code());
      assertEquals(Status.values()[i], Status.fromCode(codes[i]));
    }
    assertEquals(Status.OTHER, Status.fromCode(12));
    assertEquals(Status.OTHER, Status.fromCode(-1));
  }
}
