// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/bytes.h"

#include <catch2/catch.hpp>

namespace openen::base {
namespace {

TEST_CASE("hex round trip and errors", "[bytes]") {
  CHECK(base::HexEncode(base::Bytes{0x00, 0xab, 0xff}) == "00abff");
  CHECK(*base::HexDecode("00ABff") == (base::Bytes{0x00, 0xab, 0xff}));
  CHECK(base::HexDecode("")->empty());
  CHECK(base::HexDecode("abc").status().message() == "hex string has odd length 3");
  CHECK(base::HexDecode("0g").status().message() == "non-hex character at position 1");
  CHECK(base::HexDecode("x0").status().message() == "non-hex character at position 0");
}

TEST_CASE("base64 round trip and errors", "[bytes]") {
  CHECK(base::Base64Encode(base::ToBytes("ABC")) == "QUJD");
  CHECK(base::Base64Encode(base::ToBytes("AB")) == "QUI=");
  CHECK(base::Base64Encode(base::ByteView()) == "");
  CHECK(*base::Base64Decode("QUI=") == base::ToBytes("AB"));
  CHECK(base::Base64Decode("")->empty());
  CHECK(base::Base64Decode("QUI").status().code() == base::StatusCode::kInvalidArgument);
  CHECK_FALSE(base::Base64Decode("QU I=").ok());
  CHECK_FALSE(base::Base64Decode("QUI=extra").ok());
  CHECK_FALSE(base::Base64Decode("QUI*").ok());
}

}  // namespace
}  // namespace openen::base
