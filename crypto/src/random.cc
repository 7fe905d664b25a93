// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/random.h"

#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

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

void PaddingBytes(std::span<uint8_t> out) {
  struct Stream {
    std::array<uint8_t, crypto_stream_chacha20_ietf_KEYBYTES> key{};
    uint64_t messages = 0;  // the nonce: one per call
    pid_t pid = 0;          // 0: not keyed yet
  };
  thread_local Stream stream;
  if (stream.pid != getpid()) {
    RandomBytes(stream.key);
    stream.messages = 0;
    stream.pid = getpid();
  }
  if (out.empty()) return;
  std::array<uint8_t, crypto_stream_chacha20_ietf_NONCEBYTES> nonce{};
  std::memcpy(nonce.data(), &stream.messages, sizeof(stream.messages));
  ++stream.messages;
  crypto_stream_chacha20_ietf(out.data(), out.size(), nonce.data(), stream.key.data());
}

uint32_t RandomUniform(uint32_t upper_bound) {
  if (upper_bound < 2) return 0;
  (void)Init();
  return randombytes_uniform(upper_bound);
}

}  // namespace openen::crypto
