// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/risk.h"

#include <cmath>
#include <map>

#include "openen/v1/relay.pb.h"

namespace openen::client {

RiskParameters::RiskParameters() {
  for (int d = -14; d <= 14; ++d) {
    infectiousness_by_days_since_onset[d + 14] =
        (d >= -2 && d <= 5) ? Infectiousness::kHigh : Infectiousness::kStandard;
  }
}

base::StatusOr<RiskParameters> RiskParametersFromProto(const openen::v1::RiskParameters& proto) {
  RiskParameters p;
  if (proto.attenuation_thresholds_db_size() != 0) {
    if (proto.attenuation_thresholds_db_size() != 3) {
      return base::InvalidArgumentError("attenuation_thresholds_db has " +
                                        std::to_string(proto.attenuation_thresholds_db_size()) +
                                        " values, want 3");
    }
    for (int i = 0; i < 3; ++i) p.attenuation_thresholds_db[i] = static_cast<int>(proto.attenuation_thresholds_db(i));
    if (!(p.attenuation_thresholds_db[0] < p.attenuation_thresholds_db[1] &&
          p.attenuation_thresholds_db[1] < p.attenuation_thresholds_db[2])) {
      return base::InvalidArgumentError("attenuation_thresholds_db must increase");
    }
  }
  if (proto.attenuation_bucket_weights_size() != 0) {
    if (proto.attenuation_bucket_weights_size() != 4) {
      return base::InvalidArgumentError("attenuation_bucket_weights has " +
                                        std::to_string(proto.attenuation_bucket_weights_size()) +
                                        " values, want 4");
    }
    for (int i = 0; i < 4; ++i) p.attenuation_bucket_weights[i] = proto.attenuation_bucket_weights(i);
  }
  if (proto.report_type_weights_size() != 0) {
    if (proto.report_type_weights_size() != 6) {
      return base::InvalidArgumentError("report_type_weights has " +
                                        std::to_string(proto.report_type_weights_size()) +
                                        " values, want 6");
    }
    for (int i = 0; i < 6; ++i) p.report_type_weights[i] = proto.report_type_weights(i);
  }
  if (proto.infectiousness_by_days_since_onset_size() != 0) {
    if (proto.infectiousness_by_days_since_onset_size() != 29) {
      return base::InvalidArgumentError(
          "infectiousness_by_days_since_onset has " +
          std::to_string(proto.infectiousness_by_days_since_onset_size()) + " values, want 29");
    }
    for (int i = 0; i < 29; ++i) {
      uint32_t v = proto.infectiousness_by_days_since_onset(i);
      if (v > 2)
        return base::InvalidArgumentError("infectiousness values are 0, 1 or 2, got " +
                                          std::to_string(v));
      p.infectiousness_by_days_since_onset[i] = static_cast<Infectiousness>(v);
    }
  }
  if (proto.infectiousness_weight_standard() != 0) p.infectiousness_weight_standard = proto.infectiousness_weight_standard();
  if (proto.infectiousness_weight_high() != 0) p.infectiousness_weight_high = proto.infectiousness_weight_high();
  if (proto.minimum_daily_score() != 0) p.minimum_daily_score = proto.minimum_daily_score();
  p.default_rssi_offset_db = proto.default_rssi_offset_db();
  // NaN compares false with everything: test for what is valid, not for what is not.
  auto valid = [](double w) { return std::isfinite(w) && w >= 0; };
  for (double w : p.attenuation_bucket_weights) {
    if (!valid(w)) return base::InvalidArgumentError("weights must be finite and not negative");
  }
  for (double w : p.report_type_weights) {
    if (!valid(w)) return base::InvalidArgumentError("weights must be finite and not negative");
  }
  if (!valid(p.infectiousness_weight_standard) || !valid(p.infectiousness_weight_high)) {
    return base::InvalidArgumentError("weights must be finite and not negative");
  }
  if (!std::isfinite(p.minimum_daily_score) || p.minimum_daily_score <= 0) {
    return base::InvalidArgumentError("minimum_daily_score must be positive");
  }
  if (p.default_rssi_offset_db < -60 || p.default_rssi_offset_db > 60) {
    return base::InvalidArgumentError("default_rssi_offset_db must be in -60..60");
  }
  return p;
}

Infectiousness InfectiousnessFor(std::optional<int32_t> dsos, const RiskParameters& p) {
  if (!dsos) return p.default_infectiousness;
  if (*dsos < -14 || *dsos > 14) return Infectiousness::kNone;
  return p.infectiousness_by_days_since_onset[*dsos + 14];
}

double WeightedDurationSeconds(const ExposureWindow& w, const RiskParameters& p) {
  double sum = 0;
  for (const ScanInstance& s : w.scans) {
    int bucket = 3;
    for (int i = 0; i < 3; ++i) {
      if (s.typical_attenuation_db <= p.attenuation_thresholds_db[i]) {
        bucket = i;
        break;
      }
    }
    sum += s.seconds_since_last_scan * p.attenuation_bucket_weights[bucket];
  }
  return sum;
}

double WindowScore(const ExposureWindow& w, const RiskParameters& p) {
  int type = static_cast<int>(w.report_type);
  if (type < 0 || type > 5) return 0;
  if (type == 0) type = static_cast<int>(wire::ReportType::kConfirmedTest);
  double infectiousness = 0;
  switch (w.infectiousness) {
    case Infectiousness::kNone: infectiousness = 0; break;
    case Infectiousness::kStandard: infectiousness = p.infectiousness_weight_standard; break;
    case Infectiousness::kHigh: infectiousness = p.infectiousness_weight_high; break;
  }
  return WeightedDurationSeconds(w, p) * p.report_type_weights[type] * infectiousness;
}

std::vector<DailySummary> SummarizeByDay(const std::vector<ExposureWindow>& windows, const RiskParameters& p) {
  std::map<uint32_t, DailySummary> days;
  for (const ExposureWindow& w : windows) {
    DailySummary& d = days[w.day];
    d.day = w.day;
    const double score = WindowScore(w, p);
    d.score_sum += score;
    d.max_score = std::max(d.max_score, score);
    d.weighted_duration_sum_seconds += WeightedDurationSeconds(w, p);
  }
  std::vector<DailySummary> out;
  for (auto& [day, d] : days) {
    d.exposure = d.score_sum >= p.minimum_daily_score;
    out.push_back(d);
  }
  return out;
}

}  // namespace openen::client
