// Runs the guide's JNI layer (openen_jni.c) in a real JVM: OpenEn's natives through JNI into
// libopenen.so and back into Java callbacks. Android's own classes are absent here, so the
// wrapping key is an in-memory JDK AES-GCM key (a subclass of the guide's WrappingKey, whose
// Android Keystore methods are never reached) and the fetcher and transport are Java lambdas.
// Run by client_snippets.cmake after the snippets compile:
//   java -cp CLASSES:SHIM -Djava.library.path=DIR org.example.exposure.JniRun WORK_DIR
package org.example.exposure;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

public final class JniRun {
  private static int failures = 0;

  private static void expect(String what, int got, int want) {
    System.out.printf("%-36s %s%n", what, OpenEn.statusName(got));
    if (got != want) {
      System.out.printf("  want %s%n", OpenEn.statusName(want));
      failures++;
    }
  }

  private static void check(String what, boolean ok) {
    System.out.printf("%-36s %s%n", what, ok ? "yes" : "NO");
    if (!ok) failures++;
  }

  /** The guide's WrappingKey with its Keystore replaced by a key in memory. */
  static final class MemoryKey extends WrappingKey {
    private SecretKey key;
    int destroyed = 0;

    @Override
    public byte[] wrap(byte[] dataKey) throws GeneralSecurityException {
      if (key == null) {
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256);
        key = generator.generateKey();
      }
      byte[] iv = new byte[12];
      new SecureRandom().nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
      byte[] sealed = cipher.doFinal(dataKey);
      byte[] out = Arrays.copyOf(iv, iv.length + sealed.length);
      System.arraycopy(sealed, 0, out, iv.length, sealed.length);
      return out;
    }

    @Override
    public byte[] unwrap(byte[] wrapped) throws GeneralSecurityException {
      if (key == null) throw new GeneralSecurityException("destroyed");
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, wrapped, 0, 12));
      return cipher.doFinal(wrapped, 12, wrapped.length - 12);
    }

    @Override
    public void destroy() {
      key = null;
      destroyed++;
    }
  }

  /** A fresh Ed25519 public key, raw: the last 32 bytes of its X.509 encoding. */
  private static byte[] ed25519PublicKey() throws GeneralSecurityException {
    byte[] spki = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
  }

  public static void main(String[] args) throws Exception {
    File dir = new File(args[0], "store");
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    String spki = Base64.getEncoder().encodeToString(ec.generateKeyPair().getPublic().getEncoded());
    byte[] configKey = ed25519PublicKey();
    byte[] decommissionKey = ed25519PublicKey();
    MemoryKey key = new MemoryKey();

    long[] handle = new long[1];
    expect("open", OpenEn.open(dir.getPath(), "310-v1", spki, configKey, decommissionKey, 0, -15,
        key, handle), OpenEn.OK);
    long client = handle[0];
    if (client == 0) System.exit(1);
    expect("open with a 31-byte config key", OpenEn.open(new File(args[0], "other").getPath(),
        "310-v1", spki, new byte[31], decommissionKey, 0, -15, new MemoryKey(), new long[1]),
        3 /* INVALID_ARGUMENT */);

    byte[] payload = new byte[20];
    expect("broadcastPayload", OpenEn.broadcastPayload(client, payload), OpenEn.OK);
    check("payload is not all zeros", !Arrays.equals(payload, new byte[20]));

    long now = System.currentTimeMillis() / 1000;
    byte[] heard = new byte[40];
    Arrays.fill(heard, (byte) 0x5a);
    expect("recordSightings", OpenEn.recordSightings(client, heard, new int[] {-70, -71},
        new long[] {now - 60, now}), OpenEn.OK);
    expect("recordSightings, sizes disagree", OpenEn.recordSightings(client, heard,
        new int[] {-70}, new long[] {now}), 3 /* INVALID_ARGUMENT */);
    expect("recordSightings, RSSI -300", OpenEn.recordSightings(client, heard,
        new int[] {-70, -300}, new long[] {now - 60, now}), 3 /* INVALID_ARGUMENT */);

    expect("maintain", OpenEn.maintain(client), OpenEn.OK);

    // Sync: a cancelled one, one whose fetcher has no network, one that finds nothing.
    long cancel = OpenEn.cancelCreate();
    OpenEn.cancelSet(cancel);
    check("cancelIsSet", OpenEn.cancelIsSet(cancel));
    int[] fetches = {0};
    OpenEn.Fetcher offline = (name, maxBytes, flag) -> {
      fetches[0]++;
      throw new IOException("no network");
    };
    expect("sync, cancelled", OpenEn.sync(client, offline, cancel), OpenEn.CANCELLED);
    check("a cancelled sync fetched nothing", fetches[0] == 0);
    OpenEn.cancelFree(cancel);
    expect("sync, IOException", OpenEn.sync(client, offline, 0), OpenEn.UNAVAILABLE);
    check("the fetcher was called", fetches[0] > 0);
    // An empty index.txt and 404 for everything else (index.sha256, config.bin, ...): nothing
    // to do. A 404 taken for a network failure would fail the sync at index.sha256.
    OpenEn.Fetcher empty = (name, maxBytes, flag) -> {
      if (name.equals("index.txt")) return new byte[0];
      throw new FileNotFoundException(name);
    };
    expect("sync, empty index, 404 for the rest", OpenEn.sync(client, empty, 0), OpenEn.OK);

    int[] day = {0};
    expect("lastExposureDay", OpenEn.lastExposureDay(client, day), OpenEn.OK);
    check("  no exposure", day[0] == -1);

    // Upload: the verifier refuses the code; the other two calls still go out, as chaff.
    int[] calls = {0};
    OpenEn.Transport refusing = (method, request) -> {
      calls[0]++;
      throw new OpenEn.Refused(OpenEn.NOT_FOUND, "unknown code");
    };
    expect("uploadDiagnosis, refused code",
        OpenEn.uploadDiagnosis(client, refusing, "1234567890123456", new int[0]), OpenEn.NOT_FOUND);
    check("  three calls went out", calls[0] == 3);

    expect("pause", OpenEn.pause(client), OpenEn.OK);
    expect("broadcastPayload while paused", OpenEn.broadcastPayload(client, payload),
        OpenEn.PAUSED);
    expect("resume", OpenEn.resume(client), OpenEn.OK);
    expect("eraseAll", OpenEn.eraseAll(client), OpenEn.OK);
    check("  the wrapping key was destroyed", key.destroyed >= 1);
    expect("broadcastPayload after the erase", OpenEn.broadcastPayload(client, payload),
        OpenEn.OK);
    OpenEn.close(client);
    // Another key cannot open the store: its unwrap throws, and the JNI layer must clear that
    // exception before its next JNI call (-Xcheck:jni reports it otherwise).
    expect("open with another wrapping key", OpenEn.open(dir.getPath(), "310-v1", spki, configKey,
        decommissionKey, 0, -15, new MemoryKey(), new long[1]), 7 /* PERMISSION_DENIED */);
    check("statusName(102)", "DECOMMISSIONED".equals(OpenEn.statusName(102)));
    System.exit(failures == 0 ? 0 : 1);
  }
}
