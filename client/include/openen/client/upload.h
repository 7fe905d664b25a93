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
#include <cstdint>
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

// PublishRetry is how an upload sends its Publish again, with the same
// certificate, when it cannot tell whether the relay got it: the call
// failed in the transport, or the relay was overloaded or failed inside
// (IsRetryablePublishError). The relay answers the identical request with
// its first reply and stores nothing twice, so a retry is always safe.
// Chaff is retried alike, so that retries do not set uploads apart.
struct PublishRetry {
  // Publish calls in all, at least 1.
  int attempts = 4;
  // The wait before the second call, doubled before each next one up to
  // max_backoff_ms; each wait is drawn from [half, all] of that (jitter,
  // so that phones cut off together do not come back together).
  int64_t first_backoff_ms = 1000;
  int64_t max_backoff_ms = 8000;
};

// IsRetryablePublishError reports whether a Publish that failed with |s|
// may have been lost on the way or on its way back, and may be sent again:
// UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNKNOWN,
// INTERNAL and DATA_LOSS (a reply that did not parse). Any other status is
// the relay's definitive answer (INVALID_ARGUMENT, UNAUTHENTICATED,
// FAILED_PRECONDITION, ...).
bool IsRetryablePublishError(const base::Status& s);

// The reason (base::Status::reason()) of an upload error after which the
// phone keeps the certified request to send again later
// (Client::RetryUpload), until its certificate expires.
inline constexpr std::string_view kUploadPendingReason = "UPLOAD_PENDING";

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
