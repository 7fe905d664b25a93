// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Exposure risk, as GAEN v2 scores it. Scans of one diagnosis key's identifiers
// are grouped into ExposureWindows of at most 30 minutes; each scan is a
// ScanInstance with its attenuation (TX power - (RSSI + device offset)) and
// the seconds since the previous scan. A window's weighted duration is the sum
// over scans of seconds x the weight of the scan's attenuation bucket; its
// score multiplies that by the report-type weight and the infectiousness
// weight (from days since symptom onset). A day's summary sums its windows.
// The host app sees only DailySummary: no identifiers, no time finer than a day.

#ifndef OPENEN_CLIENT_RISK_H_
#define OPENEN_CLIENT_RISK_H_

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "openen/base/status.h"
#include "openen/wire/export.h"

namespace openen::v1 {
class RiskParameters;
}

namespace openen::client {

enum class Infectiousness : uint8_t { kNone = 0, kStandard = 1, kHigh = 2 };

struct ScanInstance {
  int typical_attenuation_db = 0;
  int min_attenuation_db = 0;
  int seconds_since_last_scan = 0;
};

struct ExposureWindow {
  uint32_t day = 0;  // days since the epoch (UTC) of the window's first scan
  // A 16-byte tag of the diagnosis key whose identifiers the scans matched
  // (the first half of SHA-256("openen window key tag" || key)), so that a
  // key is counted once per day however often it is published; absent in
  // windows stored before tags existed.
  std::optional<std::array<uint8_t, 16>> key_tag;
  wire::ReportType report_type = wire::ReportType::kConfirmedTest;
  Infectiousness infectiousness = Infectiousness::kStandard;
  std::vector<ScanInstance> scans;
};

struct RiskParameters {
  // Upper bounds (inclusive, dB) of the immediate, near and medium buckets.
  std::array<int, 3> attenuation_thresholds_db = {30, 50, 70};
  // Weights of the immediate, near, medium and other buckets.
  std::array<double, 4> attenuation_bucket_weights = {1.5, 1.0, 0.5, 0.0};
  // By ReportType value 0..5; UNKNOWN (0) is scored as CONFIRMED_TEST.
  std::array<double, 6> report_type_weights = {1.0, 1.0, 1.0, 0.8, 0.0, 0.0};
  // By days since onset -14..14 (index + 14). Default: high from 2 days
  // before to 5 days after onset, standard otherwise.
  std::array<Infectiousness, 29> infectiousness_by_days_since_onset{};
  // When the days since onset are unknown.
  Infectiousness default_infectiousness = Infectiousness::kStandard;
  double infectiousness_weight_standard = 1.0;
  double infectiousness_weight_high = 1.5;
  // A day whose score sum reaches this is an exposure (15 minutes near).
  double minimum_daily_score = 900;
  // Added to RSSI readings of phones without their own calibration.
  int default_rssi_offset_db = 0;

  RiskParameters();
};

// FromProto reads the authority's parameters; absent fields keep defaults.
// INVALID_ARGUMENT for a wrong number of thresholds or weights, thresholds
// not increasing, negative or non-finite weights, a minimum daily score that
// is not positive, an RSSI offset outside -60..60, or infectiousness above 2.
base::StatusOr<RiskParameters> RiskParametersFromProto(const openen::v1::RiskParameters& proto);

// InfectiousnessFor maps days since onset (absent: unknown) to infectiousness.
Infectiousness InfectiousnessFor(std::optional<int32_t> days_since_onset, const RiskParameters& p);

double WeightedDurationSeconds(const ExposureWindow& window, const RiskParameters& p);
double WindowScore(const ExposureWindow& window, const RiskParameters& p);

struct DailySummary {
  uint32_t day = 0;
  double score_sum = 0;
  double max_score = 0;
  double weighted_duration_sum_seconds = 0;
  bool exposure = false;  // score_sum >= minimum_daily_score
};

// SummarizeByDay returns one summary per day with windows, oldest first.
std::vector<DailySummary> SummarizeByDay(const std::vector<ExposureWindow>& windows,
                                         const RiskParameters& p);

}  // namespace openen::client

#endif  // OPENEN_CLIENT_RISK_H_
