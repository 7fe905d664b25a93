// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The upload flow: the three requests of a diagnosis upload, or of chaff,
// and when to send chaff.

#ifndef OPENEN_CLIENT_SRC_UPLOAD_FLOW_H_
#define OPENEN_CLIENT_SRC_UPLOAD_FLOW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "openen/client/client.h"
#include "openen/client/upload.h"

namespace openen::client::internal {

// UploadFlow exchanges |code|, certifies the HMAC of |keys| under a fresh
// secret and publishes them, returning how many keys the relay accepted.
// Real and chaff uploads share it, so that nothing but the chaff flags
// (inside the encrypted, padded requests) tells them apart. A refused step
// does not end the flow: the remaining requests go out as chaff carrying
// nothing derived from |keys|, and the first error is returned. Every copy
// of key material it makes is wiped on every way out.
base::StatusOr<uint32_t> UploadFlow(UploadTransport& transport, const std::vector<OwnKey>& keys,
                                    const std::string& code, bool chaff);

// ChaffFlow sends chaff through UploadFlow: random keys shaped like a real
// upload's on |today| (one per day of the longest retention) and a random
// code of an issued format.
base::Status ChaffFlow(UploadTransport& transport, uint32_t today);

// NextChaffTime draws when, after |now|, to send chaff next: on average
// every |mean_days| days, exponentially distributed.
int64_t NextChaffTime(int64_t now, double mean_days);

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_UPLOAD_FLOW_H_
