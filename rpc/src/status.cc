// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/rpc/status.h"

namespace openen::rpc {

// base::StatusCode takes gRPC's values, so that the mapping is a cast for
// every code it lists.
static_assert(static_cast<int>(base::StatusCode::kCancelled) == grpc::CANCELLED);
static_assert(static_cast<int>(base::StatusCode::kUnknown) == grpc::UNKNOWN);
static_assert(static_cast<int>(base::StatusCode::kInvalidArgument) == grpc::INVALID_ARGUMENT);
static_assert(static_cast<int>(base::StatusCode::kDeadlineExceeded) == grpc::DEADLINE_EXCEEDED);
static_assert(static_cast<int>(base::StatusCode::kNotFound) == grpc::NOT_FOUND);
static_assert(static_cast<int>(base::StatusCode::kAlreadyExists) == grpc::ALREADY_EXISTS);
static_assert(static_cast<int>(base::StatusCode::kPermissionDenied) == grpc::PERMISSION_DENIED);
static_assert(static_cast<int>(base::StatusCode::kResourceExhausted) == grpc::RESOURCE_EXHAUSTED);
static_assert(static_cast<int>(base::StatusCode::kFailedPrecondition) == grpc::FAILED_PRECONDITION);
static_assert(static_cast<int>(base::StatusCode::kAborted) == grpc::ABORTED);
static_assert(static_cast<int>(base::StatusCode::kOutOfRange) == grpc::OUT_OF_RANGE);
static_assert(static_cast<int>(base::StatusCode::kInternal) == grpc::INTERNAL);
static_assert(static_cast<int>(base::StatusCode::kUnavailable) == grpc::UNAVAILABLE);
static_assert(static_cast<int>(base::StatusCode::kDataLoss) == grpc::DATA_LOSS);
static_assert(static_cast<int>(base::StatusCode::kUnauthenticated) == grpc::UNAUTHENTICATED);

grpc::Status ToGrpcStatus(const base::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message());
}

base::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return base::Status::Ok();
  // A gRPC code OpenEN does not list arrives as kUnknown, its message kept.
  return base::Status(
      base::StatusCodeFromInt(status.error_code()).value_or(base::StatusCode::kUnknown),
      status.error_message());
}

}  // namespace openen::rpc
