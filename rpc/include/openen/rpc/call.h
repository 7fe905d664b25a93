// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Calls by method name: a gRPC client for code that knows a method by its
// full name ("/openen.v1.Relay/Publish") and its message types, without the
// generated per-service client class. The client library's adapters use it,
// since the library itself names the upload calls that way. It goes through
// the same calls the generated code makes.

#ifndef OPENEN_RPC_CALL_H_
#define OPENEN_RPC_CALL_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/sync_stream.h>

#include <memory>
#include <string_view>

namespace openen::rpc {

// UnaryCall calls |method| (a full name whose characters outlive the call,
// e.g. a string literal) on |channel|.
template <typename Request, typename Response>
grpc::Status UnaryCall(grpc::ChannelInterface* channel, std::string_view method,
                       grpc::ClientContext* ctx, const Request& request, Response* response) {
  const grpc::internal::RpcMethod rpc(method.data(), grpc::internal::RpcMethod::NORMAL_RPC);
  return grpc::internal::BlockingUnaryCall<Request, Response, grpc::protobuf::MessageLite,
                                           grpc::protobuf::MessageLite>(channel, rpc, ctx, request,
                                                                        response);
}

// ServerStreamingCall starts |method|, a server-streaming call, on |channel|.
template <typename Request, typename Response>
std::unique_ptr<grpc::ClientReader<Response>> ServerStreamingCall(grpc::ChannelInterface* channel,
                                                                  std::string_view method,
                                                                  grpc::ClientContext* ctx,
                                                                  const Request& request) {
  const grpc::internal::RpcMethod rpc(method.data(), grpc::internal::RpcMethod::SERVER_STREAMING);
  return std::unique_ptr<grpc::ClientReader<Response>>(
      grpc::internal::ClientReaderFactory<Response>::Create(channel, rpc, ctx, request));
}

}  // namespace openen::rpc

#endif  // OPENEN_RPC_CALL_H_
