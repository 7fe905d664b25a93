// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the health authority's configuration as this phone adopted it:
// risk parameters, retention, serial, expiry, and the floor below which no
// configuration is adopted. Signed configurations count only under the
// configuration keys of the options. Not thread-safe: the client's lock
// guards it.

#ifndef OPENEN_CLIENT_SRC_CONFIGURATION_H_
#define OPENEN_CLIENT_SRC_CONFIGURATION_H_

#include <cstdint>
#include <optional>

#include "openen/client/client.h"
#include "openen/client/risk.h"
#include "openen/v1/signed.pb.h"
#include "records.h"

namespace openen::client::internal {

class Configuration {
 public:
  // |options| must outlive it.
  explicit Configuration(const ClientOptions& options);

  // Load reads the floor from |records| and returns the configuration
  // adopted before, if one is stored and parses, for the client to adopt
  // again with Adopt(..., stored=true).
  base::StatusOr<std::optional<openen::v1::SignedEnvelope>> Load(Records& records);
  // Adopt verifies |envelope| under the configuration keys and adopts its
  // risk parameters and retention (never above 14 days nor the app's),
  // storing it in |records|; returns whether it adopted it. One whose serial
  // is not above the adopted one, or is below the floor, is ignored.
  // FAILED_PRECONDITION for one expired at |now|, unless |stored| (the
  // configuration adopted before, reloaded at Open, is adopted even if
  // expired, so that expiry keeps stopping the phone).
  base::StatusOr<bool> Adopt(const openen::v1::SignedEnvelope& envelope, bool stored, int64_t now,
                             Records& records);
  // CheckCurrent fails (FAILED_PRECONDITION, kConfigurationExpiredReason)
  // while the adopted configuration has expired.
  base::Status CheckCurrent(int64_t now) const;
  // Reset forgets the adopted configuration (EraseAll); the floor stays.
  void Reset();

  const RiskParameters& risk() const { return risk_; }
  int retention_days() const { return retention_days_; }
  // The highest serial ever adopted or the app's min_config_serial.
  uint64_t floor() const { return floor_; }

 private:
  const ClientOptions& options_;
  RiskParameters risk_;
  int retention_days_;
  uint64_t serial_ = 0;
  bool adopted_ = false;
  // No configuration below this serial is adopted: the highest ever adopted
  // (kept through EraseAll) or the app's min_config_serial.
  uint64_t floor_ = 0;
  int64_t expires_at_ = 0;  // 0: no configuration adopted
};

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_CONFIGURATION_H_
