// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz target verifier_rpc: every request a caller can send the verifier,
// parsed as its request message and handed to the Verifier methods that
// server/verifier/src/service.cc calls for it (IssueCode, ExchangeCode or
// ChaffToken, Certify or ChaffCertificate), on one verifier opened over a
// scratch directory with a fixed clock.
//
// Input: a selector byte, then the request message. Selector % 3 picks the
// method: 0 IssueCode, 1 ExchangeCode, 2 Certify. Bit 0x80 makes the target
// help past what a mutation cannot guess: ExchangeCode gets a freshly
// issued code (the short one when the request's code is shorter than the
// long one) with the request's code appended; Certify gets a fresh token.
//
// Beyond "no crash": a code or token is accepted once only.

#include <cstdlib>
#include <memory>

#include "fuzz_util.h"
#include "openen/base/clock.h"
#include "openen/v1/verification.pb.h"
#include "openen/verifier/verifier.h"

namespace openen::fuzz {
namespace {

struct VerifierHarness {
  ScratchDir dir;
  base::FakeClock clock{kFuzzNow};
  std::unique_ptr<verifier::Verifier> verifier;

  VerifierHarness() {
    verifier::VerifierOptions options;
    options.decommission_keys = {FixedEd25519('D').PublicKey()};
    auto v = verifier::Verifier::Open(dir.Sub("data"), FixedEd25519('A'), options, &clock);
    if (!v.ok()) {
      fprintf(stderr, "verifier_rpc setup: %s\n", v.status().ToString().c_str());
      abort();
    }
    verifier = std::move(*v);
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
  verifier::Verifier* v = harness->verifier.get();
  fuzz::FuzzInput in(data, size);
  const uint8_t selector = in.Byte();
  const bool help = selector & 0x80;
  const std::string_view request_bytes = in.Rest();
  switch ((selector & 0x7f) % 3) {
    case 0: {
      openen::v1::IssueCodeRequest request;
      if (!fuzz::Parse(request_bytes, &request)) return 0;
      openen::v1::IssueCodeResponse response;
      auto codes = v->IssueCode(request.test_type(), request.symptom_onset_interval());
      if (codes.ok()) {
        response.set_short_code(codes->short_code);
        response.set_long_code(codes->long_code);
      }
      break;
    }
    case 1: {
      openen::v1::ExchangeCodeRequest request;
      if (!fuzz::Parse(request_bytes, &request)) return 0;
      std::string code = request.code();
      if (help) {
        verifier::IssuedCodes codes = harness->Issue();
        code =
            (code.size() < verifier::kLongCodeLength ? codes.short_code : codes.long_code) + code;
      }
      auto token = request.chaff() ? v->ChaffToken(code) : v->ExchangeCode(code);
      // The same code never counts twice.
      if (token.ok() && !request.chaff() && v->ExchangeCode(code).ok()) abort();
      break;
    }
    default: {
      openen::v1::CertifyRequest request;
      if (!fuzz::Parse(request_bytes, &request)) return 0;
      std::string token = request.token();
      if (help) {
        auto issued = v->ExchangeCode(harness->Issue().long_code);
        if (!issued.ok()) abort();
        token = issued->token + token;
      }
      const base::ByteView hmac = base::AsBytes(request.key_hmac());
      auto cert = request.chaff() ? v->ChaffCertificate(token, hmac) : v->Certify(token, hmac);
      if (cert.ok() && !request.chaff() && v->Certify(token, hmac).ok()) abort();
      break;
    }
  }
  return 0;
}
