// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/verifier/service.h"

#include "openen/rpc/status.h"
#include "openen/server/log.h"
#include "openen/wire/padding.h"

namespace openen::verifier {
namespace {

// Finish pads |response| and finishes |reactor| with |status|.
template <typename Response>
void Finish(grpc::ServerUnaryReactor* reactor, Response* response, base::Status status,
            size_t size) {
  if (status.ok()) status = wire::PadToSize(response, size);
  reactor->Finish(rpc::ToGrpcStatus(status));
}

}  // namespace

VerificationService::VerificationService(Verifier* verifier, crypto::SecretBytes admin_api_key,
                                         server::WorkerPool* pool)
    : verifier_(verifier), admin_api_key_(std::move(admin_api_key)), pool_(pool) {}

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

grpc::ServerUnaryReactor* VerificationService::IssueCode(
    grpc::CallbackServerContext* ctx, const openen::v1::IssueCodeRequest* request,
    openen::v1::IssueCodeResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!Authorized(ctx)) {
    reactor->Finish(grpc::Status(grpc::UNAUTHENTICATED, "a valid admin API key is required"));
    return reactor;
  }
  pool_->Submit([this, reactor, request, response] {
    auto codes = verifier_->IssueCode(request->test_type(), request->symptom_onset_interval());
    if (codes.ok()) {
      response->set_short_code(codes->short_code);
      response->set_long_code(codes->long_code);
      response->set_short_code_expires_at(codes->short_code_expires_at);
      response->set_long_code_expires_at(codes->long_code_expires_at);
      server::Log("verifier", "issued a code pair");
    }
    Finish(reactor, response, codes.status(), kIssueCodeResponseSize);
  });
  return reactor;
}

grpc::ServerUnaryReactor* VerificationService::ExchangeCode(
    grpc::CallbackServerContext* ctx, const openen::v1::ExchangeCodeRequest* request,
    openen::v1::ExchangeCodeResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  pool_->Submit([this, reactor, request, response] {
    auto token = request->chaff() ? verifier_->ChaffToken(request->code())
                                  : verifier_->ExchangeCode(request->code());
    if (token.ok()) {
      response->set_token(token->token);
      response->set_token_expires_at(token->expires_at);
      response->set_test_type(token->test_type);
      response->set_symptom_onset_interval(token->symptom_onset_interval);
    }
    Finish(reactor, response, token.status(), kExchangeCodeResponseSize);
  });
  return reactor;
}

grpc::ServerUnaryReactor* VerificationService::Certify(grpc::CallbackServerContext* ctx,
                                                       const openen::v1::CertifyRequest* request,
                                                       openen::v1::CertifyResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  pool_->Submit([this, reactor, request, response] {
    auto cert =
        request->chaff()
            ? verifier_->ChaffCertificate(request->token(), base::AsBytes(request->key_hmac()))
            : verifier_->Certify(request->token(), base::AsBytes(request->key_hmac()));
    if (cert.ok()) *response->mutable_certificate() = std::move(*cert);
    Finish(reactor, response, cert.status(), kCertifyResponseSize);
  });
  return reactor;
}

}  // namespace openen::verifier
