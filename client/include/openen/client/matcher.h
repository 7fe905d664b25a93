// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Matching diagnosis keys against the identifiers this phone observed.
//
// SightingIndex holds the observed RPIs in a compact in-memory index: a bit
// filter small enough for the L2 cache, an open-addressing table of 8-byte
// RPI prefixes, and a map of which intervals have sightings nearby. For each
// diagnosis key it derives only the intervals of the key's validity that have
// a sighting within +-12 intervals (two hours: phones' clocks and scans
// drift), checks each derived RPI against the filter and the table, and
// decrypts the AEM only for a real match. ReferenceMatch is the obvious
// brute-force algorithm; tests require both to agree.

#ifndef OPENEN_CLIENT_MATCHER_H_
#define OPENEN_CLIENT_MATCHER_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "openen/base/status.h"
#include "openen/crypto/gaen.h"
#include "openen/wire/export.h"

namespace openen::client {

// Identifiers may be seen up to this many intervals from their own.
inline constexpr uint32_t kMatchToleranceIntervals = 12;

struct Scan {
  int64_t time = 0;  // unix seconds
  int8_t rssi = 0;   // dBm as the radio reported it
};

// Sighting is one observed RPI with every scan that saw it.
struct Sighting {
  crypto::Rpi rpi{};
  crypto::Aem aem{};
  uint32_t interval = 0;  // EN interval of the first scan
  std::vector<Scan> scans;
};

struct Match {
  const wire::ExportKey* key = nullptr;  // valid during the callback only
  const Sighting* sighting = nullptr;
  uint32_t interval = 0;                 // the interval whose RPI matched
  crypto::BleMetadata metadata;          // from the decrypted AEM
};

struct MatchStats {
  uint64_t keys = 0;             // diagnosis keys read
  uint64_t keys_derived = 0;     // keys that had any interval to check
  uint64_t rpis_derived = 0;
  uint64_t filter_hits = 0;      // derived RPIs that passed the bit filter
  uint64_t matches = 0;
};

class SightingIndex {
 public:
  explicit SightingIndex(std::vector<Sighting> sightings);
  SightingIndex(SightingIndex&&) noexcept;
  SightingIndex& operator=(SightingIndex&&) noexcept;
  ~SightingIndex();

  const std::vector<Sighting>& sightings() const { return sightings_; }
  // MemoryBytes estimates the index's heap use.
  size_t MemoryBytes() const;

  // MatchFile calls |on_match| for every (diagnosis key, sighting) pair of
  // |file|'s keys (not its revised keys) whose RPI for some interval of the
  // key's validity equals the sighting's RPI, with the sighting's interval at
  // most 12 intervals away. Not thread-safe (it reuses a deriver).
  base::Status MatchFile(const wire::ExportFile& file,
                         const std::function<void(const Match&)>& on_match,
                         MatchStats* stats = nullptr);

 private:
  bool NearbySighting(uint32_t interval) const;

  std::vector<Sighting> sightings_;
  std::vector<uint64_t> filter_;              // kFilterBits bits
  std::vector<uint64_t> table_prefix_;        // open addressing, 0 = empty
  std::vector<uint32_t> table_index_;
  uint64_t table_mask_ = 0;
  uint32_t nearby_base_ = 0;                  // first interval of nearby_
  std::vector<uint8_t> nearby_;               // 1 if a sighting is within 12 intervals
  crypto::RpiDeriver deriver_;
  std::vector<crypto::Rpi> run_;
};

// ReferenceMatch is the brute-force matcher: every interval of every key
// against every sighting. Same callback contract as MatchFile. For tests.
base::Status ReferenceMatch(const std::vector<Sighting>& sightings, const wire::ExportFile& file,
                            const std::function<void(const Match&)>& on_match);

}  // namespace openen::client

#endif  // OPENEN_CLIENT_MATCHER_H_
