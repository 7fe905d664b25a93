// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Every publish rule, with a key just inside and just outside each limit.

#include <catch2/catch.hpp>

#include "openen/crypto/interval.h"
#include "openen/relay/key_rules.h"

namespace openen::relay {
namespace {

constexpr int64_t kNow = 1795000000 / 86400 * 86400 + 10 * 3600;  // 10:00 UTC
const uint32_t kNowInterval = crypto::EnIntervalNumber(kNow);
const uint32_t kToday = crypto::RollingStart(kNowInterval);

SubmittedKey Key(uint8_t id, uint32_t start, uint32_t period = 144, int32_t risk = 4) {
  return SubmittedKey{base::Bytes(16, id), start, period, risk};
}

// Check applies the rules to one key and returns its rejection reason ("" if accepted).
std::string Check(const SubmittedKey& key, PublishContext ctx = {kNow, wire::ReportType::kConfirmedTest, 0}) {
  std::vector<KeyRejection> rejected;
  auto accepted = ApplyKeyRules({key}, ctx, &rejected);
  if (accepted.size() == 1) return "";
  REQUIRE(rejected.size() == 1);
  return rejected[0].reason;
}

TEST_CASE("key_data must be 16 bytes", "[relay][rules]") {
  CHECK(Check(Key(1, kToday - 144)) == "");
  SubmittedKey k = Key(1, kToday - 144);
  k.key_data.resize(15);
  CHECK(Check(k) == "key_data is 15 bytes, want 16");
  k.key_data.resize(17);
  CHECK(Check(k) == "key_data is 17 bytes, want 16");
}

TEST_CASE("rolling period 1..144", "[relay][rules]") {
  CHECK(Check(Key(1, kToday - 144, 1)) == "");
  CHECK(Check(Key(1, kToday - 144, 144)) == "");
  CHECK(Check(Key(1, kToday - 144, 0)) == "rolling_period is 0, want 1..144");
  CHECK(Check(Key(1, kToday - 144, 145)) == "rolling_period is 145, want 1..144");
}

TEST_CASE("transmission risk 0..8", "[relay][rules]") {
  CHECK(Check(Key(1, kToday - 144, 144, 0)) == "");
  CHECK(Check(Key(1, kToday - 144, 144, 8)) == "");
  CHECK(Check(Key(1, kToday - 144, 144, -1)) == "transmission_risk is -1, want 0..8");
  CHECK(Check(Key(1, kToday - 144, 144, 9)) == "transmission_risk is 9, want 0..8");
}

TEST_CASE("no key starts in the future", "[relay][rules]") {
  CHECK(Check(Key(1, kNowInterval)) == "");  // today's key, still valid: accepted (embargoed)
  CHECK(Check(Key(1, kNowInterval + 1)) ==
        "rolling_start_interval_number " + std::to_string(kNowInterval + 1) + " is in the future");
}

TEST_CASE("no key ended more than 15 days ago", "[relay][rules]") {
  const uint32_t oldest_end = kNowInterval - 15 * 144;
  CHECK(Check(Key(1, oldest_end - 144)) == "");  // ends exactly 15 days ago
  CHECK(Check(Key(1, oldest_end - 145)) == "key ended more than 15 days ago");
}

TEST_CASE("at most three keys with the same start", "[relay][rules]") {
  std::vector<SubmittedKey> keys = {Key(1, kToday - 144, 50), Key(2, kToday - 144, 100),
                                    Key(3, kToday - 144, 144), Key(4, kToday - 144, 144)};
  std::vector<KeyRejection> rejected;
  auto accepted = ApplyKeyRules(keys, {kNow}, &rejected);
  CHECK(accepted.size() == 3);
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].index == 3);
  CHECK(rejected[0].reason == "more than 3 keys start at interval " + std::to_string(kToday - 144));
}

TEST_CASE("keys with different starts may touch but not overlap", "[relay][rules]") {
  std::vector<KeyRejection> rejected;
  auto adjacent = ApplyKeyRules({Key(1, kToday - 288), Key(2, kToday - 144)}, {kNow}, &rejected);
  CHECK(adjacent.size() == 2);
  CHECK(rejected.empty());
  auto overlapping = ApplyKeyRules({Key(1, kToday - 288), Key(2, kToday - 200)}, {kNow}, &rejected);
  CHECK(overlapping.size() == 1);
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].index == 1);
  CHECK(rejected[0].reason ==
        "key overlaps the key starting at interval " + std::to_string(kToday - 288));
}

TEST_CASE("duplicate keys are dropped", "[relay][rules]") {
  std::vector<KeyRejection> rejected;
  auto accepted = ApplyKeyRules({Key(7, kToday - 288), Key(7, kToday - 144)}, {kNow}, &rejected);
  CHECK(accepted.size() == 1);
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].reason == "duplicate key_data");
}

TEST_CASE("days since onset come from the certificate - beyond 14 days the key is dropped",
          "[relay][rules]") {
  const uint32_t onset = kToday - 144;
  PublishContext ctx{kNow, wire::ReportType::kConfirmedClinicalDiagnosis, onset};
  std::vector<KeyRejection> rejected;
  auto accepted = ApplyKeyRules({Key(1, onset - 14 * 144), Key(2, onset), Key(3, kToday)}, ctx, &rejected);
  REQUIRE(accepted.size() == 3);
  CHECK(accepted[0].days_since_onset_of_symptoms == -14);
  CHECK(accepted[1].days_since_onset_of_symptoms == 0);
  CHECK(accepted[2].days_since_onset_of_symptoms == 1);
  CHECK(accepted[0].report_type == wire::ReportType::kConfirmedClinicalDiagnosis);
  PublishContext early{kNow, wire::ReportType::kConfirmedTest, kToday};
  CHECK(Check(Key(1, kToday - 15 * 144), early) == "days since symptom onset is -15, want -14..14");
  PublishContext late{kNow, wire::ReportType::kConfirmedTest, kToday - 15 * 144};
  CHECK(Check(Key(1, kToday), late) == "days since symptom onset is 15, want -14..14");
  CHECK(Check(Key(1, kToday - 144), late) == "");
  // Unknown onset: no days-since-onset at all.
  auto unknown = ApplyKeyRules({Key(1, kToday - 144)}, {kNow}, &rejected);
  CHECK_FALSE(unknown[0].days_since_onset_of_symptoms.has_value());
}

TEST_CASE("accepted keys keep request order and rejections are sorted by index", "[relay][rules]") {
  std::vector<KeyRejection> rejected;
  auto accepted = ApplyKeyRules({Key(3, kToday - 144), Key(1, kNowInterval + 5), Key(2, kToday - 288, 0),
                                 Key(4, kToday - 432)},
                                {kNow}, &rejected);
  REQUIRE(accepted.size() == 2);
  CHECK(accepted[0].key_data[0] == 3);
  CHECK(accepted[1].key_data[0] == 4);
  REQUIRE(rejected.size() == 2);
  CHECK(rejected[0].index == 1);
  CHECK(rejected[1].index == 2);
}

}  // namespace
}  // namespace openen::relay
