// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "scoring.h"

#include <utility>

#include "openen/client/client.h"

namespace openen::simulate::internal {

GroundTruth::GroundTruth(int phones, int days)
    : notified_(static_cast<size_t>(phones), false), contacts_(static_cast<size_t>(days)) {}

void GroundTruth::AddCloseContacts(int day, std::vector<CloseContact> contacts) {
  contacts_[static_cast<size_t>(day)] = std::move(contacts);
}

void GroundTruth::AddPublished(uint32_t person, uint32_t key_day, int uploaded_day) {
  published_.emplace_back(person, key_day, uploaded_day);
}

bool GroundTruth::AddNotified(uint32_t person) {
  if (notified_[person]) return false;
  notified_[person] = true;
  return true;
}

void GroundTruth::Score(SimulationReport& report) const {
  std::vector<bool> exposed(notified_.size(), false);
  for (const auto& [person, d, uploaded] : published_) {
    // Synced the day after the upload, when the phone keeps its last
    // client::kMaxRetentionDays days.
    if (d >= contacts_.size() || static_cast<int>(d) + client::kMaxRetentionDays <= uploaded + 1)
      continue;
    for (const CloseContact& c : contacts_[d]) {
      if (c.a == person) exposed[c.b] = true;
      if (c.b == person) exposed[c.a] = true;
    }
  }
  for (size_t i = 0; i < notified_.size(); ++i) {
    report.truly_exposed += exposed[i];
    report.notified += notified_[i];
    report.true_positives += notified_[i] && exposed[i];
    report.false_positives += notified_[i] && !exposed[i];
    report.false_negatives += !notified_[i] && exposed[i];
  }
  const int tp = report.true_positives;
  report.precision =
      tp + report.false_positives > 0 ? static_cast<double>(tp) / (tp + report.false_positives) : 0;
  report.recall =
      tp + report.false_negatives > 0 ? static_cast<double>(tp) / (tp + report.false_negatives) : 0;
}

}  // namespace openen::simulate::internal
