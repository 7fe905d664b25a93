// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The verification service over a real gRPC channel on loopback.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>

#include "openen/base/clock.h"
#include "openen/server/grpc_server.h"
#include "openen/server/worker_pool.h"
#include "openen/verifier/service.h"
#include "openen/wire/signed.h"
#include "test_util.h"

namespace openen::verifier {
namespace {

constexpr int64_t kNow = 1795000000;
const std::string kAdminKey = "0123456789abcdef0123456789abcdef";

struct Server {
  testing::TempDir dir;
  base::FakeClock clock{kNow};
  crypto::Ed25519PrivateKey key = crypto::Ed25519PrivateKey::Generate();
  std::unique_ptr<Verifier> verifier;
  server::WorkerPool pool{2};
  std::unique_ptr<VerificationService> service;
  server::RunningServer running;
  std::unique_ptr<openen::v1::Verification::Stub> verification;

  Server() {
    auto v = Verifier::Open(dir.Sub("db"), *crypto::Ed25519PrivateKey::FromSeed(key.seed().Reveal()), {},
                            &clock);
    REQUIRE(v.ok());
    verifier = std::move(*v);
    service = std::make_unique<VerificationService>(
        verifier.get(), crypto::SecretBytes(base::AsBytes(kAdminKey)), &pool);
    auto r = server::StartServer({}, {service.get()});
    REQUIRE(r.ok());
    running = std::move(*r);
    verification = openen::v1::Verification::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(running.port), grpc::InsecureChannelCredentials()));
  }
  ~Server() { server::ShutdownGracefully(running.server.get(), 5); }

  grpc::Status Issue(openen::v1::IssueCodeResponse* out, const std::string& auth = "Bearer " + kAdminKey) {
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

TEST_CASE("IssueCode requires the admin key", "[verifier][grpc]") {
  Server s;
  openen::v1::IssueCodeResponse codes;
  for (const std::string& auth : {std::string(), std::string("Bearer wrong-key-wrong-key-wrong"),
                                  kAdminKey, "Bearer " + kAdminKey + "x", "bearer " + kAdminKey}) {
    INFO(auth);
    grpc::Status st = s.Issue(&codes, auth);
    CHECK(st.error_code() == grpc::UNAUTHENTICATED);
    CHECK(st.error_message() == "a valid admin API key is required");
  }
  CHECK(s.verifier->LiveRecords() == 0);
  CHECK(s.Issue(&codes).ok());
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
