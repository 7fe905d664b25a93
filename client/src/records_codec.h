// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the byte formats of the client's day records, which Records
// (records.h) seals into the store and reads back. Declared apart so that
// the fuzz target client_records (tests/fuzz/) reaches the decoders directly; the
// formats themselves are described beside each codec in records.cc.
//
// A decoder accepts exactly what its encoder writes: anything else is
// DATA_LOSS "corrupt ...", never a crash or a read past the record.

#ifndef OPENEN_CLIENT_SRC_RECORDS_CODEC_H_
#define OPENEN_CLIENT_SRC_RECORDS_CODEC_H_

#include <cstdint>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/status.h"
#include "openen/client/client.h"
#include "openen/client/matcher.h"
#include "openen/client/risk.h"

namespace openen::client::internal {

// The own-key record of a day: tek[16] || LE32(rolling start) || rolling period.
base::Bytes EncodeTek(const OwnKey& k);
base::StatusOr<OwnKey> DecodeTek(const base::Bytes& b);

// The sightings of one shard of |day|.
base::Bytes EncodeSightings(const std::vector<Sighting>& sightings);
base::StatusOr<std::vector<Sighting>> DecodeSightings(const base::Bytes& b, uint32_t day);

// One exposure window of |day|.
base::Bytes EncodeWindow(const ExposureWindow& w);
base::StatusOr<ExposureWindow> DecodeWindow(const base::Bytes& b, uint32_t day);

// A day's exposure windows, each as EncodeWindow wrote it.
base::Bytes EncodeWindows(const std::vector<base::Bytes>& encoded);
base::StatusOr<std::vector<base::Bytes>> DecodeWindows(const base::Bytes& b);

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_RECORDS_CODEC_H_
