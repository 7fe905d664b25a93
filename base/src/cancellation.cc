// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/cancellation.h"

namespace openen::base {

void Cancellation::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  for (auto& [id, fn] : callbacks_) fn();
}

Cancellation::Callback::Callback(const Cancellation& cancellation, std::function<void()> on_cancel)
    : cancellation_(cancellation) {
  std::lock_guard<std::mutex> lock(cancellation_.mu_);
  if (cancellation_.cancelled()) {
    on_cancel();
    return;
  }
  id_ = cancellation_.next_id_++;
  cancellation_.callbacks_.emplace(id_, std::move(on_cancel));
}

Cancellation::Callback::~Callback() {
  if (id_ == 0) return;
  std::lock_guard<std::mutex> lock(cancellation_.mu_);
  cancellation_.callbacks_.erase(id_);
}

const Cancellation& NeverCancelled() {
  static const Cancellation* never = new Cancellation();
  return *never;
}

}  // namespace openen::base
