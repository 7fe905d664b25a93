// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The fast matcher must find exactly what brute force finds.

#include "openen/client/matcher.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <set>
#include <tuple>

#include "filter_passes.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"

namespace openen::client {
namespace {

using MatchSet =
    std::set<std::tuple<base::Bytes, size_t, uint32_t, int>>;  // key, sighting, interval, tx power

MatchSet Collect(const std::vector<Sighting>& sightings, bool reference, const wire::ExportFile& file,
                 SightingIndex* index) {
  MatchSet out;
  auto on_match = [&](const Match& m) {
    out.insert({m.key->key_data, static_cast<size_t>(m.sighting - sightings.data()), m.interval,
                m.metadata.tx_power_dbm});
  };
  base::Status s =
      reference ? ReferenceMatch(sightings, file, on_match) : index->MatchFile(file, on_match);
  REQUIRE(s.ok());
  return out;
}

TEST_CASE("the matcher equals brute force on randomized data", "[matcher]") {
  std::mt19937 rng(1234);
  const uint32_t day0 = 2900000 / 144;
  for (int round = 0; round < 5; ++round) {
    INFO("round " << round);
    wire::ExportBatch batch;
    std::vector<Sighting> sightings;
    for (int k = 0; k < 60; ++k) {
      wire::ExportKey key;
      key.key_data.resize(16);
      crypto::RandomBytes(key.key_data);
      key.rolling_start_interval_number = static_cast<int32_t>((day0 + rng() % 14) * 144 + (rng() % 3 == 0 ? rng() % 100 : 0));
      key.rolling_period = static_cast<int32_t>(rng() % 4 == 0 ? 1 + rng() % 144 : 144);
      batch.keys.push_back(key);
      // Some keys were seen: at an interval of theirs, observed up to 14 intervals away.
      if (rng() % 2) {
        crypto::RpiDeriver d;
        REQUIRE(d.SetTek(key.key_data).ok());
        const uint32_t j = key.rolling_start_interval_number + rng() % key.RollingPeriod();
        const int shift = static_cast<int>(rng() % 29) - 14;  // -14..14: edges on both sides of 12
        Sighting s;
        s.rpi = d.Compute(j);
        auto aemk = crypto::DeriveAemk(key.key_data);
        s.aem = *crypto::EncryptAem(aemk->Reveal(), s.rpi, *crypto::EncodeMetadata({1, 0, static_cast<int8_t>(-(rng() % 30))}));
        s.interval = static_cast<uint32_t>(static_cast<int64_t>(j) + shift);
        s.scans = {{static_cast<int64_t>(s.interval) * 600 + 30, -60}};
        sightings.push_back(s);
      }
    }
    // Noise: identifiers of phones that never reported.
    for (int n = 0; n < 300; ++n) {
      Sighting s;
      crypto::RandomBytes(s.rpi);
      s.interval = day0 * 144 + rng() % (14 * 144);
      s.scans = {{static_cast<int64_t>(s.interval) * 600, -70}};
      sightings.push_back(s);
    }
    auto file = wire::ExportFile::Parse(wire::EncodeExportBin(batch));
    REQUIRE(file.ok());
    SightingIndex index(sightings);
    MatchSet fast = Collect(index.sightings(), false, *file, &index);
    MatchSet reference = Collect(index.sightings(), true, *file, nullptr);
    CHECK(fast == reference);
    CHECK(fast.size() > 5);  // the data exercises matches
  }
}

TEST_CASE("the tolerance is exactly 12 intervals either way", "[matcher]") {
  wire::ExportBatch batch;
  wire::ExportKey key;
  key.key_data = base::Bytes(16, 0x42);
  key.rolling_start_interval_number = 2900160;
  batch.keys.push_back(key);
  auto file = wire::ExportFile::Parse(wire::EncodeExportBin(batch));
  crypto::RpiDeriver d;
  REQUIRE(d.SetTek(key.key_data).ok());
  const uint32_t j = 2900160 + 50;
  std::vector<Sighting> sightings;
  for (int shift : {-13, -12, 12, 13}) {
    Sighting s;
    s.rpi = d.Compute(j);
    s.interval = static_cast<uint32_t>(static_cast<int>(j) + shift);
    sightings.push_back(s);
  }
  SightingIndex index(sightings);
  std::vector<uint32_t> matched;
  MatchStats stats;
  REQUIRE(index.MatchFile(*file, [&](const Match& m) { matched.push_back(m.sighting->interval); }, &stats).ok());
  std::sort(matched.begin(), matched.end());
  CHECK(matched == std::vector<uint32_t>{j - 12, j + 12});
  CHECK(stats.keys == 1);
  CHECK(stats.matches == 2);
}

TEST_CASE("across midnight the tolerance holds exactly, against the day before and after",
          "[matcher]") {
  // Keys' identifiers near the start and the end of a day, each seen at
  // every shift from -13 to 13: those within 12 intervals match, whichever
  // day the sighting fell on. Whole-day keys of three days, one whose period
  // ends early, and short keys starting at each position near the edges
  // (some across midnight), so that the matcher's runs start and end there;
  // and a key of a day with no sighting of its own (so no index), seen only
  // on the days before and after.
  const uint32_t day = 2900160 / 144;
  std::vector<std::pair<uint32_t, int32_t>> keys = {// start, period
                                                    {(day - 1) * 144, 144},
                                                    {day * 144, 144},
                                                    {(day + 1) * 144, 144},
                                                    {day * 144, 100},
                                                    {(day + 5) * 144, 144}};
  for (uint32_t pos : {0, 1, 5, 10, 11, 12, 13, 14, 129, 130, 131, 132, 133, 140, 142, 143})
    keys.push_back({day * 144 + pos, 3});
  // Then the same with only the sightings on the other side of midnight, so
  // that a match can come only from the day before or after.
  for (bool across_only : {false, true}) {
    INFO((across_only ? "sightings only across midnight" : "sightings at every shift"));
    wire::ExportBatch batch;
    std::vector<Sighting> sightings;
    size_t expected = 0;
    for (size_t k = 0; k < keys.size(); ++k) {
      wire::ExportKey key;
      key.key_data = base::Bytes(16, static_cast<uint8_t>(0x50 + k));
      key.rolling_start_interval_number = static_cast<int32_t>(keys[k].first);
      key.rolling_period = keys[k].second;
      batch.keys.push_back(key);
      crypto::RpiDeriver d;
      REQUIRE(d.SetTek(key.key_data).ok());
      for (int32_t i = 0; i < keys[k].second; ++i) {
        const uint32_t j = keys[k].first + static_cast<uint32_t>(i), pos = j % 144;
        if (pos >= 14 && pos < 130) continue;
        for (int shift = -13; shift <= 13; ++shift) {
          const uint32_t at = static_cast<uint32_t>(static_cast<int>(j) + shift);
          const bool own_day = at / 144 == j / 144;
          if ((across_only || k == 4) && own_day) continue;
          Sighting s;
          s.rpi = d.Compute(j);
          s.interval = at;
          s.scans = {{static_cast<int64_t>(s.interval) * 600, -60}};
          sightings.push_back(s);
          expected += shift >= -12 && shift <= 12;
        }
      }
    }
    auto file = wire::ExportFile::Parse(wire::EncodeExportBin(batch));
    REQUIRE(file.ok());
    SightingIndex index(sightings);
    REQUIRE(index.days().count(day + 5) == 0);
    MatchSet fast = Collect(index.sightings(), false, *file, &index);
    MatchSet reference = Collect(index.sightings(), true, *file, nullptr);
    CHECK(fast == reference);
    CHECK(fast.size() == expected);
    // Each match is reported once.
    size_t calls = 0;
    MatchStats stats;
    REQUIRE(index
                .MatchFile(
                    *file, [&](const Match&) { ++calls; }, &stats)
                .ok());
    CHECK(calls == expected);
    CHECK(stats.matches == expected);
  }
}

TEST_CASE("keys with no sighting nearby are not derived at all", "[matcher]") {
  wire::ExportBatch batch;
  for (int i = 0; i < 10; ++i) {
    wire::ExportKey key;
    key.key_data = base::Bytes(16, static_cast<uint8_t>(i));
    key.rolling_start_interval_number = 2900160 + 144 * (i % 2 ? 5 : 0);
    batch.keys.push_back(key);
  }
  auto file = wire::ExportFile::Parse(wire::EncodeExportBin(batch));
  Sighting s;
  crypto::RandomBytes(s.rpi);
  s.interval = 2900160 + 20;  // only the day-0 keys have nearby intervals
  SightingIndex index({s});
  MatchStats stats;
  REQUIRE(index.MatchFile(*file, [](const Match&) {}, &stats).ok());
  CHECK(stats.keys == 10);
  CHECK(stats.keys_derived == 5);
  CHECK(stats.rpis_derived == 5 * 25);  // intervals 8..32 of the day: 20 +- 12
  SightingIndex empty({});
  REQUIRE(empty.MatchFile(*file, [](const Match&) {}, &stats).ok());
}

TEST_CASE("the finder counts and skips a key that is not valid", "[matcher]") {
  // A key with 15 bytes, one with a negative start and one with a rolling
  // period of 145: none is derived or read past its bytes.
  Sighting s;
  crypto::RandomBytes(s.rpi);
  s.interval = 2900160 + 20;
  SightingIndex index({s});
  CandidateFinder finder;
  finder.Use(index.days());
  std::vector<Candidate> out;
  MatchStats stats;
  finder.Begin(&out, &stats);
  wire::ExportKey shortkey{base::Bytes(15, 1), std::nullopt, 2900160,
                           std::nullopt,       std::nullopt, std::nullopt};
  wire::ExportKey negative{base::Bytes(16, 2), std::nullopt, -144,
                           std::nullopt,       std::nullopt, std::nullopt};
  wire::ExportKey longer{base::Bytes(16, 3), std::nullopt, 2900160, 145,
                         std::nullopt,       std::nullopt};
  for (const auto& k : {shortkey, negative, longer}) finder.Add(k);
  finder.Finish();
  CHECK(stats.keys == 3);
  CHECK(stats.keys_derived == 0);
  CHECK(out.empty());
}

// Every filter loop the CPU runs gives the positions the portable loop
// gives, for every length and start (the vector loops work 16 RPIs at a
// time, with a masked last step), writes nothing past n + slack (guard
// words after it must stay as they were) and passes every observed RPI.
TEST_CASE("every filter kernel passes each observed RPI and agrees on the others", "[matcher]") {
  const auto kernels = internal::FilterPassesKernels();
  REQUIRE(std::string(kernels[0].name) == "portable");
#if defined(__x86_64__)
  if (kernels.size() == 1) WARN("this CPU has no AVX-512: only the portable filter loop is tested");
#endif
  const uint32_t day = 2900000 / 144;
  for (size_t observed : {1, 7, 500, 5000}) {
    INFO("observed " << observed);
    std::vector<Sighting> sightings(observed);
    for (size_t i = 0; i < observed; ++i) {
      crypto::RandomBytes(sightings[i].rpi);
      sightings[i].interval = day * 144 + static_cast<uint32_t>(i % 144);
    }
    DayIndex index(day, sightings);
    const DayIndex::Filter filter = index.filter();
    // Observed RPIs among random ones, every fifth.
    std::vector<crypto::Rpi> rpis(4000);
    for (size_t i = 0; i < rpis.size(); ++i) {
      if (i % 5 == 0)
        rpis[i] = sightings[(i / 5) % observed].rpi;
      else
        crypto::RandomBytes(rpis[i]);
    }
    size_t random_passed = 0;
    for (const auto& kernel : kernels) {
      INFO("kernel " << kernel.name);
      for (size_t start : {0, 1, 5, 16, 33}) {
        for (size_t n = 0; n <= 40; ++n) {
          // Room for n + slack, then 16 guard words that must stay as they are.
          const size_t room = n + internal::kFilterPassesSlack;
          std::unique_ptr<uint32_t[]> out(new uint32_t[room + 16]);
          std::fill(out.get(), out.get() + room + 16, 0xdeadbeef);
          const size_t k = kernel.fn(filter, rpis.data() + start, n, out.get());
          for (size_t g = room; g < room + 16; ++g) REQUIRE(out[g] == 0xdeadbeef);
          std::vector<uint32_t> want;
          for (size_t i = 0; i < n; ++i) {
            if (filter.MayContain(rpis[start + i])) want.push_back(static_cast<uint32_t>(i));
          }
          REQUIRE(std::vector<uint32_t>(out.get(), out.get() + k) == want);
        }
      }
      std::unique_ptr<uint32_t[]> out(new uint32_t[rpis.size() + internal::kFilterPassesSlack]);
      const size_t k = kernel.fn(filter, rpis.data(), rpis.size(), out.get());
      size_t observed_passed = 0;
      for (size_t h = 0; h < k; ++h) (out[h] % 5 == 0 ? observed_passed : random_passed) += 1;
      CHECK(observed_passed == rpis.size() / 5);
    }
    // Of 3,200 random RPIs per kernel, about 0.3% pass; 1% would mean a
    // filter far worse than its design.
    CHECK(random_passed <= kernels.size() * 32);
  }
}

}  // namespace
}  // namespace openen::client
