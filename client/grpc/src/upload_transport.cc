// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client_grpc/upload_transport.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <span>
#include <string>

#include "openen/crypto/secret.h"
#include "openen/rpc/call.h"
#include "openen/rpc/status.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/verification.pb.h"

namespace openen::client_grpc {
namespace {

// Wipe clears the key material of a parsed request once it was sent: a
// Publish carries the keys and the HMAC secret (sent to the relay, but not
// to be left in freed memory if it refuses them).
template <typename Request>
void Wipe(Request*) {}
void Wipe(openen::v1::PublishRequest* r) {
  for (auto& k : *r->mutable_keys()) crypto::Wipe(k.mutable_key_data());
  crypto::Wipe(r->mutable_hmac_secret());
}

}  // namespace

struct GrpcUploadTransport::Impl {
  std::shared_ptr<grpc::Channel> verifier;
  std::shared_ptr<grpc::Channel> relay;
  int timeout_seconds;

  // Unary parses |bytes| as Request, calls |method| on |channel| and returns
  // the serialized response.
  template <typename Request, typename Response>
  base::StatusOr<base::Bytes> Unary(grpc::Channel* channel, std::string_view method,
                                    base::ByteView bytes) const {
    Request request;
    if (bytes.size() > INT32_MAX ||
        !request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return base::InvalidArgumentError("the request does not parse");
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
    Response response;
    grpc::Status st = rpc::UnaryCall(channel, method, &ctx, request, &response);
    Wipe(&request);
    if (!st.ok()) return rpc::FromGrpcStatus(st);
    const std::string out = response.SerializeAsString();
    return base::Bytes(out.begin(), out.end());
  }
};

GrpcUploadTransport::GrpcUploadTransport(std::shared_ptr<grpc::Channel> verifier,
                                         std::shared_ptr<grpc::Channel> relay, int timeout_seconds)
    : impl_(new Impl{std::move(verifier), std::move(relay), timeout_seconds}) {}
GrpcUploadTransport::~GrpcUploadTransport() = default;

base::StatusOr<base::Bytes> GrpcUploadTransport::Call(std::string_view method,
                                                      base::ByteView request) {
  using namespace openen::v1;
  if (method == client::kExchangeCodeMethod) {
    return impl_->Unary<ExchangeCodeRequest, ExchangeCodeResponse>(impl_->verifier.get(),
                                                                  client::kExchangeCodeMethod,
                                                                  request);
  }
  if (method == client::kCertifyMethod) {
    return impl_->Unary<CertifyRequest, CertifyResponse>(impl_->verifier.get(),
                                                        client::kCertifyMethod, request);
  }
  if (method == client::kPublishMethod) {
    return impl_->Unary<PublishRequest, PublishResponse>(impl_->relay.get(),
                                                        client::kPublishMethod, request);
  }
  return base::InvalidArgumentError("'" + std::string(method) + "' is not a call of the upload flow");
}

}  // namespace openen::client_grpc
