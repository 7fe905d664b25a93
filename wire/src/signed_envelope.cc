// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "openen/wire/signed.h"

namespace openen::wire {
namespace {

base::Bytes SignedBytes(std::string_view context, std::string_view payload) {
  base::Bytes m(context.begin(), context.end());
  m.push_back(0);
  m.insert(m.end(), payload.begin(), payload.end());
  return m;
}

}  // namespace

openen::v1::SignedEnvelope SignEnvelope(std::string_view context,
                                        const google::protobuf::MessageLite& message,
                                        const crypto::Ed25519PrivateKey& key) {
  std::string payload;
  {
    google::protobuf::io::StringOutputStream stream(&payload);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&out);
  }
  crypto::Ed25519Signature sig = key.Sign(SignedBytes(context, payload));
  openen::v1::SignedEnvelope env;
  env.set_payload(std::move(payload));
  env.set_signature(std::string(base::AsChars(sig)));
  env.set_signer_public_key(std::string(base::AsChars(key.PublicKey().bytes())));
  return env;
}

base::Status OpenEnvelope(const openen::v1::SignedEnvelope& envelope, std::string_view context,
                          const std::vector<crypto::Ed25519PublicKey>& trusted,
                          google::protobuf::MessageLite* out) {
  base::Bytes signed_bytes = SignedBytes(context, envelope.payload());
  bool ok = false;
  for (const crypto::Ed25519PublicKey& key : trusted) {
    if (key.Verify(signed_bytes, base::AsBytes(envelope.signature())).ok()) {
      ok = true;
      break;
    }
  }
  if (!ok) return base::UnauthenticatedError("signature verification failed");
  if (!out->ParseFromString(envelope.payload())) {
    return base::InvalidArgumentError("signed payload is not a valid " + out->GetTypeName());
  }
  return base::Status::Ok();
}

}  // namespace openen::wire
