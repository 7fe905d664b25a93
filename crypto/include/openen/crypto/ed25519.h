// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Ed25519 (RFC 8032, libsodium) for what the health authority signs: verification
// certificates, signed configuration and decommission orders.

#ifndef OPENEN_CRYPTO_ED25519_H_
#define OPENEN_CRYPTO_ED25519_H_

#include <array>
#include <cstdint>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/crypto/secret.h"

namespace openen::crypto {

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

using Ed25519Signature = std::array<uint8_t, kEd25519SignatureSize>;

// Ed25519PublicKey verifies signatures. Cheap to copy.
class Ed25519PublicKey {
 public:
  // FromBytes validates a 32-byte public key (rejects wrong length and points
  // of small order).
  static base::StatusOr<Ed25519PublicKey> FromBytes(base::ByteView bytes);

  base::ByteView bytes() const { return key_; }

  // Verify checks a detached 64-byte signature over |message|. Every failure is
  // the same UNAUTHENTICATED "signature verification failed".
  base::Status Verify(base::ByteView message, base::ByteView signature) const;

  friend bool operator==(const Ed25519PublicKey&, const Ed25519PublicKey&) = default;

 private:
  Ed25519PublicKey() = default;
  std::array<uint8_t, kEd25519PublicKeySize> key_{};
};

// Ed25519PrivateKey signs. Stored as its 32-byte seed.
class Ed25519PrivateKey {
 public:
  // Generate makes a fresh key from the OS CSPRNG.
  static Ed25519PrivateKey Generate();
  // FromSeed rebuilds a key from its 32-byte seed.
  static base::StatusOr<Ed25519PrivateKey> FromSeed(base::ByteView seed);

  const SecretBytes& seed() const { return seed_; }
  const Ed25519PublicKey& PublicKey() const { return public_key_; }

  Ed25519Signature Sign(base::ByteView message) const;

 private:
  Ed25519PrivateKey(SecretBytes seed, SecretBytes expanded, Ed25519PublicKey pk)
      : seed_(std::move(seed)), expanded_(std::move(expanded)), public_key_(pk) {}
  SecretBytes seed_;
  SecretBytes expanded_;  // libsodium's 64-byte secret key (seed || public key)
  Ed25519PublicKey public_key_;
};

}  // namespace openen::crypto

#endif  // OPENEN_CRYPTO_ED25519_H_
