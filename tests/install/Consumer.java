// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// An app of the installed Java API (package libopenen-java): compiled against
// /usr/share/java/openen.jar, run with no library path given (the JVM finds libopenen_jni.so in
// its default path). Opens a store in DIR, broadcasts, records what it heard, and prints the day.
// usage: java -cp /usr/share/java/openen.jar:. Consumer DIR

import java.nio.file.Path;
import org.openen.ClientOptions;
import org.openen.DayCounts;
import org.openen.FileKeyStore;
import org.openen.OpenEnClient;
import org.openen.SightingBatch;

public final class Consumer {
  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long now = System.currentTimeMillis() / 1000;
    try (OpenEnClient client = OpenEnClient.open(ClientOptions.builder(dir.resolve("store")).build(),
             new FileKeyStore(dir.resolve("platform.key")))) {
      byte[] payload = client.broadcastPayload();
      client.recordSightings(new SightingBatch(1).add(payload, -60, now));
      for (DayCounts day : client.storageSummary()) {
        System.out.println(day.date() + ": " + day.scans() + " scan(s)");
      }
    }
  }
}
