// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// RandomBatch: an export batch of random keys, every optional field present
// or not at random, for the export tests.

#ifndef OPENEN_TESTS_WIRE_RANDOM_BATCH_H_
#define OPENEN_TESTS_WIRE_RANDOM_BATCH_H_

#include <random>

#include "openen/crypto/random.h"
#include "openen/wire/export.h"

namespace openen::testing {

inline wire::ExportBatch RandomBatch(std::mt19937& rng, size_t keys, size_t revised) {
  wire::ExportBatch b;
  b.header.start_timestamp = 1700000000 + rng() % 100000;
  b.header.end_timestamp = b.header.start_timestamp + 3600;
  b.header.region = "IE";
  auto key = [&] {
    wire::ExportKey k;
    k.key_data.resize(16);
    crypto::RandomBytes(k.key_data);
    k.rolling_start_interval_number = static_cast<int32_t>(2833000 + 144 * (rng() % 15));
    if (rng() % 2) k.rolling_period = static_cast<int32_t>(1 + rng() % 144);
    if (rng() % 2) k.transmission_risk_level = static_cast<int32_t>(rng() % 9);
    if (rng() % 2) k.report_type = static_cast<wire::ReportType>(rng() % 6);
    if (rng() % 2) k.days_since_onset_of_symptoms = static_cast<int32_t>(rng() % 29) - 14;
    return k;
  };
  for (size_t i = 0; i < keys; ++i) b.keys.push_back(key());
  for (size_t i = 0; i < revised; ++i) b.revised_keys.push_back(key());
  return b;
}

}  // namespace openen::testing

#endif  // OPENEN_TESTS_WIRE_RANDOM_BATCH_H_
