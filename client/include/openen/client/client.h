// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Client: the exposure-notification library a phone app embeds.
//
// It generates a Temporary Exposure Key per UTC day and answers what to
// broadcast now; records the identifiers the phone's scanner observed; keeps
// all of it encrypted on the phone for at most 14 days (a compile-time
// ceiling that configuration can only lower) and then deletes it physically;
// downloads released batches, verifies them with pinned keys, matches them on
// the phone, and scores the risk. The app sees daily summaries, never raw
// identifiers or times finer than a day. Every method is thread-safe.

#ifndef OPENEN_CLIENT_CLIENT_H_
#define OPENEN_CLIENT_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openen/base/cancellation.h"
#include "openen/client/platform.h"
#include "openen/client/risk.h"
#include "openen/client/sync.h"
#include "openen/client/transparency.h"
#include "openen/client/upload.h"
#include "openen/crypto/ed25519.h"
#include "openen/crypto/gaen.h"
#include "openen/wire/export.h"

namespace openen::v1 {
class SignedEnvelope;
}

namespace openen::client {

// The reasons (base::Status::reason()) of the FAILED_PRECONDITION errors by
// which the client says why it does not work now, for apps to switch on:
// the person paused it; the health authority's configuration expired and no
// sync renewed it; the authority switched the system off for good.
inline constexpr std::string_view kPausedReason = "PAUSED";
inline constexpr std::string_view kConfigurationExpiredReason = "CONFIGURATION_EXPIRED";
inline constexpr std::string_view kDecommissionedReason = "DECOMMISSIONED";
// The reason of a sync refused because its source contradicts itself or
// what this phone saw before: a log that forked or shrank, a batch not in
// the log or withheld from it, bytes other than those logged, a name that
// does not match its signed window. Nothing moved; the same sync is refused
// until the source mends. An app should tell the health authority.
inline constexpr std::string_view kMisbehavingSourceReason = "MISBEHAVING_SOURCE";

// The most days anything is kept. Configuration may lower it, never raise it.
inline constexpr int kMaxRetentionDays = 14;

struct ClientOptions {
  // A directory that belongs to OpenEN alone: EraseAll and a decommission
  // order delete everything in it.
  std::string store_dir;
  int retention_days = kMaxRetentionDays;
  // This phone's calibrated transmit power, advertised in the metadata.
  int8_t tx_power_dbm = -10;
  // Added to this phone's RSSI readings (device calibration); 0 means
  // uncalibrated: the authority's default_rssi_offset_db applies.
  int rssi_offset_db = 0;
  // How often the platform scans; caps the seconds a scan stands for.
  int scan_interval_seconds = 300;
  // Export signing keys pinned in the app, by "<id>-<version>".
  wire::TrustedExportKeys export_keys;
  // Keys have roles (DESIGN.md promise 7), pinned in the app. The health
  // authority's offline configuration keys: a signed configuration counts
  // only under these; empty: announced configurations are ignored.
  std::vector<crypto::Ed25519PublicKey> config_keys;
  // Its offline decommission keys: an order counts only under these; empty:
  // announced orders are ignored. The verifier's online certificate key
  // belongs in neither list (the phone never checks a certificate). Open
  // refuses a key given in both.
  std::vector<crypto::Ed25519PublicKey> decommission_keys;
  // The lowest configuration serial the app accepts, shipped with the app:
  // a fresh install then refuses configurations older than the app.
  uint64_t min_config_serial = 0;
  // How an upload's Publish is sent again when it gets no answer.
  PublishRetry publish_retry;
  // The relay's transparency log (docs/transparency.md), pinned in the app:
  // its key and the witnesses whose cosignatures a checkpoint needs. When
  // set, Sync processes exactly the batches the log holds, in its order,
  // and keeps the last checkpoint it verified (see Sync). Absent: batches
  // are taken from the listing, as other GAEN servers publish them.
  std::optional<LogPolicy> log;
};

// Observation is one identifier heard in one scan.
struct Observation {
  crypto::Rpi rpi{};
  crypto::Aem aem{};
  int rssi = 0;        // dBm as the radio reported it
  int64_t time = 0;    // unix seconds
};

struct OwnKey {
  crypto::SecretBytes key_data;
  uint32_t rolling_start_interval_number = 0;
  uint32_t rolling_period = 0;
};

struct DayCounts {
  uint32_t day = 0;
  int own_keys = 0;
  int identifiers_seen = 0;  // distinct RPIs observed
  int scans = 0;             // sightings of them
  int exposure_windows = 0;
};

// StorageSummary says what is stored, without identifiers.
struct StorageSummary {
  std::vector<DayCounts> days;  // oldest first
  std::optional<uint32_t> oldest_day;
  std::optional<uint32_t> newest_day;
  // New identifiers not stored since the client was opened because their
  // day's shard was full (65,535 identifiers: someone broadcasting a flood).
  uint64_t identifiers_dropped = 0;
};

// MaintenanceReport says what Maintain did.
struct MaintenanceReport {
  // A pending decommission order came into force: everything was erased and
  // the client is switched off for good.
  bool decommissioned = false;
  // Days past retention whose data was deleted physically.
  int days_purged = 0;
};

struct UploadReport {
  uint32_t keys_sent = 0;
  uint32_t keys_accepted = 0;
};

// SkippedBatch is a listed batch that Sync passed over without matching it.
struct SkippedBatch {
  std::string name;
  std::string reason;
};

struct SyncReport {
  int batches = 0;
  uint64_t keys = 0;
  uint64_t matched_identifiers = 0;
  int new_exposure_windows = 0;
  // Windows not stored because the same diagnosis key was already counted
  // for that day (it came back in another batch or under another name).
  int repeated_exposure_windows = 0;
  // Batches skipped, and why: the same bytes as a batch already processed,
  // or a logged batch that expired at the source.
  std::vector<SkippedBatch> skipped;
  // Seconds spent reading the downloaded files (inflating, parsing,
  // verifying) and matching their keys (deriving and comparing identifiers,
  // decrypting metadata), one pass, without download and storage: a figure
  // for diagnostics and benchmarks.
  double match_seconds = 0;
  // Sightings this sync decrypted from the store: to index the days whose
  // sightings changed since the last sync, and to resolve matches. Zero for
  // a sync that found nothing new.
  uint64_t sightings_read = 0;
};

class Client {
 public:
  // Open opens (creating) the store and purges anything past retention.
  // PERMISSION_DENIED when |keystore| is not the key the store was made with;
  // DATA_LOSS for a corrupt store; INVALID_ARGUMENT for bad options;
  // FAILED_PRECONDITION "decommissioned" once the system was switched off.
  static base::StatusOr<std::unique_ptr<Client>> Open(ClientOptions options, KeyStore* keystore,
                                                      const base::Clock* clock);
  // IsDecommissioned reports whether the store at |store_dir| was erased by a
  // decommission order (no keystore needed).
  static bool IsDecommissioned(const std::string& store_dir);
  ~Client();

  // CurrentAdvertisement returns the 20-byte service data (RPI || AEM) to
  // broadcast now, making today's key if needed. FAILED_PRECONDITION while paused.
  base::StatusOr<crypto::Advertisement> CurrentAdvertisement();

  // RecordSighting stores one scan of another phone's identifiers.
  // INVALID_ARGUMENT for wrong sizes, an RSSI outside -127..127, a time in
  // the future or before retention; FAILED_PRECONDITION while paused.
  base::Status RecordSighting(base::ByteView rpi, base::ByteView aem, int rssi, int64_t unix_time);

  // RecordSightings stores many observations at once, as platforms deliver
  // batched scan results: each interval's record is rewritten once. Each
  // observation is checked as RecordSighting checks it; if any fails,
  // nothing is stored and the error names the first failing index.
  // A day holds at most 65,535 identifiers per shard (32 shards): a new
  // identifier whose shard is full is dropped and counted
  // (StorageSummary::identifiers_dropped), the other observations are stored.
  base::Status RecordSightings(const std::vector<Observation>& observations);

  // Sync first checks the source for a decommission order: a valid one in
  // force erases everything and the sync fails with FAILED_PRECONDITION
  // "decommissioned"; a future one is kept and takes effect at its time; a
  // forged or malformed one is ignored and fails the sync with its error.
  // It then adopts the source's signed configuration, if it serves one (a
  // forged or expired one fails the sync; an older one is ignored, as by
  // UpdateConfiguration). While the adopted configuration has expired,
  // broadcasting and matching stop (FAILED_PRECONDITION, saying why) and
  // purging goes on. Orders are checked only under the decommission keys and
  // configurations only under the configuration keys; a kind whose keys the
  // options leave empty is ignored.
  // Network calls and matching run without blocking broadcasting or
  // recording; two syncs do not run at once. It then downloads every batch after the last one
  // processed, verifies each with the pinned export keys, matches it and stores any exposure
  // windows, remembering progress after each batch. A batch whose bytes differ from the size or
  // SHA-256 its source lists (DATA_LOSS), or that does not parse or verify, stops the sync with its
  // error; what came before it is kept. Each diagnosis key is counted once per day of exposure:
  // windows of a (key, day) already stored are dropped, whatever batch or name brings the key back.
  // A batch is skipped, with its reason in SyncReport::skipped, when its bytes (SHA-256) are those
  // of a batch processed within the retention period. A batch whose name states a time window
  // that its signed header contradicts is refused (DATA_LOSS, reason kMisbehavingSourceReason)
  // without moving progress: "batch-<T>.zip" (openen-relay) needs end_timestamp T;
  // "<S>-<E>-<N>.zip" (Google's reference server) needs start S, end E and batch_num N; other
  // names state none.
  //
  // With options.log, the batches come from the relay's transparency log (docs/transparency.md):
  // its checkpoint must verify under the log key and the witness quorum, and extend the one this
  // phone kept (consistency proof); then every batch entry after the phone's log position is
  // processed in log order (on a first sync, from the newest batch closed before the retention
  // period), its bytes checked against the entry's SHA-256, window and key count. Refused, with
  // kMisbehavingSourceReason and without moving progress: a checkpoint smaller than or
  // inconsistent with the kept one, entries that do not lead to its root, a listed batch that is
  // not in the log, a logged batch not served while older ones are listed (withheld), bytes other
  // than those logged. A logged batch not served, with nothing older listed, expired at the
  // source and is skipped. The verified checkpoint is kept in the store.
  //
  // |cancel| lets another thread stop the sync (e.g. when the platform ends
  // the background job): it returns CANCELLED at its next step, or as soon
  // as the source gives up its transfer, keeping the batches already done.
  base::StatusOr<SyncReport> Sync(BatchSource& source,
                                  const base::Cancellation& cancel = base::NeverCancelled());

  // ProcessExport matches one verified export against the sightings and
  // stores the windows found, dropping those of a (diagnosis key, day)
  // already stored, as Sync does.
  base::StatusOr<SyncReport> ProcessExport(const wire::ExportFile& file);

  // UpdateConfiguration verifies the configuration under the configuration
  // keys and adopts its risk parameters and retention (never above 14 days
  // nor the app's retention_days). A valid configuration whose serial is not
  // above the adopted one, or is below the highest serial this phone ever
  // adopted (kept through EraseAll) or the app's min_config_serial, is
  // ignored. FAILED_PRECONDITION for one that has already expired.
  base::Status UpdateConfiguration(const openen::v1::SignedEnvelope& envelope);

  // DailySummaries scores the stored exposure windows by day.
  base::StatusOr<std::vector<DailySummary>> DailySummaries();

  // KeysForUpload returns the own keys of the retained days, oldest first,
  // without the days in |excluded_days| (the person's choice).
  base::StatusOr<std::vector<OwnKey>> KeysForUpload(
      const std::vector<uint32_t>& excluded_days = {});

  // UploadDiagnosis is the one path by which keys leave the phone, and only
  // on the person's explicit action: it exchanges |code| for a token,
  // computes the TEK HMAC of the keys to publish (the retained days except
  // |excluded_days|) under a fresh random secret, gets a certificate for it,
  // and publishes keys, certificate and secret to the relay. When a step is
  // refused, the remaining requests still go out, as chaff with random keys
  // (so that a refusal looks like any upload on the wire), and the first
  // error is returned.
  //
  // The Publish is sent again, with the same certificate, as
  // options.publish_retry says while it fails retryably
  // (IsRetryablePublishError): the relay answers the identical request with
  // its first reply and never stores a key twice. |cancel| ends a wait
  // between attempts (CANCELLED). If the last attempt failed retryably or
  // was cancelled, the certified request (keys, certificate, HMAC secret)
  // is kept, sealed in the store, for RetryUpload, and the error carries
  // the reason kUploadPendingReason. It is deleted physically once sent and
  // answered, and at the first Open, Maintain, HasPendingUpload or
  // RetryUpload after its certificate expires or its oldest key leaves
  // retention; EraseAll deletes it too.
  base::StatusOr<UploadReport> UploadDiagnosis(
      UploadTransport& transport, const std::string& code,
      const std::vector<uint32_t>& excluded_days = {},
      const base::Cancellation& cancel = base::NeverCancelled());

  // RetryUpload sends the kept request of an upload whose Publish got no
  // answer (UploadDiagnosis's error had reason kUploadPendingReason): a
  // chaff ExchangeCode and Certify first (the same three requests as any
  // upload), then the Publish, retried as UploadDiagnosis's. The report
  // counts the kept request's keys and the relay's accepted count. On a
  // retryable failure or cancellation the request stays kept (the error
  // has reason kUploadPendingReason); on any answer it is deleted.
  // FAILED_PRECONDITION when no request is kept (none failed, or its
  // certificate expired: the person needs a new code).
  base::StatusOr<UploadReport> RetryUpload(
      UploadTransport& transport, const base::Cancellation& cancel = base::NeverCancelled());

  // HasPendingUpload reports whether a request is kept for RetryUpload.
  base::StatusOr<bool> HasPendingUpload();

  // SendChaff sends the same three requests as an upload, of the same sizes,
  // marked as chaff: the verifier and the relay answer alike and store nothing.
  base::Status SendChaff(UploadTransport& transport);

  // MaybeSendChaff sends chaff when the randomly scheduled time has come (on
  // average every |mean_days| days, exponentially distributed) and schedules
  // the next one. Returns whether it sent. Call it whenever the app runs.
  base::StatusOr<bool> MaybeSendChaff(UploadTransport& transport, double mean_days = 3.0);

  base::Status Pause();
  base::Status Resume();
  bool paused() const;

  // Maintain is the app's daily background job (Android WorkManager, iOS
  // BGTaskScheduler): it applies a pending decommission order whose time has
  // come, and deletes physically every day past retention (finishing a purge
  // that was interrupted), whether or not the day changed since the last
  // call, needing no network and working while paused. Without it, data past
  // retention stays on the phone until the app next calls the library.
  // FAILED_PRECONDITION "decommissioned" when the client was already off.
  base::StatusOr<MaintenanceReport> Maintain();

  // EraseAll deletes everything, immediately and physically, and destroys
  // the platform key (KeyStore::Destroy): a copy of the store taken before
  // cannot be opened afterwards. The client keeps working with an empty
  // store under a fresh platform key. If the platform key cannot be
  // destroyed, the data is erased all the same and the keystore's error
  // (UNAVAILABLE) is returned.
  base::Status EraseAll();

  base::StatusOr<StorageSummary> Summary();

  int retention_days() const;

 private:
  struct Impl;  // the state and the jobs, in client/src
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace openen::client

#endif  // OPENEN_CLIENT_CLIENT_H_
