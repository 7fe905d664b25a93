// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The one place where OpenEN statuses become gRPC statuses and back, for the
// servers and for every gRPC client (the phone library's transports, the CLI).

#ifndef OPENEN_RPC_STATUS_H_
#define OPENEN_RPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "openen/base/status.h"

namespace openen::rpc {

// ToGrpcStatus maps code for code (the enums share values) and keeps the message.
grpc::Status ToGrpcStatus(const base::Status& status);

// FromGrpcStatus is the inverse, for clients.
base::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace openen::rpc

#endif  // OPENEN_RPC_STATUS_H_
