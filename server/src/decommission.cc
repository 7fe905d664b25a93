// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/decommission.h"

#include "openen/base/file.h"
#include "openen/wire/signed.h"

namespace openen::server {

base::StatusOr<std::pair<openen::v1::SignedEnvelope, openen::v1::DecommissionOrder>>
ReadDecommissionOrder(const std::string& path,
                      const std::vector<crypto::Ed25519PublicKey>& trusted) {
  if (trusted.empty()) {
    return base::FailedPreconditionError(
        path + ": no decommission key is configured, so no order can be accepted");
  }
  OPENEN_ASSIGN_OR_RETURN(std::string bytes, base::ReadFile(path, base::kMaxSmallFileBytes));
  openen::v1::SignedEnvelope env;
  if (!env.ParseFromString(bytes))
    return base::InvalidArgumentError(path + ": not a signed decommission order");
  openen::v1::DecommissionOrder order;
  base::Status s = wire::OpenEnvelope(env, wire::kDecommissionOrderContext, trusted, &order);
  if (!s.ok()) return s.WithContext(path);
  return std::make_pair(std::move(env), std::move(order));
}

base::StatusOr<int64_t> InstallDecommissionOrder(
    const std::string& order_file, const std::string& data_dir,
    const std::vector<crypto::Ed25519PublicKey>& trusted) {
  OPENEN_ASSIGN_OR_RETURN(auto order, ReadDecommissionOrder(order_file, trusted));
  const std::string installed = data_dir + "/" + kDecommissionOrderFile;
  if (base::FileExists(installed)) {
    auto current = ReadDecommissionOrder(installed, trusted);
    if (current.ok() && current->second.effective_at() <= order.second.effective_at()) {
      return current->second.effective_at();
    }
  }
  OPENEN_RETURN_IF_ERROR(
      base::WriteFileAtomically(installed, order.first.SerializeAsString(), false));
  return order.second.effective_at();
}

base::Status DecommissionState::Refresh() {
  if (!base::FileExists(path_)) return base::Status::Ok();
  OPENEN_ASSIGN_OR_RETURN(auto order, ReadDecommissionOrder(path_, trusted_));
  std::lock_guard<std::mutex> lock(mu_);
  if (envelope_ && effective_at_ <= order.second.effective_at()) return base::Status::Ok();
  envelope_ = std::move(order.first);
  effective_at_ = order.second.effective_at();
  return base::Status::Ok();
}

bool DecommissionState::EffectiveAt(int64_t now) const {
  std::lock_guard<std::mutex> lock(mu_);
  return envelope_.has_value() && now >= effective_at_;
}

std::optional<openen::v1::SignedEnvelope> DecommissionState::Order() const {
  std::lock_guard<std::mutex> lock(mu_);
  return envelope_;
}

}  // namespace openen::server
