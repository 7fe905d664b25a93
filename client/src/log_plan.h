// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: what a sync processes. From a listing (other GAEN servers), or,
// when the phone follows a transparency log, from the log: every batch
// entry after the phone's position, in log order, once the log's new
// checkpoint is shown to extend the one the phone kept. The listing is then
// only checked against the log.

#ifndef OPENEN_CLIENT_SRC_LOG_PLAN_H_
#define OPENEN_CLIENT_SRC_LOG_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "openen/base/status.h"
#include "openen/client/sync.h"
#include "openen/client/transparency.h"
#include "openen/wire/tlog.h"
#include "records.h"

namespace openen::client::internal {

// Planned is one batch to fetch, check and match.
struct Planned {
  std::string name;
  std::optional<uint64_t> size;                // as listed
  std::optional<crypto::Sha256Digest> sha256;  // as listed, or as logged
  std::optional<wire::LogEntry> entry;         // its log entry
  SyncProgress after;                          // the progress once it is processed
};

struct Plan {
  std::vector<Planned> batches;
  // The progress after the whole plan (with a log: its position past the
  // entries read, batches or not), and the checkpoint to keep.
  std::optional<SyncProgress> end;
  std::optional<std::string> head;
};

// PlanFromListing plans the listed batches in order.
Plan PlanFromListing(const std::vector<ListedBatch>& listed);

// PlanFromLog reads the log through |reader| under |policy|: its checkpoint
// must extend |kept| (the note the phone kept, if any); the plan holds the
// batch entries from |progress|.log_next (on a first sync, or when |kept|
// is of another log than the policy's: after the newest batch that closed
// before |cutoff|), at most kMaxLogEntriesRead entries,
// skipping batches that closed before |cutoff|. Every name |listed| gives
// must be one of those entries, unless it states a close time before
// |cutoff|. Refusals are DATA_LOSS with reason kMisbehavingSourceReason.
base::StatusOr<Plan> PlanFromLog(LogReader& reader, const LogPolicy& policy,
                                 const std::optional<std::string>& kept,
                                 const SyncProgress& progress,
                                 const std::vector<ListedBatch>& listed, int64_t cutoff);

// Misbehaving is the error of a source caught contradicting itself.
base::Status Misbehaving(const std::string& message);

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_LOG_PLAN_H_
