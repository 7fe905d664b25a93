// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/aead.h"

#include <catch2/catch.hpp>

#include "test_util.h"

namespace openen::crypto {
namespace {

TEST_CASE("XChaCha20-Poly1305 round trip", "[aead]") {
  auto aead = Aead::Create(SecretBytes::Random(32));
  REQUIRE(aead.ok());
  base::Bytes plaintext = base::ToBytes("rpi aem rssi time");
  base::Bytes ad = base::ToBytes("day 20419");
  base::Bytes box = aead->Seal(plaintext, ad);
  CHECK(box.size() == plaintext.size() + kAeadOverhead);
  auto opened = aead->Open(box, ad);
  REQUIRE(opened.ok());
  CHECK(*opened == plaintext);
  // A fresh nonce each time: the same plaintext seals to different boxes.
  CHECK(aead->Seal(plaintext, ad) != box);
  // Empty plaintext is allowed.
  CHECK(aead->Open(aead->Seal({}, {}), {})->empty());
}

TEST_CASE("every flipped bit of a sealed box fails to open", "[aead]") {
  auto aead = Aead::Create(SecretBytes::Random(32));
  base::Bytes ad = base::ToBytes("ad");
  base::Bytes box = aead->Seal(base::ToBytes("sixteen byte msg"), ad);
  for (size_t bit = 0; bit < box.size() * 8; ++bit) {
    base::Bytes bad = box;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto r = aead->Open(bad, ad);
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.status() == base::Status(base::StatusCode::kDataLoss, "authentication failed"));
  }
}

TEST_CASE("wrong key, wrong associated data and truncation fail alike", "[aead]") {
  auto aead = Aead::Create(SecretBytes::Random(32));
  auto other = Aead::Create(SecretBytes::Random(32));
  base::Bytes box = aead->Seal(base::ToBytes("x"), base::ToBytes("a"));
  const base::Status want(base::StatusCode::kDataLoss, "authentication failed");
  CHECK(other->Open(box, base::ToBytes("a")).status() == want);
  CHECK(aead->Open(box, base::ToBytes("b")).status() == want);
  CHECK(aead->Open(base::ByteView(box).first(box.size() - 1), base::ToBytes("a")).status() == want);
  CHECK(aead->Open(base::ByteView(box).first(kAeadOverhead - 1), base::ToBytes("a")).status() ==
        want);
  CHECK(aead->Open(base::ByteView(), base::ToBytes("a")).status() == want);
}

TEST_CASE("AEAD keys must be 32 bytes", "[aead]") {
  CHECK(Aead::Create(SecretBytes(31)).status().message() == "AEAD key is 31 bytes, want 32");
  CHECK_FALSE(Aead::Create(SecretBytes(33)).ok());
}

}  // namespace
}  // namespace openen::crypto
