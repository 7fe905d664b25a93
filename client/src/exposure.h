// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: matching diagnosis keys into exposure windows, and keeping each
// diagnosis key counted once per day of exposure. The windows of a key carry
// a tag derived from it (never the key), by which a key that comes back in
// another batch or under another name is recognized.

#ifndef OPENEN_CLIENT_SRC_EXPOSURE_H_
#define OPENEN_CLIENT_SRC_EXPOSURE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "openen/client/client.h"
#include "openen/client/matcher.h"
#include "openen/client/risk.h"
#include "openen/wire/export.h"
#include "records.h"

namespace openen::client::internal {

// MatchWindows matches |file| against |index| and returns the exposure
// windows found (up to 30 minutes of one key's scans each), with the
// report's keys, matched_identifiers and new_exposure_windows filled in.
// It touches no store: it runs without the client's lock.
base::StatusOr<std::pair<SyncReport, std::vector<ExposureWindow>>> MatchWindows(
    const wire::ExportFile& file, SightingIndex* index, const RiskParameters& risk,
    const ClientOptions& options);

// DropCountedWindows removes from |windows| those whose (diagnosis key,
// day) a window in |records| already counts, and returns how many it removed.
base::StatusOr<int> DropCountedWindows(std::vector<ExposureWindow>* windows, Records& records);

// CommitWindows stores |windows|, but those of days past |retention_days|
// on |today| (purged while a sync ran), with |progress| in one write.
base::Status CommitWindows(const std::vector<ExposureWindow>& windows,
                           const std::optional<SyncProgress>& progress, uint32_t today,
                           int retention_days, Records& records);

// NamedWindow is the time window a batch's file name states:
// "batch-<T>.zip" (openen-relay) its end T; "<S>-<E>-<N>.zip" (Google's
// reference server) start S, end E and batch_num N.
struct NamedWindow {
  std::optional<uint64_t> start;
  uint64_t end = 0;
  std::optional<uint64_t> batch_num;
};
// ParseNamedWindow returns the window |name| states; nullopt for other names.
std::optional<NamedWindow> ParseNamedWindow(const std::string& name);

// NameMismatch says how batch |name|'s signed header contradicts the time
// window its name states, if it states one in a form this knows.
std::optional<std::string> NameMismatch(const std::string& name, const wire::ExportHeader& header);

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_EXPOSURE_H_
