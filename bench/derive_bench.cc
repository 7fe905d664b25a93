// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Identifier derivation: diagnosis keys per second for "RPIK + 144 RPIs" on one
// core, the per-key cost that dominates matching. Prints one JSON line per
// variant:
//   derive_rpik_144_run     SetTek + ComputeRun(144): what the matcher does
//   derive_rpik_144_single  SetTek + 144 x Compute: one cipher call per RPI
//   derive_rpik_only        SetTek alone (HKDF-SHA256 + AES key schedule)
// Usage: bench_derive [seconds per variant, default 2]

#include <array>
#include <cstdlib>
#include <vector>

#include "bench_util.h"
#include "openen/crypto/gaen.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"

namespace {

using openen::bench::JsonLine;
using openen::bench::NowSeconds;
using openen::crypto::Rpi;
using openen::crypto::RpiDeriver;

template <typename Body>
void Measure(const char* name, double seconds, const std::vector<std::array<uint8_t, 16>>& teks,
             Body body) {
  RpiDeriver deriver;
  uint64_t keys = 0;
  uint64_t sink = 0;
  double start = NowSeconds(), elapsed = 0;
  do {
    for (const auto& tek : teks) sink += body(deriver, tek);
    keys += teks.size();
    elapsed = NowSeconds() - start;
  } while (elapsed < seconds);
  JsonLine(name)
      .Add("keys_per_second", static_cast<double>(keys) / elapsed)
      .Add("ns_per_key", elapsed * 1e9 / static_cast<double>(keys))
      .Add("keys", static_cast<long long>(keys))
      .Add("checksum", static_cast<long long>(sink))
      .Print();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  if (seconds <= 0) seconds = 2.0;
  std::vector<std::array<uint8_t, 16>> teks(4096);
  for (auto& t : teks) openen::crypto::RandomBytes(t);
  const uint32_t start = 2642976;

  Measure("derive_rpik_144_run", seconds, teks, [&](RpiDeriver& d, const auto& tek) {
    std::array<Rpi, openen::crypto::kTekRollingPeriod> rpis;
    (void)d.SetTek(tek);
    d.ComputeRun(start, rpis);
    return rpis.back()[0];
  });
  Measure("derive_rpik_144_single", seconds, teks, [&](RpiDeriver& d, const auto& tek) {
    (void)d.SetTek(tek);
    uint8_t x = 0;
    for (uint32_t j = 0; j < openen::crypto::kTekRollingPeriod; ++j) x ^= d.Compute(start + j)[0];
    return x;
  });
  Measure("derive_rpik_only", seconds, teks, [&](RpiDeriver& d, const auto& tek) {
    (void)d.SetTek(tek);
    return static_cast<uint8_t>(0);
  });
  return 0;
}
