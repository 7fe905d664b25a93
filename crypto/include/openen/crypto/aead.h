// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// XChaCha20-Poly1305 (libsodium's IETF construction) for encryption at rest.
// Nonces are 24 random bytes chosen inside Seal, so callers cannot reuse one.

#ifndef OPENEN_CRYPTO_AEAD_H_
#define OPENEN_CRYPTO_AEAD_H_

#include <cstddef>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/crypto/secret.h"

namespace openen::crypto {

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadNonceSize = 24;
inline constexpr size_t kAeadTagSize = 16;
// Bytes that Seal adds to a plaintext.
inline constexpr size_t kAeadOverhead = kAeadNonceSize + kAeadTagSize;

// Aead seals and opens boxes under one 32-byte key. Thread-safe.
class Aead {
 public:
  // Create validates the key length once.
  static base::StatusOr<Aead> Create(const SecretBytes& key);

  // Seal returns nonce || ciphertext || tag. |associated_data| is
  // authenticated, not stored: Open must be given the same bytes.
  base::Bytes Seal(base::ByteView plaintext, base::ByteView associated_data) const;

  // Open returns the plaintext of a box made by Seal. Any failure (short box,
  // wrong key, tampered byte, different associated data) is the same
  // DATA_LOSS "authentication failed".
  base::StatusOr<base::Bytes> Open(base::ByteView box, base::ByteView associated_data) const;

 private:
  explicit Aead(SecretBytes key) : key_(std::move(key)) {}
  SecretBytes key_;
};

}  // namespace openen::crypto

#endif  // OPENEN_CRYPTO_AEAD_H_
