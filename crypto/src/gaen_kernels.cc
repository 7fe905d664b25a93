// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "gaen_kernels.h"

#include <cstdlib>
#include <cstring>

#include "hmac_state.h"

namespace openen::crypto::internal {
namespace {

void PortableRpiks(const uint8_t* teks, size_t n, uint8_t* out) {
  static const InfoBlock info("EN-RPIK");
  for (size_t i = 0; i < n; ++i) HkdfTek16(teks + 16 * i, info, out + 16 * i);
}

constexpr GaenKernels kPortable = {"portable", PortableRpiks, nullptr, nullptr};

const GaenKernels& Choose() {
  const char* forced = std::getenv("OPENEN_CRYPTO_KERNELS");
  if (forced != nullptr && std::strcmp(forced, "portable") == 0) return kPortable;
  const std::vector<const GaenKernels*> all = AvailableKernels();
  return *all.back();
}

}  // namespace

std::vector<const GaenKernels*> AvailableKernels() {
  std::vector<const GaenKernels*> all = {&kPortable};
  // Slowest first: the last one available is the one a process uses.
  for (const GaenKernels* k :
       {X86ShaniAesniKernels(), X86ShaniVaesKernels(), X86Avx512Kernels(), Arm64CeKernels()}) {
    if (k != nullptr) all.push_back(k);
  }
  return all;
}

const GaenKernels& Kernels() {
  static const GaenKernels& chosen = Choose();
  return chosen;
}

}  // namespace openen::crypto::internal
