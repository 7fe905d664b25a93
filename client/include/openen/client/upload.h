// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// How the phone reaches the verifier and the relay when a person reports a
// diagnosis, and when it sends chaff. The library builds each request,
// padded to a fixed size, and parses each response; the app carries the
// bytes over its own stack (an UploadTransport), so the library opens no
// connection. Chaff sends the same three requests in the same order, so an
// observer of the encrypted traffic cannot tell a diagnosis from chaff.

#ifndef OPENEN_CLIENT_UPLOAD_H_
#define OPENEN_CLIENT_UPLOAD_H_

#include <cstddef>
#include <string_view>

#include "openen/base/bytes.h"
#include "openen/base/status.h"

namespace openen::client {

// Padded request sizes.
inline constexpr size_t kExchangeCodeRequestSize = 256;
inline constexpr size_t kCertifyRequestSize = 256;
inline constexpr size_t kPublishRequestSize = 4096;
// A response longer than this is refused (RESOURCE_EXHAUSTED).
inline constexpr size_t kMaxUploadResponseSize = 64 * 1024;

// The three calls of the upload flow, in order, by their full gRPC names
// ("/<package>.<service>/<method>" of wire/openen/v1/*.proto). The request
// and response bytes are those protobuf messages, serialized.
inline constexpr std::string_view kExchangeCodeMethod = "/openen.v1.Verification/ExchangeCode";
inline constexpr std::string_view kCertifyMethod = "/openen.v1.Verification/Certify";
inline constexpr std::string_view kPublishMethod = "/openen.v1.Relay/Publish";

class UploadTransport {
 public:
  virtual ~UploadTransport() = default;
  // Call sends |request| to the server that answers |method| (the first two
  // to the verifier, Publish to the relay) and returns the response's bytes.
  // A server's refusal is its status (NOT_FOUND for an unknown code, ...);
  // a transport failure UNAVAILABLE or DEADLINE_EXCEEDED.
  virtual base::StatusOr<base::Bytes> Call(std::string_view method, base::ByteView request) = 0;
};

}  // namespace openen::client

#endif  // OPENEN_CLIENT_UPLOAD_H_
