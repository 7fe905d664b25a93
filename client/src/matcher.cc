// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/matcher.h"

#include <algorithm>
#include <cstring>

#include "openen/crypto/interval.h"

namespace openen::client {
namespace {

// Keys taken together: their RPIKs derived in one call (crypto::DeriveRpiks),
// then matched in the order of their days, so that a day's filter and
// table stay in the cache from one key to the next.
constexpr size_t kKeysPerBatch = 256;

size_t PowerOfTwoAtLeast(size_t n) {
  size_t p = 64;
  while (p < n) p <<= 1;
  return p;
}

base::StatusOr<crypto::BleMetadata> DecryptMetadata(const wire::ExportKey& key, const Sighting& s) {
  OPENEN_ASSIGN_OR_RETURN(crypto::SecretBytes aemk, crypto::DeriveAemk(key.key_data));
  OPENEN_ASSIGN_OR_RETURN(crypto::Metadata metadata, crypto::DecryptAem(aemk.Reveal(), s.rpi, s.aem));
  return crypto::DecodeMetadata(metadata);
}

uint32_t Distance(uint32_t a, uint32_t b) { return a > b ? a - b : b - a; }

}  // namespace

DayIndex::DayIndex(uint32_t day, std::span<const Sighting> sightings) : day_(day) {
  entries_.reserve(sightings.size());
  for (const Sighting& s : sightings) {
    if (crypto::DayNumber(s.interval) != day) continue;
    entries_.push_back({s.rpi, s.interval});
    seen_.set(s.interval - day * crypto::kTekRollingPeriod);
  }
  // A table at most half full; a filter of 32 bits per RPI.
  const size_t slots = PowerOfTwoAtLeast(2 * entries_.size());
  table_.assign(slots, Slot{});
  table_mask_ = static_cast<uint32_t>(slots - 1);
  // Word indexes come from the low 20 bits of bytes 0..3, bit positions
  // from the 12 above them: at most 2^20 words.
  const size_t words =
      std::min<size_t>(PowerOfTwoAtLeast(32 * entries_.size()) / 64, size_t{1} << 20);
  filter_.assign(words, 0);
  filter_mask_ = static_cast<uint32_t>(words - 1);
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    const crypto::Rpi& rpi = entries_[i].rpi;
    const uint32_t a = Word(rpi, 0);
    filter_[a & filter_mask_] |= Filter::Bits(a);
    uint32_t slot = Word(rpi, 4) & table_mask_;
    while (table_[slot].ref != 0) slot = (slot + 1) & table_mask_;
    table_[slot] = Slot{i + 1, Word(rpi, 8)};
  }
}

size_t DayIndex::MemoryBytes() const {
  return sizeof(*this) + entries_.capacity() * sizeof(Entry) + table_.capacity() * sizeof(Slot) +
         filter_.capacity() * 8;
}

bool DayIndex::Nearby(uint32_t interval) const {
  const uint64_t first = uint64_t{day_} * crypto::kTekRollingPeriod;
  const uint64_t lo =
      std::max<uint64_t>(interval, kMatchToleranceIntervals) - kMatchToleranceIntervals;
  const uint64_t hi = uint64_t{interval} + kMatchToleranceIntervals;
  for (uint64_t j = std::max(lo, first); j <= hi && j < first + crypto::kTekRollingPeriod; ++j) {
    if (seen_.test(j - first)) return true;
  }
  return false;
}

struct CandidateFinder::Batch {
  wire::ExportKey keys[kKeysPerBatch];
  alignas(16) uint8_t teks[16 * kKeysPerBatch];
  alignas(16) uint8_t rpiks[16 * kKeysPerBatch];
  uint32_t order[kKeysPerBatch];  // the keys by rolling start
  size_t n = 0;
  // The indexes by day, as an array from first_day: one or two lookups per
  // derived RPI. nearby[j - first_interval]: a sighting is within the
  // tolerance of interval j.
  std::vector<const DayIndex*> by_day;
  uint32_t first_day = 0;
  std::vector<uint8_t> nearby;
  uint32_t first_interval = 0;

  const DayIndex* At(uint32_t day) const {
    return day >= first_day && day - first_day < by_day.size() ? by_day[day - first_day] : nullptr;
  }
  bool Nearby(uint64_t j) const {
    return j >= first_interval && j - first_interval < nearby.size() && nearby[j - first_interval];
  }
};

CandidateFinder::CandidateFinder() : batch_(std::make_unique<Batch>()) {}
CandidateFinder::~CandidateFinder() = default;
CandidateFinder::CandidateFinder(CandidateFinder&&) noexcept = default;
CandidateFinder& CandidateFinder::operator=(CandidateFinder&&) noexcept = default;

base::Status CandidateFinder::Find(const wire::ExportFile& file, const DayIndexes& days,
                                   std::vector<Candidate>* out, MatchStats* stats) {
  Batch& b = *batch_;
  b.n = 0;
  b.by_day.clear();
  b.nearby.clear();
  if (!days.empty()) {
    b.first_day = days.begin()->first;
    b.by_day.assign(days.rbegin()->first - b.first_day + 1, nullptr);
    for (const auto& [day, index] : days) b.by_day[day - b.first_day] = index.get();
    // Intervals from the tolerance before the first day to the tolerance
    // after the last.
    const uint64_t first = uint64_t{b.first_day} * crypto::kTekRollingPeriod;
    b.first_interval = static_cast<uint32_t>(
        first >= kMatchToleranceIntervals ? first - kMatchToleranceIntervals : 0);
    const uint64_t end =
        (uint64_t{days.rbegin()->first} + 1) * crypto::kTekRollingPeriod + kMatchToleranceIntervals;
    b.nearby.assign(end - b.first_interval, 0);
    for (uint64_t j = b.first_interval; j < end; ++j) {
      const uint32_t d = static_cast<uint32_t>(j / crypto::kTekRollingPeriod);
      bool near = false;
      for (uint32_t dd : {d - 1, d, d + 1}) {
        const DayIndex* index = b.At(dd);
        if (index != nullptr && index->Nearby(static_cast<uint32_t>(j))) near = true;
      }
      b.nearby[j - b.first_interval] = near;
    }
  }
  base::Status status = file.ForEachKey([&](const wire::ExportKey& key) -> base::Status {
    ++stats->keys;
    if (b.nearby.empty()) return base::Status::Ok();
    b.keys[b.n] = key;
    std::memcpy(b.teks + 16 * b.n, key.key_data.data(), 16);  // validated: 16 bytes
    if (++b.n == kKeysPerBatch) FindBatch(b, out, stats);
    return base::Status::Ok();
  });
  if (status.ok() && b.n > 0) FindBatch(b, out, stats);
  return status;
}

void CandidateFinder::FindBatch(Batch& b, std::vector<Candidate>* out, MatchStats* stats) {
  crypto::DeriveRpiks(base::ByteView(b.teks, 16 * b.n), std::span<uint8_t>(b.rpiks, 16 * b.n));
  for (uint32_t k = 0; k < b.n; ++k) b.order[k] = k;
  std::sort(b.order, b.order + b.n, [&](uint32_t x, uint32_t y) {
    return b.keys[x].rolling_start_interval_number < b.keys[y].rolling_start_interval_number;
  });
  for (size_t o = 0; o < b.n; ++o) {
    const uint32_t k = b.order[o];
    const wire::ExportKey& key = b.keys[k];
    // The key's intervals that have a sighting nearby: derive only from the
    // first to the last of them.
    const uint64_t start = static_cast<uint32_t>(key.rolling_start_interval_number);
    const uint64_t end = start + static_cast<uint32_t>(key.RollingPeriod());
    uint64_t first = start, last = end;
    while (first < end && !b.Nearby(first)) ++first;
    if (first >= end) continue;
    while (last > first && !b.Nearby(last - 1)) --last;
    ++stats->keys_derived;
    (void)deriver_.SetRpik(base::ByteView(b.rpiks + 16 * k, 16));  // 16 bytes: cannot fail
    const uint32_t count = static_cast<uint32_t>(last - first);
    if (run_.size() < count) run_.resize(count);
    deriver_.ComputeRun(static_cast<uint32_t>(first), std::span<crypto::Rpi>(run_.data(), count));
    stats->rpis_derived += count;
    // Each RPI is looked up in its interval's day, and in the day before
    // or after when the interval is within the tolerance of that day: the
    // run is walked in segments that need one, two or no filters. The
    // filters are read inline (from locals, so that they stay in registers);
    // the few RPIs that pass one are looked up in its table out of line.
    const uint32_t base = static_cast<uint32_t>(first);
    for (uint32_t i = 0; i < count;) {
      const uint32_t j = base + i;
      const uint32_t day = j / crypto::kTekRollingPeriod, pos = j % crypto::kTekRollingPeriod;
      const DayIndex* cur = b.At(day);
      const DayIndex* other = nullptr;  // the day before or after, near its edge
      uint32_t other_day = 0, end_pos = crypto::kTekRollingPeriod;
      if (pos < kMatchToleranceIntervals) {
        other = b.At(other_day = day - 1);
        end_pos = kMatchToleranceIntervals;
      } else if (pos < crypto::kTekRollingPeriod - kMatchToleranceIntervals) {
        end_pos = crypto::kTekRollingPeriod - kMatchToleranceIntervals;
      } else {
        other = b.At(other_day = day + 1);
      }
      const uint32_t end = std::min(count, i + (end_pos - pos));
      if (cur != nullptr) Scan(*cur, day, key, base, i, end, out, stats);
      if (other != nullptr) Scan(*other, other_day, key, base, i, end, out, stats);
      i = end;
    }
  }
  b.n = 0;
}

void CandidateFinder::Scan(const DayIndex& index, uint32_t day, const wire::ExportKey& key,
                           uint32_t base, uint32_t begin, uint32_t end, std::vector<Candidate>* out,
                           MatchStats* stats) {
  const DayIndex::Filter filter = index.filter();
  const crypto::Rpi* run = run_.data();
  for (uint32_t i = begin; i < end; ++i) {
    if (__builtin_expect(filter.MayContain(run[i]), 0))
      LookUp(index, day, key, run[i], base + i, out, stats);
  }
}

void CandidateFinder::LookUp(const DayIndex& index, uint32_t day, const wire::ExportKey& key,
                             const crypto::Rpi& rpi, uint32_t j, std::vector<Candidate>* out,
                             MatchStats* stats) {
  ++stats->filter_hits;
  bool found = false;
  index.ForEachEqual(
      rpi, [&](uint32_t seen) { found |= Distance(seen, j) <= kMatchToleranceIntervals; });
  if (found) out->push_back(Candidate{key, rpi, j, day});
}

base::Status Resolve(const Candidate& c, std::span<const Sighting> sightings,
                     const std::function<void(const Match&)>& on_match, MatchStats* stats) {
  for (const Sighting& s : sightings) {
    if (s.rpi != c.rpi || crypto::DayNumber(s.interval) != c.sighting_day ||
        Distance(s.interval, c.interval) > kMatchToleranceIntervals) {
      continue;
    }
    OPENEN_ASSIGN_OR_RETURN(crypto::BleMetadata metadata, DecryptMetadata(c.key, s));
    if (stats != nullptr) ++stats->matches;
    on_match(Match{&c.key, &s, c.interval, metadata});
  }
  return base::Status::Ok();
}

SightingIndex::SightingIndex(std::vector<Sighting> sightings) : sightings_(std::move(sightings)) {
  std::stable_sort(sightings_.begin(), sightings_.end(), [](const Sighting& a, const Sighting& b) {
    return crypto::DayNumber(a.interval) < crypto::DayNumber(b.interval);
  });
  for (size_t i = 0; i < sightings_.size();) {
    const uint32_t day = crypto::DayNumber(sightings_[i].interval);
    size_t end = i;
    while (end < sightings_.size() && crypto::DayNumber(sightings_[end].interval) == day) ++end;
    by_day_[day] = std::span<const Sighting>(sightings_.data() + i, end - i);
    days_[day] = std::make_shared<const DayIndex>(day, by_day_[day]);
    i = end;
  }
}

SightingIndex::SightingIndex(SightingIndex&&) noexcept = default;
SightingIndex& SightingIndex::operator=(SightingIndex&&) noexcept = default;
SightingIndex::~SightingIndex() = default;

size_t SightingIndex::MemoryBytes() const {
  size_t n = 0;
  for (const auto& [day, index] : days_) n += index->MemoryBytes();
  return n;
}

base::Status SightingIndex::MatchFile(const wire::ExportFile& file,
                                      const std::function<void(const Match&)>& on_match,
                                      MatchStats* stats) {
  MatchStats local;
  std::vector<Candidate> candidates;
  base::Status status = finder_.Find(file, days_, &candidates, &local);
  for (const Candidate& c : candidates) {
    if (!status.ok()) break;
    status = Resolve(c, by_day_[c.sighting_day], on_match, &local);
  }
  if (stats) {
    stats->keys += local.keys;
    stats->keys_derived += local.keys_derived;
    stats->rpis_derived += local.rpis_derived;
    stats->filter_hits += local.filter_hits;
    stats->matches += local.matches;
  }
  return status;
}

base::Status ReferenceMatch(const std::vector<Sighting>& sightings, const wire::ExportFile& file,
                            const std::function<void(const Match&)>& on_match) {
  return file.ForEachKey([&](const wire::ExportKey& key) -> base::Status {
    crypto::RpiDeriver deriver;
    OPENEN_RETURN_IF_ERROR(deriver.SetTek(key.key_data));
    const uint32_t start = static_cast<uint32_t>(key.rolling_start_interval_number);
    for (uint32_t j = start; j < start + static_cast<uint32_t>(key.RollingPeriod()); ++j) {
      const crypto::Rpi rpi = deriver.Compute(j);
      for (const Sighting& s : sightings) {
        const uint32_t distance = s.interval > j ? s.interval - j : j - s.interval;
        if (s.rpi == rpi && distance <= kMatchToleranceIntervals) {
          auto metadata = DecryptMetadata(key, s);
          if (!metadata.ok()) return metadata.status();
          on_match(Match{&key, &s, j, *metadata});
        }
      }
    }
    return base::Status::Ok();
  });
}

}  // namespace openen::client
