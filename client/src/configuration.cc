// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "configuration.h"

#include <algorithm>
#include <string>

#include "openen/v1/relay.pb.h"
#include "openen/wire/signed.h"

namespace openen::client::internal {

Configuration::Configuration(const ClientOptions& options)
    : options_(options),
      retention_days_(options.retention_days),
      floor_(options.min_config_serial) {}

base::StatusOr<std::optional<openen::v1::SignedEnvelope>> Configuration::Load(Records& records) {
  OPENEN_ASSIGN_OR_RETURN(uint64_t floor, records.ConfigurationFloor());
  floor_ = std::max<uint64_t>(options_.min_config_serial, floor);
  OPENEN_ASSIGN_OR_RETURN(std::optional<std::string> config, records.Configuration());
  std::optional<openen::v1::SignedEnvelope> env;
  if (config && !env.emplace().ParseFromString(*config)) env.reset();
  return env;
}

base::StatusOr<bool> Configuration::Adopt(const openen::v1::SignedEnvelope& envelope, bool stored,
                                          int64_t now, Records& records) {
  openen::v1::RelayConfig config;
  OPENEN_RETURN_IF_ERROR(
      wire::OpenEnvelope(envelope, wire::kRelayConfigContext, options_.config_keys, &config)
          .WithContext("configuration"));
  // A replayed older configuration is ignored; the current one is not
  // adopted twice (adopting purges and compacts). Nor is one older than any
  // this phone adopted before an erase, or than the app itself: a replayed
  // old configuration could otherwise undo the authority's later choices.
  if (adopted_ && config.serial() <= serial_) return false;
  if (config.serial() < floor_) return false;
  if (!stored && now >= config.expires_at()) {
    // Expired when offered: the phone cannot renew its configuration with it.
    return base::FailedPreconditionError("configuration serial " + std::to_string(config.serial()) +
                                         " expired at " + std::to_string(config.expires_at()) +
                                         " (unix time); not adopted")
        .WithReason(kConfigurationExpiredReason);
  }
  OPENEN_ASSIGN_OR_RETURN(RiskParameters risk, RiskParametersFromProto(config.risk()));
  risk_ = risk;
  serial_ = config.serial();
  adopted_ = true;
  expires_at_ = config.expires_at();
  if (config.retention_days() != 0) {
    const int requested =
        static_cast<int>(std::min<uint32_t>(config.retention_days(), kMaxRetentionDays));
    retention_days_ = std::min({options_.retention_days, kMaxRetentionDays, requested});
  }
  OPENEN_RETURN_IF_ERROR(records.PutConfiguration(envelope.SerializeAsString()));
  floor_ = config.serial();  // not below the floor, checked above
  OPENEN_RETURN_IF_ERROR(records.PutConfigurationFloor(floor_));
  return true;
}

base::Status Configuration::CheckCurrent(int64_t now) const {
  if (expires_at_ != 0 && now >= expires_at_) {
    return base::FailedPreconditionError(
               "the health authority's configuration expired at " + std::to_string(expires_at_) +
               " (unix time); broadcasting and matching stop until a sync renews it")
        .WithReason(kConfigurationExpiredReason);
  }
  return base::Status::Ok();
}

void Configuration::Reset() {
  risk_ = RiskParameters();
  retention_days_ = options_.retention_days;
  serial_ = 0;
  adopted_ = false;
  expires_at_ = 0;
}

}  // namespace openen::client::internal
