// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/ed25519.h"

#include <sodium.h>

#include <algorithm>

#include "openen/crypto/random.h"

namespace openen::crypto {

base::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromBytes(base::ByteView bytes) {
  OPENEN_RETURN_IF_ERROR(Init());
  if (bytes.size() != kEd25519PublicKeySize) {
    return base::InvalidArgumentError("Ed25519 public key is " + std::to_string(bytes.size()) +
                                      " bytes, want 32");
  }
  // crypto_core_ed25519_is_valid_point rejects small-order and non-canonical
  // encodings, which a forger could otherwise use.
  if (crypto_core_ed25519_is_valid_point(bytes.data()) != 1) {
    return base::InvalidArgumentError("Ed25519 public key is not a valid curve point");
  }
  Ed25519PublicKey k;
  std::copy(bytes.begin(), bytes.end(), k.key_.begin());
  return k;
}

base::Status Ed25519PublicKey::Verify(base::ByteView message, base::ByteView signature) const {
  if (signature.size() != kEd25519SignatureSize ||
      crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                  key_.data()) != 0) {
    return base::UnauthenticatedError("signature verification failed");
  }
  return base::Status::Ok();
}

Ed25519PrivateKey Ed25519PrivateKey::Generate() {
  SecretBytes seed = SecretBytes::Random(kEd25519SeedSize);
  return std::move(FromSeed(seed.Reveal())).value();
}

base::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(base::ByteView seed) {
  OPENEN_RETURN_IF_ERROR(Init());
  if (seed.size() != kEd25519SeedSize) {
    return base::InvalidArgumentError("Ed25519 seed is " + std::to_string(seed.size()) +
                                      " bytes, want 32");
  }
  SecretBytes expanded(crypto_sign_SECRETKEYBYTES);
  uint8_t pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_seed_keypair(pk, expanded.MutableReveal().data(), seed.data());
  OPENEN_ASSIGN_OR_RETURN(Ed25519PublicKey public_key, Ed25519PublicKey::FromBytes(pk));
  return Ed25519PrivateKey(SecretBytes(seed), std::move(expanded), public_key);
}

Ed25519Signature Ed25519PrivateKey::Sign(base::ByteView message) const {
  Ed25519Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                       expanded_.Reveal().data());
  return sig;
}

}  // namespace openen::crypto
