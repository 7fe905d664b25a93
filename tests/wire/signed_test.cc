// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/wire/signed.h"

#include <catch2/catch.hpp>

#include "openen/v1/relay.pb.h"
#include "openen/v1/verification.pb.h"

namespace openen::wire {
namespace {

using crypto::Ed25519PrivateKey;

openen::v1::Certificate SampleCertificate() {
  openen::v1::Certificate c;
  c.set_report_type(openen::v1::CONFIRMED_TEST);
  c.set_symptom_onset_interval(2833200);
  c.set_key_hmac(std::string(32, 'h'));
  c.set_issuer("verifier.example");
  c.set_audience("relay.example");
  c.set_expires_at(1790000000);
  return c;
}

TEST_CASE("signed envelopes round-trip with a trusted key", "[signed]") {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey other = Ed25519PrivateKey::Generate();
  auto env = SignEnvelope(kCertificateContext, SampleCertificate(), key);
  CHECK(env.signer_public_key() == std::string(base::AsChars(key.PublicKey().bytes())));
  openen::v1::Certificate out;
  REQUIRE(OpenEnvelope(env, kCertificateContext, {other.PublicKey(), key.PublicKey()}, &out).ok());
  CHECK(out.SerializeAsString() == SampleCertificate().SerializeAsString());
  // Deterministic: the same message signs to the same envelope.
  CHECK(SignEnvelope(kCertificateContext, SampleCertificate(), key).SerializeAsString() ==
        env.SerializeAsString());
}

TEST_CASE("envelopes fail under another key, another context, or tampering", "[signed]") {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  auto env = SignEnvelope(kCertificateContext, SampleCertificate(), key);
  openen::v1::Certificate out;
  const base::Status want(base::StatusCode::kUnauthenticated, "signature verification failed");
  CHECK(OpenEnvelope(env, kCertificateContext, {Ed25519PrivateKey::Generate().PublicKey()}, &out) ==
        want);
  CHECK(OpenEnvelope(env, kCertificateContext, {}, &out) == want);
  // A certificate signature is not a configuration signature.
  openen::v1::RelayConfig config;
  CHECK(OpenEnvelope(env, kRelayConfigContext, {key.PublicKey()}, &config) == want);
  for (size_t i = 0; i < env.payload().size(); ++i) {
    auto bad = env;
    (*bad.mutable_payload())[i] ^= 0x01;
    REQUIRE(OpenEnvelope(bad, kCertificateContext, {key.PublicKey()}, &out) == want);
  }
  auto bad_sig = env;
  (*bad_sig.mutable_signature())[0] ^= 0x01;
  CHECK(OpenEnvelope(bad_sig, kCertificateContext, {key.PublicKey()}, &out) == want);
  // The signer hint does not grant trust.
  auto forged =
      SignEnvelope(kCertificateContext, SampleCertificate(), Ed25519PrivateKey::Generate());
  forged.set_signer_public_key(env.signer_public_key());
  CHECK(OpenEnvelope(forged, kCertificateContext, {key.PublicKey()}, &out) == want);
}

TEST_CASE("a validly signed payload of the wrong shape is INVALID_ARGUMENT", "[signed]") {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  openen::v1::SignedEnvelope env;
  // Field 3 (key_hmac) with a length running past the end.
  openen::v1::Certificate junk;
  std::string payload = std::string("\x1a\x05") + "ab";
  base::Bytes to_sign = base::ToBytes(std::string(kCertificateContext));
  to_sign.push_back(0);
  to_sign.insert(to_sign.end(), payload.begin(), payload.end());
  auto sig = key.Sign(to_sign);
  env.set_payload(payload);
  env.set_signature(std::string(base::AsChars(sig)));
  base::Status s = OpenEnvelope(env, kCertificateContext, {key.PublicKey()}, &junk);
  CHECK(s.code() == base::StatusCode::kInvalidArgument);
  CHECK(s.message() == "signed payload is not a valid openen.v1.Certificate");
}

}  // namespace
}  // namespace openen::wire
