// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/upload.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "openen/rpc/status.h"
#include "openen/v1/relay.grpc.pb.h"
#include "openen/v1/verification.grpc.pb.h"

namespace openen::client {
struct GrpcUploadTransport::Impl {
  std::unique_ptr<openen::v1::Verification::Stub> verifier;
  std::unique_ptr<openen::v1::Relay::Stub> relay;
  int timeout_seconds;
  void SetDeadline(grpc::ClientContext* ctx) const {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
  }
};

GrpcUploadTransport::GrpcUploadTransport(std::shared_ptr<grpc::Channel> verifier,
                                         std::shared_ptr<grpc::Channel> relay, int timeout_seconds)
    : impl_(new Impl{openen::v1::Verification::NewStub(std::move(verifier)),
                     openen::v1::Relay::NewStub(std::move(relay)), timeout_seconds}) {}
GrpcUploadTransport::~GrpcUploadTransport() = default;

base::StatusOr<openen::v1::ExchangeCodeResponse> GrpcUploadTransport::ExchangeCode(
    const openen::v1::ExchangeCodeRequest& r) {
  grpc::ClientContext ctx;
  impl_->SetDeadline(&ctx);
  openen::v1::ExchangeCodeResponse out;
  grpc::Status st = impl_->verifier->ExchangeCode(&ctx, r, &out);
  if (!st.ok()) return rpc::FromGrpcStatus(st).WithContext("ExchangeCode");
  return out;
}

base::StatusOr<openen::v1::CertifyResponse> GrpcUploadTransport::Certify(
    const openen::v1::CertifyRequest& r) {
  grpc::ClientContext ctx;
  impl_->SetDeadline(&ctx);
  openen::v1::CertifyResponse out;
  grpc::Status st = impl_->verifier->Certify(&ctx, r, &out);
  if (!st.ok()) return rpc::FromGrpcStatus(st).WithContext("Certify");
  return out;
}

base::StatusOr<openen::v1::PublishResponse> GrpcUploadTransport::Publish(
    const openen::v1::PublishRequest& r) {
  grpc::ClientContext ctx;
  impl_->SetDeadline(&ctx);
  openen::v1::PublishResponse out;
  grpc::Status st = impl_->relay->Publish(&ctx, r, &out);
  if (!st.ok()) return rpc::FromGrpcStatus(st).WithContext("Publish");
  return out;
}

}  // namespace openen::client
