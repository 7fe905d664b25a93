// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// VerificationService: the gRPC face of the Verifier (callback API, raw
// methods). The admin key is checked on the gRPC thread; each call is then
// decoded, queued in its lane and answered by a Dispatcher (real calls in
// kReal, chaff in kChaff, answered by a decoy when its lane is full).
// Responses are padded to fixed sizes.

#ifndef OPENEN_VERIFIER_SERVICE_H_
#define OPENEN_VERIFIER_SERVICE_H_

#include <functional>
#include <string>
#include <string_view>

#include "openen/crypto/secret.h"
#include "openen/server/dispatcher.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/verification.grpc.pb.h"
#include "openen/verifier/verifier.h"

namespace openen::verifier {

// Padded sizes of the responses (each well above its largest real size).
inline constexpr size_t kIssueCodeResponseSize = 256;
inline constexpr size_t kExchangeCodeResponseSize = 256;
inline constexpr size_t kCertifyResponseSize = 512;

// The generated service with every method raw: the service decodes each
// request itself (server/dispatcher.h).
using RawVerificationService = openen::v1::Verification::WithRawCallbackMethod_IssueCode<
    openen::v1::Verification::WithRawCallbackMethod_ExchangeCode<
        openen::v1::Verification::WithRawCallbackMethod_Certify<
            openen::v1::Verification::Service>>>;

// IssueAuthorizer checks the API key an IssueCode call presents
// ("authorization: Bearer <key>"), counts the code against its owner's daily
// limit and returns the owner's name (for the log): UNAUTHENTICATED,
// PERMISSION_DENIED or RESOURCE_EXHAUSTED refuse the call. The verifier binary
// checks the integrations' keys kept with the console's staff
// (openen::console::Staff::TakeIssueByKey).
using IssueAuthorizer = std::function<base::StatusOr<std::string>(std::string_view api_key)>;

// The worker pool must be drained (destroyed) before the service: its
// queued tasks refer to the service's handlers.
class VerificationService final : public RawVerificationService {
 public:
  // |authorize_issue| authorises each IssueCode call; |metrics| (may be
  // null) counts the calls shed as busy.
  VerificationService(Verifier* verifier, IssueAuthorizer authorize_issue, server::WorkerPool* pool,
                      server::Metrics* metrics = nullptr);

  grpc::ServerUnaryReactor* IssueCode(grpc::CallbackServerContext* ctx,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ExchangeCode(grpc::CallbackServerContext* ctx,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Certify(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;

 private:
  base::Status Authorize(grpc::CallbackServerContext* ctx) const;

  Verifier* verifier_;
  const IssueAuthorizer authorize_issue_;
  const server::UnaryHandler<openen::v1::IssueCodeRequest, openen::v1::IssueCodeResponse>
      issue_code_;
  const server::UnaryHandler<openen::v1::ExchangeCodeRequest, openen::v1::ExchangeCodeResponse>
      exchange_code_;
  const server::UnaryHandler<openen::v1::CertifyRequest, openen::v1::CertifyResponse> certify_;
  // After the handlers: destroyed first, it sends its waiting decoys with them.
  server::Dispatcher dispatcher_;
};

}  // namespace openen::verifier

#endif  // OPENEN_VERIFIER_SERVICE_H_
