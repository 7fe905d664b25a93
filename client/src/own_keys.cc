// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "own_keys.h"

#include "openen/crypto/interval.h"

namespace openen::client::internal {

base::StatusOr<OwnKey> OwnKeys::TodaysKey(uint32_t today, Records& records) {
  OPENEN_ASSIGN_OR_RETURN(std::optional<OwnKey> stored, records.GetOwnKey(today));
  if (stored) return std::move(*stored);
  OwnKey k{crypto::GenerateTek(), today * crypto::kTekRollingPeriod, crypto::kTekRollingPeriod};
  OPENEN_RETURN_IF_ERROR(records.PutOwnKey(today, k));
  return k;
}

base::StatusOr<crypto::Advertisement> OwnKeys::Advertisement(int64_t now, Records& records) {
  const uint32_t interval = crypto::EnIntervalNumber(now);
  if (advertised_interval_ == interval) return advertisement_;
  const uint32_t today = DayOf(now);
  if (advertising_day_ != today) {
    OPENEN_ASSIGN_OR_RETURN(OwnKey key, TodaysKey(today, records));
    OPENEN_RETURN_IF_ERROR(advertising_rpis_.SetTek(key.key_data.Reveal()));
    OPENEN_ASSIGN_OR_RETURN(advertising_aemk_, crypto::DeriveAemk(key.key_data.Reveal()));
    advertising_day_ = today;
  }
  const crypto::Rpi rpi = advertising_rpis_.Compute(interval);
  OPENEN_ASSIGN_OR_RETURN(crypto::Metadata metadata, crypto::EncodeMetadata({1, 0, tx_power_dbm_}));
  OPENEN_ASSIGN_OR_RETURN(crypto::Aem aem,
                          crypto::EncryptAem(advertising_aemk_.Reveal(), rpi, metadata));
  advertisement_ = crypto::MakeAdvertisement(rpi, aem);
  advertised_interval_ = interval;
  return advertisement_;
}

void OwnKeys::Forget() {
  advertised_interval_.reset();
  advertising_day_.reset();
  advertising_rpis_ = crypto::RpiDeriver();
  advertising_aemk_ = crypto::SecretBytes();
}

base::StatusOr<std::vector<OwnKey>> OwnKeys::ForUpload(Records& records,
                                                       const std::vector<uint32_t>& excluded_days) {
  return records.OwnKeys(excluded_days);
}

}  // namespace openen::client::internal
