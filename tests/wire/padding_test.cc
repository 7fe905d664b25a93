// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/wire/padding.h"

#include <catch2/catch.hpp>

#include "openen/v1/relay.pb.h"
#include "openen/v1/verification.pb.h"

namespace openen::wire {
namespace {

TEST_CASE("PadToSize reaches every target from 131 bytes above the message", "[padding]") {
  for (size_t code_len : {size_t{0}, size_t{8}, size_t{16}, size_t{300}}) {
    openen::v1::ExchangeCodeRequest req;
    req.set_code(std::string(code_len, '7'));
    const size_t unpadded = req.ByteSizeLong();
    for (size_t target = unpadded + 131; target < unpadded + 16386; target += 97) {
      REQUIRE(PadToSize(&req, target).ok());
      REQUIRE(req.ByteSizeLong() == target);
      REQUIRE(req.SerializeAsString().size() == target);
    }
    // Padding again replaces the old padding rather than adding to it.
    REQUIRE(PadToSize(&req, unpadded + 500).ok());
    CHECK(req.ByteSizeLong() == unpadded + 500);
  }
}

TEST_CASE("PadToSize: both sides of the limits", "[padding]") {
  openen::v1::ExchangeCodeRequest req;
  req.set_code("12345678");
  const size_t unpadded = req.ByteSizeLong();
  CHECK(PadToSize(&req, unpadded).ok());  // exact fit: no padding field at all
  CHECK(req.padding().empty());
  CHECK_FALSE(PadToSize(&req, unpadded + 2).ok());  // an empty field is not serialized
  CHECK(PadToSize(&req, unpadded + 3).ok());        // tag, length 1, one byte
  CHECK(req.ByteSizeLong() == unpadded + 3);
  base::Status too_small = PadToSize(&req, unpadded - 1);
  CHECK(too_small.code() == base::StatusCode::kInternal);
  CHECK(too_small.message() == "openen.v1.ExchangeCodeRequest is " + std::to_string(unpadded) +
                                   " bytes unpadded, more than its padded size " +
                                   std::to_string(unpadded - 1));
  CHECK_FALSE(PadToSize(&req, unpadded + 1).ok());    // one byte cannot hold a field
  CHECK_FALSE(PadToSize(&req, unpadded + 130).ok());  // the varint gap
  CHECK(PadToSize(&req, unpadded + 129).ok());
  CHECK(PadToSize(&req, unpadded + 131).ok());
}

TEST_CASE("padding bytes are random, not zeros", "[padding]") {
  openen::v1::GetConfigRequest a, b;
  REQUIRE(PadToSize(&a, 256).ok());
  REQUIRE(PadToSize(&b, 256).ok());
  CHECK(a.padding() != b.padding());
  CHECK(a.padding() != std::string(a.padding().size(), '\0'));
}

}  // namespace
}  // namespace openen::wire
