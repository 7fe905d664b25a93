// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/bytes.h"

#include <catch2/catch.hpp>

namespace openen {
namespace {

TEST_CASE("hex round trip and errors", "[bytes]") {
  CHECK(HexEncode(Bytes{0x00, 0xab, 0xff}) == "00abff");
  CHECK(*HexDecode("00ABff") == (Bytes{0x00, 0xab, 0xff}));
  CHECK(HexDecode("")->empty());
  CHECK(HexDecode("abc").status().message() == "hex string has odd length 3");
  CHECK(HexDecode("0g").status().message() == "non-hex character at position 1");
  CHECK(HexDecode("x0").status().message() == "non-hex character at position 0");
}

TEST_CASE("base64 round trip and errors", "[bytes]") {
  CHECK(Base64Encode(ToBytes("ABC")) == "QUJD");
  CHECK(Base64Encode(ToBytes("AB")) == "QUI=");
  CHECK(Base64Encode(ByteView()) == "");
  CHECK(*Base64Decode("QUI=") == ToBytes("AB"));
  CHECK(Base64Decode("")->empty());
  CHECK(Base64Decode("QUI").status().code() == StatusCode::kInvalidArgument);
  CHECK_FALSE(Base64Decode("QU I=").ok());
  CHECK_FALSE(Base64Decode("QUI=extra").ok());
  CHECK_FALSE(Base64Decode("QUI*").ok());
}

}  // namespace
}  // namespace openen
