// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// VerificationService: the gRPC face of the Verifier (callback API). Requests
// are checked on the gRPC thread; storage work runs on a WorkerPool, which
// finishes the reactor. Responses are padded to fixed sizes.

#ifndef OPENEN_VERIFIER_SERVICE_H_
#define OPENEN_VERIFIER_SERVICE_H_

#include <string>

#include "openen/crypto/secret.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/verification.grpc.pb.h"
#include "openen/verifier/verifier.h"

namespace openen::verifier {

// Padded sizes of the responses (each well above its largest real size).
inline constexpr size_t kIssueCodeResponseSize = 256;
inline constexpr size_t kExchangeCodeResponseSize = 256;
inline constexpr size_t kCertifyResponseSize = 512;

class VerificationService final : public openen::v1::Verification::CallbackService {
 public:
  // |admin_api_key| authorises IssueCode ("authorization: Bearer <key>").
  VerificationService(Verifier* verifier, crypto::SecretBytes admin_api_key,
                      server::WorkerPool* pool);

  grpc::ServerUnaryReactor* IssueCode(grpc::CallbackServerContext* ctx,
                                      const openen::v1::IssueCodeRequest* request,
                                      openen::v1::IssueCodeResponse* response) override;
  grpc::ServerUnaryReactor* ExchangeCode(grpc::CallbackServerContext* ctx,
                                         const openen::v1::ExchangeCodeRequest* request,
                                         openen::v1::ExchangeCodeResponse* response) override;
  grpc::ServerUnaryReactor* Certify(grpc::CallbackServerContext* ctx,
                                    const openen::v1::CertifyRequest* request,
                                    openen::v1::CertifyResponse* response) override;

 private:
  bool Authorized(grpc::CallbackServerContext* ctx) const;

  Verifier* verifier_;
  const crypto::SecretBytes admin_api_key_;
  server::WorkerPool* pool_;
};

}  // namespace openen::verifier

#endif  // OPENEN_VERIFIER_SERVICE_H_
