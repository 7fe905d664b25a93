// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: matching diagnosis keys into exposure windows, and keeping each
// diagnosis key counted once per day of exposure. The windows of a key carry
// a tag derived from it (never the key), by which a key that comes back in
// another batch or under another name is recognized.

#ifndef OPENEN_CLIENT_SRC_EXPOSURE_H_
#define OPENEN_CLIENT_SRC_EXPOSURE_H_

#include <functional>
#include <map>
#include <memory>
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

// IndexCache keeps a phone's day indexes between syncs. The sightings of a
// past day no longer change, so a sync rebuilds only the indexes of days
// whose sightings changed since (today's, as a rule): a sync decrypts a
// day's sightings, not the whole store. It holds no scan, AEM or time finer
// than an interval, and only what the store holds: the client drops a day
// from it when it purges the day, and everything when it erases or is
// decommissioned.
class IndexCache {
 public:
  // Current returns the indexes of the days |records| holds, rebuilding the
  // stale ones and adding the sightings decrypted to |*sightings_read|.
  // Requires the client's lock.
  base::StatusOr<DayIndexes> Current(Records& records, uint64_t* sightings_read);
  // Clear forgets every index (EraseAll, decommission).
  void Clear() { days_.clear(); }
  // DropBefore forgets the indexes of the days before |first_kept_day| (a
  // purge), so that nothing of a purged day stays in memory until the next
  // sync.
  void DropBefore(uint32_t first_kept_day);
  // size is how many days' indexes it holds.
  size_t size() const { return days_.size(); }

 private:
  struct Cached {
    std::shared_ptr<const DayIndex> index;
    uint64_t stamp = 0;  // Records::SightingsStamp when built
  };
  std::map<uint32_t, Cached> days_;
};

// LoadDay returns the sightings of a day, from the store (taking the
// client's lock).
using LoadDay = std::function<base::StatusOr<std::vector<Sighting>>(uint32_t day)>;

// MatchWindows resolves |candidates| (of one file, found with |stats|) into
// matches, loading through |load_day| only the days with a candidate, and
// returns the exposure windows found (up to 30 minutes of one key's scans
// each), with the report's keys, matched_identifiers, new_exposure_windows
// and sightings_read filled in.
base::StatusOr<std::pair<SyncReport, std::vector<ExposureWindow>>> MatchWindows(
    const std::vector<Candidate>& candidates, MatchStats stats, const LoadDay& load_day,
    const RiskParameters& risk, const ClientOptions& options);

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
