// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// GrpcUploadTransport: the upload flow's calls over gRPC, to openen-verifier
// (ExchangeCode, Certify) and openen-relay (Publish).

#ifndef OPENEN_CLIENT_GRPC_UPLOAD_TRANSPORT_H_
#define OPENEN_CLIENT_GRPC_UPLOAD_TRANSPORT_H_

#include <memory>
#include <string_view>

#include "openen/client/upload.h"

namespace grpc {
class Channel;
}

namespace openen::client_grpc {

class GrpcUploadTransport final : public client::UploadTransport {
 public:
  // Each call gives up after |timeout_seconds| (DEADLINE_EXCEEDED).
  GrpcUploadTransport(std::shared_ptr<grpc::Channel> verifier, std::shared_ptr<grpc::Channel> relay,
                      int timeout_seconds = 60);
  ~GrpcUploadTransport() override;
  // INVALID_ARGUMENT for a method not of the upload flow, or a request that
  // does not parse as its message.
  base::StatusOr<base::Bytes> Call(std::string_view method, base::ByteView request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openen::client_grpc

#endif  // OPENEN_CLIENT_GRPC_UPLOAD_TRANSPORT_H_
