// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the inner loops of identifier derivation, one implementation per
// kind of CPU, chosen once at run time from the CPU's features.
//
//   portable  OpenSSL (whatever it uses on this CPU), one key at a time
//   x86-shani-aesni, x86-shani-vaes
//             SHA-NI with four keys' compressions interleaved; AES-NI with
//             eight blocks in flight, or VAES with sixteen (two per register)
//   x86-avx512-shani-vaes
//             sixteen keys' HKDF in the lanes of AVX-512 registers (the last
//             few keys of a batch on SHA-NI); key schedules eight at a time
//             and 48 blocks in flight on VAES (four per register)
//   arm64-ce  ARMv8 SHA2 and AES instructions, two keys interleaved
//
// Every kernel is tested against the official vectors and against the
// portable kernel on each CPU it can run on (tests/crypto/kernels_test.cc).
// OPENEN_CRYPTO_KERNELS=portable in the environment forces the portable one
// (for comparison and for testing the fallback on a CPU that has the
// instructions).

#ifndef OPENEN_CRYPTO_SRC_GAEN_KERNELS_H_
#define OPENEN_CRYPTO_SRC_GAEN_KERNELS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace openen::crypto::internal {

// AES-128's eleven round keys, in FIPS-197 byte order.
inline constexpr size_t kAesRoundKeysSize = 176;

struct GaenKernels {
  const char* name;
  // rpiks writes HKDF-SHA256(TEK, no salt, "EN-RPIK", 16) for |n| packed
  // 16-byte TEKs into |out| (n * 16 bytes).
  void (*rpiks)(const uint8_t* teks, size_t n, uint8_t* out);
  // expand_keys writes the AES-128 round keys of |n| packed 16-byte keys
  // (n * kAesRoundKeysSize bytes). Null in the portable kernel, which keeps
  // an OpenSSL context instead.
  void (*expand_keys)(const uint8_t* keys, size_t n, uint8_t* round_keys);
  // rpi_run writes AES-128(round_keys, PaddedData(first + i)) to out + 16 i
  // for i < n. Null in the portable kernel.
  void (*rpi_run)(const uint8_t round_keys[kAesRoundKeysSize], uint32_t first, size_t n,
                  uint8_t* out);
};

// Kernels returns the kernel this process uses: the fastest this CPU runs,
// unless OPENEN_CRYPTO_KERNELS=portable.
const GaenKernels& Kernels();

// AvailableKernels returns every kernel this CPU can run, portable first.
std::vector<const GaenKernels*> AvailableKernels();

// The CPU-specific kernels, or null when this CPU (or this build's target)
// lacks their instructions. Defined in gaen_kernels_x86.cc and _arm64.cc.
const GaenKernels* X86ShaniAesniKernels();
const GaenKernels* X86ShaniVaesKernels();
const GaenKernels* X86Avx512Kernels();
const GaenKernels* Arm64CeKernels();

}  // namespace openen::crypto::internal

#endif  // OPENEN_CRYPTO_SRC_GAEN_KERNELS_H_
