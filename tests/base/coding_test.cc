// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/coding.h"

#include <catch2/catch.hpp>
#include <string>

namespace openen::base {
namespace {

TEST_CASE("fixed-width integers are written in the order their function names", "[coding]") {
  std::string be;
  PutFixedBE<8>(&be, 0x0102030405060708u);
  CHECK(be == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  Bytes le;
  PutFixedLE<4>(&le, 0xa1b2c3d4u);
  CHECK(le == Bytes{0xd4, 0xc3, 0xb2, 0xa1});
  // Only the low N bytes are written.
  Bytes two;
  PutFixedLE<2>(&two, 0x12345678u);
  PutFixedBE<2>(&two, 0x12345678u);
  CHECK(two == Bytes{0x78, 0x56, 0x56, 0x78});
}

TEST_CASE("fixed-width integers read back what was written, from chars or bytes", "[coding]") {
  for (uint64_t v :
       {uint64_t{0}, uint64_t{1}, uint64_t{0x80}, uint64_t{0xff00ff00ff00ff00u}, UINT64_MAX}) {
    std::string be, le;
    PutFixedBE<8>(&be, v);
    PutFixedLE<8>(&le, v);
    CHECK(GetFixedBE<8>(be.data()) == v);
    CHECK(GetFixedLE<8>(le.data()) == v);
    Bytes be4, le4;
    PutFixedBE<4>(&be4, v);
    PutFixedLE<4>(&le4, v);
    CHECK(GetFixedBE<4>(be4.data()) == (v & 0xffffffffu));
    CHECK(GetFixedLE<4>(le4.data()) == (v & 0xffffffffu));
  }
  // Bytes above 0x7f read through char (signed on this platform) stay positive.
  const std::string high("\xff\xfe", 2);
  CHECK(GetFixedBE<2>(high.data()) == 0xfffe);
  CHECK(GetFixedLE<2>(high.data()) == 0xfeff);
}

TEST_CASE("big-endian keys sort in numeric order", "[coding]") {
  std::string a, b;
  PutFixedBE<8>(&a, 255);
  PutFixedBE<8>(&b, 256);
  CHECK(a < b);
}

}  // namespace
}  // namespace openen::base
