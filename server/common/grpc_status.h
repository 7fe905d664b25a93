// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The one place where OpenEN statuses become gRPC statuses.

#ifndef OPENEN_SERVER_COMMON_GRPC_STATUS_H_
#define OPENEN_SERVER_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "openen/crypto/status.h"

namespace openen::server {

// ToGrpcStatus maps code for code (the enums share values) and keeps the message.
grpc::Status ToGrpcStatus(const Status& status);

// FromGrpcStatus is the inverse, for clients.
Status FromGrpcStatus(const grpc::Status& status);

}  // namespace openen::server

#endif  // OPENEN_SERVER_COMMON_GRPC_STATUS_H_
