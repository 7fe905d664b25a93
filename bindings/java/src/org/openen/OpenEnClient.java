// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import org.jetbrains.annotations.NotNull;

/**
 * The OpenEN client library on a phone: its daily keys, the identifiers it heard, matching and
 * risk, all in an encrypted store that keeps nothing past retention. One object per store; every
 * method may be called from several threads at once. Every method but {@link #isPaused()} and
 * {@link #close()} reads or writes storage, and sync and the uploads call the app's network
 * callbacks: call them off the UI thread (Android: a worker, or a coroutine on
 * Dispatchers.IO).
 *
 * <p>Every failure is an {@link OpenEnException} carrying the C API's {@link Status}: {@link
 * Status#PAUSED}, {@link Status#CONFIGURATION_EXPIRED} and {@link Status#DECOMMISSIONED} tell the
 * app which state to show.
 *
 * <p>Close it when done (Kotlin's {@code use}, Java's try-with-resources): {@link #close()} waits
 * for calls running on other threads (cancel a long sync first) and later calls throw {@link
 * Status#FAILED_PRECONDITION}. A client that is never closed keeps its store open until the
 * process ends (an app keeps one client for its process's life).
 */
public final class OpenEnClient implements AutoCloseable {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private long client; // the native handle, 0 once closed; guarded by lock

  private OpenEnClient(long client) {
    this.client = client;
  }

  /**
   * Opens (creating) the store and purges anything past retention. {@link Status#PERMISSION_DENIED}
   * when {@code keyStore} did not make this store, {@link Status#DATA_LOSS} when it is corrupt,
   * {@link Status#DECOMMISSIONED} once a decommission order erased it.
   */
  public static @NotNull OpenEnClient open(@NotNull ClientOptions options, @NotNull KeyStore keyStore) {
    Callbacks.reset();
    return new OpenEnClient(Native.open(options, keyStore));
  }

  /** True when the store at {@code storeDir} was erased by the authority's decommission order. */
  public static boolean isDecommissioned(@NotNull Path storeDir) {
    return Native.isDecommissioned(storeDir.toString());
  }

  // Every call holds the read lock, so that close() never frees the client under it.
  private long enter() {
    lock.readLock().lock();
    if (client == 0) {
      lock.readLock().unlock();
      throw new OpenEnException(Status.FAILED_PRECONDITION, "the client is closed");
    }
    Callbacks.reset();
    return client;
  }

  private void exit() {
    lock.readLock().unlock();
  }

  // |call| on the native client, under the read lock.
  private <T> T with(LongFunction<T> call) {
    long c = enter();
    try {
      return call.apply(c);
    } finally {
      exit();
    }
  }

  private void run(LongConsumer call) {
    with(c -> {
      call.accept(c);
      return null;
    });
  }

  /**
   * The 20 bytes of service data (RPI then AEM) to advertise now under service UUID 0xFD6F. Throws
   * {@link Status#PAUSED}, {@link Status#CONFIGURATION_EXPIRED} or {@link Status#DECOMMISSIONED}
   * when the app should stop advertising.
   */
  public @NotNull byte[] broadcastPayload() {
    return with(Native::broadcastPayload);
  }

  /** Records one advertisement heard: RPI (16 bytes), AEM (4 bytes), RSSI in dBm, unix time. */
  public void recordSighting(@NotNull byte[] rpi, @NotNull byte[] aem, int rssi, long unixTime) {
    run(c -> Native.recordSighting(c, rpi, aem, rssi, unixTime));
  }

  /**
   * Records a batch of advertisements at once: all or nothing. On the first bad sighting nothing is
   * stored and the message names its index ("observation 3: ...").
   */
  public void recordSightings(@NotNull SightingBatch batch) {
    run(c -> Native.recordSightings(c, batch.buffer, batch.size()));
  }

  /** {@link #sync(BatchSource, Cancellation)} that cannot be cancelled. */
  public @NotNull SyncReport sync(@NotNull BatchSource source) {
    return sync(source, new Cancellation());
  }

  /**
   * Applies the authority's announcements (configuration, decommission order), then downloads every
   * batch after the last one processed, verifies it and matches it. With {@code cancel} set from
   * another thread it throws {@link Status#CANCELLED}, keeping the batches processed. A decommission
   * order in force erases everything and throws {@link Status#DECOMMISSIONED}; a batch whose bytes
   * differ from their listed digest throws {@link Status#DATA_LOSS}; a relay that contradicts its
   * log, {@link Status#MISBEHAVING_SOURCE}. Two syncs of one client do not run at once.
   */
  public @NotNull SyncReport sync(@NotNull BatchSource source, @NotNull Cancellation cancel) {
    long[] r = new long[4];
    run(c -> cancel.with(flag -> {
      Native.sync(c, source, cancel, flag, r);
      return null;
    }));
    return new SyncReport((int) r[0], r[1], r[2], (int) r[3]);
  }

  /** The same from a local directory holding the relay's files (a mirror, a test). */
  public @NotNull SyncReport syncDirectory(@NotNull Path dir) {
    long[] r = new long[4];
    run(c -> Native.syncDirectory(c, dir.toString(), r));
    return new SyncReport((int) r[0], r[1], r[2], (int) r[3]);
  }

  /** Adopts a configuration (a serialized SignedEnvelope) signed by a configuration key. */
  public void updateConfiguration(@NotNull byte[] envelope) {
    run(c -> Native.updateConfiguration(c, envelope));
  }

  /** Each day's exposure, oldest first. */
  public @NotNull List<DailySummary> dailySummaries() {
    double[] d = with(Native::dailySummaries);
    List<DailySummary> out = new ArrayList<>(d.length / 5);
    for (int i = 0; i + 5 <= d.length; i += 5) {
      out.add(new DailySummary((long) d[i], d[i + 1], d[i + 2], d[i + 3], d[i + 4] != 0));
    }
    return Collections.unmodifiableList(out);
  }

  /** What is stored, per day, without identifiers: what the app shows the person. */
  public @NotNull List<DayCounts> storageSummary() {
    int[] d = with(Native::storageSummary);
    List<DayCounts> out = new ArrayList<>(d.length / 5);
    for (int i = 0; i + 5 <= d.length; i += 5) {
      out.add(new DayCounts(Integer.toUnsignedLong(d[i]), d[i + 1], d[i + 2], d[i + 3], d[i + 4]));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Reports a diagnosis, on the person's explicit action: exchanges {@code code} at the verifier,
   * certifies the keys (the retained days but {@code excludedDays}, as days since the epoch), and
   * publishes them to the relay. When a step is refused the remaining calls still go out, as chaff,
   * and the first error is thrown (the transport's exception as its cause). A Publish that got no
   * answer is retried, then kept for {@link #retryUpload}.
   */
  public @NotNull UploadReport uploadDiagnosis(
      @NotNull Transport transport, @NotNull String code, @NotNull int... excludedDays) {
    int[] r = with(c -> Native.uploadDiagnosis(c, transport, code, excludedDays));
    return new UploadReport(r[0], r[1]);
  }

  /**
   * Sends a kept upload again ({@link #uploadPending()}); {@link Status#FAILED_PRECONDITION} when
   * none is kept (a new code is needed).
   */
  public @NotNull UploadReport retryUpload(@NotNull Transport transport, @NotNull Cancellation cancel) {
    int[] r = with(c -> cancel.with(flag -> Native.retryUpload(c, transport, flag)));
    return new UploadReport(r[0], r[1]);
  }

  /** True while a certified upload the relay did not answer is kept for {@link #retryUpload}. */
  public boolean uploadPending() {
    return with(Native::uploadPending);
  }

  /** Sends chaff now: the upload's three calls, of the same sizes, that the servers store nothing of. */
  public void sendChaff(@NotNull Transport transport) {
    run(c -> Native.sendChaff(c, transport));
  }

  /**
   * Sends chaff on a random schedule (on average every {@code meanDays} days); call it whenever the
   * app runs. True when it sent.
   */
  public boolean maybeSendChaff(@NotNull Transport transport, double meanDays) {
    return with(c -> Native.maybeSendChaff(c, transport, meanDays));
  }

  /** Pauses exposure notification: no broadcasting, recording or matching until {@link #resume()}. */
  public void pause() {
    run(Native::pause);
  }

  public void resume() {
    run(Native::resume);
  }

  public boolean isPaused() {
    return with(Native::isPaused);
  }

  /**
   * Deletes everything, immediately and physically, and destroys the platform key ({@link
   * KeyStore#destroy()}); the client stays usable under a fresh key.
   */
  public void eraseAll() {
    run(Native::eraseAll);
  }

  /**
   * The app's daily background job (WorkManager): applies a pending decommission order whose time
   * has come and deletes every day past retention, with no network, also while paused.
   */
  public @NotNull MaintenanceReport maintain() {
    int[] r = with(Native::maintain);
    return new MaintenanceReport(r[0] != 0, r[1]);
  }

  /**
   * Closes the store. Waits for calls running on other threads; throws {@link
   * Status#FAILED_PRECONDITION} when called from inside one of this client's callbacks. Closing
   * twice is fine.
   */
  @Override
  public void close() {
    if (lock.getReadHoldCount() > 0) {
      throw new OpenEnException(Status.FAILED_PRECONDITION, "close() from inside a callback of this client");
    }
    lock.writeLock().lock();
    try {
      if (client != 0) Native.close(client);
      client = 0;
    } finally {
      lock.writeLock().unlock();
    }
  }

  // The C client's address (openen_client*), for the tests' native helpers.
  long cClientForTesting() {
    return with(Native::cClient);
  }
}
