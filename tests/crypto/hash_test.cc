// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/hash.h"

#include <catch2/catch.hpp>

#include "test_util.h"

namespace openen::crypto {
namespace {

using testing::Hex;

TEST_CASE("SHA-256 (FIPS 180-2 example)", "[hash]") {
  CHECK(base::HexEncode(Sha256(base::AsBytes("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(base::HexEncode(Sha256(base::ByteView())) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("HMAC-SHA256 (RFC 4231 cases 2 and 6)", "[hash]") {
  CHECK(base::HexEncode(
            HmacSha256(base::AsBytes("Jefe"), base::AsBytes("what do ya want for nothing?"))) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  base::Bytes long_key(131, 0xaa);
  CHECK(base::HexEncode(HmacSha256(
            long_key, base::AsBytes("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("HKDF-SHA256 (RFC 5869 cases 1 and 3)", "[hash]") {
  base::Bytes ikm(22, 0x0b);
  auto okm = HkdfSha256(ikm, Hex("000102030405060708090a0b0c"), Hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  REQUIRE(okm.ok());
  CHECK(base::HexEncode(okm->Reveal()) ==
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  auto no_salt = HkdfSha256(ikm, base::ByteView(), base::ByteView(), 42);
  REQUIRE(no_salt.ok());
  CHECK(base::HexEncode(no_salt->Reveal()) ==
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST_CASE("HKDF-SHA256 output length limits", "[hash]") {
  base::Bytes ikm(16, 1);
  CHECK(HkdfSha256(ikm, {}, {}, 0).status().message() == "HKDF output length 0 is outside 1..8160");
  CHECK(HkdfSha256(ikm, {}, {}, 1).ok());
  CHECK(HkdfSha256(ikm, {}, {}, 8160)->size() == 8160);
  CHECK_FALSE(HkdfSha256(ikm, {}, {}, 8161).ok());
}

// google/exposure-notifications-server pkg/verification/utils_test.go.
std::vector<TekHmacEntry> UpstreamKeys(int32_t risk_a, int32_t risk_b) {
  return {{*base::Base64Decode("z2Cx9hdz2SlxZ8GEgqTYpA=="), 1, 144, risk_a},
          {*base::Base64Decode("dPCphLzfG4uzXneNimkPRQ=="), 144, 144, risk_b}};
}

TEST_CASE("TEK HMAC: the three upstream vectors", "[hash][vectors]") {
  base::Bytes secret = Hex("0102030405060708090a0b0c0d0e0f10");
  auto keys = UpstreamKeys(3, 5);
  CHECK(TekHmacMessage(keys, TekHmacForm::kWithTransmissionRisk) ==
        "dPCphLzfG4uzXneNimkPRQ==.144.144.5,z2Cx9hdz2SlxZ8GEgqTYpA==.1.144.3");
  CHECK(base::Base64Encode(TekHmac(secret, keys, TekHmacForm::kWithTransmissionRisk)) ==
        "2u1nHt5WWurJytFLF3xitNzM99oNrad2y4YGOL53AeY=");

  auto zero_risk = UpstreamKeys(0, 0);
  CHECK(base::Base64Encode(TekHmac(secret, zero_risk, TekHmacForm::kWithTransmissionRisk)) ==
        "mFNI9zhTA17n4ndd1Vu5tsn4XQX0gPrIKyjeh/9noUE=");
  CHECK(base::Base64Encode(TekHmac(secret, zero_risk, TekHmacForm::kWithoutTransmissionRisk)) ==
        "J9S7xVebH/66dm14wGsIcAnSUR3PHD4NtDQEOGZbDUo=");
}

TEST_CASE("TEK HMAC is independent of key order and sensitive to every field", "[hash]") {
  base::Bytes secret = Hex("0102030405060708090a0b0c0d0e0f10");
  auto keys = UpstreamKeys(3, 5);
  auto reversed = keys;
  std::swap(reversed[0], reversed[1]);
  auto base = TekHmac(secret, keys, TekHmacForm::kWithTransmissionRisk);
  CHECK(TekHmac(secret, reversed, TekHmacForm::kWithTransmissionRisk) == base);

  auto changed = keys;
  changed[0].rolling_start_interval_number = 2;
  CHECK(TekHmac(secret, changed, TekHmacForm::kWithTransmissionRisk) != base);
  changed = keys;
  changed[0].rolling_period = 143;
  CHECK(TekHmac(secret, changed, TekHmacForm::kWithTransmissionRisk) != base);
  changed = keys;
  changed[0].key_data[0] ^= 1;
  CHECK(TekHmac(secret, changed, TekHmacForm::kWithTransmissionRisk) != base);
  base::Bytes other_secret = secret;
  other_secret[15] ^= 1;
  CHECK(TekHmac(other_secret, keys, TekHmacForm::kWithTransmissionRisk) != base);
  CHECK(TekHmacMessage({}, TekHmacForm::kWithTransmissionRisk).empty());
}

}  // namespace
}  // namespace openen::crypto
