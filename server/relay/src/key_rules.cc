// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/relay/key_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "openen/crypto/interval.h"

namespace openen::relay {

std::vector<AcceptedKey> ApplyKeyRules(const std::vector<SubmittedKey>& keys,
                                       const PublishContext& context,
                                       std::vector<KeyRejection>* rejected) {
  // Pass 1: each key on its own.
  std::vector<std::pair<uint32_t, AcceptedKey>> candidates;
  std::set<std::array<uint8_t, 16>> seen;
  for (uint32_t i = 0; i < keys.size(); ++i) {
    const SubmittedKey& k = keys[i];
    auto reject = [&](std::string kind, std::string reason) {
      rejected->push_back({i, std::move(reason), std::move(kind)});
    };
    // The rules for a key on its own, as for an imported key.
    wire::ExportKey as_export;
    as_export.key_data = k.key_data;
    as_export.transmission_risk_level = k.transmission_risk;
    as_export.rolling_start_interval_number = static_cast<int32_t>(k.rolling_start_interval_number);
    as_export.rolling_period = static_cast<int32_t>(k.rolling_period);
    if (std::optional<KeyRejection> r = CheckImportedKey(as_export, context.now)) {
      reject(std::move(r->kind), std::move(r->reason));
      continue;
    }
    AcceptedKey a;
    std::copy(k.key_data.begin(), k.key_data.end(), a.key_data.begin());
    if (!seen.insert(a.key_data).second) {
      reject("duplicate key_data", "duplicate key_data");
      continue;
    }
    a.rolling_start_interval_number = k.rolling_start_interval_number;
    a.rolling_period = k.rolling_period;
    a.transmission_risk = k.transmission_risk;
    a.report_type = context.report_type;
    if (context.symptom_onset_interval != 0) {
      const int32_t days =
          static_cast<int32_t>(crypto::DayNumber(k.rolling_start_interval_number)) -
          static_cast<int32_t>(crypto::DayNumber(context.symptom_onset_interval));
      if (days < -kMaxDaysFromOnset || days > kMaxDaysFromOnset) {
        reject("days since symptom onset",
               "days since symptom onset is " + std::to_string(days) + ", want -14..14");
        continue;
      }
      a.days_since_onset_of_symptoms = days;
    }
    candidates.emplace_back(i, a);
  }

  // Pass 2: keys together. At most three per start (a phone may rotate its
  // key within a day); keys with different starts may not overlap.
  std::stable_sort(candidates.begin(), candidates.end(), [](const auto& x, const auto& y) {
    return x.second.rolling_start_interval_number < y.second.rolling_start_interval_number;
  });
  std::map<uint32_t, int> per_start;
  std::vector<std::pair<uint32_t, AcceptedKey>> kept;
  int64_t previous_end = -1;
  uint32_t previous_start = 0;
  for (const auto& [index, key] : candidates) {
    const uint32_t start = key.rolling_start_interval_number;
    if (++per_start[start] > kMaxKeysWithSameStart) {
      rejected->push_back({index, "more than 3 keys start at interval " + std::to_string(start),
                           "too many keys with one start"});
      continue;
    }
    if (previous_end >= 0 && start != previous_start && start < previous_end) {
      rejected->push_back(
          {index, "key overlaps the key starting at interval " + std::to_string(previous_start),
           "overlapping keys"});
      continue;
    }
    const int64_t end = static_cast<int64_t>(start) + key.rolling_period;
    if (start != previous_start || previous_end < 0) {
      previous_start = start;
      previous_end = end;
    } else {
      previous_end = std::max(previous_end, end);
    }
    kept.emplace_back(index, key);
  }
  std::sort(kept.begin(), kept.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::sort(rejected->begin(), rejected->end(),
            [](const KeyRejection& x, const KeyRejection& y) { return x.index < y.index; });
  std::vector<AcceptedKey> out;
  out.reserve(kept.size());
  for (auto& [index, key] : kept) out.push_back(key);
  return out;
}

std::optional<KeyRejection> CheckImportedKey(const wire::ExportKey& key, int64_t now) {
  auto reject = [](std::string kind, std::string reason) {
    return KeyRejection{0, std::move(reason), std::move(kind)};
  };
  if (key.key_data.size() != 16) {
    return reject("key_data size",
                  "key_data is " + std::to_string(key.key_data.size()) + " bytes, want 16");
  }
  const int32_t period = key.RollingPeriod();
  if (period < 1 || period > static_cast<int32_t>(crypto::kTekRollingPeriod)) {
    return reject("rolling_period",
                  "rolling_period is " + std::to_string(period) + ", want 1..144");
  }
  if (key.transmission_risk_level &&
      (*key.transmission_risk_level < 0 || *key.transmission_risk_level > kMaxTransmissionRisk)) {
    return reject(
        "transmission_risk",
        "transmission_risk is " + std::to_string(*key.transmission_risk_level) + ", want 0..8");
  }
  const int64_t start = key.rolling_start_interval_number;
  const int64_t now_interval = crypto::EnIntervalNumber(now);
  if (start < 0 || start > now_interval) {
    return reject("rolling_start_interval_number in the future",
                  "rolling_start_interval_number " + std::to_string(start) + " is in the future");
  }
  if (start + period <
      now_interval - static_cast<int64_t>(kMaxKeyAgeDays) * crypto::kTekRollingPeriod) {
    return reject("key too old", "key ended more than 15 days ago");
  }
  if (key.report_type == wire::ReportType::kRevoked ||
      (key.report_type && (static_cast<int32_t>(*key.report_type) < 0 ||
                           static_cast<int32_t>(*key.report_type) > 5))) {
    return reject("report_type", "report_type " +
                                     std::to_string(static_cast<int32_t>(*key.report_type)) +
                                     " is not imported");
  }
  if (key.days_since_onset_of_symptoms && (*key.days_since_onset_of_symptoms < -kMaxDaysFromOnset ||
                                           *key.days_since_onset_of_symptoms > kMaxDaysFromOnset)) {
    return reject("days since symptom onset",
                  "days since symptom onset is " +
                      std::to_string(*key.days_since_onset_of_symptoms) + ", want -14..14");
  }
  return std::nullopt;
}

}  // namespace openen::relay
