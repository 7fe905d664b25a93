// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
// Runs the guide's Android classes that need no Android (docs/client.md, section 4) through the
// real Java binding: openen.jar and libopenen_jni.so over libopenen.so, in the JDK's JVM. Android's
// own classes are absent here, so the wrapping key is the guide's WrappingKey with its Android
// Keystore replaced by an in-memory JDK AES key (its wrap and unwrap run as written), the guide's
// CdnFetcher GETs from a web server on loopback (the JDK's HttpServer over a directory), and the
// transport is a lambda. Run by client_snippets.cmake after the snippets compile:
//   java -Xcheck:jni -Dopenen.jni.library=LIBOPENEN_JNI -cp CLASSES:SHIM:openen.jar \
//        org.example.exposure.GuideRun WORK_DIR
package org.example.exposure;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.openen.Cancellation;
import org.openen.ClientOptions;
import org.openen.MaintenanceReport;
import org.openen.OpenEnClient;
import org.openen.OpenEnException;
import org.openen.SightingBatch;
import org.openen.Status;
import org.openen.SyncReport;
import org.openen.Transport;

public final class GuideRun {
  private static int failures = 0;

  private static void check(String what, boolean ok) {
    System.out.printf("%-48s %s%n", what, ok ? "yes" : "NO");
    if (!ok) failures++;
  }

  interface Call {
    void run() throws Exception;
  }

  /** Runs call and checks the status it ends with (OK when it returns); returns its exception. */
  private static OpenEnException expect(String what, Status want, Call call) throws Exception {
    Status got = Status.OK;
    OpenEnException thrown = null;
    try {
      call.run();
    } catch (OpenEnException e) {
      got = e.status();
      thrown = e;
    }
    System.out.printf("%-48s %s%n", what, got);
    if (got != want) {
      System.out.printf("  want %s%s%n", want, thrown == null ? "" : ": " + thrown.getMessage());
      failures++;
    }
    return thrown;
  }

  /**
   * The guide's WrappingKey with the Android Keystore replaced by a JDK AES-256 key in memory:
   * its wrap and unwrap (AES-GCM, IV ‖ ciphertext ‖ tag) run as written.
   */
  static final class MemoryKey extends WrappingKey {
    private SecretKey key;
    int destroyed = 0;

    @Override
    protected synchronized SecretKey key(boolean create) throws GeneralSecurityException {
      if (key == null && create) {
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256);
        key = generator.generateKey();
      }
      return key;
    }

    @Override
    public synchronized void destroy() {
      key = null;
      destroyed++;
    }
  }

  /** A fresh Ed25519 public key, raw: the last 32 bytes of its X.509 encoding. */
  private static byte[] ed25519PublicKey() throws GeneralSecurityException {
    byte[] spki = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
  }

  private static void answer(HttpExchange exchange, int code, byte[] body) throws IOException {
    exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  public static void main(String[] args) {
    int status = 1;
    try {
      run(Path.of(args[0]));
      System.out.println(failures == 0 ? "GuideRun: all passed" : "GuideRun: " + failures + " failed");
      status = failures == 0 ? 0 : 1;
    } catch (Throwable t) {
      System.out.println("GuideRun: stopped by an exception");
      t.printStackTrace(System.out);
    }
    System.exit(status); // also ends the web server's threads
  }

  private static void run(Path work) throws Exception {

    // The CDN: /openen/ serves the files of a directory (404 for the others), /down/ answers 503.
    // The relay has published nothing yet: an empty index.txt.
    Path published = Files.createDirectories(work.resolve("cdn"));
    Files.write(published.resolve("index.txt"), new byte[0]);
    List<String> requests = Collections.synchronizedList(new ArrayList<>());
    HttpServer cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    cdn.createContext("/openen/", exchange -> {
      String name = exchange.getRequestURI().getPath().substring("/openen/".length());
      requests.add(name);
      Path file = published.resolve(name).normalize();
      if (file.startsWith(published) && Files.isRegularFile(file)) {
        answer(exchange, 200, Files.readAllBytes(file));
      } else {
        answer(exchange, 404, new byte[0]);
      }
    });
    cdn.createContext("/down/", exchange -> answer(exchange, 503, new byte[0]));
    cdn.start();
    String base = "http://127.0.0.1:" + cdn.getAddress().getPort();

    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    String spki = Base64.getEncoder().encodeToString(ec.generateKeyPair().getPublic().getEncoded());
    byte[] configKey = ed25519PublicKey();
    byte[] decommissionKey = ed25519PublicKey();
    Path store = work.resolve("store");
    // As Exposure.client builds them, with this run's keys.
    ClientOptions options = ClientOptions.builder(store)
        .exportKey(Exposure.EXPORT_KEY_NAME, spki)
        .configKey(configKey)
        .decommissionKey(decommissionKey)
        .minConfigSerial(0)
        .txPower(Exposure.TX_POWER_DBM)
        .build();
    MemoryKey key = new MemoryKey();

    expect("open with a 31-byte config key", Status.INVALID_ARGUMENT, () -> OpenEnClient.open(
        ClientOptions.builder(work.resolve("other")).configKey(new byte[31]).build(), new MemoryKey()));

    OpenEnClient first = OpenEnClient.open(options, key);
    check("open with the guide's WrappingKey (wrap)", first != null);
    byte[][] payload = new byte[1][];
    expect("broadcastPayload", Status.OK, () -> payload[0] = first.broadcastPayload());
    check("  20 bytes, not all zeros",
        payload[0].length == SightingBatch.SERVICE_DATA_BYTES && !Arrays.equals(payload[0], new byte[20]));
    first.close();
    // Reopened, the store's keys come back through the guide's unwrap.
    OpenEnClient client = OpenEnClient.open(options, key);
    byte[][] again = new byte[1][];
    expect("reopen (unwrap), broadcastPayload", Status.OK, () -> again[0] = client.broadcastPayload());
    check("  the same payload", Arrays.equals(payload[0], again[0]));

    // A batch as Scanner.record fills it: the same phone heard twice, a minute apart.
    long now = System.currentTimeMillis() / 1000;
    byte[] heard = new byte[SightingBatch.SERVICE_DATA_BYTES];
    Arrays.fill(heard, (byte) 0x5a);
    SightingBatch batch = new SightingBatch(64);
    batch.add(heard, -70, now - 60).add(heard, -300, now);
    OpenEnException bad = expect("recordSightings, RSSI -300", Status.INVALID_ARGUMENT,
        () -> client.recordSightings(batch));
    check("  the message names the entry", bad != null && bad.getMessage().contains("observation 1"));
    batch.clear();
    batch.add(heard, -70, now - 60).add(heard, -72, now);
    expect("recordSightings", Status.OK, () -> client.recordSightings(batch));
    check("  two scans stored", client.storageSummary().stream().mapToInt(d -> d.scans()).sum() == 2);

    MaintenanceReport[] maintained = new MaintenanceReport[1];
    expect("maintain", Status.OK, () -> maintained[0] = client.maintain());
    check("  not decommissioned", !maintained[0].decommissioned());

    // Sync with the guide's CdnFetcher: cancelled before it starts, the CDN down, then an empty
    // index and 404 for the rest (a 404 taken for a network failure would fail the sync).
    Cancellation cancel = new Cancellation();
    cancel.cancel();
    expect("sync, cancelled (DailyWorker.onStopped)", Status.CANCELLED,
        () -> client.sync(new CdnFetcher(base + "/openen/"), cancel));
    check("  nothing was fetched", requests.isEmpty());
    OpenEnException down = expect("sync, CDN answers 503", Status.UNAVAILABLE,
        () -> client.sync(new CdnFetcher(base + "/down/"), new Cancellation()));
    check("  the fetcher's IOException is the cause", down != null && down.getCause() instanceof IOException);
    check("  Exposure.stateOf: RETRY_LATER",
        down != null && Exposure.stateOf(down.status()) == Exposure.State.RETRY_LATER);
    SyncReport[] synced = new SyncReport[1];
    expect("sync, empty index, 404 for the rest", Status.OK,
        () -> synced[0] = client.sync(new CdnFetcher(base + "/openen/"), new Cancellation()));
    check("  no batch, and index.txt was fetched",
        synced[0] != null && synced[0].batches() == 0 && requests.contains("index.txt"));
    check("  Exposure.lastExposure: none", Exposure.lastExposure(client) == null);

    // Upload: the verifier refuses the code; the other two calls still go out, as chaff.
    List<String> methods = Collections.synchronizedList(new ArrayList<>());
    Transport refusing = (method, request) -> {
      methods.add(method);
      throw new OpenEnException(Status.NOT_FOUND, "unknown code");
    };
    OpenEnException refused = expect("uploadDiagnosis, refused code", Status.NOT_FOUND,
        () -> client.uploadDiagnosis(refusing, "1234567890123456"));
    check("  three calls went out, in order", methods.equals(List.of(Transport.EXCHANGE_CODE_METHOD,
        Transport.CERTIFY_METHOD, Transport.PUBLISH_METHOD)));
    check("  the transport's exception is the cause",
        refused != null && refused.getCause() instanceof OpenEnException);
    check("  Exposure.stateOf: FAILED", Exposure.stateOf(Status.NOT_FOUND) == Exposure.State.FAILED);

    expect("pause", Status.OK, client::pause);
    OpenEnException paused = expect("broadcastPayload while paused", Status.PAUSED, client::broadcastPayload);
    check("  Exposure.stateOf: PAUSED",
        paused != null && Exposure.stateOf(paused.status()) == Exposure.State.PAUSED);
    expect("resume", Status.OK, client::resume);
    expect("eraseAll", Status.OK, client::eraseAll);
    check("  the wrapping key was destroyed", key.destroyed >= 1);
    check("  nothing stored", client.storageSummary().isEmpty());
    expect("broadcastPayload after the erase (a fresh key)", Status.OK, client::broadcastPayload);
    client.close();
    expect("a call after close", Status.FAILED_PRECONDITION, client::broadcastPayload);

    // Another key cannot open the store: its unwrap throws (GCM's tag does not check), and that
    // exception is the cause of PERMISSION_DENIED.
    MemoryKey other = new MemoryKey();
    other.wrap(new byte[32]); // makes its key
    OpenEnException denied = expect("open with another wrapping key", Status.PERMISSION_DENIED,
        () -> OpenEnClient.open(options, other));
    check("  GCM's failed tag is the cause", denied != null && denied.getCause() instanceof AEADBadTagException);
    check("Exposure.stateOf(DECOMMISSIONED): ENDED",
        Exposure.stateOf(Status.DECOMMISSIONED) == Exposure.State.ENDED);
    cdn.stop(0);
  }
}
