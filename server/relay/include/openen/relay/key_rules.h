// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The rules a published key must meet, after google/exposure-notifications-
// server's publish limits. A bad key is dropped with a reason; the others go on.

#ifndef OPENEN_RELAY_KEY_RULES_H_
#define OPENEN_RELAY_KEY_RULES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/crypto/interval.h"
#include "openen/wire/export.h"

namespace openen::relay {

inline constexpr size_t kMaxKeysPerPublish = 30;
inline constexpr int kMaxTransmissionRisk = 8;
inline constexpr int kMaxKeysWithSameStart = 3;
// A key may have ended at most this many days before the publish.
inline constexpr int kMaxKeyAgeDays = 15;
// Keys whose day is further than this from symptom onset are dropped.
inline constexpr int kMaxDaysFromOnset = 14;

// SubmittedKey is a key as the phone sent it.
struct SubmittedKey {
  base::Bytes key_data;
  uint32_t rolling_start_interval_number = 0;
  uint32_t rolling_period = 0;
  int32_t transmission_risk = 0;
};

// AcceptedKey is a key the relay will release.
struct AcceptedKey {
  std::array<uint8_t, 16> key_data{};
  uint32_t rolling_start_interval_number = 0;
  uint32_t rolling_period = 0;
  int32_t transmission_risk = 0;
  wire::ReportType report_type = wire::ReportType::kUnknown;
  std::optional<int32_t> days_since_onset_of_symptoms;

  // EndSeconds is the unix time at which the key stopped being valid.
  int64_t EndSeconds() const {
    return crypto::KeyValidity{rolling_start_interval_number, rolling_period}.EndSeconds();
  }
};

struct KeyRejection {
  uint32_t index = 0;  // position in the request
  std::string reason;  // for the phone: what was wrong, with the values
  // The fixed kind of the reason, without values: the operator's metric
  // label ("rolling_period", "already published"; "answered before" for a
  // retry's stored answer).
  std::string kind = "answered before";
};

// PublishContext is what the certificate and the clock say about a publish.
struct PublishContext {
  int64_t now = 0;
  wire::ReportType report_type = wire::ReportType::kConfirmedTest;
  // First interval of the symptom onset day; 0 when unknown.
  uint32_t symptom_onset_interval = 0;
};

// ApplyKeyRules returns the keys that pass, in request order, and appends one
// rejection per dropped key: key_data not 16 bytes, rolling period outside
// 1..144, transmission risk outside 0..8, a start in the future, an end more
// than 15 days ago, a duplicate, a fourth key with the same start, a window
// overlapping a key with another start, or a day more than 14 days from onset.
std::vector<AcceptedKey> ApplyKeyRules(const std::vector<SubmittedKey>& keys,
                                       const PublishContext& context,
                                       std::vector<KeyRejection>* rejected);

// CheckImportedKey applies to one key a peer released (and ApplyKeyRules to
// each submitted key) the rules that hold for a key on its own (a released batch mixes many
// people's keys, so the rules across one upload's keys do not apply): key_data 16 bytes, rolling
// period 1..144 (absent: 144), transmission risk 0..8 when present, a start
// not in the future, an end at most 15 days ago, a report type that is not
// REVOKED, days since onset -14..14 when present. Returns the rejection
// (index 0) of a key that fails, nothing for one that passes.
std::optional<KeyRejection> CheckImportedKey(const wire::ExportKey& key, int64_t now);

}  // namespace openen::relay

#endif  // OPENEN_RELAY_KEY_RULES_H_
