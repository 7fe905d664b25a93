// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/matcher.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "filter_passes.h"
#include "openen/crypto/interval.h"

namespace openen::client {
namespace {

// Keys taken together (crypto::RpiBatch), then matched in the order of their
// days, so that a day's filter stays in the cache from one key to the next.
constexpr size_t kKeysPerBatch = crypto::RpiBatch::kMaxKeys;
constexpr uint32_t kSortDays = 32;

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
  std::vector<const Sighting*> of_day;
  for (const Sighting& s : sightings) {
    if (crypto::DayNumber(s.interval) == day) of_day.push_back(&s);
  }
  const size_t n = of_day.size();
  fingerprints_.reserve(n);
  intervals_.reserve(n);
  // A table at most half full; a filter of 64 to 128 bits per RPI.
  const size_t slots = PowerOfTwoAtLeast(2 * n);
  table_.assign(slots, 0);
  table_mask_ = static_cast<uint32_t>(slots - 1);
  const size_t words = std::min<size_t>(PowerOfTwoAtLeast(64 * n) / 32, size_t{1} << 22);
  filter_.assign(words, 0);
  filter_mask_ = static_cast<uint32_t>(words - 1);
  for (uint32_t i = 0; i < n; ++i) {
    const Sighting& s = *of_day[i];
    fingerprints_.push_back(Fingerprint(s.rpi));
    intervals_.push_back(s.interval);
    seen_.set(s.interval - day * crypto::kTekRollingPeriod);
    const uint32_t w = Word(s.rpi, 0);
    filter_[Filter::At(w) & filter_mask_] |= Filter::Bits(w);
    uint32_t slot = Word(s.rpi, 4) & table_mask_;
    while (table_[slot] != 0) slot = (slot + 1) & table_mask_;
    table_[slot] = i + 1;
  }
}

size_t DayIndex::MemoryBytes() const {
  return sizeof(*this) + fingerprints_.capacity() * 8 + intervals_.capacity() * 4 +
         table_.capacity() * 4 + filter_.capacity() * 4;
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

// KeyFields are a key's fields besides its bytes, held per key of a batch
// without an allocation (the bytes are in Batch::teks).
struct KeyFields {
  int32_t rolling_start = 0;
  int32_t rolling_period = 0;
  std::optional<int32_t> transmission_risk_level;
  std::optional<int32_t> rolling_period_field;
  std::optional<wire::ReportType> report_type;
  std::optional<int32_t> days_since_onset_of_symptoms;
};

// Hit is a derived RPI that passed a day's filter: looked up in the day's
// table once the whole batch is scanned, all hits' table slots prefetched
// first, so that their cache misses overlap instead of queueing.
struct Hit {
  crypto::Rpi rpi;
  const DayIndex* index;
  uint32_t day;
  uint32_t interval;
  uint32_t key;  // in the batch
};

// Run is a key's RPIs for intervals base .. base + count - 1.
struct CandidateFinder::Run {
  uint32_t key = 0;  // in the batch
  uint32_t base = 0, count = 0;
  std::vector<crypto::Rpi> rpis;
};

struct CandidateFinder::Batch {
  crypto::RpiBatch deriver;
  alignas(16) uint8_t teks[16 * kKeysPerBatch];
  KeyFields fields[kKeysPerBatch];
  uint64_t order[kKeysPerBatch];  // rolling start << 32 | key: the keys in day order
  size_t n = 0;
  Run run;
  std::vector<Hit> hits;
  std::vector<uint32_t> passed;  // FilterPasses' output: room for run.rpis + slack
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
  wire::ExportKey Key(uint32_t k) const {
    const KeyFields& f = fields[k];
    return wire::ExportKey{base::Bytes(teks + 16 * k, teks + 16 * (k + 1)),
                           f.transmission_risk_level,
                           f.rolling_start,
                           f.rolling_period_field,
                           f.report_type,
                           f.days_since_onset_of_symptoms};
  }
};

CandidateFinder::CandidateFinder() : batch_(std::make_unique<Batch>()) {}
CandidateFinder::~CandidateFinder() = default;
CandidateFinder::CandidateFinder(CandidateFinder&&) noexcept = default;
CandidateFinder& CandidateFinder::operator=(CandidateFinder&&) noexcept = default;

void CandidateFinder::Use(const DayIndexes& days) {
  Batch& b = *batch_;
  b.n = 0;
  b.by_day.clear();
  b.nearby.clear();
  if (days.empty()) return;
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

void CandidateFinder::Begin(std::vector<Candidate>* out, MatchStats* stats) {
  out_ = out;
  stats_ = stats;
  batch_->n = 0;
}

void CandidateFinder::Add(const wire::ExportKey& key) {
  Batch& b = *batch_;
  ++stats_->keys;
  // A key that is not valid matches nothing (a reader of export files has
  // refused it already: this guards the API, not the phone's sync).
  if (b.nearby.empty() || !wire::ValidateExportKey(key).ok()) return;
  b.fields[b.n] = KeyFields{key.rolling_start_interval_number,
                            key.RollingPeriod(),
                            key.transmission_risk_level,
                            key.rolling_period,
                            key.report_type,
                            key.days_since_onset_of_symptoms};
  std::memcpy(b.teks + 16 * b.n, key.key_data.data(), 16);  // validated: 16 bytes
  if (++b.n == kKeysPerBatch) FindBatch(b, out_, stats_);
}

void CandidateFinder::Finish() {
  if (batch_->n > 0) FindBatch(*batch_, out_, stats_);
}

base::Status CandidateFinder::Find(const wire::ExportFile& file, const DayIndexes& days,
                                   std::vector<Candidate>* out, MatchStats* stats) {
  Use(days);
  Begin(out, stats);
  OPENEN_RETURN_IF_ERROR(file.ForEachKey([&](const wire::ExportKey& key) {
    Add(key);
    return base::Status::Ok();
  }));
  Finish();
  return base::Status::Ok();
}

void CandidateFinder::FindBatch(Batch& b, std::vector<Candidate>* out, MatchStats* stats) {
  b.deriver.SetTeks(base::ByteView(b.teks, 16 * b.n));
  // Validated keys start at or after 0: the start fits in 32 bits.
  for (uint32_t k = 0; k < b.n; ++k)
    b.order[k] = uint64_t{static_cast<uint32_t>(b.fields[k].rolling_start)} << 32 | k;
  // A counting sort by day when the batch spans few days (the usual case),
  // std::sort otherwise.
  const uint32_t lo_day = static_cast<uint32_t>(*std::min_element(b.order, b.order + b.n) >> 32) /
                          crypto::kTekRollingPeriod;
  const uint32_t hi_day = static_cast<uint32_t>(*std::max_element(b.order, b.order + b.n) >> 32) /
                          crypto::kTekRollingPeriod;
  if (hi_day - lo_day < kSortDays) {
    uint32_t count[kSortDays + 1] = {};
    for (size_t k = 0; k < b.n; ++k)
      ++count[(b.order[k] >> 32) / crypto::kTekRollingPeriod - lo_day + 1];
    for (uint32_t d = 1; d <= kSortDays; ++d) count[d] += count[d - 1];
    uint64_t sorted[kKeysPerBatch];
    for (size_t k = 0; k < b.n; ++k)
      sorted[count[(b.order[k] >> 32) / crypto::kTekRollingPeriod - lo_day]++] = b.order[k];
    std::copy(sorted, sorted + b.n, b.order);
  } else {
    std::sort(b.order, b.order + b.n);
  }
  b.hits.clear();
  Run& run = b.run;
  for (size_t o = 0; o < b.n; ++o) {
    const uint32_t k = static_cast<uint32_t>(b.order[o]);
    // The key's intervals that have a sighting nearby: derive only from the
    // first to the last of them.
    const uint64_t start = static_cast<uint32_t>(b.fields[k].rolling_start);
    const uint64_t end = start + static_cast<uint32_t>(b.fields[k].rolling_period);
    uint64_t first = start, last = end;
    while (first < end && !b.Nearby(first)) ++first;
    if (first >= end) continue;
    while (last > first && !b.Nearby(last - 1)) --last;
    ++stats->keys_derived;
    run.key = k;
    run.base = static_cast<uint32_t>(first);
    run.count = static_cast<uint32_t>(last - first);
    if (run.rpis.size() < run.count) {
      run.rpis.resize(run.count);
      b.passed.resize(run.count + internal::kFilterPassesSlack);
    }
    b.deriver.ComputeRun(k, run.base, std::span<crypto::Rpi>(run.rpis.data(), run.count));
    stats->rpis_derived += run.count;
    ScanRun(b, run);
  }
  stats->filter_hits += b.hits.size();
  for (const Hit& h : b.hits) h.index->Prefetch(h.rpi);
  for (const Hit& h : b.hits) {
    bool found = false;
    h.index->ForEachEqual(h.rpi, [&](uint32_t seen) {
      found |= Distance(seen, h.interval) <= kMatchToleranceIntervals;
    });
    if (found) out->push_back(Candidate{b.Key(h.key), h.rpi, h.interval, h.day});
  }
  b.n = 0;
}

// ScanRun checks each RPI of |run| against its interval's day, and those
// within the tolerance of the day's start or end against the day before or
// after: one filter pass over each day's part of the run, and short ones over
// its edges.
void CandidateFinder::ScanRun(Batch& b, const Run& run) {
  constexpr uint32_t kPeriod = crypto::kTekRollingPeriod, kTolerance = kMatchToleranceIntervals;
  for (uint32_t i = 0; i < run.count;) {
    const uint32_t j = run.base + i;
    const uint32_t day = j / kPeriod, pos = j % kPeriod;
    const uint32_t stop = std::min(run.count, i + (kPeriod - pos));
    if (const DayIndex* index = b.At(day)) Scan(b, run, *index, day, i, stop);
    if (pos < kTolerance) {
      if (const DayIndex* before = b.At(day - 1))
        Scan(b, run, *before, day - 1, i, std::min(stop, i + (kTolerance - pos)));
    }
    const uint32_t late = i + (pos < kPeriod - kTolerance ? kPeriod - kTolerance - pos : 0);
    if (late < stop) {
      if (const DayIndex* after = b.At(day + 1)) Scan(b, run, *after, day + 1, late, stop);
    }
    i = stop;
  }
}

// Scan checks run[begin, end) against |index|'s filter, keeping the hits.
void CandidateFinder::Scan(Batch& b, const Run& run, const DayIndex& index, uint32_t day,
                           uint32_t begin, uint32_t end) {
  uint32_t* passed = b.passed.data();
  const size_t n =
      internal::FilterPasses(index.filter(), run.rpis.data() + begin, end - begin, passed);
  for (size_t h = 0; h < n; ++h) {
    const uint32_t i = begin + passed[h];
    b.hits.push_back(Hit{run.rpis[i], &index, day, run.base + i, run.key});
  }
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
