// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/suspects.h"

namespace openen::server {

bool Suspects::IsSuspect(WorkerPool::Flow flow) {
  if (flow == nullptr) return false;
  std::lock_guard<std::mutex> lock(mu_);
  const Clock::time_point now = now_();
  SweepLocked(now);
  auto it = suspects_.find(flow);
  if (it == suspects_.end()) return false;
  if (now < it->second.until) return true;
  suspects_.erase(it);
  return false;
}

void Suspects::Judge(WorkerPool::Flow flow, const base::Status& status,
                     const std::function<std::shared_ptr<const void>()>& hold) {
  if (flow == nullptr) return;
  const base::StatusCode code = status.code();
  const bool callers_fault =
      code == base::StatusCode::kUnauthenticated || code == base::StatusCode::kPermissionDenied ||
      code == base::StatusCode::kInvalidArgument || code == base::StatusCode::kNotFound;
  std::lock_guard<std::mutex> lock(mu_);
  const Clock::time_point now = now_();
  SweepLocked(now);
  auto it = suspects_.find(flow);
  if (!callers_fault) {
    if (status.ok() && it != suspects_.end()) suspects_.erase(it);
    return;
  }
  if (it != suspects_.end()) {
    it->second.until = now + kSuspectFor;
  } else if (suspects_.size() < max_) {
    suspects_.emplace(flow, Suspect{now + kSuspectFor, hold()});
  }
}

size_t Suspects::Count() {
  std::lock_guard<std::mutex> lock(mu_);
  SweepLocked(now_());
  return suspects_.size();
}

void Suspects::SweepLocked(Clock::time_point now) {
  if (now - swept_ < std::chrono::seconds(1)) return;
  swept_ = now;
  std::erase_if(suspects_, [now](const auto& entry) { return entry.second.until <= now; });
}

}  // namespace openen::server
