// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/verifier/service.h"

#include "openen/rpc/status.h"
#include "openen/server/log.h"
#include "openen/wire/padding.h"

namespace openen::verifier {
namespace {

using server::Lane;

// Padded fills |response| from |result| and pads it to |size|.
template <typename Response, typename Result, typename Fill>
base::Status Padded(base::StatusOr<Result> result, Response* response, size_t size, Fill fill) {
  if (!result.ok()) return result.status();
  fill(std::move(*result), response);
  return wire::PadToSize(response, size);
}

void FillToken(IssuedToken token, openen::v1::ExchangeCodeResponse* response) {
  response->set_token(std::move(token.token));
  response->set_token_expires_at(token.expires_at);
  response->set_test_type(token.test_type);
  response->set_symptom_onset_interval(token.symptom_onset_interval);
}

void FillCertificate(openen::v1::SignedEnvelope cert, openen::v1::CertifyResponse* response) {
  *response->mutable_certificate() = std::move(cert);
}

Lane ChaffLane(bool chaff) { return chaff ? Lane::kChaff : Lane::kReal; }

}  // namespace

VerificationService::VerificationService(Verifier* verifier, IssueAuthorizer authorize_issue,
                                         server::WorkerPool* pool, server::Metrics* metrics)
    : verifier_(verifier),
      authorize_issue_(std::move(authorize_issue)),
      issue_code_{[](const openen::v1::IssueCodeRequest&) { return Lane::kReal; },
                  [this](const openen::v1::IssueCodeRequest& request,
                         openen::v1::IssueCodeResponse* response) {
                    return Padded(
                        verifier_->IssueCode(request.test_type(), request.symptom_onset_interval(),
                                             request.share_with_peers()),
                        response, kIssueCodeResponseSize,
                        [](IssuedCodes codes, openen::v1::IssueCodeResponse* out) {
                          out->set_short_code(codes.short_code);
                          out->set_long_code(codes.long_code);
                          out->set_short_code_expires_at(codes.short_code_expires_at);
                          out->set_long_code_expires_at(codes.long_code_expires_at);
                          out->set_share_with_peers(codes.share_with_peers);
                          server::Log("verifier", "issued a code pair");
                        });
                  },
                  {}},
      exchange_code_{
          [](const openen::v1::ExchangeCodeRequest& request) { return ChaffLane(request.chaff()); },
          [this](const openen::v1::ExchangeCodeRequest& request,
                 openen::v1::ExchangeCodeResponse* response) {
            return Padded(request.chaff() ? verifier_->ChaffToken(request.code())
                                          : verifier_->ExchangeCode(request.code()),
                          response, kExchangeCodeResponseSize, FillToken);
          },
          [this](const openen::v1::ExchangeCodeRequest&,
                 openen::v1::ExchangeCodeResponse* response) {
            return Padded(verifier_->ChaffTokenReply(), response, kExchangeCodeResponseSize,
                          FillToken);
          }},
      certify_{
          [](const openen::v1::CertifyRequest& request) { return ChaffLane(request.chaff()); },
          [this](const openen::v1::CertifyRequest& request, openen::v1::CertifyResponse* response) {
            const base::ByteView hmac = base::AsBytes(request.key_hmac());
            return Padded(request.chaff() ? verifier_->ChaffCertificate(request.token(), hmac)
                                          : verifier_->Certify(request.token(), hmac),
                          response, kCertifyResponseSize, FillCertificate);
          },
          [this](const openen::v1::CertifyRequest& request, openen::v1::CertifyResponse* response) {
            return Padded(verifier_->ChaffCertificateReply(base::AsBytes(request.key_hmac())),
                          response, kCertifyResponseSize, FillCertificate);
          }},
      dispatcher_(pool, metrics) {}

base::Status VerificationService::Authorize(grpc::CallbackServerContext* ctx) const {
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  std::string_view value;
  if (it != md.end()) value = std::string_view(it->second.data(), it->second.size());
  constexpr std::string_view kBearer = "Bearer ";
  if (value.substr(0, kBearer.size()) != kBearer || value.size() == kBearer.size()) {
    return base::UnauthenticatedError("a valid API key is required");
  }
  value.remove_prefix(kBearer.size());
  base::StatusOr<std::string> who = authorize_issue_(value);
  if (!who.ok()) return who.status();
  server::Log("verifier", "integration '%s' issues a code pair", who->c_str());
  return base::Status::Ok();
}

grpc::ServerUnaryReactor* VerificationService::IssueCode(grpc::CallbackServerContext* ctx,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  if (base::Status refused = Authorize(ctx); !refused.ok()) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(rpc::ToGrpcStatus(refused));
    return reactor;
  }
  return dispatcher_.Serve(ctx, request, response, issue_code_);
}

grpc::ServerUnaryReactor* VerificationService::ExchangeCode(grpc::CallbackServerContext* ctx,
                                                            const grpc::ByteBuffer* request,
                                                            grpc::ByteBuffer* response) {
  return dispatcher_.Serve(ctx, request, response, exchange_code_);
}

grpc::ServerUnaryReactor* VerificationService::Certify(grpc::CallbackServerContext* ctx,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  return dispatcher_.Serve(ctx, request, response, certify_);
}

}  // namespace openen::verifier
