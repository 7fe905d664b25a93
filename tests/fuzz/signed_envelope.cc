// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz target signed_envelope: signed envelopes opened as the servers and
// phones open them, each kind under its own role's key (DESIGN.md promise
// 7): certificates under the verifier's key, relay configuration under the
// configuration key, decommission orders under the decommission key.
//
// Input: a selector byte, then the rest. Selector % 3 picks the kind
// (certificate, configuration, decommission order). With bit 0x80 clear the
// rest is a serialized SignedEnvelope, as it arrives; with it set the rest
// is the payload, which the target signs with the right key first, so that
// mutations reach the payload decoders behind the signature check.
//
// Beyond "no crash": an envelope that opens for one kind opens for no other
// kind under any key, and no envelope opens under a key of another role.

#include <cstdlib>

#include "fuzz_util.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/verification.pb.h"
#include "openen/wire/signed.h"

namespace openen::fuzz {
namespace {

struct Kind {
  std::string_view context;
  char role;
};
constexpr Kind kKinds[] = {{wire::kCertificateContext, 'A'},
                           {wire::kRelayConfigContext, 'C'},
                           {wire::kDecommissionOrderContext, 'D'}};

struct Keys {
  crypto::Ed25519PrivateKey private_keys[3] = {FixedEd25519('A'), FixedEd25519('C'),
                                               FixedEd25519('D')};
  std::vector<crypto::Ed25519PublicKey> trusted[3] = {
      {private_keys[0].PublicKey()}, {private_keys[1].PublicKey()}, {private_keys[2].PublicKey()}};
};

base::Status Open(const openen::v1::SignedEnvelope& env, int kind, int key_role) {
  static const Keys keys;
  const std::string_view context = kKinds[kind].context;
  const auto& trusted = keys.trusted[key_role];
  switch (kind) {
    case 0: {
      openen::v1::Certificate cert;
      return wire::OpenEnvelope(env, context, trusted, &cert);
    }
    case 1: {
      openen::v1::RelayConfig config;
      return wire::OpenEnvelope(env, context, trusted, &config);
    }
    default: {
      openen::v1::DecommissionOrder order;
      return wire::OpenEnvelope(env, context, trusted, &order);
    }
  }
}

}  // namespace
}  // namespace openen::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace openen;
  fuzz::FuzzInput in(data, size);
  const uint8_t selector = in.Byte();
  const int kind = (selector & 0x7f) % 3;
  const std::string_view rest = in.Rest();
  openen::v1::SignedEnvelope env;
  if (selector & 0x80) {
    static const fuzz::Keys keys;
    base::Bytes signed_bytes(fuzz::kKinds[kind].context.begin(), fuzz::kKinds[kind].context.end());
    signed_bytes.push_back(0);
    signed_bytes.insert(signed_bytes.end(), rest.begin(), rest.end());
    const crypto::Ed25519Signature sig = keys.private_keys[kind].Sign(signed_bytes);
    env.set_payload(std::string(rest));
    env.set_signature(std::string(base::AsChars(sig)));
  } else if (!env.ParseFromArray(rest.data(), static_cast<int>(rest.size()))) {
    return 0;
  }
  const bool opened = fuzz::Open(env, kind, kind).ok();
  for (int other = 0; other < 3; ++other) {
    for (int role = 0; role < 3; ++role) {
      if (other == kind && role == kind) continue;
      // Only the right kind under the right role's key may open.
      if (opened && fuzz::Open(env, other, role).ok()) abort();
    }
  }
  return 0;
}
