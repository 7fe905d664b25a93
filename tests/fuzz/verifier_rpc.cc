// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz target verifier_rpc: every request a caller can send the verifier,
// as bytes, through the verifier's real gRPC service (fuzz_server.h: gRPC,
// the API key check, the request codec, the worker pool's lanes, decoys
// for chaff, the handlers), on one verifier opened over a scratch directory
// with a fixed clock.
//
// Input: a selector byte, then the request's bytes. Selector % 3 picks the
// method: 0 IssueCode, 1 ExchangeCode, 2 Certify. Bit 0x80 makes the target
// help past what a mutation cannot guess: IssueCode carries the API key;
// an ExchangeCode that parses gets a freshly issued code (the short one
// when the request's code is shorter than the long one) with the request's
// code appended; a Certify that parses gets a fresh token in front of its
// own. Without the bit the bytes go as they are, undecodable ones included,
// and IssueCode goes without the key.
//
// Beyond "no crash": no status a bug would give (fuzz_server.h), every
// answer of its padded size, IssueCode refused without the key, and a code
// or token accepted once only.

#include <cstdlib>
#include <memory>

#include "fuzz_server.h"
#include "fuzz_util.h"
#include "openen/base/clock.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/verification.pb.h"
#include "openen/verifier/service.h"
#include "openen/verifier/verifier.h"

namespace openen::fuzz {
namespace {

struct VerifierHarness {
  ScratchDir dir;
  base::FakeClock clock{kFuzzNow};
  std::unique_ptr<verifier::Verifier> verifier;
  const std::string admin_key = std::string(32, 'k');
  // Destroyed in the order the verifier binary destroys them.
  std::unique_ptr<verifier::VerificationService> service;
  std::unique_ptr<server::WorkerPool> pool;
  std::unique_ptr<FuzzServer> server;

  VerifierHarness() {
    verifier::VerifierOptions options;
    options.decommission_keys = {FixedEd25519('D').PublicKey()};
    auto v = verifier::Verifier::Open(dir.Sub("data"), FixedEd25519('A'), options, &clock);
    if (!v.ok()) {
      fprintf(stderr, "verifier_rpc setup: %s\n", v.status().ToString().c_str());
      abort();
    }
    verifier = std::move(*v);
    pool = std::make_unique<server::WorkerPool>(2);
    service = std::make_unique<verifier::VerificationService>(
        verifier.get(),
        [this](std::string_view key) -> base::StatusOr<std::string> {
          if (crypto::ConstantTimeEqual(base::AsBytes(key), base::AsBytes(admin_key)))
            return std::string("fuzz");
          return base::UnauthenticatedError("a valid API key is required");
        },
        pool.get());
    server = std::make_unique<FuzzServer>(std::vector<grpc::Service*>{service.get()});
  }
  ~VerifierHarness() {
    server.reset();
    pool.reset();
    service.reset();
  }

  verifier::IssuedCodes Issue() {
    auto codes = verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
    if (!codes.ok()) abort();
    return *codes;
  }
};

template <typename Message>
bool Parse(std::string_view bytes, Message* message) {
  return message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace
}  // namespace openen::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace openen;
  static fuzz::VerifierHarness verifier_harness;
  fuzz::VerifierHarness* harness = &verifier_harness;
  fuzz::FuzzServer* server = harness->server.get();
  fuzz::FuzzInput in(data, size);
  const uint8_t selector = in.Byte();
  const bool help = selector & 0x80;
  std::string request(in.Rest());
  std::string response;
  switch ((selector & 0x7f) % 3) {
    case 0: {
      constexpr char kIssue[] = "/openen.v1.Verification/IssueCode";
      const grpc::Status s =
          server->Call(kIssue, request, &response, help ? harness->admin_key : "");
      if (!help && s.error_code() != grpc::UNAUTHENTICATED) abort();
      if (s.ok() && response.size() != verifier::kIssueCodeResponseSize) abort();
      break;
    }
    case 1: {
      constexpr char kExchange[] = "/openen.v1.Verification/ExchangeCode";
      openen::v1::ExchangeCodeRequest exchange;
      const bool parsed = fuzz::Parse(request, &exchange);
      if (help && parsed) {
        verifier::IssuedCodes codes = harness->Issue();
        exchange.set_code((exchange.code().size() < verifier::kLongCodeLength ? codes.short_code
                                                                              : codes.long_code) +
                          exchange.code());
        request = exchange.SerializeAsString();
      }
      const grpc::Status s = server->Call(kExchange, request, &response);
      if (s.ok() && response.size() != verifier::kExchangeCodeResponseSize) abort();
      // The same code never counts twice.
      if (s.ok() && parsed && !exchange.chaff() && server->Call(kExchange, request, &response).ok())
        abort();
      break;
    }
    default: {
      constexpr char kCertify[] = "/openen.v1.Verification/Certify";
      openen::v1::CertifyRequest certify;
      const bool parsed = fuzz::Parse(request, &certify);
      if (help && parsed) {
        auto issued = harness->verifier->ExchangeCode(harness->Issue().long_code);
        if (!issued.ok()) abort();
        certify.set_token(issued->token + certify.token());
        request = certify.SerializeAsString();
      }
      const grpc::Status s = server->Call(kCertify, request, &response);
      if (s.ok() && response.size() != verifier::kCertifyResponseSize) abort();
      if (s.ok() && parsed && !certify.chaff() && server->Call(kCertify, request, &response).ok())
        abort();
      break;
    }
  }
  return 0;
}
