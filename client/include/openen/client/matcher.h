// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Matching diagnosis keys against the identifiers this phone observed.
//
// Observed RPIs are indexed by day (DayIndex). For each diagnosis key the
// finder derives only the intervals of the key's validity that have a
// sighting within +-12 intervals (two hours: phones' clocks and scans
// drift), checks each derived RPI against the filter and table of the days
// within that tolerance, and yields candidates; Resolve turns a candidate
// into matches against the full sightings of its day, decrypting the AEM.
// ReferenceMatch is the obvious brute-force algorithm; tests require both to
// agree.

#ifndef OPENEN_CLIENT_MATCHER_H_
#define OPENEN_CLIENT_MATCHER_H_

#include <bitset>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <span>
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

// DayIndex holds the identifiers observed on one day in a compact form: of
// each RPI, the interval it was first seen in and bytes 8..15 (12 bytes),
// an open-addressing table at most half full (4-byte slots), and a filter of
// 64 to 128 bits per RPI (0.1% to 0.3% of other RPIs pass it): 28 to 44
// bytes per RPI, as the table and filter round up to powers of two. A
// derived RPI that passes the filter and agrees on bytes 8..15 is a
// candidate (another RPI does so once in 2^64), which Resolve then compares
// whole with the sightings in the store. Scans and AEMs
// stay in the store: a phone keeps the indexes of past days between syncs,
// since those days no longer change, and loads a day's sightings only when
// one of its RPIs is a candidate. Immutable once built, so syncs can share it.
class DayIndex {
 public:
  // Word returns bytes at..at+3 of |rpi| as a host word.
  static uint32_t Word(const crypto::Rpi& rpi, size_t at) {
    uint32_t v;
    std::memcpy(&v, rpi.data() + at, 4);
    return v;
  }
  // |sightings| are the sightings of |day| (their interval's day).
  DayIndex(uint32_t day, std::span<const Sighting> sightings);
  size_t MemoryBytes() const;
  // Nearby reports whether a sighting of this day is within
  // kMatchToleranceIntervals of |interval|.
  bool Nearby(uint32_t interval) const;
  // Filter is a blocked bit filter of the day's RPIs: each RPI sets two bits
  // of one 32-bit word, among 64 to 128 bits per RPI (fewer beyond about
  // 2^21 RPIs a day: at most 2^22 words), so that 0.1% to 0.3% of other
  // RPIs pass, tested with one load (a wider filter or a third bit
  // measured slower: bench_match). RPIs are AES outputs, uniformly
  // distributed: their bytes 0..3 pick the word and bits directly (the table
  // uses bytes 4..7, the fingerprint 8..15).
  struct Filter {
    const uint32_t* words;
    uint32_t word_mask;  // words - 1, at most 2^22 - 1
    static uint32_t At(uint32_t w) { return w >> 10; }
    static uint32_t Bits(uint32_t w) { return 1u << (w & 31) | 1u << (w >> 5 & 31); }
    // MayContain is true for every observed RPI (and a few others).
    bool MayContain(const crypto::Rpi& rpi) const {
      const uint32_t w = Word(rpi, 0), bits = Bits(w);
      return (words[At(w) & word_mask] & bits) == bits;
    }
  };
  Filter filter() const { return Filter{filter_.data(), filter_mask_}; }
  // Prefetch asks for the table slot of |rpi| ahead of ForEachEqual.
  void Prefetch(const crypto::Rpi& rpi) const {
    __builtin_prefetch(&table_[Word(rpi, 4) & table_mask_]);
  }
  // ForEachEqual calls |fn|(interval) for each sighting of this day whose
  // RPI agrees with |rpi| on the bytes the index keeps.
  template <typename Fn>
  void ForEachEqual(const crypto::Rpi& rpi, Fn fn) const {
    const uint64_t fingerprint = Fingerprint(rpi);
    for (uint32_t slot = Word(rpi, 4) & table_mask_;; slot = (slot + 1) & table_mask_) {
      const uint32_t ref = table_[slot];
      if (ref == 0) return;
      if (fingerprints_[ref - 1] == fingerprint) fn(intervals_[ref - 1]);
    }
  }

 private:
  // Fingerprint is bytes 8..15 of |rpi| (the filter reads 0..3, the table 4..7).
  static uint64_t Fingerprint(const crypto::Rpi& rpi) {
    uint64_t v;
    std::memcpy(&v, rpi.data() + 8, 8);
    return v;
  }

  uint32_t day_;
  std::vector<uint64_t> fingerprints_;
  std::vector<uint32_t> intervals_;
  std::vector<uint32_t> table_;  // 1 + index of an RPI; 0 = empty
  uint32_t table_mask_ = 0;
  std::vector<uint32_t> filter_;
  uint32_t filter_mask_ = 0;                     // words - 1
  std::bitset<crypto::kTekRollingPeriod> seen_;  // intervals of the day with a sighting
};

// DayIndexes are a phone's indexes by day.
using DayIndexes = std::map<uint32_t, std::shared_ptr<const DayIndex>>;

// Candidate is a diagnosis key one of whose RPIs agrees with an observed RPI
// (on the bytes a DayIndex keeps) within the tolerance: resolved into
// matches against the sightings of |sighting_day| (Resolve).
struct Candidate {
  wire::ExportKey key;
  crypto::Rpi rpi{};
  uint32_t interval = 0;      // the key's interval whose RPI it is
  uint32_t sighting_day = 0;  // the day whose index holds the observed RPI
};

// CandidateFinder derives the RPIs of a file's keys, 256 keys at a time
// (crypto::RpiBatch), and looks them up in the day indexes: only the
// intervals of a key's validity with a sighting nearby are derived, and
// each RPI is looked up in the one or two days within the tolerance of its
// interval. Not thread-safe (it reuses its buffers); one per sync.
class CandidateFinder {
 public:
  CandidateFinder();
  ~CandidateFinder();
  CandidateFinder(CandidateFinder&&) noexcept;
  CandidateFinder& operator=(CandidateFinder&&) noexcept;
  // Use looks keys up in |days| (which must outlive the finder's use of
  // them) from now on: once per sync, for all its files.
  void Use(const DayIndexes& days);
  // Begin starts a file: the candidates of the keys added go to |out| and
  // the figures to |stats| (matches excepted: Resolve counts them).
  void Begin(std::vector<Candidate>* out, MatchStats* stats);
  // Add takes a key of the file (not a revised key). Keys are looked up in
  // batches; one that fails wire::ValidateExportKey is counted and skipped.
  void Add(const wire::ExportKey& key);
  // Finish looks up the keys still held: the candidates are complete.
  void Finish();
  // Find is Use, Begin, Add for each of |file|'s keys, and Finish.
  base::Status Find(const wire::ExportFile& file, const DayIndexes& days,
                    std::vector<Candidate>* out, MatchStats* stats);

 private:
  struct Run;
  struct Batch;
  void FindBatch(Batch& batch, std::vector<Candidate>* out, MatchStats* stats);
  static void ScanRun(Batch& batch, const Run& run);
  static void Scan(Batch& batch, const Run& run, const DayIndex& index, uint32_t day,
                   uint32_t begin, uint32_t end);

  std::unique_ptr<Batch> batch_;
  std::vector<Candidate>* out_ = nullptr;
  MatchStats* stats_ = nullptr;
};

// Resolve calls |on_match| for each sighting in |sightings| (those of
// |candidate.sighting_day|) whose RPI is the candidate's and whose interval
// is within the tolerance of the candidate's, with the AEM decrypted.
base::Status Resolve(const Candidate& candidate, std::span<const Sighting> sightings,
                     const std::function<void(const Match&)>& on_match, MatchStats* stats);

// SightingIndex is matching over sightings held in memory (tools, tests and
// benchmarks): the day indexes, the finder and Resolve together. A finder
// keeps a byte per interval from the first day with a sighting to the last:
// a phone's sightings span its retention, 15 days at most.
class SightingIndex {
 public:
  explicit SightingIndex(std::vector<Sighting> sightings);
  SightingIndex(SightingIndex&&) noexcept;
  SightingIndex& operator=(SightingIndex&&) noexcept;
  ~SightingIndex();

  // The sightings, in day order.
  const std::vector<Sighting>& sightings() const { return sightings_; }
  const DayIndexes& days() const { return days_; }
  // MemoryBytes is the day indexes' heap use (what a phone keeps between
  // syncs; the sightings themselves stay in its store).
  size_t MemoryBytes() const;

  // MatchFile calls |on_match| for every (diagnosis key, sighting) pair of
  // |file|'s keys (not its revised keys) whose RPI for some interval of the
  // key's validity equals the sighting's RPI, with the sighting's interval at
  // most 12 intervals away. Not thread-safe (it reuses a finder).
  base::Status MatchFile(const wire::ExportFile& file,
                         const std::function<void(const Match&)>& on_match,
                         MatchStats* stats = nullptr);

 private:
  std::vector<Sighting> sightings_;
  std::map<uint32_t, std::span<const Sighting>> by_day_;  // sightings_, sorted by day
  DayIndexes days_;
  CandidateFinder finder_;
};

// ReferenceMatch is the brute-force matcher: every interval of every key
// against every sighting. Same callback contract as MatchFile. For tests.
base::Status ReferenceMatch(const std::vector<Sighting>& sightings, const wire::ExportFile& file,
                            const std::function<void(const Match&)>& on_match);

}  // namespace openen::client

#endif  // OPENEN_CLIENT_MATCHER_H_
