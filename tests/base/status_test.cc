// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/status.h"

#include <catch2/catch.hpp>

namespace openen::base {
namespace {

TEST_CASE("a status code taken back from an int is a listed code or none", "[status]") {
  CHECK(StatusCodeFromInt(0) == StatusCode::kOk);
  CHECK(StatusCodeFromInt(2) == StatusCode::kUnknown);
  CHECK(StatusCodeFromInt(10) == StatusCode::kAborted);
  CHECK(StatusCodeFromInt(16) == StatusCode::kUnauthenticated);
  for (int unlisted : {-1, 12, 17, 1000}) CHECK(!StatusCodeFromInt(unlisted).has_value());
  CHECK(StatusCodeName(StatusCode::kAborted) == "ABORTED");
  CHECK(StatusCodeName(static_cast<StatusCode>(12)) == "UNKNOWN");
  CHECK(Status(StatusCode::kDataLoss, "x").ToString() == "DATA_LOSS: x");
}

}  // namespace
}  // namespace openen::base
