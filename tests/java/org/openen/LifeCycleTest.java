// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole life cycle through the Java API against the real servers over loopback: openen-verifier
 * and openen-relay (the binaries, with keys made as docs/operations.md makes them), nginx serving
 * the relay's export directory, and two phones. The person whose phone was near a diagnosed
 * person's sees the exposure after a sync over HTTP; then the store is erased, and a decommission
 * order switches everything off.
 */
class LifeCycleTest {
  private static final String VERIFIER = TestSupport.property("openen.verifier");
  private static final String RELAY = TestSupport.property("openen.relay");
  private static final String CLI = TestSupport.property("openen.cli");

  @TempDir Path dir;

  @Test
  void aDiagnosedPersonsKeysReachAPhoneThatWasNear() throws Exception {
    // The keys, as the operators make them.
    String certificatePub = TestSupport.run(dir, VERIFIER, "keygen", "--out", "certificate.key");
    Files.writeString(dir.resolve("certificate.pub"), certificatePub + "\n");
    String decommissionPub = TestSupport.run(dir, VERIFIER, "keygen", "--out", "decommission.key");
    Files.writeString(dir.resolve("decommission.pub"), decommissionPub + "\n");
    TestSupport.run(dir, VERIFIER, "integration", "add", "tracing", "--staff-dir", "staff", "--out", "issue.key");
    String exportSpki = TestSupport.run(dir, RELAY, "keygen", "--out", "export.pem");
    String logVkey = TestSupport.run(dir, CLI, "log", "keygen", "--name", "openen.example/log", "--out", "log.key");
    Path exports = dir.resolve("relay-export");

    try (TestSupport.Server verifier = new TestSupport.Server(dir, "verifier", List.of(VERIFIER,
             "--data-dir", "verifier-data", "--signing-key", "certificate.key", "--staff-dir", "staff",
             "--listen", "127.0.0.1:0"));
         TestSupport.Server relay = new TestSupport.Server(dir, "relay", List.of(RELAY,
             "--data-dir", "relay-data", "--export-dir", exports.toString(), "--certificate-key",
             "certificate.pub", "--signing-key", "export.pem", "--log-key", "log.key",
             "--decommission-key", "decommission.pub", "--listen", "127.0.0.1:0", "--batch-period", "1",
             "--min-batch-keys", "5", "--maintenance-interval", "1"));
         TestSupport.Nginx cdn = new TestSupport.Nginx(dir.resolve("nginx"), exports);
         TestSupport.GrpcTransport transport =
             new TestSupport.GrpcTransport(verifier.address(), relay.address())) {
      long now = System.currentTimeMillis() / 1000;
      // Two days ago at noon: the thirty minutes stay within one day whatever the time of the
      // run (from 23:30 UTC, "two days ago" plus thirty minutes would cross midnight).
      long met = (now / 86400 - 2) * 86400 + 12 * 3600;
      TestSupport.FakeClock diagnosedClock = new TestSupport.FakeClock(met);
      TestSupport.FakeClock nearClock = new TestSupport.FakeClock(met);
      Path nearStore = dir.resolve("near-store");
      Path nearKey = dir.resolve("near.key");
      try (OpenEnClient diagnosed = OpenEnClient.open(
               ClientOptions.builder(dir.resolve("diagnosed-store")).timeSource(diagnosedClock).build(),
               new FileKeyStore(dir.resolve("diagnosed.key")));
           OpenEnClient near = OpenEnClient.open(ClientOptions.builder(nearStore)
                   .timeSource(nearClock)
                   .exportKey("openen-v1", exportSpki)
                   .logKey(logVkey)
                   .decommissionKey(Base64.getDecoder().decode(decommissionPub))
                   .build(),
               new FileKeyStore(nearKey))) {
        // Thirty minutes side by side, two days ago: the near phone hears the diagnosed phone's
        // advertisement every five minutes (RSSI -55 dBm against its -10 dBm: 45 dB, near).
        SightingBatch heard = new SightingBatch(8);
        for (int minute = 0; minute < 30; minute += 5) {
          diagnosedClock.set(met + minute * 60L);
          byte[] payload = diagnosed.broadcastPayload();
          assertEquals(20, payload.length);
          if (minute == 0) {
            near.recordSighting(java.util.Arrays.copyOf(payload, 16),
                java.util.Arrays.copyOfRange(payload, 16, 20), -55, met);
          } else {
            heard.add(payload, -55, met + minute * 60L);
          }
        }
        nearClock.set(met + 1800);
        near.recordSightings(heard);
        List<DayCounts> stored = near.storageSummary();
        assertEquals(1, stored.size());
        assertEquals(met / 86400, stored.get(0).epochDay());
        assertEquals(6, stored.get(0).scans());
        assertEquals(0, stored.get(0).exposureWindows());

        // Today the diagnosed person uploads with the code the health authority gave them.
        diagnosedClock.set(now);
        nearClock.set(now);
        String issued = TestSupport.run(dir, VERIFIER, "issue", "--server", verifier.address(),
            "--api-key-file", "issue.key", "--test-type", "confirmed", "--json");
        Matcher code = Pattern.compile("\"short_code\": \"([^\"]+)\"").matcher(issued);
        assertTrue(code.find(), issued);
        UploadReport uploaded = diagnosed.uploadDiagnosis(transport, code.group(1));
        assertTrue(uploaded.keysAccepted() >= 1, uploaded.toString());
        assertFalse(diagnosed.uploadPending());
        // The same code again is refused by the verifier: NOT_FOUND, the transport's error the cause.
        OpenEnException reused =
            assertThrows(OpenEnException.class, () -> diagnosed.uploadDiagnosis(transport, code.group(1)));
        assertEquals(Status.NOT_FOUND, reused.status(), reused.getMessage());
        assertTrue(reused.getCause() instanceof OpenEnException, String.valueOf(reused.getCause()));
        diagnosed.sendChaff(transport);

        // The relay closes a batch within seconds; the near phone syncs over HTTP and sees it.
        Path index = exports.resolve("index.txt");
        for (int i = 0; i < 1200 && (!Files.exists(index) || Files.readString(index).isBlank()); i++) {
          Thread.sleep(100);
        }
        assertFalse(Files.readString(index).isBlank(), "the relay published no batch: " + Files.readString(relay.log));
        HttpBatchSource source = new HttpBatchSource(URI.create("http://127.0.0.1:" + cdn.port + "/"));
        SyncReport synced = near.sync(source, new Cancellation());
        assertTrue(synced.batches() >= 1, synced.toString());
        assertTrue(synced.matchedIdentifiers() >= 3, synced.toString());
        assertEquals(1, synced.newExposureWindows(), synced.toString());
        List<DailySummary> days = near.dailySummaries();
        assertEquals(1, days.size());
        assertEquals(met / 86400, days.get(0).epochDay());
        assertEquals(java.time.LocalDate.ofEpochDay(met / 86400), days.get(0).date());
        assertTrue(days.get(0).exposure(), days.get(0).toString());
        assertEquals(1800.0, days.get(0).weightedDurationSeconds());
        assertEquals(0, near.sync(source).batches(), "a second sync finds nothing new");

        // Pause and resume; maintenance.
        near.pause();
        assertTrue(near.isPaused());
        assertEquals(Status.PAUSED, assertThrows(OpenEnException.class, near::broadcastPayload).status());
        near.resume();
        assertEquals(0, near.maintain().daysPurged());

        // Erase: nothing left, the platform key destroyed, the client usable under a fresh key.
        byte[] keyBefore = Files.readAllBytes(nearKey);
        near.eraseAll();
        assertTrue(near.storageSummary().isEmpty());
        assertTrue(near.dailySummaries().isEmpty());
        assertFalse(java.util.Arrays.equals(keyBefore, Files.readAllBytes(nearKey)),
            "eraseAll did not destroy the platform key (the library wraps under a fresh one)");
        byte[] fresh = near.broadcastPayload();
        assertEquals(20, fresh.length);
        assertArrayEquals(fresh, near.broadcastPayload());

        // The authority switches the system off: the relay serves the order, the phone obeys it.
        TestSupport.run(dir, VERIFIER, "decommission-order", "--signing-key", "decommission.key",
            "--effective", Long.toString(now - 60), "--sequence", "1", "--out", "order.bin");
        TestSupport.run(dir, RELAY, "decommission", "--order", "order.bin", "--data-dir", "relay-data",
            "--decommission-key", "decommission.pub");
        for (int i = 0; i < 1200 && !Files.exists(exports.resolve("decommission.bin")); i++) {
          Thread.sleep(100);
        }
        OpenEnException off = assertThrows(OpenEnException.class, () -> near.sync(source));
        assertEquals(Status.DECOMMISSIONED, off.status(), off.getMessage());
        assertEquals(Status.DECOMMISSIONED, assertThrows(OpenEnException.class, near::broadcastPayload).status());
      }
      assertTrue(OpenEnClient.isDecommissioned(nearStore));
      assertFalse(OpenEnClient.isDecommissioned(dir.resolve("diagnosed-store")));
      OpenEnException reopened = assertThrows(OpenEnException.class, () -> OpenEnClient.open(
          ClientOptions.builder(nearStore).build(), new FileKeyStore(nearKey)));
      assertEquals(Status.DECOMMISSIONED, reopened.status());
    }
  }
}
