// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: this phone's own keys and what it broadcasts. One Temporary
// Exposure Key per UTC day, made on the day's first broadcast and kept in
// Records; the advertisement (RPI || AEM) of the current interval is derived
// once and cached, with the keys that derive today's identifiers.
// Not thread-safe: the client's lock guards it.

#ifndef OPENEN_CLIENT_SRC_OWN_KEYS_H_
#define OPENEN_CLIENT_SRC_OWN_KEYS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "openen/client/client.h"
#include "openen/crypto/gaen.h"
#include "records.h"

namespace openen::client::internal {

class OwnKeys {
 public:
  // |tx_power_dbm| is advertised in the metadata.
  explicit OwnKeys(int8_t tx_power_dbm) : tx_power_dbm_(tx_power_dbm) {}

  // Advertisement returns what to broadcast at |now|, making today's key
  // in |records| if needed.
  base::StatusOr<crypto::Advertisement> Advertisement(int64_t now, Records& records);
  // Forget drops the cached advertisement and today's derived keys (a new
  // day, a purge, an erase).
  void Forget();
  // ForUpload returns the stored keys, oldest first, without |excluded_days|.
  static base::StatusOr<std::vector<OwnKey>> ForUpload(Records& records,
                                                       const std::vector<uint32_t>& excluded_days);

 private:
  base::StatusOr<OwnKey> TodaysKey(uint32_t today, Records& records);

  int8_t tx_power_dbm_;
  // The advertisement of the current interval, derived once, and the keys
  // that derive today's (the TEK itself is read from the store once a day).
  std::optional<uint32_t> advertised_interval_;
  crypto::Advertisement advertisement_{};
  std::optional<uint32_t> advertising_day_;
  crypto::RpiDeriver advertising_rpis_;
  crypto::SecretBytes advertising_aemk_;
};

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_OWN_KEYS_H_
