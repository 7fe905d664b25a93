// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The verification service over a real gRPC channel on loopback.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>

#include "openen/base/clock.h"
#include "openen/console/staff.h"
#include "openen/server/grpc_server.h"
#include "openen/server/worker_pool.h"
#include "openen/verifier/service.h"
#include "openen/wire/signed.h"
#include "test_util.h"

namespace openen::verifier {
namespace {

constexpr int64_t kNow = 1795000000;

struct Server {
  testing::TempDir dir;
  base::FakeClock clock{kNow};
  crypto::Ed25519PrivateKey key = crypto::Ed25519PrivateKey::Generate();
  // The integrations' keys, and the daily totals, as the binary keeps them.
  std::unique_ptr<console::Staff> staff;
  std::string api_key;
  std::unique_ptr<Verifier> verifier;
  server::WorkerPool pool{2};
  std::unique_ptr<VerificationService> service;
  server::RunningServer running;
  std::unique_ptr<openen::v1::Verification::Stub> verification;

  Server() {
    console::StaffOptions cheap;
    cheap.password_passes = 1;
    cheap.password_bytes = 8192;
    auto opened = console::Staff::Open(dir.Sub("staff"), cheap, &clock);
    REQUIRE(opened.ok());
    staff = std::move(*opened);
    auto made = staff->AddIntegration("lab", 3);
    REQUIRE(made.ok());
    api_key = std::string(base::AsChars(made->Reveal()));
    VerifierOptions options;
    options.tally = staff.get();
    auto v = Verifier::Open(
        dir.Sub("db"), *crypto::Ed25519PrivateKey::FromSeed(key.seed().Reveal()), options, &clock);
    REQUIRE(v.ok());
    verifier = std::move(*v);
    service = std::make_unique<VerificationService>(
        verifier.get(), [this](std::string_view k) { return staff->TakeIssueByKey(k); }, &pool);
    auto r = server::StartServer({}, {service.get()});
    REQUIRE(r.ok());
    running = std::move(*r);
    verification = openen::v1::Verification::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(running.port), grpc::InsecureChannelCredentials()));
  }
  ~Server() { server::ShutdownGracefully(running.server.get(), 5); }

  grpc::Status Issue(openen::v1::IssueCodeResponse* out) { return Issue(out, "Bearer " + api_key); }
  grpc::Status Issue(openen::v1::IssueCodeResponse* out, const std::string& auth) {
    grpc::ClientContext ctx;
    if (!auth.empty()) ctx.AddMetadata("authorization", auth);
    openen::v1::IssueCodeRequest req;
    req.set_test_type(openen::v1::CONFIRMED_TEST);
    return verification->IssueCode(&ctx, req, out);
  }
  grpc::Status Exchange(const std::string& code, openen::v1::ExchangeCodeResponse* out, bool chaff = false) {
    grpc::ClientContext ctx;
    openen::v1::ExchangeCodeRequest req;
    req.set_code(code);
    req.set_chaff(chaff);
    return verification->ExchangeCode(&ctx, req, out);
  }
  grpc::Status Certify(const std::string& token, openen::v1::CertifyResponse* out, bool chaff = false) {
    grpc::ClientContext ctx;
    openen::v1::CertifyRequest req;
    req.set_token(token);
    req.set_key_hmac(std::string(32, 'k'));
    req.set_chaff(chaff);
    return verification->Certify(&ctx, req, out);
  }
};

TEST_CASE("the full flow over loopback gRPC, with fixed response sizes", "[verifier][grpc]") {
  Server s;
  openen::v1::IssueCodeResponse codes;
  REQUIRE(s.Issue(&codes).ok());
  CHECK(codes.ByteSizeLong() == kIssueCodeResponseSize);
  CHECK(codes.short_code().size() == 16);

  openen::v1::ExchangeCodeResponse token;
  REQUIRE(s.Exchange(codes.long_code(), &token).ok());
  CHECK(token.ByteSizeLong() == kExchangeCodeResponseSize);
  CHECK(token.test_type() == openen::v1::CONFIRMED_TEST);

  openen::v1::CertifyResponse cert;
  REQUIRE(s.Certify(token.token(), &cert).ok());
  CHECK(cert.ByteSizeLong() == kCertifyResponseSize);
  openen::v1::Certificate parsed;
  CHECK(wire::OpenEnvelope(cert.certificate(), wire::kCertificateContext, {s.key.PublicKey()}, &parsed).ok());
  CHECK(parsed.key_hmac() == std::string(32, 'k'));

  // Reuse maps to NOT_FOUND with the one message.
  grpc::Status again = s.Exchange(codes.short_code(), &token);
  CHECK(again.error_code() == grpc::NOT_FOUND);
  CHECK(again.error_message() == "invalid or expired code");
  CHECK(s.Certify(token.token(), &cert).error_code() == grpc::NOT_FOUND);
}

TEST_CASE("IssueCode requires an integration's API key - within its daily limit and while enabled",
          "[verifier][grpc][console]") {
  Server s;
  openen::v1::IssueCodeResponse codes;
  for (const std::string& auth :
       {std::string(), std::string("Bearer "), std::string("Bearer wrong-key-wrong-key-wrong"),
        s.api_key, "Bearer " + s.api_key + "x",
        "Bearer " + s.api_key.substr(0, s.api_key.size() - 1), "bearer " + s.api_key}) {
    INFO(auth);
    grpc::Status st = s.Issue(&codes, auth);
    CHECK(st.error_code() == grpc::UNAUTHENTICATED);
    CHECK(st.error_message() == "a valid API key is required");
  }
  CHECK(s.verifier->LiveRecords() == 0);
  for (int i = 0; i < 3; ++i) CHECK(s.Issue(&codes).ok());
  grpc::Status limited = s.Issue(&codes);
  CHECK(limited.error_code() == grpc::RESOURCE_EXHAUSTED);
  CHECK(limited.error_message() == "daily limit of 3 codes reached; an admin can raise it");
  REQUIRE(s.staff->SetIntegrationLimit("lab", 10).ok());
  CHECK(s.Issue(&codes).ok());
  REQUIRE(s.staff->SetIntegrationDisabled("lab", true).ok());
  CHECK(s.Issue(&codes).error_code() == grpc::PERMISSION_DENIED);
  REQUIRE(s.staff->SetIntegrationDisabled("lab", false).ok());
  CHECK(s.Issue(&codes).ok());
  // The next day starts a new count.
  REQUIRE(s.staff->SetIntegrationLimit("lab", 5).ok());
  CHECK(s.Issue(&codes).error_code() == grpc::RESOURCE_EXHAUSTED);
  s.clock.Advance(86400);
  CHECK(s.Issue(&codes).ok());
  REQUIRE(s.staff->RemoveIntegration("lab").ok());
  CHECK(s.Issue(&codes).error_code() == grpc::UNAUTHENTICATED);
  CHECK(s.verifier->LiveRecords() == 2 * 6);
  const auto per_day = s.staff->IssuedPerDay();
  REQUIRE(per_day.size() == 2);
  CHECK((per_day[0].name == "lab" && per_day[0].integration && per_day[0].codes == 1));
  CHECK((per_day[1].name == "lab" && per_day[1].integration && per_day[1].codes == 5));
}

TEST_CASE("the daily totals count code pairs issued, used and expired unused - never twice",
          "[verifier][grpc][console]") {
  Server s;
  openen::v1::IssueCodeResponse used_short, used_long, unused;
  REQUIRE(s.Issue(&used_short).ok());
  REQUIRE(s.Issue(&used_long).ok());
  REQUIRE(s.Issue(&unused).ok());
  openen::v1::ExchangeCodeResponse token;
  REQUIRE(s.Exchange(used_short.short_code(), &token).ok());
  CHECK(s.Exchange(used_short.long_code(), &token).error_code() == grpc::NOT_FOUND);  // burnt
  REQUIRE(s.Exchange(used_long.long_code(), &token).ok());
  REQUIRE(s.Exchange("", &token, /*chaff=*/true).ok());  // chaff counts nowhere
  // The unused pair's short code expires first: the pair is not over yet.
  s.clock.Advance(VerifierOptions().short_code_ttl_seconds);
  REQUIRE(s.verifier->Maintain().ok());
  auto totals = s.staff->Totals();
  REQUIRE(totals.size() == 1);
  CHECK(totals[0].day == kNow / 86400);
  CHECK(totals[0].issued == 3);
  CHECK(totals[0].used == 2);
  CHECK(totals[0].expired == 0);
  // Then the long code (24 hours, the next day): one pair expired, that day.
  s.clock.Set(kNow + VerifierOptions().long_code_ttl_seconds);
  REQUIRE(s.verifier->Maintain().ok());
  totals = s.staff->Totals();
  REQUIRE(totals.size() == 2);
  CHECK(totals[0].day == kNow / 86400 + 1);
  CHECK(totals[0].issued == 0);
  CHECK(totals[0].expired == 1);
  CHECK(totals[1].expired == 0);
  // A pair whose two codes expire in one pass counts once.
  REQUIRE(s.Issue(&unused).ok());
  s.clock.Advance(2 * 86400);
  REQUIRE(s.verifier->Maintain().ok());
  totals = s.staff->Totals();
  CHECK(totals[0].expired == 1);
  CHECK(s.verifier->LiveRecords() == 0);
}

TEST_CASE("chaff is answered like the real thing and stores nothing", "[verifier][grpc]") {
  Server s;
  openen::v1::ExchangeCodeResponse token;
  REQUIRE(s.Exchange("", &token, /*chaff=*/true).ok());
  CHECK(token.ByteSizeLong() == kExchangeCodeResponseSize);
  CHECK(token.token().size() == 64);
  openen::v1::CertifyResponse cert;
  REQUIRE(s.Certify(token.token(), &cert, /*chaff=*/true).ok());
  CHECK(cert.ByteSizeLong() == kCertifyResponseSize);
  openen::v1::Certificate parsed;
  CHECK_FALSE(wire::OpenEnvelope(cert.certificate(), wire::kCertificateContext, {s.key.PublicKey()}, &parsed).ok());
  CHECK(s.verifier->LiveRecords() == 0);
}

TEST_CASE("oversized requests are refused and the server keeps running", "[verifier][grpc]") {
  Server s;
  openen::v1::ExchangeCodeResponse token;
  grpc::Status big = s.Exchange(std::string(70 * 1024, '1'), &token);
  CHECK(big.error_code() == grpc::RESOURCE_EXHAUSTED);
  openen::v1::IssueCodeResponse codes;
  REQUIRE(s.Issue(&codes).ok());
  CHECK(s.Exchange(codes.short_code(), &token).ok());
}

TEST_CASE("the standard health service answers SERVING", "[verifier][grpc]") {
  Server s;
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(s.running.port),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub generic(channel);
  grpc::ClientContext ctx;
  grpc::ByteBuffer request, response;  // HealthCheckRequest{} is empty
  grpc::Slice empty;
  request = grpc::ByteBuffer(&empty, 1);
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status st) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = st;
                      done = true;
                      cv.notify_one();
                    });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  REQUIRE(status.ok());
  std::vector<grpc::Slice> slices;
  REQUIRE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& sl : slices) bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  CHECK(bytes == std::string("\x08\x01", 2));  // status: SERVING
}

}  // namespace
}  // namespace openen::verifier
