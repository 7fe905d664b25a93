// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the client's records, typed. Records is the one place that knows
// what the client keeps under which key of the store and in which format:
// the own-key, sightings and exposure-window records of each day (their
// codecs in records.cc) and the metadata entries (pause flag, sync
// progress, processed batches, configuration, pending decommission order,
// chaff schedule). Store (store.h) underneath seals, pads and deletes by day
// and knows only the key layout. Nothing else in the client touches the store.
//
// The metadata entries, each sealed under the store key, are named and
// described at the end of the class.
//
// Not thread-safe: the client's lock guards it.

#ifndef OPENEN_CLIENT_SRC_RECORDS_H_
#define OPENEN_CLIENT_SRC_RECORDS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "openen/client/client.h"
#include "openen/client/matcher.h"
#include "openen/client/risk.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "store.h"

namespace openen::client::internal {

// DayOf returns the UTC day (days since the epoch) of |unix_seconds|.
inline uint32_t DayOf(int64_t unix_seconds) {
  return crypto::DayNumber(crypto::EnIntervalNumber(unix_seconds));
}

// FirstKeptDay is the oldest day that |retention_days| keep on |today|.
inline uint32_t FirstKeptDay(uint32_t today, int retention_days) {
  return today + 1 > static_cast<uint32_t>(retention_days) ? today + 1 - retention_days : 0;
}

// ProcessedBatches lists the batch files processed within retention, by
// SHA-256, with the day each was processed.
class ProcessedBatches {
 public:
  bool Contains(const crypto::Sha256Digest& digest) const;
  void Add(uint32_t day, const crypto::Sha256Digest& digest);

 private:
  friend class Records;
  std::string entries_;  // BE32(day) || digest, per entry
};

// SyncProgress is how far syncs got: the name of the last batch processed
// ("" before any) and, when the phone follows a transparency log, the index
// of the next log entry to process.
struct SyncProgress {
  std::string batch;
  std::optional<uint64_t> log_next;
};

class Records {
 public:
  // Open opens (creating) the store at |path|; errors as Store::Open.
  static base::StatusOr<std::unique_ptr<Records>> Open(const std::string& path, KeyStore* keystore);

  // Schema lists every kind of record the phone's store holds: Store's,
  // the day records and the metadata entries below, and the store
  // library's reserved ones (store/schema.h).
  static store::Schema Schema();

  // --- Own keys: one per day, made on the day's first broadcast ---
  // GetOwnKey returns the key of |day|; nullopt when none was made.
  base::StatusOr<std::optional<OwnKey>> GetOwnKey(uint32_t day);
  // PutOwnKey stores |key| as the key of |day|, synced.
  base::Status PutOwnKey(uint32_t day, const OwnKey& key);
  // OwnKeys returns the stored keys, oldest first, without |excluded_days|.
  base::StatusOr<std::vector<OwnKey>> OwnKeys(const std::vector<uint32_t>& excluded_days);

  // --- Sightings ---
  // AddSightings stores |observations| (already checked), rewriting each
  // touched shard once. A new identifier whose shard is full is dropped and
  // counted in |*dropped|.
  base::Status AddSightings(const std::vector<Observation>& observations, uint64_t* dropped);
  base::StatusOr<std::vector<Sighting>> LoadSightings();
  // LoadSightings(day) returns the sightings of |day| alone.
  base::StatusOr<std::vector<Sighting>> LoadSightings(uint32_t day);
  // Days returns the days that hold any record, oldest first.
  base::StatusOr<std::vector<uint32_t>> Days();
  // SightingsStamp changes whenever this object writes |day|'s sightings
  // (0: not since it was opened), so that an index of the day can tell it
  // is stale.
  uint64_t SightingsStamp(uint32_t day) const;

  // --- Exposure windows and sync progress ---
  base::StatusOr<std::vector<ExposureWindow>> LoadWindows();
  // CommitWindows adds |windows| to their days and stores |progress| (when
  // given) in one write, so a batch is never half recorded. Every day's
  // record is rewritten, with new windows or without: the writes of an
  // exposed phone are those of any other.
  base::Status CommitWindows(const std::vector<ExposureWindow>& windows,
                             const std::optional<SyncProgress>& progress);
  base::StatusOr<SyncProgress> Progress();

  // --- The transparency log ---
  // LogHead returns the last signed checkpoint the phone verified (the
  // note as it came); PutLogHead replaces it.
  base::StatusOr<std::optional<std::string>> LogHead();
  base::Status PutLogHead(const std::string& note);
  // Processed returns the batches processed on |first_kept_day| or later.
  base::StatusOr<ProcessedBatches> Processed(uint32_t first_kept_day);
  base::Status PutProcessed(const ProcessedBatches& processed);

  // CountByDay counts, per day that holds data (oldest first), own keys,
  // identifiers seen, their scans and exposure windows.
  base::StatusOr<std::vector<DayCounts>> CountByDay();

  // --- The pause flag ---
  // Paused returns the stored flag, storing "not paused" when absent.
  base::StatusOr<bool> Paused();
  base::Status PutPaused(bool paused);

  // --- Configuration ---
  // Configuration returns the adopted configuration's envelope bytes.
  base::StatusOr<std::optional<std::string>> Configuration();
  // ConfigurationFloor returns the highest serial ever adopted (0: none).
  base::StatusOr<uint64_t> ConfigurationFloor();
  // PutConfiguration stores the adopted |envelope|; PutConfigurationFloor its serial.
  base::Status PutConfiguration(const std::string& envelope);
  base::Status PutConfigurationFloor(uint64_t serial);

  // --- Decommission ---
  struct PendingOrder {
    std::string envelope;  // serialized SignedEnvelope
    int64_t effective_at = 0;
  };
  base::StatusOr<std::optional<PendingOrder>> GetPendingOrder();
  base::Status PutPendingOrder(const PendingOrder& order);

  // --- Chaff ---
  // NextChaff returns when chaff is due; nullopt when nothing is scheduled.
  base::StatusOr<std::optional<int64_t>> NextChaff();
  base::Status PutNextChaff(int64_t when);

  // --- A certified publish waiting to be sent again ---
  // Always stored, at one size: the request, or random filler when none
  // waits, so that the store does not tell whether its owner uploaded.
  struct PendingPublish {
    std::string request;     // serialized, padded PublishRequest
    int64_t keep_until = 0;  // unix seconds: then it is deleted unsent
    uint32_t keys = 0;       // how many keys it carries
  };
  // GetPendingPublish returns the waiting publish, nullopt when none
  // (storing the filler when the entry is absent).
  base::StatusOr<std::optional<PendingPublish>> GetPendingPublish();
  base::Status PutPendingPublish(const PendingPublish& pending);
  // ClearPendingPublish replaces it with filler and compacts the store, so
  // that the request (keys, certificate, secret) is gone physically.
  base::Status ClearPendingPublish();

  // Purge deletes physically every day before |first_kept_day| (finishing
  // a purge a crash interrupted) and the processed batches of those days;
  // returns how many days held data.
  base::StatusOr<int> Purge(uint32_t first_kept_day);
  // EraseAll erases everything as Store::EraseAll does, keeping what is not
  // the person's data: |order| (a pending decommission order) and the
  // configuration |floor| (when above 0). The pause flag is reset.
  base::Status EraseAll(const std::optional<PendingOrder>& order, uint64_t floor,
                        base::Status* key_destroyed);

 private:
  explicit Records(std::unique_ptr<Store> store) : store_(std::move(store)) {}
  base::StatusOr<std::string> ProcessedEntries();

  // Metadata names. The person's choice, "0" or "1", always present (its
  // presence says nothing); the name of the last batch processed.
  static constexpr char kPausedMeta[] = "Mpaused";
  // The progress meta holds "<batch name>" or "<batch name>\n<log next>".
  static constexpr char kProgressMeta[] = "Mprogress";
  // The last checkpoint verified: a public tree head, nothing personal.
  static constexpr char kLogHeadMeta[] = "Mlog_head";
  // BE32(day processed) || SHA-256 of the file, per batch processed within
  // retention: which public files, nothing personal.
  static constexpr char kProcessedMeta[] = "Mprocessed";
  // The adopted configuration's signed envelope, and the highest serial
  // ever adopted (decimal), which survives EraseAll.
  static constexpr char kConfigMeta[] = "Mconfig";
  static constexpr char kConfigFloorMeta[] = "Mconfig_floor";
  // A pending decommission order, verified when accepted, and its effective
  // time (decimal unix seconds).
  static constexpr char kOrderMeta[] = "Morder";
  static constexpr char kOrderTimeMeta[] = "Morder_at";
  // When to send chaff next (decimal unix seconds).
  static constexpr char kChaffMeta[] = "Mchaff";
  // A certified publish to send again: 'P' || BE64(keep until) ||
  // BE32(keys) || the padded request, or 'N' and random filler of the same
  // size. Always present; deleted physically when cleared.
  static constexpr char kPublishMeta[] = "Mpublish";

  std::unique_ptr<Store> store_;
  uint64_t sightings_writes_ = 0;
  std::map<uint32_t, uint64_t> sightings_stamps_;  // day: sightings_writes_ at its last write
};

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_RECORDS_H_
