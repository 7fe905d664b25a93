// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "authority.h"

#include <chrono>
#include <filesystem>
#include <system_error>

#include "openen/crypto/interval.h"
#include "openen/rpc/call.h"
#include "openen/rpc/status.h"
#include "openen/wire/signed.h"

namespace openen::simulate::internal {
namespace {

namespace fs = std::filesystem;

// The health authority's risk configuration, calibrated to the city's radio
// model: attenuation 44 dB is about 1.6 m, 50 dB about 3 m, 56 dB about 6 m.
openen::v1::RiskParameters AuthorityRisk() {
  openen::v1::RiskParameters r;
  for (uint32_t t : {44u, 50u, 56u}) r.add_attenuation_thresholds_db(t);
  for (double w : {1.5, 1.0, 0.3, 0.0}) r.add_attenuation_bucket_weights(w);
  for (double w : {1.0, 1.0, 1.0, 0.8, 0.0, 0.0}) r.add_report_type_weights(w);
  for (int d = -14; d <= 14; ++d)
    r.add_infectiousness_by_days_since_onset(d >= -2 && d <= 5 ? 2 : 1);
  r.set_infectiousness_weight_standard(1.0);
  r.set_infectiousness_weight_high(1.0);
  r.set_minimum_daily_score(900);  // 15 minutes near
  return r;
}

}  // namespace

Authority::~Authority() {
  if (relay_server.server) server::ShutdownGracefully(relay_server.server.get(), 5);
  if (verifier_server.server) server::ShutdownGracefully(verifier_server.server.get(), 5);
  pool.reset();
}

base::Status Authority::Start(const std::string& dir, int days) {
  std::error_code ec;
  fs::create_directories(dir + "/relay", ec);
  if (ec) return base::InternalError("cannot create " + dir + "/relay: " + ec.message());
  OPENEN_ASSIGN_OR_RETURN(staff, console::Staff::Open(dir + "/staff", {}, &clock));
  OPENEN_ASSIGN_OR_RETURN(crypto::SecretBytes key,
                          staff->AddIntegration("contact-tracing", console::kMaxDailyLimit));
  api_key = std::string(base::AsChars(key.Reveal()));
  verifier::VerifierOptions verifier_options;
  verifier_options.decommission_keys = {decommission_key.PublicKey()};
  verifier_options.tally = staff.get();
  auto v = verifier::Verifier::Open(
      dir + "/verifier", *crypto::Ed25519PrivateKey::FromSeed(certificate_key.seed().Reveal()),
      verifier_options, &clock);
  if (!v.ok()) return v.status();
  verifier = std::move(*v);

  OPENEN_ASSIGN_OR_RETURN(crypto::EcdsaP256PrivateKey export_signing,
                          crypto::EcdsaP256PrivateKey::Generate());
  export_key = export_signing.PublicKey();
  relay::RelayOptions relay_options;
  relay_options.config_keys = {config_key.PublicKey()};
  relay_options.decommission_keys = {decommission_key.PublicKey()};
  openen::v1::RelayConfig config;
  config.set_expires_at(DayStart(days) + 30 * crypto::kDaySeconds);
  config.set_serial(1);
  (*config.mutable_export_signing_keys())[relay_options.signing_key_id + "-" +
                                          relay_options.signing_key_version] =
      export_key->ToSpkiBase64();
  config.add_authority_keys(std::string(base::AsChars(certificate_key.PublicKey().bytes())));
  *config.mutable_risk() = AuthorityRisk();
  config.set_retention_days(14);
  auto r =
      relay::Relay::Open(dir + "/relay/data", dir + "/relay/export", relay_options,
                         {certificate_key.PublicKey()}, std::move(export_signing),
                         wire::SignEnvelope(wire::kRelayConfigContext, config, config_key), &clock);
  if (!r.ok()) return r.status();
  relay = std::move(*r);

  pool = std::make_unique<server::WorkerPool>(2);
  verification_service = std::make_unique<verifier::VerificationService>(
      verifier.get(), [this](std::string_view key) { return staff->TakeIssueByKey(key); },
      pool.get());
  relay_service = std::make_unique<relay::RelayService>(relay.get(), pool.get());
  OPENEN_ASSIGN_OR_RETURN(verifier_server, server::StartServer({}, {verification_service.get()}));
  OPENEN_ASSIGN_OR_RETURN(relay_server, server::StartServer({}, {relay_service.get()}));
  verifier_channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(verifier_server.port),
                                         grpc::InsecureChannelCredentials());
  relay_channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(relay_server.port),
                                      grpc::InsecureChannelCredentials());
  return base::Status::Ok();
}

base::Status Authority::Maintain(int day) {
  clock.Set(DayStart(day) + kSessionOffset / 2);
  OPENEN_RETURN_IF_ERROR(relay->Maintain());
  return verifier->Maintain().status();
}

base::StatusOr<openen::v1::IssueCodeResponse> Authority::IssueCode(std::optional<int> onset_day) {
  openen::v1::IssueCodeRequest request;
  request.set_test_type(openen::v1::CONFIRMED_TEST);
  if (onset_day) request.set_symptom_onset_interval(crypto::EnIntervalNumber(DayStart(*onset_day)));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  ctx.AddMetadata("authorization", "Bearer " + api_key);
  openen::v1::IssueCodeResponse response;
  grpc::Status s = rpc::UnaryCall(verifier_channel.get(), "/openen.v1.Verification/IssueCode", &ctx, request,
                                  &response);
  if (!s.ok()) return rpc::FromGrpcStatus(s);
  return response;
}

client::ClientOptions Authority::AppOptions() const {
  client::ClientOptions o;
  o.export_keys = {{"openen-v1", *export_key}};
  o.config_keys = {config_key.PublicKey()};
  o.decommission_keys = {decommission_key.PublicKey()};
  return o;
}

}  // namespace openen::simulate::internal
