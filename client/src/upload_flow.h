// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The upload flow: the three requests of a diagnosis upload, or of chaff,
// and when to send chaff.

#ifndef OPENEN_CLIENT_SRC_UPLOAD_FLOW_H_
#define OPENEN_CLIENT_SRC_UPLOAD_FLOW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "openen/base/cancellation.h"
#include "openen/client/client.h"
#include "openen/client/upload.h"

namespace openen::client::internal {

// KeptPublish is a certified Publish request whose reply never came: the
// serialized, padded request (keys, certificate, HMAC secret) and when its
// certificate expires. Sent again as it is, it is a retry the relay answers
// with its first reply.
struct KeptPublish {
  std::string request;
  int64_t certificate_expires_at = 0;
  uint32_t keys = 0;
};

// UploadFlow exchanges |code|, certifies the HMAC of |keys| under a fresh
// secret and publishes them, returning how many keys the relay accepted.
// Real and chaff uploads share it, so that nothing but the chaff flags
// (inside the encrypted, padded requests) tells them apart. A refused step
// does not end the flow: the remaining requests go out as chaff carrying
// nothing derived from |keys|, and the first error is returned. The Publish
// is sent again as |retry| says while it fails retryably
// (IsRetryablePublishError), real or chaff alike; a wait between attempts
// ends early, with CANCELLED, when |cancel| is cancelled. When the Publish
// of a real upload failed retryably or was cancelled, its request is put in
// |*kept| (if not null) for a later retry; otherwise |*kept| is left as it
// was. Every copy of key material it makes is wiped on every way out,
// except that one, which the caller owns.
base::StatusOr<uint32_t> UploadFlow(UploadTransport& transport, const std::vector<OwnKey>& keys,
                                    const std::string& code, bool chaff,
                                    const PublishRetry& retry = {},
                                    const base::Cancellation& cancel = base::NeverCancelled(),
                                    KeptPublish* kept = nullptr);

// RetryFlow sends a kept Publish |request| again: first a chaff
// ExchangeCode and a chaff Certify (so that the retry shows the same three
// requests as any upload), then the Publish, retried as UploadFlow's is.
// Returns the relay's accepted count, or the Publish's error (the chaff
// steps' errors do not count).
base::StatusOr<uint32_t> RetryFlow(UploadTransport& transport, const std::string& request,
                                   const PublishRetry& retry, const base::Cancellation& cancel);

// ChaffFlow sends chaff through UploadFlow: random keys shaped like a real
// upload's on |today| (one per day of the longest retention) and a random
// code of an issued format.
base::Status ChaffFlow(UploadTransport& transport, uint32_t today);

// NextChaffTime draws when, after |now|, to send chaff next: on average
// every |mean_days| days, exponentially distributed.
int64_t NextChaffTime(int64_t now, double mean_days);

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_UPLOAD_FLOW_H_
