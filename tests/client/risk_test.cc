// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/client/risk.h"

#include <catch2/catch.hpp>

#include <cmath>

#include "openen/v1/relay.pb.h"

namespace openen::client {
namespace {

RiskParameters WorkedExampleParameters() {
  RiskParameters p;
  p.attenuation_thresholds_db = {30, 50, 70};
  p.attenuation_bucket_weights = {1.5, 1.0, 0.5, 0.0};
  p.report_type_weights[static_cast<int>(wire::ReportType::kConfirmedTest)] = 1.0;
  p.infectiousness_weight_high = 1.5;
  return p;
}

TEST_CASE("the GAEN v2 worked example: 840 weighted seconds, score 1260", "[risk]") {
  // Scans (typical, minimum attenuation dB; seconds since last scan):
  // (24, 26; 300) (45; 300) (66, 64; 180) (80; 300), CONFIRMED_TEST, HIGH infectiousness.
  ExposureWindow w;
  w.report_type = wire::ReportType::kConfirmedTest;
  w.infectiousness = Infectiousness::kHigh;
  w.scans = {{24, 26, 300}, {45, 45, 300}, {66, 64, 180}, {80, 80, 300}};
  RiskParameters p = WorkedExampleParameters();
  CHECK(WeightedDurationSeconds(w, p) == Approx(840));
  CHECK(WindowScore(w, p) == Approx(1260));
}

TEST_CASE("attenuation buckets include their upper bound", "[risk]") {
  RiskParameters p = WorkedExampleParameters();
  auto weighted = [&](int att) {
    ExposureWindow w;
    w.scans = {{att, att, 100}};
    return WeightedDurationSeconds(w, p);
  };
  CHECK(weighted(30) == Approx(150));
  CHECK(weighted(31) == Approx(100));
  CHECK(weighted(50) == Approx(100));
  CHECK(weighted(51) == Approx(50));
  CHECK(weighted(70) == Approx(50));
  CHECK(weighted(71) == Approx(0));
}

TEST_CASE("report type and infectiousness weights", "[risk]") {
  RiskParameters p = WorkedExampleParameters();
  ExposureWindow w;
  w.scans = {{20, 20, 600}};  // 900 weighted seconds
  w.infectiousness = Infectiousness::kStandard;
  w.report_type = wire::ReportType::kConfirmedTest;
  CHECK(WindowScore(w, p) == Approx(900));
  w.report_type = wire::ReportType::kUnknown;  // scored as CONFIRMED_TEST
  CHECK(WindowScore(w, p) == Approx(900));
  w.report_type = wire::ReportType::kSelfReport;
  CHECK(WindowScore(w, p) == Approx(720));
  w.report_type = wire::ReportType::kRevoked;
  CHECK(WindowScore(w, p) == Approx(0));
  w.report_type = wire::ReportType::kConfirmedTest;
  w.infectiousness = Infectiousness::kNone;
  CHECK(WindowScore(w, p) == Approx(0));
}

TEST_CASE("infectiousness from days since onset", "[risk]") {
  RiskParameters p;
  CHECK(InfectiousnessFor(std::nullopt, p) == Infectiousness::kStandard);
  CHECK(InfectiousnessFor(-3, p) == Infectiousness::kStandard);
  CHECK(InfectiousnessFor(-2, p) == Infectiousness::kHigh);
  CHECK(InfectiousnessFor(5, p) == Infectiousness::kHigh);
  CHECK(InfectiousnessFor(6, p) == Infectiousness::kStandard);
  CHECK(InfectiousnessFor(14, p) == Infectiousness::kStandard);
  CHECK(InfectiousnessFor(15, p) == Infectiousness::kNone);
  CHECK(InfectiousnessFor(-15, p) == Infectiousness::kNone);
}

TEST_CASE("daily summaries sum windows and mark exposures at the threshold", "[risk]") {
  RiskParameters p = WorkedExampleParameters();
  p.minimum_daily_score = 1260;
  ExposureWindow a;
  a.day = 20000;
  a.infectiousness = Infectiousness::kHigh;
  a.scans = {{24, 26, 300}, {45, 45, 300}, {66, 64, 180}, {80, 80, 300}};  // 1260
  ExposureWindow b = a;
  b.scans = {{24, 24, 100}};  // 150 x 1.5 = 225
  ExposureWindow c = b;
  c.day = 20001;
  auto days = SummarizeByDay({a, b, c}, p);
  REQUIRE(days.size() == 2);
  CHECK(days[0].day == 20000);
  CHECK(days[0].score_sum == Approx(1485));
  CHECK(days[0].max_score == Approx(1260));
  CHECK(days[0].weighted_duration_sum_seconds == Approx(990));
  CHECK(days[0].exposure);
  CHECK(days[1].score_sum == Approx(225));
  CHECK_FALSE(days[1].exposure);
}

TEST_CASE("risk parameters from the signed configuration are validated", "[risk]") {
  openen::v1::RiskParameters proto;
  CHECK(RiskParametersFromProto(proto).ok());  // all defaults
  proto.add_attenuation_thresholds_db(40);
  CHECK(RiskParametersFromProto(proto).status().message() == "attenuation_thresholds_db has 1 values, want 3");
  proto.add_attenuation_thresholds_db(30);
  proto.add_attenuation_thresholds_db(70);
  CHECK(RiskParametersFromProto(proto).status().message() == "attenuation_thresholds_db must increase");
  proto.set_attenuation_thresholds_db(1, 55);
  auto ok = RiskParametersFromProto(proto);
  REQUIRE(ok.ok());
  CHECK(ok->attenuation_thresholds_db[1] == 55);
  for (int i = 0; i < 4; ++i) proto.add_attenuation_bucket_weights(i == 3 ? -1 : 1);
  CHECK(RiskParametersFromProto(proto).status().message() == "weights must be finite and not negative");
  proto.set_attenuation_bucket_weights(3, std::nan(""));
  CHECK(RiskParametersFromProto(proto).status().message() == "weights must be finite and not negative");
  proto.clear_attenuation_bucket_weights();
  proto.set_minimum_daily_score(-1);
  CHECK(RiskParametersFromProto(proto).status().message() == "minimum_daily_score must be positive");
  proto.set_minimum_daily_score(900);
  proto.set_default_rssi_offset_db(61);
  CHECK(RiskParametersFromProto(proto).status().message() == "default_rssi_offset_db must be in -60..60");
  proto.set_default_rssi_offset_db(-5);
  CHECK(RiskParametersFromProto(proto)->default_rssi_offset_db == -5);
  for (int i = 0; i < 29; ++i) proto.add_infectiousness_by_days_since_onset(i == 0 ? 3 : 1);
  CHECK(RiskParametersFromProto(proto).status().message() == "infectiousness values are 0, 1 or 2, got 3");
}

}  // namespace
}  // namespace openen::client
