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

VerificationService::VerificationService(Verifier* verifier, crypto::SecretBytes admin_api_key,
                                         server::WorkerPool* pool, server::Metrics* metrics)
    : verifier_(verifier),
      admin_api_key_(std::move(admin_api_key)),
      issue_code_{[](const openen::v1::IssueCodeRequest&) { return Lane::kReal; },
                  [this](const openen::v1::IssueCodeRequest& request,
                         openen::v1::IssueCodeResponse* response) {
                    return Padded(
                        verifier_->IssueCode(request.test_type(), request.symptom_onset_interval()),
                        response, kIssueCodeResponseSize,
                        [](IssuedCodes codes, openen::v1::IssueCodeResponse* out) {
                          out->set_short_code(codes.short_code);
                          out->set_long_code(codes.long_code);
                          out->set_short_code_expires_at(codes.short_code_expires_at);
                          out->set_long_code_expires_at(codes.long_code_expires_at);
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

bool VerificationService::Authorized(grpc::CallbackServerContext* ctx) const {
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return false;
  std::string_view value(it->second.data(), it->second.size());
  constexpr std::string_view kBearer = "Bearer ";
  if (value.substr(0, kBearer.size()) != kBearer) return false;
  value.remove_prefix(kBearer.size());
  return crypto::ConstantTimeEqual(base::AsBytes(value), admin_api_key_.Reveal());
}

grpc::ServerUnaryReactor* VerificationService::IssueCode(grpc::CallbackServerContext* ctx,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  if (!Authorized(ctx)) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status(grpc::UNAUTHENTICATED, "a valid admin API key is required"));
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
