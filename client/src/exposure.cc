// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "exposure.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string_view>

#include "openen/crypto/hash.h"

namespace openen::client::internal {
namespace {

constexpr int64_t kWindowSeconds = 30 * 60;

// KeyTag is the tag stored with the windows of diagnosis key |key|.
std::array<uint8_t, 16> KeyTag(const std::array<uint8_t, 16>& key) {
  base::Bytes labelled = base::ToBytes("openen window key tag");
  labelled.insert(labelled.end(), key.begin(), key.end());
  const crypto::Sha256Digest digest = crypto::Sha256(labelled);
  std::array<uint8_t, 16> tag;
  std::copy_n(digest.begin(), 16, tag.begin());
  return tag;
}

}  // namespace

base::StatusOr<DayIndexes> IndexCache::Current(Records& records, uint64_t* sightings_read) {
  OPENEN_ASSIGN_OR_RETURN(std::vector<uint32_t> days, records.Days());
  // Built aside and swapped in only when complete: a read that fails
  // leaves the cache as it was.
  std::map<uint32_t, Cached> current;
  for (uint32_t day : days) {
    const uint64_t stamp = records.SightingsStamp(day);
    auto it = days_.find(day);
    if (it != days_.end() && it->second.stamp == stamp) {
      current[day] = it->second;
      continue;
    }
    OPENEN_ASSIGN_OR_RETURN(std::vector<Sighting> sightings, records.LoadSightings(day));
    *sightings_read += sightings.size();
    current[day] = Cached{std::make_shared<const DayIndex>(day, sightings), stamp};
  }
  days_.swap(current);
  DayIndexes out;
  for (const auto& [day, cached] : days_) out[day] = cached.index;
  return out;
}

void IndexCache::DropBefore(uint32_t first_kept_day) {
  days_.erase(days_.begin(), days_.lower_bound(first_kept_day));
}

base::StatusOr<std::pair<SyncReport, std::vector<ExposureWindow>>> MatchWindows(
    const std::vector<Candidate>& candidates, MatchStats stats, const LoadDay& load_day,
    const RiskParameters& risk, const ClientOptions& options) {
  // Scans of each diagnosis key that matched, in time order, become windows.
  struct KeyScans {
    wire::ReportType report_type;
    std::optional<int32_t> dsos;
    std::vector<std::pair<int64_t, int>> scans;  // time, attenuation
  };
  std::map<std::array<uint8_t, 16>, KeyScans> by_key;  // exports hold 16-byte keys
  // The days with a candidate, one at a time: only one day's sightings
  // are held, and only while its candidates are resolved.
  std::vector<const Candidate*> by_day;
  for (const Candidate& c : candidates) by_day.push_back(&c);
  std::stable_sort(by_day.begin(), by_day.end(), [](const Candidate* a, const Candidate* b) {
    return a->sighting_day < b->sighting_day;
  });
  uint64_t sightings_read = 0;
  std::vector<Sighting> of_day;
  for (size_t i = 0; i < by_day.size(); ++i) {
    const Candidate& c = *by_day[i];
    if (i == 0 || c.sighting_day != by_day[i - 1]->sighting_day) {
      OPENEN_ASSIGN_OR_RETURN(of_day, load_day(c.sighting_day));
      sightings_read += of_day.size();
    }
    OPENEN_RETURN_IF_ERROR(Resolve(
        c, of_day,
        [&](const Match& m) {
          std::array<uint8_t, 16> id;
          std::copy_n(m.key->key_data.begin(), 16, id.begin());
          KeyScans& ks = by_key[id];
          ks.report_type = m.key->report_type.value_or(wire::ReportType::kConfirmedTest);
          ks.dsos = m.key->days_since_onset_of_symptoms;
          for (const Scan& s : m.sighting->scans) {
            const int offset =
                options.rssi_offset_db != 0 ? options.rssi_offset_db : risk.default_rssi_offset_db;
            const int attenuation = m.metadata.tx_power_dbm - (s.rssi + offset);
            ks.scans.emplace_back(s.time, std::max(0, attenuation));
          }
        },
        &stats));
  }
  SyncReport report;
  report.keys = stats.keys;
  report.matched_identifiers = stats.matches;
  report.sightings_read = sightings_read;
  std::vector<ExposureWindow> windows;
  for (auto& [key, ks] : by_key) {
    std::sort(ks.scans.begin(), ks.scans.end());
    const Infectiousness inf = InfectiousnessFor(ks.dsos, risk);
    size_t i = 0;
    while (i < ks.scans.size()) {
      ExposureWindow w;
      w.key_tag = KeyTag(key);
      w.report_type = ks.report_type;
      w.infectiousness = inf;
      const int64_t start = ks.scans[i].first;
      w.day = DayOf(start);
      int64_t previous = -1;
      for (; i < ks.scans.size() && ks.scans[i].first < start + kWindowSeconds; ++i) {
        const int64_t t = ks.scans[i].first;
        const int64_t gap = previous < 0 ? options.scan_interval_seconds : t - previous;
        if (previous >= 0 && gap == 0) continue;  // the same scan seen through two identifiers
        w.scans.push_back(
            {ks.scans[i].second, ks.scans[i].second,
             static_cast<int>(std::min<int64_t>(gap, options.scan_interval_seconds))});
        previous = t;
      }
      windows.push_back(std::move(w));
    }
  }
  report.new_exposure_windows = static_cast<int>(windows.size());
  return std::make_pair(report, std::move(windows));
}

base::StatusOr<int> DropCountedWindows(std::vector<ExposureWindow>* windows, Records& records) {
  if (windows->empty()) return 0;
  std::set<std::pair<std::array<uint8_t, 16>, uint32_t>> counted;  // (key tag, day)
  OPENEN_ASSIGN_OR_RETURN(std::vector<ExposureWindow> stored, records.LoadWindows());
  for (const ExposureWindow& w : stored) {
    if (w.key_tag) counted.insert({*w.key_tag, w.day});
  }
  // Windows of one batch are kept together: a long contact makes several
  // windows of one key and day, all new.
  const size_t before = windows->size();
  windows->erase(std::remove_if(windows->begin(), windows->end(),
                                [&](const ExposureWindow& w) {
                                  return w.key_tag && counted.count({*w.key_tag, w.day});
                                }),
                 windows->end());
  return static_cast<int>(before - windows->size());
}

base::Status CommitWindows(const std::vector<ExposureWindow>& windows,
                           const std::optional<SyncProgress>& progress, uint32_t today,
                           int retention_days, Records& records) {
  std::vector<ExposureWindow> kept;
  for (const ExposureWindow& w : windows) {
    if (w.day + retention_days <= today) continue;  // a day purged while the sync ran
    kept.push_back(w);
  }
  return records.CommitWindows(kept, progress);
}

std::optional<NamedWindow> ParseNamedWindow(const std::string& name) {
  auto digits = [](std::string_view s, uint64_t* v) {
    if (s.empty() || s.size() > 19) return false;
    *v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      *v = *v * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
  };
  std::string_view n(name);
  if (n.size() < 5 || n.substr(n.size() - 4) != ".zip") return std::nullopt;
  n.remove_suffix(4);
  NamedWindow w;
  if (n.substr(0, 6) == "batch-" && digits(n.substr(6), &w.end)) return w;  // openen-relay
  // Google's reference server: <start>-<end>-<batch_num>.zip
  const size_t a = n.find('-'), b = a == std::string_view::npos ? a : n.find('-', a + 1);
  uint64_t start = 0, num = 0;
  if (b != std::string_view::npos && digits(n.substr(0, a), &start) &&
      digits(n.substr(a + 1, b - a - 1), &w.end) && digits(n.substr(b + 1), &num)) {
    w.start = start;
    w.batch_num = num;
    return w;
  }
  return std::nullopt;
}

std::optional<std::string> NameMismatch(const std::string& name, const wire::ExportHeader& header) {
  const std::optional<NamedWindow> w = ParseNamedWindow(name);
  if (!w) return std::nullopt;
  if (!w->start) {
    if (header.end_timestamp == w->end) return std::nullopt;
    return "its name says it closed at " + std::to_string(w->end) + ", its signed header at " +
           std::to_string(header.end_timestamp);
  }
  if (header.start_timestamp == *w->start && header.end_timestamp == w->end &&
      static_cast<uint64_t>(header.batch_num) == *w->batch_num) {
    return std::nullopt;
  }
  return "its name says " + std::to_string(*w->start) + "-" + std::to_string(w->end) + " part " +
         std::to_string(*w->batch_num) + ", its signed header " +
         std::to_string(header.start_timestamp) + "-" + std::to_string(header.end_timestamp) +
         " part " + std::to_string(header.batch_num);
}

}  // namespace openen::client::internal
