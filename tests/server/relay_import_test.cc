// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Keys another authority released, imported into this relay: the rules per
// key, one release per key whatever the path, and batches that keep the
// keys' region.

#include <catch2/catch.hpp>
#include <map>

#include "openen/relay/relay.h"
#include "relay_fixture.h"

namespace openen::relay {
namespace {

using testing::kNow;
using testing::kToday;
using testing::RelayFixture;

// PeerKeys returns n keys a peer released, for the n days before today,
// with the optional fields a GAEN v1.5 server writes (no transmission risk).
std::vector<wire::ExportKey> PeerKeys(int n) {
  std::vector<wire::ExportKey> keys;
  for (int i = 1; i <= n; ++i) {
    wire::ExportKey k;
    k.key_data.resize(16);
    crypto::RandomBytes(k.key_data);
    k.rolling_start_interval_number = static_cast<int32_t>(kToday - 144u * i);
    k.rolling_period = 144;
    k.report_type = wire::ReportType::kConfirmedTest;
    k.days_since_onset_of_symptoms = -i;
    keys.push_back(k);
  }
  return keys;
}

wire::ExportKey FromSubmitted(const SubmittedKey& s) {
  wire::ExportKey k;
  k.key_data = s.key_data;
  k.rolling_start_interval_number = static_cast<int32_t>(s.rolling_start_interval_number);
  k.rolling_period = static_cast<int32_t>(s.rolling_period);
  k.transmission_risk_level = s.transmission_risk;
  return k;
}

// Released returns every released key by region, in every listed batch.
std::map<std::string, std::vector<wire::ExportKey>> Released(RelayFixture& f) {
  std::map<std::string, std::vector<wire::ExportKey>> out;
  for (const auto& info : f.relay->ListBatches("", 100)) {
    wire::ExportFile file = f.Batch(info.name());
    REQUIRE(file.Verify({{"openen-v1", f.relay->export_public_key()}}).ok());
    for (auto& k : file.Keys()) out[file.header().region].push_back(k);
  }
  return out;
}

const wire::ExportKey* Find(const std::vector<wire::ExportKey>& keys, const base::Bytes& data) {
  for (const auto& k : keys) {
    if (k.key_data == data) return &k;
  }
  return nullptr;
}

TEST_CASE("imported keys are released in batches of their own region with their fields",
          "[relay][import]") {
  RelayFixture f;
  auto local = RelayFixture::DailyKeys(3);
  REQUIRE(f.Publish(local)->accepted == 3);
  auto peer = PeerKeys(4);
  auto imported = f.relay->ImportKeys("IE", peer);
  REQUIRE(imported.ok());
  CHECK(imported->imported == 4);
  CHECK(imported->already_held == 0);
  CHECK(imported->rejected.empty());
  CHECK(f.relay->PendingKeys() == 7);
  // The same close releases both, in two files: ZZ's and IE's.
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->PendingKeys() == 0);
  CHECK(f.relay->ListBatches("", 100).size() == 2);
  auto by_region = Released(f);
  REQUIRE(by_region.size() == 2);
  for (const auto& k : local) CHECK(Find(by_region["ZZ"], k.key_data) != nullptr);
  for (const auto& k : peer) {
    CHECK(Find(by_region["ZZ"], k.key_data) == nullptr);
    const wire::ExportKey* got = Find(by_region["IE"], k.key_data);
    REQUIRE(got != nullptr);
    CHECK(got->rolling_start_interval_number == k.rolling_start_interval_number);
    CHECK(got->RollingPeriod() == 144);
    CHECK(!got->transmission_risk_level.has_value());  // as the peer released it
    CHECK(got->report_type == wire::ReportType::kConfirmedTest);
    CHECK(got->days_since_onset_of_symptoms == k.days_since_onset_of_symptoms);
  }
  // Padded as local batches are: to the minimum, with random keys.
  CHECK(by_region["IE"].size() == 10);
}

TEST_CASE("a key that reaches the relay by two paths is released once", "[relay][import]") {
  RelayFixture f;
  auto local = RelayFixture::DailyKeys(2);
  REQUIRE(f.Publish(local)->accepted == 2);
  auto peer = PeerKeys(3);
  // The peer also carries a key published here (an upload that reached
  // both authorities), and a second peer repeats the first's keys.
  std::vector<wire::ExportKey> first = peer;
  first.push_back(FromSubmitted(local[0]));
  auto a = f.relay->ImportKeys("IE", first);
  REQUIRE(a.ok());
  CHECK(a->imported == 3);
  CHECK(a->already_held == 1);
  auto b = f.relay->ImportKeys("GB-NIR", peer);
  REQUIRE(b.ok());
  CHECK(b->imported == 0);
  CHECK(b->already_held == 3);
  // The same key twice in one call counts once.
  auto twice = PeerKeys(1);
  twice.push_back(twice[0]);
  auto c = f.relay->ImportKeys("IE", twice);
  REQUIRE(c.ok());
  CHECK(c->imported == 1);
  CHECK(c->already_held == 1);
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  // And after release, an import of the same keys releases nothing again.
  auto after = f.relay->ImportKeys("IE", peer);
  REQUIRE(after.ok());
  CHECK(after->already_held == 3);
  f.clock.Set(kNow + 2 * 3600);
  REQUIRE(f.relay->Maintain().ok());
  std::map<base::Bytes, int> seen;
  for (const auto& [region, keys] : Released(f)) {
    for (const auto& k : keys) seen[k.key_data] += 1;
  }
  for (const auto& k : peer) CHECK(seen[k.key_data] == 1);
  for (const auto& k : local) CHECK(seen[k.key_data] == 1);
  CHECK(seen[twice[0].key_data] == 1);
}

TEST_CASE("imported keys are checked one by one", "[relay][import]") {
  RelayFixture f;
  auto keys = PeerKeys(8);
  keys[0].transmission_risk_level = 9;
  keys[1].rolling_start_interval_number = static_cast<int32_t>(kToday + 144);       // future
  keys[2].rolling_start_interval_number = static_cast<int32_t>(kToday - 144 * 17);  // too old
  keys[3].report_type = wire::ReportType::kRevoked;
  keys[4].days_since_onset_of_symptoms = 15;
  keys[5].rolling_period = 145;
  keys[6].key_data.resize(15);
  auto r = f.relay->ImportKeys("IE", keys);
  REQUIRE(r.ok());
  CHECK(r->imported == 1);
  REQUIRE(r->rejected.size() == 7);
  const char* kinds[] = {"transmission_risk",
                         "rolling_start_interval_number in the future",
                         "key too old",
                         "report_type",
                         "days since symptom onset",
                         "rolling_period",
                         "key_data size"};
  for (uint32_t i = 0; i < 7; ++i) {
    CHECK(r->rejected[i].index == i);
    CHECK(r->rejected[i].kind == kinds[i]);
  }
  // Several keys of one person with the same start, or overlapping, are
  // normal in a peer's batch (many people): none is refused for it.
  auto same_start = PeerKeys(1);
  for (int i = 0; i < 4; ++i) {
    auto more = PeerKeys(1);
    same_start.push_back(more[0]);
  }
  auto s = f.relay->ImportKeys("IE", same_start);
  REQUIRE(s.ok());
  CHECK(s->imported == 5);
}

TEST_CASE("an import names a region other than the relay's own", "[relay][import]") {
  RelayFixture f;
  CHECK(f.relay->ImportKeys("ZZ", PeerKeys(1)).status().code() ==
        base::StatusCode::kInvalidArgument);
  CHECK(f.relay->ImportKeys("", PeerKeys(1)).status().code() == base::StatusCode::kInvalidArgument);
  CHECK(f.relay->ImportKeys(std::string(17, 'A'), PeerKeys(1)).status().code() ==
        base::StatusCode::kInvalidArgument);
}

TEST_CASE("imported keys survive a restart and a still valid key waits for its end",
          "[relay][import]") {
  RelayFixture f;
  auto keys = PeerKeys(2);
  wire::ExportKey today;
  today.key_data.resize(16);
  crypto::RandomBytes(today.key_data);
  today.rolling_start_interval_number = static_cast<int32_t>(kToday);
  keys.push_back(today);
  REQUIRE(f.relay->ImportKeys("IE", keys)->imported == 3);
  f.Reopen();
  CHECK(f.relay->PendingKeys() == 3);
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->PendingKeys() == 1);  // today's key: after midnight
  auto released = Released(f);
  CHECK(Find(released["IE"], keys[0].key_data) != nullptr);
  CHECK(Find(released["IE"], today.key_data) == nullptr);
}

TEST_CASE("origins that need more batches than a close has times wait for the next close",
          "[relay][import][limits]") {
  RelayOptions o = RelayFixture::TestOptions();
  o.batch_period_seconds = 1;  // one close time per second
  RelayFixture f(o);
  REQUIRE(f.Publish(RelayFixture::DailyKeys(1))->accepted == 1);
  f.clock.Set(kNow + 1);
  REQUIRE(f.relay->Maintain().ok());
  REQUIRE(f.relay->ListBatches("", 100).size() == 1);
  // Due at the same close: this relay's key and a peer's. The close has one
  // time after the last batch: one origin goes now, the other next.
  auto local = RelayFixture::DailyKeys(2);
  REQUIRE(f.Publish(local)->accepted == 2);
  auto peer = PeerKeys(2);
  REQUIRE(f.relay->ImportKeys("IE", peer)->imported == 2);
  f.clock.Set(kNow + 2);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->ListBatches("", 100).size() == 2);
  CHECK(f.relay->PendingKeys() == 2);
  f.clock.Set(kNow + 3);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->PendingKeys() == 0);
  auto released = Released(f);
  for (const auto& k : peer) CHECK(Find(released["IE"], k.key_data) != nullptr);
  for (const auto& k : local) CHECK(Find(released["ZZ"], k.key_data) != nullptr);
}

}  // namespace
}  // namespace openen::relay
