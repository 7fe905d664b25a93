// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "common/grpc_status.h"

namespace openen::server {

static_assert(static_cast<int>(StatusCode::kInvalidArgument) == grpc::INVALID_ARGUMENT);
static_assert(static_cast<int>(StatusCode::kNotFound) == grpc::NOT_FOUND);
static_assert(static_cast<int>(StatusCode::kResourceExhausted) == grpc::RESOURCE_EXHAUSTED);
static_assert(static_cast<int>(StatusCode::kFailedPrecondition) == grpc::FAILED_PRECONDITION);
static_assert(static_cast<int>(StatusCode::kUnavailable) == grpc::UNAVAILABLE);
static_assert(static_cast<int>(StatusCode::kDataLoss) == grpc::DATA_LOSS);
static_assert(static_cast<int>(StatusCode::kUnauthenticated) == grpc::UNAUTHENTICATED);

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message());
}

Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return Status::Ok();
  return Status(static_cast<StatusCode>(status.error_code()), status.error_message());
}

}  // namespace openen::server
