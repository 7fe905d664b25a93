// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * How {@link OpenEnClient#open} opens the store: where it is, and the keys the app pins. Made with
 * {@link #builder(Path)}; immutable. The keys are checked when the client opens ({@link
 * Status#INVALID_ARGUMENT} names the bad one).
 */
public final class ClientOptions {
  static final int UNSET = Integer.MIN_VALUE;

  final String storeDir;
  final int retentionDays;
  final int txPower;
  final int rssiOffset;
  final String[] exportKeyNames;
  final String[] exportKeySpkis;
  final byte[][] configKeys;
  final byte[][] decommissionKeys;
  final long minConfigSerial;
  final String logKey;
  final String[] witnessKeys;
  final int witnessQuorum;
  final TimeSource timeSource;

  private ClientOptions(Builder b) {
    storeDir = b.storeDir.toString();
    retentionDays = b.retentionDays;
    txPower = b.txPower;
    rssiOffset = b.rssiOffset;
    exportKeyNames = b.exportKeyNames.toArray(new String[0]);
    exportKeySpkis = b.exportKeySpkis.toArray(new String[0]);
    configKeys = b.configKeys.stream().map(byte[]::clone).toArray(byte[][]::new);
    decommissionKeys = b.decommissionKeys.stream().map(byte[]::clone).toArray(byte[][]::new);
    minConfigSerial = b.minConfigSerial;
    logKey = b.logKey;
    witnessKeys = b.witnessKeys.toArray(new String[0]);
    witnessQuorum = b.witnessQuorum;
    timeSource = b.timeSource;
  }

  /** Options for the store in {@code storeDir} (created if missing; the app's private files). */
  public static @NotNull Builder builder(@NotNull Path storeDir) {
    return new Builder(storeDir);
  }

  public @NotNull String storeDir() {
    return storeDir;
  }

  /** Builds {@link ClientOptions}; each setter returns the builder. */
  public static final class Builder {
    private final Path storeDir;
    private int retentionDays = UNSET;
    private int txPower = UNSET;
    private int rssiOffset = UNSET;
    private final List<String> exportKeyNames = new ArrayList<>();
    private final List<String> exportKeySpkis = new ArrayList<>();
    private final List<byte[]> configKeys = new ArrayList<>();
    private final List<byte[]> decommissionKeys = new ArrayList<>();
    private long minConfigSerial;
    private String logKey;
    private final List<String> witnessKeys = new ArrayList<>();
    private int witnessQuorum = UNSET;
    private TimeSource timeSource;

    private Builder(Path storeDir) {
      this.storeDir = storeDir;
    }

    /** 1..14 days (default 14); the authority's configuration may lower it further. */
    public @NotNull Builder retentionDays(int days) {
      retentionDays = days;
      return this;
    }

    /** This phone's calibrated TX power in dBm (default -10). */
    public @NotNull Builder txPower(int dbm) {
      txPower = dbm;
      return this;
    }

    /** This phone's RSSI correction in dB (default 0). */
    public @NotNull Builder rssiOffset(int db) {
      rssiOffset = db;
      return this;
    }

    /**
     * Pins an export signing key: {@code name} is "&lt;verification_key_id&gt;-&lt;version&gt;",
     * {@code spkiBase64} the base64 SubjectPublicKeyInfo the authority published ({@code openen-relay
     * keygen} prints it).
     */
    public @NotNull Builder exportKey(@NotNull String name, @NotNull String spkiBase64) {
      exportKeyNames.add(name);
      exportKeySpkis.add(spkiBase64);
      return this;
    }

    /** A 32-byte Ed25519 key whose signed configurations count. */
    public @NotNull Builder configKey(@NotNull byte[] key) {
      configKeys.add(key.clone());
      return this;
    }

    /** A 32-byte Ed25519 key whose decommission orders count (never a configuration key too). */
    public @NotNull Builder decommissionKey(@NotNull byte[] key) {
      decommissionKeys.add(key.clone());
      return this;
    }

    /** The lowest configuration serial the app accepts (default 0). */
    public @NotNull Builder minConfigSerial(long serial) {
      if (serial < 0) {
        throw new OpenEnException(Status.INVALID_ARGUMENT, "the minimum configuration serial is negative");
      }
      minConfigSerial = serial;
      return this;
    }

    /**
     * The relay's transparency log key ("name+id+base64", as {@code openen log keygen} prints it):
     * with it, sync processes exactly the batches the log holds and refuses a relay that shows this
     * phone a different log ({@link Status#MISBEHAVING_SOURCE}).
     */
    public @NotNull Builder logKey(@Nullable String vkey) {
      logKey = vkey;
      return this;
    }

    /** A witness's cosignature key; see {@link #witnessQuorum}. */
    public @NotNull Builder witnessKey(@NotNull String vkey) {
      witnessKeys.add(vkey);
      return this;
    }

    /** How many witnesses must cosign a checkpoint for it to count. */
    public @NotNull Builder witnessQuorum(int quorum) {
      witnessQuorum = quorum;
      return this;
    }

    /** Replaces the system clock: for tests and simulations. */
    public @NotNull Builder timeSource(@Nullable TimeSource time) {
      timeSource = time;
      return this;
    }

    public @NotNull ClientOptions build() {
      return new ClientOptions(this);
    }
  }
}
