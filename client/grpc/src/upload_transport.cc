// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client_grpc/upload_transport.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <span>
#include <string>

#include "openen/crypto/secret.h"
#include "openen/rpc/status.h"
#include "openen/v1/relay.grpc.pb.h"
#include "openen/v1/verification.grpc.pb.h"

namespace openen::client_grpc {
namespace {

void WipeString(std::string* s) {
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(s->data()), s->size()));
}

// Wipe clears the key material of a parsed request once it was sent: a
// Publish carries the keys and the HMAC secret (sent to the relay, but not
// to be left in freed memory if it refuses them).
template <typename Request>
void Wipe(Request*) {}
void Wipe(openen::v1::PublishRequest* r) {
  for (auto& k : *r->mutable_keys()) WipeString(k.mutable_key_data());
  WipeString(r->mutable_hmac_secret());
}

}  // namespace

struct GrpcUploadTransport::Impl {
  std::unique_ptr<openen::v1::Verification::Stub> verifier;
  std::unique_ptr<openen::v1::Relay::Stub> relay;
  int timeout_seconds;

  // Unary parses |request| as Request, calls |method| of |service| and
  // returns the serialized response.
  template <typename Request, typename Response, typename Service>
  base::StatusOr<base::Bytes> Unary(Service* service,
                                    grpc::Status (Service::*method)(grpc::ClientContext*,
                                                                    const Request&, Response*),
                                    base::ByteView bytes) const {
    Request request;
    if (bytes.size() > INT32_MAX ||
        !request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return base::InvalidArgumentError("the request does not parse");
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
    Response response;
    grpc::Status st = (service->*method)(&ctx, request, &response);
    Wipe(&request);
    if (!st.ok()) return rpc::FromGrpcStatus(st);
    const std::string out = response.SerializeAsString();
    return base::Bytes(out.begin(), out.end());
  }
};

GrpcUploadTransport::GrpcUploadTransport(std::shared_ptr<grpc::Channel> verifier,
                                         std::shared_ptr<grpc::Channel> relay, int timeout_seconds)
    : impl_(new Impl{openen::v1::Verification::NewStub(std::move(verifier)),
                     openen::v1::Relay::NewStub(std::move(relay)), timeout_seconds}) {}
GrpcUploadTransport::~GrpcUploadTransport() = default;

base::StatusOr<base::Bytes> GrpcUploadTransport::Call(std::string_view method,
                                                      base::ByteView request) {
  using openen::v1::Relay;
  using openen::v1::Verification;
  if (method == client::kExchangeCodeMethod)
    return impl_->Unary(impl_->verifier.get(), &Verification::Stub::ExchangeCode, request);
  if (method == client::kCertifyMethod)
    return impl_->Unary(impl_->verifier.get(), &Verification::Stub::Certify, request);
  if (method == client::kPublishMethod)
    return impl_->Unary(impl_->relay.get(), &Relay::Stub::Publish, request);
  return base::InvalidArgumentError("'" + std::string(method) +
                                    "' is not a call of the upload flow");
}

}  // namespace openen::client_grpc
