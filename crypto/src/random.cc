// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/random.h"

#include <sodium.h>

#include <cstdlib>
#include <cstdio>

namespace openen::crypto {

base::Status Init() {
  // sodium_init is itself idempotent and thread-safe; caching the result keeps
  // the hot paths free of its lock.
  static const base::Status status = [] {
    if (sodium_init() < 0) return base::InternalError("libsodium initialisation failed");
    return base::Status::Ok();
  }();
  return status;
}

void RandomBytes(std::span<uint8_t> out) {
  if (!Init().ok()) {
    // Without a CSPRNG no key can be made safely; continuing would be worse.
    std::fputs("openen: no cryptographic random source\n", stderr);
    std::abort();
  }
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

uint32_t RandomUniform(uint32_t upper_bound) {
  if (upper_bound < 2) return 0;
  (void)Init();
  return randombytes_uniform(upper_bound);
}

}  // namespace openen::crypto
