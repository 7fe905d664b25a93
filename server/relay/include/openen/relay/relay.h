// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Relay: the public-health authority's key relay, independent of gRPC.
//
// It accepts diagnosis keys that carry a valid authority certificate and
// republishes them to everyone as signed GAEN export batches. A pending key is
// stored under the time of the batch that will release it ('k' || BE64(release
// time) || key_data -> its fields): no arrival time finer than a batch, no
// caller address, no upload id. A key still valid at upload is embargoed until
// its validity ends. A key the relay holds or has released is never accepted
// again while its batch is kept (an index of key digests, deleted with the
// batch). Every batch period the due keys are closed into a signed export
// zip, padded with random keys to a size bucket, split if over
// max_batch_keys, written to the export directory with index.txt and
// index.sha256, and deleted from the store. Batches are deleted 14 days after
// their newest key stopped being valid.

#ifndef OPENEN_RELAY_RELAY_H_
#define OPENEN_RELAY_RELAY_H_

#include <rocksdb/db.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "openen/base/clock.h"
#include "openen/base/status.h"
#include "openen/crypto/ecdsa.h"
#include "openen/crypto/ed25519.h"
#include "openen/relay/export_directory.h"
#include "openen/relay/key_rules.h"
#include "openen/relay/transparency_log.h"
#include "openen/server/decommission.h"
#include "openen/server/metrics.h"
#include "openen/store/db.h"
#include "openen/store/schema.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/verification.pb.h"
#include "openen/wire/export.h"

namespace openen::relay {

// The most days a published key is kept after it stopped being valid: the
// promise "14 days, then gone" (docs/data-inventory.json), a compile-time
// ceiling that options can only lower.
inline constexpr int kMaxRetentionDays = 14;
// A batch of the peer feed carries, besides each export signature
// "<id>-<version>", one by the same key named "<id>-<version>-peers". The
// name is in export.bin's signed header, so it is the relay's signed word
// that the batch is for peers: a peer that pins "<id>-<version>-peers"
// refuses any other batch, whoever lists it in peers.txt.
inline constexpr std::string_view kPeerFeedVersionSuffix = "-peers";
inline bool IsPeerFeedVersion(std::string_view version) {
  return version.ends_with(kPeerFeedVersionSuffix);
}

struct RelayOptions {
  // The audience certificates must name.
  std::string audience = "openen-relay";
  // ISO 3166 region written into exports.
  std::string region = "ZZ";
  int64_t batch_period_seconds = 3600;
  // A batch of n real keys is padded with random keys to a bucket, the
  // smallest min_batch_keys x 2^k that holds n (none when min_batch_keys is
  // 0), plus a random 0..jitter.
  size_t min_batch_keys = 1000;
  size_t batch_jitter_keys = 100;
  // No batch holds more keys, padding included (at most wire::kMaxExportKeys,
  // what phones accept): more due keys are split into several batches.
  size_t max_batch_keys = wire::kMaxExportKeys;
  // The peer feed (docs/federation.md): the keys of a publish whose
  // certificate says the person consented to sharing go in batches of their
  // own, which peers.txt lists beside index.txt for the relays that follow
  // this one, and which are signed for peers too (kPeerFeedVersionSuffix).
  // Without it, consent is not looked at and there is no peers.txt.
  bool peer_feed = false;
  // Days a batch and its keys are kept after the newest key stopped being
  // valid: 1..kMaxRetentionDays.
  int retention_days = kMaxRetentionDays;
  // How phones find the export signing key: "<id>-<version>".
  std::string signing_key_id = "openen";
  std::string signing_key_version = "v1";
  // While the export key is rotated: the next key, under the same id and
  // its own version, signs every batch too (GAEN's TEKSignatureList holds
  // both signatures), so that phones that pin either key verify them.
  std::shared_ptr<const crypto::EcdsaP256PrivateKey> next_signing_key;
  std::string next_signing_key_version;
  // Keys have roles (DESIGN.md promise 7); each kind of signed object is
  // accepted only from its own role's keys, and no key may serve two roles.
  // The certificate keys (the verifiers' online keys) are Open's
  // |certificate_keys|. config_keys are the offline keys whose configuration
  // the relay serves (required with a configuration). decommission_keys are
  // the offline keys whose decommission orders count; empty: no order is
  // ever accepted.
  std::vector<crypto::Ed25519PublicKey> config_keys;
  std::vector<crypto::Ed25519PublicKey> decommission_keys;
  // The transparency log's signing key (relay/transparency_log.h; its name is the log's
  // origin), a role of its own. Absent: the relay keeps no log, and phones
  // that require one refuse its batches.
  std::shared_ptr<const wire::NoteSigner> log_key;
  // The witnesses (cosignature/v1 keys) whose cosignatures of the current
  // checkpoint the relay publishes with it. A witness's cosigned checkpoint
  // (`openen log witness --out`) is installed as any file in
  // <data dir>/cosignatures/, picked up by Maintain, and deleted once the
  // log has grown past it.
  std::vector<wire::NoteKey> witness_keys;
  // The export directory is written by one relay at a time, its owner
  // (export_directory.h). Another relay's directory, or one holding batch
  // files this relay did not write, is refused (FAILED_PRECONDITION) unless
  // take_over is set: then the relay adopts what the other published (its
  // log, checked under log_key, and its batches, checked against the log,
  // or without a log against export_public_key or index.sha256) and
  // continues it; see Relay::Open.
  bool take_over = false;
  // Where the relay counts for its operator (publishes by result, keys
  // accepted, rejected by reason and released, batches and how long each
  // close took); null: nowhere. Not owned; outlives the relay.
  server::Metrics* metrics = nullptr;
  // A standby: while another relay holds the export directory, call this
  // (it waits a little) and try again, for as long as it returns true; then
  // take over. Empty: refuse at once.
  std::function<bool()> wait_for_export_dir;
};

base::Status ValidateOptions(const RelayOptions& options);

struct PublishResult {
  uint32_t accepted = 0;
  std::vector<KeyRejection> rejected;
};

// ImportMark is how far a relay has imported from one source: the last file
// taken (its name in the source's listing) and the newest end time of the
// files taken. Durable, written with the keys of that file.
struct ImportMark {
  std::string file;
  uint64_t end_timestamp = 0;
};

// ImportResult counts what ImportKeys did with a peer's keys.
struct ImportResult {
  size_t imported = 0;
  size_t already_held = 0;  // held or released here, from any source
  // The keys CheckImportedKey refused, each with its position in the call.
  std::vector<KeyRejection> rejected;
};

class Relay {
 public:
  // Open opens (creating) the store in |data_dir| and the export directory
  // (locked: FAILED_PRECONDITION when another relay writes it, unless
  // options.wait_for_export_dir waits for it), claims the directory or takes
  // it over (options.take_over), checks that every released batch's file is
  // there with its recorded size and SHA-256 (DATA_LOSS naming the batches
  // and saying how to restore them otherwise), removes the batch files a
  // crash left between writing or removing them and their record (only
  // files it wrote), refuses (FAILED_PRECONDITION) a batch file it did not
  // write, and rewrites index.txt and index.sha256 from the records. Certificates count only under
  // |certificate_keys| (at least one); |config|, when given, must verify under options.config_keys.
  // INVALID_ARGUMENT when a key is given for two roles.
  static base::StatusOr<std::unique_ptr<Relay>> Open(
      const std::string& data_dir, const std::string& export_dir, RelayOptions options,
      std::vector<crypto::Ed25519PublicKey> certificate_keys,
      crypto::EcdsaP256PrivateKey signing_key, std::optional<openen::v1::SignedEnvelope> config,
      const base::Clock* clock);
  ~Relay();

  // Schema lists every kind of record the relay's store holds: its own,
  // the transparency log's and the store library's (store/schema.h).
  static store::Schema Schema();

  // Publish checks the certificate (signature by a certificate key, audience,
  // expiry, single use) and the TEK HMAC under |hmac_secret| (either form),
  // then applies the key rules and rejects, with the reason "key was already
  // published", any key the relay holds pending or has released in a batch
  // not yet expired. UNAUTHENTICATED rejects everything; otherwise the
  // passing keys are stored durably (synced) before it returns: the
  // certificate's used mark (its expiry rounded up to a batch boundary, a
  // digest of the request keyed with |hmac_secret|, and the reply) in one
  // write, the keys in the next.
  //
  // Single use, and idempotent: the identical request under a certificate
  // already used (same keys in the same order, same secret; its reply was
  // lost, or the relay stopped between the two writes) gets the first
  // reply again, and any accepted key the first attempt did not get to
  // store is stored now, as the first attempt would have (never a key the
  // relay already holds). Any other request under a used certificate, or
  // one used before the relay kept digests, gets UNAUTHENTICATED
  // "certificate already used". A retry after the certificate expired gets
  // "certificate expired".
  //
  // A chaff publish, and a retry, take the same path (checks, locks,
  // lookups, two synced writes; what they do not keep is written and
  // deleted in the same write). Chaff stores nothing and reports every key
  // accepted, whatever they were.
  base::StatusOr<PublishResult> Publish(const std::vector<SubmittedKey>& keys,
                                        const openen::v1::SignedEnvelope& certificate,
                                        base::ByteView hmac_secret, bool chaff);

  // ImportKeys adds keys that another authority released, read from a
  // file the caller verified under that source's pinned export key, as
  // pending keys of |origin| (an ISO 3166 region, 1..16 bytes, not this
  // relay's own). Each key must pass CheckImportedKey and still be within
  // this relay's retention; a key this relay
  // holds or has released, published here or imported from any source, is
  // counted and skipped, so that a key reaching it by two paths is released
  // once. The others are stored durably (synced) before it returns, each
  // released by the first batch that closes after its validity ended, in
  // batches of |origin|'s own whose header names it. FAILED_PRECONDITION
  // once decommissioned.
  // With |mark|, the source |source|'s mark (LastImport) is set to it in the
  // same synced write as the keys, so that a file's keys are taken exactly
  // once across crashes.
  // It holds the publish lock throughout: callers import in parts
  // (kImportKeysPerWrite in importer.h) so that publishes never wait long.
  base::StatusOr<ImportResult> ImportKeys(const std::string& origin,
                                          std::span<const wire::ExportKey> keys,
                                          const std::string& source = {},
                                          const std::optional<ImportMark>& mark = {});
  // LastImport returns source |source|'s mark; none before its first import.
  base::StatusOr<std::optional<ImportMark>> LastImport(const std::string& source) const;
  // ForgetImportsExcept deletes the marks of every source not in |sources|
  // (those no longer configured), made physical by the next Maintain.
  base::Status ForgetImportsExcept(const std::set<std::string>& sources);

  // ChaffReply is the reply Publish gives a chaff publish of |key_count|
  // keys, made without its work (no lock, no disk): the same refusals
  // (decommissioned, key count, secret size) and otherwise every key
  // accepted. For chaff the server has no room for (server/dispatcher.h).
  base::StatusOr<PublishResult> ChaffReply(size_t key_count, size_t hmac_secret_bytes) const;

  // Maintain closes every batch that is due, deletes expired batches and used
  // certificate records, and makes deletions and recent writes physical
  // (flush and compaction, which also drops the write-ahead log that held
  // each publish's keys together). Call periodically and at shutdown.
  base::Status Maintain();

  // ListBatches returns released batches whose names sort after |after|,
  // oldest first, at most |limit|; with a log, only those whose entry is
  // published.
  std::vector<openen::v1::BatchInfo> ListBatches(const std::string& after, size_t limit) const;

  // ReadBatch reads up to |max_bytes| of batch |name| from |offset|, and its
  // total size. NOT_FOUND for a name that is not a released batch.
  base::StatusOr<base::Bytes> ReadBatch(const std::string& name, uint64_t offset, size_t max_bytes,
                                        uint64_t* total_size) const;

  // ReadLogFile returns a file of the published transparency log (a path
  // wire::IsLogPath accepts, under the export directory's log/). NOT_FOUND
  // when there is no such file, no log, or the relay is decommissioned.
  base::StatusOr<std::string> ReadLogFile(const std::string& path) const;

  const std::optional<openen::v1::SignedEnvelope>& config() const { return config_; }

  // The health authority's decommission order, once installed (in the data
  // directory by `openen-relay decommission`, picked up by Maintain) and
  // signed by one of options.decommission_keys. From its
  // effective time Publish fails with FAILED_PRECONDITION "decommissioned",
  // nothing is listed, and Maintain deletes every key, batch and export file,
  // leaving only the order (decommission.bin) in the export directory.
  std::optional<openen::v1::SignedEnvelope> decommission_order() const {
    return decommission_.Order();
  }
  bool decommissioned() const { return decommission_.EffectiveAt(clock_->NowSeconds()); }
  const crypto::EcdsaP256PublicKey& export_public_key() const { return export_public_key_; }

  // Health is OK while the relay can take uploads: FAILED_PRECONDITION
  // "decommissioned" from the order's time, UNAVAILABLE when its store
  // cannot be written (store::ProbeWrite).
  base::Status Health() const;

  // PendingKeys counts stored keys not yet released (for tests and monitoring).
  size_t PendingKeys() const;

 private:
  // RemoveUnrecordedFiles deletes the batch files this relay was writing or
  // removing ('f' records) that no batch record names, and the temporary
  // files of the export directory's own files; only the maintenance thread
  // or Open.
  base::Status RemoveUnrecordedFiles();
  // ClaimExportDirectory makes the export directory this relay's (Open):
  // its own already, unclaimed and holding no batch this relay did not
  // write, or taken over. Then it refuses any batch file it did not write.
  base::Status ClaimExportDirectory();
  // TakeOver adopts what another relay with the same keys published in the
  // export directory: its log and batches, then batch files signed with
  // this relay's export key (or, without a log, listed in index.sha256)
  // that it had not logged yet. Each adopted batch's keys enter the index
  // of released keys, so they are refused again.
  base::Status TakeOver();
  // AdoptBatch adds to |wb| the record and key index of batch |name|, whose
  // file holds |file|; its expiry is |expires| when known (logged), else
  // computed as CloseBatch does; with |pending| keys in the store, those of
  // them the batch holds are deleted. Returns its log entry.
  base::StatusOr<wire::LogEntry> AdoptBatch(const std::string& name, base::Bytes file,
                                            std::optional<int64_t> expires, bool pending,
                                            rocksdb::WriteBatch* wb);
  // UnrecordExpired adds to |wb| the deletion of every batch record expired
  // at |now| and of its key index entries, and a note ('f') of its file, so
  // that the file goes once |wb| is written. Returns the files.
  base::StatusOr<std::vector<std::string>> UnrecordExpired(int64_t now,
                                                           rocksdb::WriteBatch* wb) const;
  bool Recorded(const std::string& batch_name) const;
  // PublishUncounted is Publish without the metrics.
  base::StatusOr<PublishResult> PublishUncounted(const std::vector<SubmittedKey>& keys,
                                                 const openen::v1::SignedEnvelope& certificate,
                                                 base::ByteView hmac_secret, bool chaff);
  // CheckPublishShape refuses what Publish refuses before any work.
  base::Status CheckPublishShape(size_t key_count, size_t hmac_secret_bytes) const;

  Relay(std::unique_ptr<rocksdb::DB> db, std::string data_dir, ExportDirectory exports,
        RelayOptions options, std::vector<crypto::Ed25519PublicKey> certificate_keys,
        crypto::EcdsaP256PrivateKey signing_key, std::optional<openen::v1::SignedEnvelope> config,
        const base::Clock* clock);

  base::Status CheckCertificate(const openen::v1::SignedEnvelope& envelope,
                                const std::vector<SubmittedKey>& keys, base::ByteView hmac_secret,
                                openen::v1::Certificate* cert) const;
  // CloseBatch releases the keys due at |close_time| in one batch, or in
  // several closing just before it (never at or before |last_closed|).
  base::Status CloseBatch(int64_t close_time, int64_t last_closed);
  base::Status ExpireBatches(int64_t now);
  base::Status ExpireCertificates(int64_t now);
  // WriteIndex rewrites index.txt and index.sha256 from the batch records,
  // and publishes the transparency log.
  base::Status WriteIndex();
  // LogAnnouncement appends a config or decommission entry for |envelope|
  // unless the newest entry of its kind already names it; synced.
  base::Status LogAnnouncement(wire::LogEntry::Kind kind,
                               const openen::v1::SignedEnvelope& envelope);
  // CheckBatchFiles is Open's check of every released batch's file.
  base::Status CheckBatchFiles() const;
  base::Status ApplyDecommission();
  // CollectCosignatures takes the installed cosigned checkpoints (see
  // RelayOptions::witness_keys); batch_mu_.
  base::Status CollectCosignatures();

  std::unique_ptr<rocksdb::DB> db_;
  const std::string data_dir_;
  const ExportDirectory exports_;
  const RelayOptions options_;
  const std::vector<crypto::Ed25519PublicKey> certificate_keys_;
  const crypto::EcdsaP256PrivateKey signing_key_;
  const crypto::EcdsaP256PublicKey export_public_key_;
  const std::optional<openen::v1::SignedEnvelope> config_;
  const base::Clock* clock_;

  std::mutex publish_mu_;  // certificate single use: check and mark atomically
  // A publish holds release_mu_ shared from choosing its keys' release time
  // to its synced write; a close takes it exclusively just to raise
  // closing_up_to_ before it reads. So a key either reaches the store before
  // the close reads, or is given a later release time: never deleted unread.
  std::shared_mutex release_mu_;
  int64_t closing_up_to_ = -1;
  mutable std::mutex batch_mu_;  // batch close, expiry and index.txt
  store::PendingPurge purge_;    // deletions and writes that Maintain makes physical
  server::DecommissionState decommission_;
  bool decommission_applied_ = false;  // guarded by batch_mu_
  bool index_stale_ = false;           // records changed since index.txt; batch_mu_
  std::optional<TransparencyLog> log_;  // batch_mu_
  // With a log: the close time of the newest batch whose entry is
  // published; ListBatches lists none after it.
  std::atomic<int64_t> logged_up_to_{INT64_MAX};
};

}  // namespace openen::relay

#endif  // OPENEN_RELAY_RELAY_H_
