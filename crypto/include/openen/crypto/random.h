// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The OS CSPRNG (libsodium's randombytes) and library initialisation.

#ifndef OPENEN_CRYPTO_RANDOM_H_
#define OPENEN_CRYPTO_RANDOM_H_

#include <cstdint>
#include <span>

#include "openen/base/status.h"

namespace openen::crypto {

// Init initialises the cryptographic libraries once per process; later calls
// return the first result. Every other function in openen::crypto calls it, so
// callers need it only to surface a failure early. Thread-safe.
base::Status Init();

// RandomBytes fills |out| from the OS CSPRNG.
void RandomBytes(std::span<uint8_t> out);

// PaddingBytes fills |out| from a ChaCha20 stream of the calling thread's
// own, keyed from RandomBytes on the thread's first call (and again in a
// forked child): as unpredictable to anyone else, without a system call per
// call. For bulk bytes that must look random but protect nothing (padding);
// keys, nonces and codes come from RandomBytes.
void PaddingBytes(std::span<uint8_t> out);

// RandomUniform returns a uniformly distributed value in [0, upper_bound), or 0
// when upper_bound < 2. Unbiased (rejection sampling).
uint32_t RandomUniform(uint32_t upper_bound);

}  // namespace openen::crypto

#endif  // OPENEN_CRYPTO_RANDOM_H_
