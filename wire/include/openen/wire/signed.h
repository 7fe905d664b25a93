// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Ed25519-signed envelopes (openen.v1.SignedEnvelope) for what the health
// authority vouches for. The signature covers context || 0x00 || payload, where
// the context names the payload's message type, so that a signature made for
// one kind of message is never accepted as another.

#ifndef OPENEN_WIRE_SIGNED_H_
#define OPENEN_WIRE_SIGNED_H_

#include <google/protobuf/message_lite.h>

#include <string_view>
#include <vector>

#include "openen/base/status.h"
#include "openen/crypto/ed25519.h"
#include "openen/v1/signed.pb.h"

namespace openen::wire {

inline constexpr std::string_view kCertificateContext = "openen.v1.Certificate";
inline constexpr std::string_view kRelayConfigContext = "openen.v1.RelayConfig";
inline constexpr std::string_view kDecommissionOrderContext = "openen.v1.DecommissionOrder";

// SignEnvelope serializes |message| (deterministically) and signs it.
openen::v1::SignedEnvelope SignEnvelope(std::string_view context,
                                        const google::protobuf::MessageLite& message,
                                        const crypto::Ed25519PrivateKey& key);

// OpenEnvelope verifies |envelope| against |trusted| (any key may have signed;
// the envelope's signer_public_key is only a hint) and parses the payload into
// |out|. Errors: UNAUTHENTICATED "signature verification failed" when no
// trusted key verifies it, INVALID_ARGUMENT when the signed payload does not
// parse as |out|'s type.
base::Status OpenEnvelope(const openen::v1::SignedEnvelope& envelope, std::string_view context,
                          const std::vector<crypto::Ed25519PublicKey>& trusted,
                          google::protobuf::MessageLite* out);

}  // namespace openen::wire

#endif  // OPENEN_WIRE_SIGNED_H_
