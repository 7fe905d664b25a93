// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "decommission.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>

#include "openen/v1/relay.pb.h"
#include "openen/wire/signed.h"

namespace openen::client::internal {
namespace {

// Left in the emptied store directory by a decommission order.
constexpr char kDecommissionedMarker[] = "DECOMMISSIONED";

// RemoveAllButMarker deletes everything in |store_dir| but the marker.
void RemoveAllButMarker(const std::string& store_dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(store_dir, ec)) {
    if (e.path().filename() != kDecommissionedMarker) std::filesystem::remove_all(e.path(), ec);
  }
}

}  // namespace

base::Status DecommissionedError() {
  return base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason);
}

bool Decommission::Marked(const std::string& store_dir) {
  std::error_code ec;
  return std::filesystem::exists(store_dir + "/" + kDecommissionedMarker, ec);
}

void Decommission::FinishErase(const std::string& store_dir, KeyStore* keystore) {
  RemoveAllButMarker(store_dir);
  (void)keystore->Destroy();  // idempotent; a failure here was reported when the order came
}

base::Status Decommission::Load(Records& records) {
  OPENEN_ASSIGN_OR_RETURN(std::optional<Records::PendingOrder> order, records.GetPendingOrder());
  if (order && pending_.emplace().ParseFromString(order->envelope)) {
    pending_at_ = order->effective_at;
  } else {
    pending_.reset();
  }
  return base::Status::Ok();
}

base::StatusOr<std::optional<openen::v1::SignedEnvelope>> Decommission::Accept(
    const base::Bytes& envelope_bytes, int64_t now, Records& records) {
  openen::v1::SignedEnvelope env;
  if (envelope_bytes.size() > INT32_MAX ||
      !env.ParseFromArray(envelope_bytes.data(), static_cast<int>(envelope_bytes.size()))) {
    return base::InvalidArgumentError("decommission order: not a signed envelope");
  }
  openen::v1::DecommissionOrder order;
  OPENEN_RETURN_IF_ERROR(
      wire::OpenEnvelope(env, wire::kDecommissionOrderContext, options_.decommission_keys, &order)
          .WithContext("decommission order"));
  if (now >= order.effective_at()) return std::optional<openen::v1::SignedEnvelope>(std::move(env));
  if (!pending_ || order.effective_at() < pending_at_) {
    pending_ = env;
    pending_at_ = order.effective_at();
    OPENEN_RETURN_IF_ERROR(records.PutPendingOrder({env.SerializeAsString(), pending_at_}));
  }
  return std::optional<openen::v1::SignedEnvelope>();
}

void Decommission::SwitchOff(const openen::v1::SignedEnvelope& order,
                             std::unique_ptr<Records>* records, KeyStore* keystore) {
  // The marker first, durably: if the app dies during the deletion, the
  // next Open sees it and finishes the job instead of starting afresh.
  const std::string marker = options_.store_dir + "/" + kDecommissionedMarker;
  const std::string tmp = marker + ".tmp";
  const std::string bytes = order.SerializeAsString();
  if (FILE* f = std::fopen(tmp.c_str(), "wb")) {
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fflush(f);
    ::fsync(::fileno(f));
    std::fclose(f);
    std::rename(tmp.c_str(), marker.c_str());
  }
  // Then the platform key, so that whatever the deletion below leaves on
  // the flash cannot be unwrapped; then everything else.
  records->reset();
  (void)keystore->Destroy();  // best effort: the files go in any case
  RemoveAllButMarker(options_.store_dir);
  off_ = true;
  pending_.reset();
}

const openen::v1::SignedEnvelope* Decommission::Due(int64_t now) const {
  return pending_ && now >= pending_at_ ? &*pending_ : nullptr;
}

std::optional<Records::PendingOrder> Decommission::Pending() const {
  if (!pending_) return std::nullopt;
  return Records::PendingOrder{pending_->SerializeAsString(), pending_at_};
}

}  // namespace openen::client::internal
