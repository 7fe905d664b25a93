// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "records.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <span>
#include <utility>

#include "openen/base/coding.h"
#include "openen/base/fault.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/crypto/secret.h"
#include "records_codec.h"

namespace openen::client::internal {

// The record codecs (records_codec.h).

// --- Own key record: tek[16] || LE32(rolling start) || rolling period ---
base::Bytes EncodeTek(const OwnKey& k) {
  base::Bytes b(k.key_data.Reveal().begin(), k.key_data.Reveal().end());
  base::PutFixedLE<4>(&b, k.rolling_start_interval_number);
  b.push_back(static_cast<uint8_t>(k.rolling_period));
  return b;
}
base::StatusOr<OwnKey> DecodeTek(const base::Bytes& b) {
  if (b.size() != 21) return base::DataLossError("corrupt key record");
  OwnKey k;
  k.key_data = crypto::SecretBytes(base::ByteView(b).first(16));
  k.rolling_start_interval_number = static_cast<uint32_t>(base::GetFixedLE<4>(b.data() + 16));
  k.rolling_period = b[20];
  return k;
}

// --- Sightings of one shard of a day: count LE16, then per RPI and interval:
//     interval of the day u8, rpi[16] aem[4] n u8,
//     n x (LE16 seconds since the interval's start, rssi i8) ---
constexpr size_t kMaxSightingsPerShard = 65535;
base::Bytes EncodeSightings(const std::vector<Sighting>& sightings) {
  base::Bytes b;
  base::PutFixedLE<2>(&b, sightings.size());
  for (const Sighting& s : sightings) {
    const int64_t start = crypto::IntervalStartSeconds(s.interval);
    b.push_back(static_cast<uint8_t>(s.interval % crypto::kTekRollingPeriod));
    b.insert(b.end(), s.rpi.begin(), s.rpi.end());
    b.insert(b.end(), s.aem.begin(), s.aem.end());
    b.push_back(static_cast<uint8_t>(s.scans.size()));
    for (const Scan& scan : s.scans) {
      base::PutFixedLE<2>(&b, static_cast<uint16_t>(scan.time - start));
      b.push_back(static_cast<uint8_t>(scan.rssi));
    }
  }
  return b;
}
base::StatusOr<std::vector<Sighting>> DecodeSightings(const base::Bytes& b, uint32_t day) {
  auto corrupt = [] { return base::DataLossError("corrupt sightings record"); };
  if (b.empty()) return std::vector<Sighting>();  // a shard nothing has been seen in
  if (b.size() < 2) return corrupt();
  const size_t count = base::GetFixedLE<2>(b.data());
  // Each sighting takes at least 22 bytes: a short record cannot make the
  // decoder allocate for 65,535 of them (found by fuzz_client_records, whose
  // 2-byte inputs cost 3.6 MB each).
  if (count > (b.size() - 2) / 22) return corrupt();
  std::vector<Sighting> out(count);
  size_t at = 2;
  for (Sighting& s : out) {
    if (at + 22 > b.size() || b[at] >= crypto::kTekRollingPeriod) return corrupt();
    s.interval = day * crypto::kTekRollingPeriod + b[at];
    std::copy_n(b.begin() + at + 1, 16, s.rpi.begin());
    std::copy_n(b.begin() + at + 17, 4, s.aem.begin());
    const size_t n = b[at + 21];
    at += 22;
    if (at + 3 * n > b.size()) return corrupt();
    const int64_t start = crypto::IntervalStartSeconds(s.interval);
    for (size_t i = 0; i < n; ++i, at += 3) {
      s.scans.push_back({start + static_cast<int64_t>(base::GetFixedLE<2>(b.data() + at)),
                         static_cast<int8_t>(b[at + 2])});
    }
  }
  if (at != b.size()) return corrupt();
  return out;
}

// --- Exposure window: report type, infectiousness (| 0x80 when a key tag
//     follows), count LE16, [key tag 16 bytes], then per scan (typical dB,
//     minimum dB, LE16 seconds since last scan) ---
constexpr uint8_t kWindowTagged = 0x80;
base::Bytes EncodeWindow(const ExposureWindow& w) {
  base::Bytes b = {static_cast<uint8_t>(w.report_type),
                   static_cast<uint8_t>(static_cast<uint8_t>(w.infectiousness) |
                                        (w.key_tag ? kWindowTagged : 0))};
  base::PutFixedLE<2>(&b, w.scans.size());
  if (w.key_tag) b.insert(b.end(), w.key_tag->begin(), w.key_tag->end());
  for (const ScanInstance& s : w.scans) {
    b.push_back(static_cast<uint8_t>(std::clamp(s.typical_attenuation_db, 0, 255)));
    b.push_back(static_cast<uint8_t>(std::clamp(s.min_attenuation_db, 0, 255)));
    base::PutFixedLE<2>(&b, static_cast<uint64_t>(s.seconds_since_last_scan));
  }
  return b;
}
base::StatusOr<ExposureWindow> DecodeWindow(const base::Bytes& b, uint32_t day) {
  if (b.size() < 4 || b[0] > 5 || (b[1] & ~kWindowTagged) > 2)
    return base::DataLossError("corrupt exposure window");
  ExposureWindow w;
  w.day = day;
  w.report_type = static_cast<wire::ReportType>(b[0]);
  w.infectiousness = static_cast<Infectiousness>(b[1] & ~kWindowTagged);
  const size_t n = base::GetFixedLE<2>(b.data() + 2);
  const size_t scans_at = (b[1] & kWindowTagged) ? 4 + 16 : 4;
  if (b.size() != scans_at + 4 * n) return base::DataLossError("corrupt exposure window");
  if (b[1] & kWindowTagged) std::copy_n(b.begin() + 4, 16, w.key_tag.emplace().begin());
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = b.data() + scans_at + 4 * i;
    w.scans.push_back({p[0], p[1], static_cast<int>(base::GetFixedLE<2>(p + 2))});
  }
  return w;
}

// --- A day's exposure windows: count LE32, then per window LE32 length and
//     EncodeWindow's bytes ---
base::Bytes EncodeWindows(const std::vector<base::Bytes>& encoded) {
  base::Bytes b;
  base::PutFixedLE<4>(&b, encoded.size());
  for (const base::Bytes& w : encoded) {
    base::PutFixedLE<4>(&b, w.size());
    b.insert(b.end(), w.begin(), w.end());
  }
  return b;
}
base::StatusOr<std::vector<base::Bytes>> DecodeWindows(const base::Bytes& b) {
  auto corrupt = [] { return base::DataLossError("corrupt exposure windows record"); };
  std::vector<base::Bytes> out;
  if (b.empty()) return out;  // a day without exposure
  auto le32 = [&](size_t at) { return static_cast<size_t>(base::GetFixedLE<4>(b.data() + at)); };
  if (b.size() < 4) return corrupt();
  const size_t count = le32(0);
  size_t at = 4;
  for (size_t i = 0; i < count; ++i) {
    if (b.size() - at < 4) return corrupt();
    const size_t n = le32(at);
    at += 4;
    if (b.size() - at < n) return corrupt();
    out.emplace_back(b.begin() + static_cast<std::ptrdiff_t>(at),
                     b.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  }
  if (at != b.size()) return corrupt();
  return out;
}

namespace {

// --- Processed batches: BE32(day processed) || SHA-256 of the file, per entry ---
constexpr size_t kProcessedEntrySize = 4 + crypto::kSha256Size;

// ProcessedFrom returns the entries of |entries| processed on |first_kept_day| or later.
std::string ProcessedFrom(const std::string& entries, uint32_t first_kept_day) {
  std::string kept;
  for (size_t at = 0; at + kProcessedEntrySize <= entries.size(); at += kProcessedEntrySize) {
    if (static_cast<uint32_t>(base::GetFixedBE<4>(entries.data() + at)) >= first_kept_day)
      kept.append(entries, at, kProcessedEntrySize);
  }
  return kept;
}

}  // namespace

bool ProcessedBatches::Contains(const crypto::Sha256Digest& digest) const {
  for (size_t at = 0; at + kProcessedEntrySize <= entries_.size(); at += kProcessedEntrySize) {
    if (std::memcmp(digest.data(), entries_.data() + at + 4, digest.size()) == 0) return true;
  }
  return false;
}

void ProcessedBatches::Add(uint32_t day, const crypto::Sha256Digest& digest) {
  base::PutFixedBE<4>(&entries_, day);
  entries_.append(base::AsChars(digest));
}

store::Schema Records::Schema() {
  static constexpr store::RecordKind kKinds[] = {
      {"phone.own_key", {&kOwnKeyPrefix, 1}},         {"phone.sightings", {&kSightingsPrefix, 1}},
      {"phone.windows", {&kWindowsPrefix, 1}},        {"phone.paused", kPausedMeta, true},
      {"phone.progress", kProgressMeta, true},        {"phone.log_head", kLogHeadMeta, true},
      {"phone.processed", kProcessedMeta, true},      {"phone.config", kConfigMeta, true},
      {"phone.config_floor", kConfigFloorMeta, true}, {"phone.order", kOrderMeta, true},
      {"phone.order_at", kOrderTimeMeta, true},       {"phone.chaff", kChaffMeta, true},
      {"phone.publish", kPublishMeta, true},
  };
  static const auto* all = new std::vector<store::RecordKind>(
      store::Join({kKinds, Store::Schema(), store::ReservedSchema()}));
  return *all;
}

base::StatusOr<std::unique_ptr<Records>> Records::Open(const std::string& path,
                                                       KeyStore* keystore) {
  OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(path, keystore));
  return std::unique_ptr<Records>(new Records(std::move(store)));
}

base::StatusOr<std::optional<OwnKey>> Records::GetOwnKey(uint32_t day) {
  OPENEN_ASSIGN_OR_RETURN(std::optional<base::Bytes> record,
                          store_->GetSealed(DayKey(kOwnKeyPrefix, day), day));
  if (!record || record->empty())
    return std::optional<OwnKey>();  // empty: the day began without a key
  OPENEN_ASSIGN_OR_RETURN(OwnKey k, DecodeTek(*record));
  return std::optional<OwnKey>(std::move(k));
}

base::Status Records::PutOwnKey(uint32_t day, const OwnKey& key) {
  base::Bytes encoded = EncodeTek(key);
  base::Status s = store_->PutSealed(DayKey(kOwnKeyPrefix, day), day, encoded, /*sync=*/true);
  crypto::Wipe(encoded);
  return s;
}

base::StatusOr<std::vector<OwnKey>> Records::OwnKeys(const std::vector<uint32_t>& excluded_days) {
  std::vector<OwnKey> keys;
  OPENEN_RETURN_IF_ERROR(store_->ForEachSealed(
      std::string(1, kOwnKeyPrefix), std::string(1, kOwnKeyPrefix + 1),
      [&](const rocksdb::Slice& key, const base::Bytes& b) {
        const uint32_t day = DayOfKey(key);
        if (b.empty()) return base::Status::Ok();  // no key was made that day
        if (std::find(excluded_days.begin(), excluded_days.end(), day) != excluded_days.end())
          return base::Status::Ok();
        OPENEN_ASSIGN_OR_RETURN(OwnKey k, DecodeTek(b));
        keys.push_back(std::move(k));
        return base::Status::Ok();
      }));
  return keys;
}

base::Status Records::AddSightings(const std::vector<Observation>& observations,
                                   uint64_t* dropped) {
  // The shards touched, decoded once and written back in one batch.
  using ShardId = std::pair<uint32_t, int>;  // day, shard
  std::map<ShardId, std::vector<Sighting>> shards;
  std::set<ShardId> changed;
  struct LastShard {
    uint32_t day;
    crypto::Rpi rpi;
    int index;
  };
  std::optional<LastShard> last_shard;
  // The shard that holds |rpi| on the day of |interval|, or nullptr when that
  // day holds nothing and |create| is false.
  auto shard = [&](uint32_t interval, const crypto::Rpi& rpi,
                   bool create) -> base::StatusOr<std::pair<ShardId, std::vector<Sighting>*>> {
    const uint32_t day = crypto::DayNumber(interval);
    // The shard of the identifier looked up last, on the same day, is its
    // shard again (an HMAC saved: the previous interval is most often the
    // same day).
    std::optional<int> index;
    if (last_shard && last_shard->day == day && last_shard->rpi == rpi) {
      index = last_shard->index;
    } else {
      OPENEN_ASSIGN_OR_RETURN(index, store_->ShardOf(day, rpi, create));
      if (index) last_shard = LastShard{day, rpi, *index};
    }
    if (!index) return std::make_pair(ShardId(), static_cast<std::vector<Sighting>*>(nullptr));
    const ShardId id(day, *index);
    auto it = shards.find(id);
    if (it == shards.end()) {
      OPENEN_ASSIGN_OR_RETURN(std::optional<base::Bytes> blob,
                              store_->GetSealed(ShardKey(day, *index), day));
      std::vector<Sighting> sightings;
      if (blob) {
        OPENEN_ASSIGN_OR_RETURN(sightings, DecodeSightings(*blob, day));
      }
      it = shards.emplace(id, std::move(sightings)).first;
    }
    return std::make_pair(id, &it->second);
  };
  for (const Observation& o : observations) {
    const uint32_t interval = crypto::EnIntervalNumber(o.time);
    // One record per RPI and interval: a scan of an RPI first seen in the
    // previous interval (an identifier straddling a boundary) joins that record.
    auto same = [&](uint32_t i) {
      return [&o, i](const Sighting& s) { return s.interval == i && s.rpi == o.rpi; };
    };
    OPENEN_ASSIGN_OR_RETURN(auto target, shard(interval - 1, o.rpi, /*create=*/false));
    std::vector<Sighting>::iterator it;
    if (target.second != nullptr)
      it = std::find_if(target.second->begin(), target.second->end(), same(interval - 1));
    if (target.second == nullptr || it == target.second->end()) {
      OPENEN_ASSIGN_OR_RETURN(target, shard(interval, o.rpi, /*create=*/true));
      it = std::find_if(target.second->begin(), target.second->end(), same(interval));
    }
    std::vector<Sighting>& sightings = *target.second;
    if (it == sightings.end()) {
      if (sightings.size() >= kMaxSightingsPerShard) {
        // A flood of identifiers (someone broadcasting many) fills a shard:
        // only new identifiers of that shard are lost, not the whole call.
        ++*dropped;
        continue;
      }
      Sighting s;
      s.rpi = o.rpi;
      s.aem = o.aem;
      s.interval = interval;
      sightings.push_back(std::move(s));
      it = sightings.end() - 1;
    }
    if (it->scans.size() >= 255) continue;  // enough scans of one identifier
    it->scans.push_back({o.time, static_cast<int8_t>(o.rssi)});
    changed.insert(target.first);
  }
  std::vector<Store::SealedRecord> writes;
  for (const ShardId& id : changed) {
    writes.push_back({ShardKey(id.first, id.second), id.first, EncodeSightings(shards[id])});
  }
  if (writes.empty()) return base::Status::Ok();
  // Stamped before the write: a failed write may have changed a day too.
  ++sightings_writes_;
  for (const ShardId& id : changed) sightings_stamps_[id.first] = sightings_writes_;
  return store_->Commit(writes, "", "", /*sync=*/false);
}

base::StatusOr<std::vector<Sighting>> Records::LoadSightings(uint32_t day) {
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("client.load_sightings"));
  std::vector<Sighting> all;
  OPENEN_RETURN_IF_ERROR(store_->ForEachSealed(
      DayKey(kSightingsPrefix, day), DayKey(kSightingsPrefix, day + 1),
      [&](const rocksdb::Slice& key, const base::Bytes& blob) {
        OPENEN_ASSIGN_OR_RETURN(std::vector<Sighting> s, DecodeSightings(blob, DayOfKey(key)));
        for (auto& x : s) all.push_back(std::move(x));
        return base::Status::Ok();
      }));
  return all;
}

base::StatusOr<std::vector<uint32_t>> Records::Days() { return store_->Days(); }

uint64_t Records::SightingsStamp(uint32_t day) const {
  auto it = sightings_stamps_.find(day);
  return it == sightings_stamps_.end() ? 0 : it->second;
}

base::StatusOr<std::vector<Sighting>> Records::LoadSightings() {
  std::vector<Sighting> all;
  OPENEN_RETURN_IF_ERROR(store_->ForEachSealed(
      std::string(1, kSightingsPrefix), std::string(1, kSightingsPrefix + 1),
      [&](const rocksdb::Slice& key, const base::Bytes& blob) {
        OPENEN_ASSIGN_OR_RETURN(std::vector<Sighting> s, DecodeSightings(blob, DayOfKey(key)));
        for (auto& x : s) all.push_back(std::move(x));
        return base::Status::Ok();
      }));
  return all;
}

base::StatusOr<std::vector<ExposureWindow>> Records::LoadWindows() {
  std::vector<ExposureWindow> windows;
  OPENEN_RETURN_IF_ERROR(store_->ForEachSealed(
      std::string(1, kWindowsPrefix), std::string(1, kWindowsPrefix + 1),
      [&](const rocksdb::Slice& key, const base::Bytes& b) {
        OPENEN_ASSIGN_OR_RETURN(std::vector<base::Bytes> encoded, DecodeWindows(b));
        for (const base::Bytes& e : encoded) {
          OPENEN_ASSIGN_OR_RETURN(ExposureWindow w, DecodeWindow(e, DayOfKey(key)));
          windows.push_back(std::move(w));
        }
        return base::Status::Ok();
      }));
  return windows;
}

base::Status Records::CommitWindows(const std::vector<ExposureWindow>& windows,
                                    const std::optional<SyncProgress>& progress) {
  std::map<uint32_t, std::vector<const ExposureWindow*>> by_day;
  for (const ExposureWindow& w : windows) by_day[w.day].push_back(&w);
  OPENEN_ASSIGN_OR_RETURN(std::vector<uint32_t> days, store_->Days());
  for (uint32_t day : days) by_day[day];
  std::vector<Store::SealedRecord> records;
  for (const auto& [day, added] : by_day) {
    const std::string key = DayKey(kWindowsPrefix, day);
    OPENEN_ASSIGN_OR_RETURN(std::optional<base::Bytes> stored, store_->GetSealed(key, day));
    std::vector<base::Bytes> encoded;
    if (stored) {
      OPENEN_ASSIGN_OR_RETURN(encoded, DecodeWindows(*stored));
    }
    for (const ExposureWindow* w : added) encoded.push_back(EncodeWindow(*w));
    records.push_back({key, day, EncodeWindows(encoded)});
  }
  if (!progress) return store_->Commit(records, {}, {});
  std::string value = progress->batch;
  if (progress->log_next) value += "\n" + std::to_string(*progress->log_next);
  return store_->Commit(records, kProgressMeta, value);
}

base::StatusOr<SyncProgress> Records::Progress() {
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->GetMeta(kProgressMeta));
  SyncProgress progress;
  if (!stored) return progress;
  const size_t newline = stored->find('\n');
  progress.batch = stored->substr(0, newline);
  if (newline != std::string::npos) {
    uint64_t next = 0;
    const std::string digits = stored->substr(newline + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), next);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      return base::DataLossError("the stored sync progress is damaged");
    }
    progress.log_next = next;
  }
  return progress;
}

base::StatusOr<std::optional<std::string>> Records::LogHead() {
  return store_->GetMeta(kLogHeadMeta);
}

base::Status Records::PutLogHead(const std::string& note) {
  return store_->PutMeta(kLogHeadMeta, note);
}

base::StatusOr<std::string> Records::ProcessedEntries() {
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->GetMeta(kProcessedMeta));
  return stored.value_or("");
}

base::StatusOr<ProcessedBatches> Records::Processed(uint32_t first_kept_day) {
  OPENEN_ASSIGN_OR_RETURN(std::string entries, ProcessedEntries());
  ProcessedBatches out;
  out.entries_ = ProcessedFrom(entries, first_kept_day);
  return out;
}

base::Status Records::PutProcessed(const ProcessedBatches& processed) {
  return store_->PutMeta(kProcessedMeta, processed.entries_);
}

base::StatusOr<std::vector<DayCounts>> Records::CountByDay() {
  std::map<uint32_t, DayCounts> days;
  auto day = [&](uint32_t d) -> DayCounts& {
    DayCounts& c = days[d];
    c.day = d;
    return c;
  };
  // Every day that holds data has all its records: a day is listed even
  // when all it holds is empty.
  OPENEN_RETURN_IF_ERROR(
      store_->ForEachSealed(std::string(1, kOwnKeyPrefix), std::string(1, kOwnKeyPrefix + 1),
                            [&](const rocksdb::Slice& key, const base::Bytes& b) {
                              day(DayOfKey(key)).own_keys += b.empty() ? 0 : 1;
                              return base::Status::Ok();
                            }));
  OPENEN_ASSIGN_OR_RETURN(std::vector<Sighting> sightings, LoadSightings());
  for (const Sighting& s : sightings) {
    DayCounts& c = day(crypto::DayNumber(s.interval));
    c.identifiers_seen += 1;
    c.scans += static_cast<int>(s.scans.size());
  }
  OPENEN_ASSIGN_OR_RETURN(std::vector<ExposureWindow> windows, LoadWindows());
  for (const ExposureWindow& w : windows) day(w.day).exposure_windows += 1;
  std::vector<DayCounts> out;
  for (auto& [d, c] : days) out.push_back(c);
  return out;
}

base::StatusOr<bool> Records::Paused() {
  // The flag is always stored (sealed, "0" or "1"): its presence does not
  // tell that the person ever paused.
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> paused, store_->GetMeta(kPausedMeta));
  if (!paused) OPENEN_RETURN_IF_ERROR(store_->PutMeta(kPausedMeta, "0"));
  return paused == "1";
}

base::Status Records::PutPaused(bool paused) {
  return store_->PutMeta(kPausedMeta, paused ? "1" : "0");
}

base::StatusOr<std::optional<std::string>> Records::Configuration() {
  return store_->GetMeta(kConfigMeta);
}

base::StatusOr<uint64_t> Records::ConfigurationFloor() {
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> floor, store_->GetMeta(kConfigFloorMeta));
  return floor ? std::strtoull(floor->c_str(), nullptr, 10) : 0;
}

base::Status Records::PutConfiguration(const std::string& envelope) {
  return store_->PutMeta(kConfigMeta, envelope);
}

base::Status Records::PutConfigurationFloor(uint64_t serial) {
  return store_->PutMeta(kConfigFloorMeta, std::to_string(serial));
}

base::StatusOr<std::optional<Records::PendingOrder>> Records::GetPendingOrder() {
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> order, store_->GetMeta(kOrderMeta));
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> order_at, store_->GetMeta(kOrderTimeMeta));
  if (!order || !order_at) return std::optional<PendingOrder>();
  return std::optional<PendingOrder>(
      PendingOrder{std::move(*order), std::strtoll(order_at->c_str(), nullptr, 10)});
}

base::Status Records::PutPendingOrder(const PendingOrder& order) {
  OPENEN_RETURN_IF_ERROR(store_->PutMeta(kOrderMeta, order.envelope));
  return store_->PutMeta(kOrderTimeMeta, std::to_string(order.effective_at));
}

base::StatusOr<std::optional<int64_t>> Records::NextChaff() {
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> next, store_->GetMeta(kChaffMeta));
  if (!next) return std::optional<int64_t>();
  char* end = nullptr;
  const long long when = std::strtoll(next->c_str(), &end, 10);
  if (end == next->c_str() || *end != '\0') return base::DataLossError("corrupt chaff schedule");
  return std::optional<int64_t>(when);
}

base::Status Records::PutNextChaff(int64_t when) {
  return store_->PutMeta(kChaffMeta, std::to_string(when));
}

namespace {
// The pending publish entry's size: tag, BE64, BE32 and a padded request.
constexpr size_t kPublishEntrySize = 1 + 8 + 4 + kPublishRequestSize;

std::string PublishFiller() {
  std::string filler(kPublishEntrySize, 'N');
  crypto::RandomBytes(
      std::span<uint8_t>(reinterpret_cast<uint8_t*>(filler.data()) + 1, filler.size() - 1));
  return filler;
}
}  // namespace

base::StatusOr<std::optional<Records::PendingPublish>> Records::GetPendingPublish() {
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> entry, store_->GetMeta(kPublishMeta));
  if (!entry) {
    OPENEN_RETURN_IF_ERROR(store_->PutMeta(kPublishMeta, PublishFiller()));
    return std::optional<PendingPublish>();
  }
  std::optional<PendingPublish> out;
  if (entry->size() >= 13 && (*entry)[0] == 'P') {
    PendingPublish p;
    p.keep_until = static_cast<int64_t>(base::GetFixedBE<8>(entry->data() + 1));
    p.keys = static_cast<uint32_t>(base::GetFixedBE<4>(entry->data() + 9));
    p.request = entry->substr(13);
    out = std::move(p);
  } else if (entry->empty() || (*entry)[0] != 'N') {
    crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(entry->data()), entry->size()));
    return base::DataLossError("corrupt pending publish");
  }
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(entry->data()), entry->size()));
  return out;
}

base::Status Records::PutPendingPublish(const PendingPublish& pending) {
  if (pending.request.size() > kPublishRequestSize) {
    return base::InvalidArgumentError("a publish request of " +
                                      std::to_string(pending.request.size()) + " bytes");
  }
  std::string entry(1, 'P');
  base::PutFixedBE<8>(&entry, static_cast<uint64_t>(pending.keep_until));
  base::PutFixedBE<4>(&entry, pending.keys);
  entry += pending.request;
  // Random filler to the fixed size is not needed: requests are padded to
  // kPublishRequestSize, and the store pads every value to a bucket.
  base::Status s = store_->PutMeta(kPublishMeta, entry);
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(entry.data()), entry.size()));
  return s;
}

base::Status Records::ClearPendingPublish() {
  OPENEN_RETURN_IF_ERROR(store_->PutMeta(kPublishMeta, PublishFiller()));
  return store_->Compact();
}

base::StatusOr<int> Records::Purge(uint32_t first_kept_day) {
  // Only when there is something to delete: the compaction is the expensive
  // part, and this runs at every start of the app. A purge interrupted after
  // its deletions but before its compaction left its mark, and runs again.
  int purged = 0;
  if (store_->Purging() || store_->HasDaysBefore(first_kept_day)) {
    OPENEN_RETURN_IF_ERROR(store_->SetPurging(true));
    OPENEN_ASSIGN_OR_RETURN(purged, store_->DeleteDaysBefore(first_kept_day));
    OPENEN_RETURN_IF_ERROR(store_->Compact());
    OPENEN_RETURN_IF_ERROR(store_->SetPurging(false));
  }
  // The digests of batches processed on days now past retention go too.
  OPENEN_ASSIGN_OR_RETURN(std::string processed, ProcessedEntries());
  const std::string kept = ProcessedFrom(processed, first_kept_day);
  if (kept.size() != processed.size())
    OPENEN_RETURN_IF_ERROR(store_->PutMeta(kProcessedMeta, kept));
  return purged;
}

base::Status Records::EraseAll(const std::optional<PendingOrder>& order, uint64_t floor,
                               base::Status* key_destroyed) {
  std::map<std::string, std::string> keep = {{kPausedMeta, "0"}};
  if (order) {
    keep[kOrderMeta] = order->envelope;
    keep[kOrderTimeMeta] = std::to_string(order->effective_at);
  }
  if (floor > 0) keep[kConfigFloorMeta] = std::to_string(floor);
  return store_->EraseAll(keep, key_destroyed);
}

}  // namespace openen::client::internal
