// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// How the phone talks to the verifier and the relay when a person reports a
// diagnosis, and when it sends chaff. Every request is padded to a fixed
// size, and chaff sends the same three requests in the same order, so an
// observer of the encrypted traffic cannot tell a diagnosis from chaff.

#ifndef OPENEN_CLIENT_UPLOAD_H_
#define OPENEN_CLIENT_UPLOAD_H_

#include <memory>

#include "openen/base/status.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/verification.pb.h"

namespace grpc {
class Channel;
}

namespace openen::client {

// Padded request sizes.
inline constexpr size_t kExchangeCodeRequestSize = 256;
inline constexpr size_t kCertifyRequestSize = 256;
inline constexpr size_t kPublishRequestSize = 4096;

class UploadTransport {
 public:
  virtual ~UploadTransport() = default;
  virtual base::StatusOr<openen::v1::ExchangeCodeResponse> ExchangeCode(
      const openen::v1::ExchangeCodeRequest& r) = 0;
  virtual base::StatusOr<openen::v1::CertifyResponse> Certify(
      const openen::v1::CertifyRequest& r) = 0;
  virtual base::StatusOr<openen::v1::PublishResponse> Publish(
      const openen::v1::PublishRequest& r) = 0;
};

// GrpcUploadTransport uses openen-verifier and openen-relay over gRPC.
class GrpcUploadTransport final : public UploadTransport {
 public:
  GrpcUploadTransport(std::shared_ptr<grpc::Channel> verifier, std::shared_ptr<grpc::Channel> relay,
                      int timeout_seconds = 60);
  ~GrpcUploadTransport() override;
  base::StatusOr<openen::v1::ExchangeCodeResponse> ExchangeCode(
      const openen::v1::ExchangeCodeRequest& r) override;
  base::StatusOr<openen::v1::CertifyResponse> Certify(const openen::v1::CertifyRequest& r) override;
  base::StatusOr<openen::v1::PublishResponse> Publish(const openen::v1::PublishRequest& r) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openen::client

#endif  // OPENEN_CLIENT_UPLOAD_H_
