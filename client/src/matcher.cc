// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/matcher.h"

#include <algorithm>
#include <cstring>

#include "openen/crypto/interval.h"

namespace openen::client {
namespace {

// 2^21 bits = 256 KiB: with 50,000 RPIs, 2.4% of derived RPIs pass by chance.
constexpr uint32_t kFilterBits = 1u << 21;

// RPIs are AES outputs: their bytes are already uniformly distributed, so
// they index the filter and the table directly.
inline uint32_t FilterBit(const uint8_t* rpi) {
  uint32_t v;
  std::memcpy(&v, rpi, 4);
  return v & (kFilterBits - 1);
}
inline uint64_t Prefix(const uint8_t* rpi) {
  uint64_t v;
  std::memcpy(&v, rpi + 4, 8);
  return v | 1;  // never 0, the empty-slot marker
}

base::StatusOr<crypto::BleMetadata> DecryptMetadata(const wire::ExportKey& key, const Sighting& s) {
  OPENEN_ASSIGN_OR_RETURN(crypto::SecretBytes aemk, crypto::DeriveAemk(key.key_data));
  OPENEN_ASSIGN_OR_RETURN(crypto::Metadata metadata, crypto::DecryptAem(aemk.Reveal(), s.rpi, s.aem));
  return crypto::DecodeMetadata(metadata);
}

}  // namespace

SightingIndex::SightingIndex(std::vector<Sighting> sightings)
    : sightings_(std::move(sightings)), filter_(kFilterBits / 64, 0) {
  size_t slots = 16;
  while (slots < sightings_.size() * 2) slots <<= 1;
  table_prefix_.assign(slots, 0);
  table_index_.assign(slots, 0);
  table_mask_ = slots - 1;
  uint32_t lo = UINT32_MAX, hi = 0;
  for (uint32_t i = 0; i < sightings_.size(); ++i) {
    const uint8_t* rpi = sightings_[i].rpi.data();
    const uint32_t bit = FilterBit(rpi);
    filter_[bit >> 6] |= uint64_t{1} << (bit & 63);
    const uint64_t prefix = Prefix(rpi);
    uint64_t slot = prefix & table_mask_;
    while (table_prefix_[slot] != 0) slot = (slot + 1) & table_mask_;
    table_prefix_[slot] = prefix;
    table_index_[slot] = i;
    lo = std::min(lo, sightings_[i].interval);
    hi = std::max(hi, sightings_[i].interval);
  }
  if (!sightings_.empty()) {
    nearby_base_ = lo >= kMatchToleranceIntervals ? lo - kMatchToleranceIntervals : 0;
    nearby_.assign(hi + kMatchToleranceIntervals + 1 - nearby_base_, 0);
    for (const Sighting& s : sightings_) {
      const uint32_t from = (s.interval >= kMatchToleranceIntervals ? s.interval - kMatchToleranceIntervals : 0);
      for (uint32_t j = from; j <= s.interval + kMatchToleranceIntervals; ++j) nearby_[j - nearby_base_] = 1;
    }
  }
}

SightingIndex::SightingIndex(SightingIndex&&) noexcept = default;
SightingIndex& SightingIndex::operator=(SightingIndex&&) noexcept = default;
SightingIndex::~SightingIndex() = default;

size_t SightingIndex::MemoryBytes() const {
  size_t n = filter_.size() * 8 + table_prefix_.size() * 8 + table_index_.size() * 4 + nearby_.size() +
             sightings_.capacity() * sizeof(Sighting) + run_.capacity() * sizeof(crypto::Rpi);
  for (const Sighting& s : sightings_) n += s.scans.capacity() * sizeof(Scan);
  return n;
}

bool SightingIndex::NearbySighting(uint32_t interval) const {
  return interval >= nearby_base_ && interval - nearby_base_ < nearby_.size() &&
         nearby_[interval - nearby_base_];
}

base::Status SightingIndex::MatchFile(const wire::ExportFile& file,
                                      const std::function<void(const Match&)>& on_match,
                                      MatchStats* stats) {
  MatchStats local;
  base::Status status = file.ForEachKey([&](const wire::ExportKey& key) -> base::Status {
    ++local.keys;
    if (sightings_.empty()) return base::Status::Ok();
    // The key's intervals that have a sighting nearby: derive only from the
    // first to the last of them.
    const uint32_t start = static_cast<uint32_t>(key.rolling_start_interval_number);
    const uint32_t end = start + static_cast<uint32_t>(key.RollingPeriod());
    const uint32_t lo = std::max(start, nearby_base_);
    const uint32_t hi = std::min<uint64_t>(end, uint64_t{nearby_base_} + nearby_.size());
    uint32_t first = lo, last = hi;
    while (first < hi && !nearby_[first - nearby_base_]) ++first;
    if (first >= hi) return base::Status::Ok();
    while (last > first && !nearby_[last - 1 - nearby_base_]) --last;
    ++local.keys_derived;

    OPENEN_RETURN_IF_ERROR(deriver_.SetTek(key.key_data));
    const uint32_t count = last - first;
    if (run_.size() < count) run_.resize(count);
    deriver_.ComputeRun(first, std::span<crypto::Rpi>(run_.data(), count));
    local.rpis_derived += count;
    // Filter every derived RPI first, then prefetch the table slots of all
    // candidates at once: their cache misses overlap instead of queueing.
    uint32_t candidates[crypto::kTekRollingPeriod];
    uint32_t n = 0;
    for (uint32_t k = 0; k < count; ++k) {
      if (!nearby_[first + k - nearby_base_]) continue;
      const uint32_t bit = FilterBit(run_[k].data());
      if (filter_[bit >> 6] >> (bit & 63) & 1) candidates[n++] = k;
    }
    local.filter_hits += n;
    for (uint32_t c = 0; c < n; ++c) {
      __builtin_prefetch(&table_prefix_[Prefix(run_[candidates[c]].data()) & table_mask_]);
    }
    for (uint32_t c = 0; c < n; ++c) {
      const uint32_t k = candidates[c];
      const uint32_t j = first + k;
      const uint64_t prefix = Prefix(run_[k].data());
      for (uint64_t slot = prefix & table_mask_; table_prefix_[slot] != 0; slot = (slot + 1) & table_mask_) {
        if (table_prefix_[slot] != prefix) continue;
        const Sighting& s = sightings_[table_index_[slot]];
        if (s.rpi != run_[k]) continue;
        const uint32_t distance = s.interval > j ? s.interval - j : j - s.interval;
        if (distance > kMatchToleranceIntervals) continue;
        auto metadata = DecryptMetadata(key, s);
        if (!metadata.ok()) return metadata.status();
        ++local.matches;
        on_match(Match{&key, &s, j, *metadata});
      }
    }
    return base::Status::Ok();
  });
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
