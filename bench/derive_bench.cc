// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Identifier derivation: diagnosis keys per second for "RPIK + 144 RPIs" on one
// core, the per-key cost that dominates matching. Prints one JSON line per
// variant, naming the derivation kernel (gaen.h, DerivationKernel):
//   derive_batch_144_run    DeriveRpiks over 16 keys, then SetRpik +
//                           ComputeRun(144) each: what the matcher does
//   derive_rpik_144_run     SetTek + ComputeRun(144), one key at a time
//   derive_rpik_144_single  SetTek + 144 x Compute: one cipher call per RPI
//   derive_rpiks_batch      DeriveRpiks alone (HKDF-SHA256), 16 keys a call
//   derive_rpik_only        SetTek alone (HKDF-SHA256 + AES key schedule)
//   derive_144_run_only     SetRpik + ComputeRun(144) (AES alone)
// Then it runs itself again on the portable kernel (OpenSSL), for comparison
// in the same run, unless that is the kernel already in use.
// Usage: bench_derive [seconds per variant, default 2]

#include <array>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "openen/crypto/gaen.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"

namespace {

using openen::bench::JsonLine;
using openen::bench::NowSeconds;
using openen::crypto::kTekRollingPeriod;
using openen::crypto::Rpi;
using openen::crypto::RpiDeriver;

constexpr size_t kKeys = 4096;
constexpr size_t kBatch = 16;  // keys per DeriveRpiks call, as the matcher batches them
constexpr uint32_t kStart = 2642976;

// Measure runs |pass| (which derives for all kKeys keys) until |seconds|
// have passed and prints its rate.
template <typename Pass>
void Measure(const char* name, double seconds, Pass pass) {
  uint64_t keys = 0, sink = 0;
  double start = NowSeconds(), elapsed = 0;
  do {
    sink += pass();
    keys += kKeys;
    elapsed = NowSeconds() - start;
  } while (elapsed < seconds);
  JsonLine(name)
      .Add("kernel", std::string(openen::crypto::DerivationKernel()))
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
  std::vector<uint8_t> teks(16 * kKeys), rpiks(16 * kKeys);
  openen::crypto::RandomBytes(teks);
  openen::crypto::DeriveRpiks(teks, rpiks);
  auto tek = [&](size_t i) { return openen::base::ByteView(teks.data() + 16 * i, 16); };
  RpiDeriver d;
  std::array<Rpi, kTekRollingPeriod> rpis;

  Measure("derive_batch_144_run", seconds, [&] {
    uint64_t x = 0;
    uint8_t batch[16 * kBatch];
    for (size_t i = 0; i < kKeys; i += kBatch) {
      openen::crypto::DeriveRpiks(openen::base::ByteView(teks.data() + 16 * i, sizeof(batch)),
                                  batch);
      for (size_t j = 0; j < kBatch; ++j) {
        (void)d.SetRpik(openen::base::ByteView(batch + 16 * j, 16));
        d.ComputeRun(kStart, rpis);
        x += rpis.back()[0];
      }
    }
    return x;
  });
  Measure("derive_rpik_144_run", seconds, [&] {
    uint64_t x = 0;
    for (size_t i = 0; i < kKeys; ++i) {
      (void)d.SetTek(tek(i));
      d.ComputeRun(kStart, rpis);
      x += rpis.back()[0];
    }
    return x;
  });
  Measure("derive_rpik_144_single", seconds, [&] {
    uint64_t x = 0;
    for (size_t i = 0; i < kKeys; ++i) {
      (void)d.SetTek(tek(i));
      for (uint32_t j = 0; j < kTekRollingPeriod; ++j) x ^= d.Compute(kStart + j)[0];
    }
    return x;
  });
  Measure("derive_rpiks_batch", seconds, [&] {
    openen::crypto::DeriveRpiks(teks, rpiks);
    return uint64_t{rpiks.back()};
  });
  Measure("derive_rpik_only", seconds, [&] {
    for (size_t i = 0; i < kKeys; ++i) (void)d.SetTek(tek(i));
    return uint64_t{0};
  });
  Measure("derive_144_run_only", seconds, [&] {
    uint64_t x = 0;
    for (size_t i = 0; i < kKeys; ++i) {
      (void)d.SetRpik(openen::base::ByteView(rpiks.data() + 16 * i, 16));
      d.ComputeRun(kStart, rpis);
      x += rpis.back()[0];
    }
    return x;
  });

  if (std::string(openen::crypto::DerivationKernel()) != "portable") {
    const std::string self = std::filesystem::canonical("/proc/self/exe").string();
    const std::string cmd =
        "OPENEN_CRYPTO_KERNELS=portable " + self + " " + std::to_string(seconds);
    return std::system(cmd.c_str()) == 0 ? 0 : 1;
  }
  return 0;
}
