// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/rpc/status.h"

#include <catch2/catch.hpp>

namespace openen::rpc {
namespace {

TEST_CASE("every listed status code crosses gRPC and back unchanged, message kept", "[rpc]") {
  CHECK(ToGrpcStatus(base::Status::Ok()).ok());
  CHECK(FromGrpcStatus(grpc::Status::OK).ok());
  for (int value = 1; value <= 16; ++value) {
    const auto code = base::StatusCodeFromInt(value);
    if (!code) continue;
    const base::Status status(*code, "message " + std::to_string(value));
    const grpc::Status over = ToGrpcStatus(status);
    CHECK(static_cast<int>(over.error_code()) == value);
    CHECK(over.error_message() == status.message());
    CHECK(FromGrpcStatus(over) == status);
  }
}

TEST_CASE("a gRPC code OpenEN does not list arrives as UNKNOWN with its message", "[rpc]") {
  const grpc::Status unlisted(static_cast<grpc::StatusCode>(12), "no such method");  // gRPC's 12
  const base::Status got = FromGrpcStatus(unlisted);
  CHECK(got.code() == base::StatusCode::kUnknown);
  CHECK(got.message() == "no such method");
}

}  // namespace
}  // namespace openen::rpc
