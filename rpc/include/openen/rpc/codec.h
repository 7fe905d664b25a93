// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Messages in and out of gRPC's raw byte buffers, for servers that decode
// their requests themselves (the generated WithRawCallbackMethod_ services):
// a request that does not decode then gets INVALID_ARGUMENT saying what was
// wrong, where gRPC's own decoding answers with a bare status and no message, as
// if the method did not exist.

#ifndef OPENEN_RPC_CODEC_H_
#define OPENEN_RPC_CODEC_H_

#include <google/protobuf/message.h>
#include <grpcpp/support/byte_buffer.h>

#include "openen/base/status.h"

namespace openen::rpc {

// DecodeMessage parses |buffer| into |message|. On failure INVALID_ARGUMENT
// "request is not a valid <full message name>: <reason>", the reason one of
//   "string field <full field name> is not valid UTF-8",
//   "malformed protobuf encoding (a truncated or overlong field, or a bad tag)",
//   "a nested message is malformed".
// Nothing of the caller's bytes is echoed. Thread-safe.
base::Status DecodeMessage(const grpc::ByteBuffer& buffer, google::protobuf::Message* message);

// EncodeMessage serializes |message| into |buffer|, replacing what it held.
// INTERNAL if it cannot.
base::Status EncodeMessage(const google::protobuf::MessageLite& message, grpc::ByteBuffer* buffer);

}  // namespace openen::rpc

#endif  // OPENEN_RPC_CODEC_H_
