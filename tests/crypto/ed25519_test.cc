// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/ed25519.h"

#include <catch2/catch.hpp>

#include "test_util.h"

namespace openen::crypto {
namespace {

using testing::Hex;

TEST_CASE("Ed25519 RFC 8032 test 1 (empty message)", "[ed25519][vectors]") {
  auto key = Ed25519PrivateKey::FromSeed(
      Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  REQUIRE(key.ok());
  CHECK(base::HexEncode(key->PublicKey().bytes()) ==
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto sig = key->Sign(base::ByteView());
  CHECK(base::HexEncode(sig) ==
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  CHECK(key->PublicKey().Verify(base::ByteView(), sig).ok());
}

TEST_CASE("Ed25519 round trip, tampering and wrong keys", "[ed25519]") {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  base::Bytes message = base::ToBytes("decommission at 1767225600, sequence 1");
  Ed25519Signature sig = key.Sign(message);
  CHECK(key.PublicKey().Verify(message, sig).ok());

  for (size_t i = 0; i < sig.size() * 8; ++i) {
    Ed25519Signature bad = sig;
    bad[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    base::Status s = key.PublicKey().Verify(message, bad);
    REQUIRE(s.code() == base::StatusCode::kUnauthenticated);
    REQUIRE(s.message() == "signature verification failed");
  }
  base::Bytes changed = message;
  changed.back() ^= 1;
  CHECK_FALSE(key.PublicKey().Verify(changed, sig).ok());
  CHECK_FALSE(key.PublicKey().Verify(message, base::ByteView(sig).first(63)).ok());
  CHECK_FALSE(Ed25519PrivateKey::Generate().PublicKey().Verify(message, sig).ok());

  auto rebuilt = Ed25519PrivateKey::FromSeed(key.seed().Reveal());
  REQUIRE(rebuilt.ok());
  CHECK(rebuilt->PublicKey() == key.PublicKey());
}

TEST_CASE("Ed25519 rejects malformed keys", "[ed25519]") {
  CHECK(Ed25519PublicKey::FromBytes(base::Bytes(31, 1)).status().message() ==
        "Ed25519 public key is 31 bytes, want 32");
  // The identity point (small order) is refused.
  base::Bytes identity(32, 0);
  identity[0] = 1;
  CHECK(Ed25519PublicKey::FromBytes(identity).status().message() ==
        "Ed25519 public key is not a valid curve point");
  CHECK_FALSE(Ed25519PrivateKey::FromSeed(base::Bytes(33, 0)).ok());
}

}  // namespace
}  // namespace openen::crypto
