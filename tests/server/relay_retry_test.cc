// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Publish is idempotent: the identical request under a used certificate (its
// reply lost, or the relay stopped between its two writes) gets the first
// reply and stores what is missing, never a key twice; any other request
// under it is refused. The fault points stand for the lost reply
// (relay.publish.stored: an error after the commit) and the stop in between
// (relay.publish.marked).

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <map>

#include "openen/base/fault.h"
#include "openen/relay/relay.h"
#include "relay_fixture.h"

namespace openen::relay {
namespace {

using testing::kNow;
using testing::kToday;
using testing::RelayFixture;

const base::Bytes kSecret(32, 0x5e);

// Keys with two the rules refuse (a bad rolling period, a duplicate), so
// that a reply holds rejections as well as a count.
std::vector<SubmittedKey> MixedKeys() {
  auto keys = RelayFixture::DailyKeys(4);
  SubmittedKey bad = keys[0];
  bad.key_data[0] ^= 0xff;
  bad.rolling_period = 0;
  keys.insert(keys.begin() + 1, bad);
  keys.push_back(keys[2]);  // a duplicate of the key at index 2
  return keys;
}

void CheckSameReply(const PublishResult& a, const PublishResult& b) {
  CHECK(a.accepted == b.accepted);
  REQUIRE(a.rejected.size() == b.rejected.size());
  for (size_t i = 0; i < a.rejected.size(); ++i) {
    CHECK(a.rejected[i].index == b.rejected[i].index);
    CHECK(a.rejected[i].reason == b.rejected[i].reason);
  }
}

// KeyCounts counts each key's copies over every released batch.
std::map<base::Bytes, int> KeyCounts(const RelayFixture& f) {
  std::map<base::Bytes, int> seen;
  for (const auto& info : f.relay->ListBatches("", 100)) {
    for (const auto& k : f.Batch(info.name()).Keys()) seen[k.key_data] += 1;
  }
  return seen;
}

// CheckReleasedOnce closes the batch due an hour on and checks that each
// accepted key is in it exactly once, and nothing is left pending.
void CheckReleasedOnce(RelayFixture& f, const std::vector<SubmittedKey>& keys,
                       const PublishResult& reply) {
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->PendingKeys() == 0);
  auto seen = KeyCounts(f);
  std::set<uint32_t> refused;
  for (const auto& r : reply.rejected) refused.insert(r.index);
  for (uint32_t i = 0; i < keys.size(); ++i) {
    INFO("key " << i);
    if (!refused.count(i)) CHECK(seen[keys[i].key_data] == 1);
  }
  for (const auto& [key, n] : seen) CHECK(n == 1);
}

TEST_CASE("the identical publish again gets the first reply and stores nothing twice",
          "[relay][retry]") {
  RelayFixture f;
  const auto keys = MixedKeys();
  const auto cert = f.Certificate(keys, kSecret, "openen-relay", /*ttl=*/2 * 3600);
  auto first = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(first.ok());
  CHECK(first->accepted == 4);
  REQUIRE(first->rejected.size() == 2);
  CHECK(f.relay->PendingKeys() == 4);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto again = f.relay->Publish(keys, cert, kSecret, false);
    REQUIRE(again.ok());
    CheckSameReply(*first, *again);
  }
  CHECK(f.relay->PendingKeys() == 4);
  // After a restart, and after the batch was released, still the same reply.
  f.Reopen();
  auto reopened = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(reopened.ok());
  CheckSameReply(*first, *reopened);
  CheckReleasedOnce(f, keys, *first);
  f.clock.Set(kNow + 3000);  // the certificate is still valid
  auto after_release = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(after_release.ok());
  CheckSameReply(*first, *after_release);
  f.clock.Set(kNow + 2 * 3600);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->ListBatches("", 100).size() == 1);
}

TEST_CASE("a different request under a used certificate is refused", "[relay][retry]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(3);
  // The three-field HMAC form leaves transmission risk out, and the HMAC
  // sorts the keys: requests that differ in either still pass the HMAC
  // check, so the request digest is what refuses them.
  std::vector<crypto::TekHmacEntry> entries;
  for (const auto& k : keys)
    entries.push_back({k.key_data, k.rolling_start_interval_number, k.rolling_period, 0});
  openen::v1::Certificate c;
  c.ParseFromString(f.Certificate(keys, kSecret).payload());
  c.set_key_hmac(std::string(base::AsChars(
      crypto::TekHmac(kSecret, entries, crypto::TekHmacForm::kWithoutTransmissionRisk))));
  const auto cert = wire::SignEnvelope(wire::kCertificateContext, c, f.authority);
  REQUIRE(f.relay->Publish(keys, cert, kSecret, false).ok());

  auto expect_used = [&](const std::vector<SubmittedKey>& request, base::ByteView secret) {
    auto r = f.relay->Publish(request, cert, secret, false);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status() == base::UnauthenticatedError("certificate already used"));
  };
  auto reordered = keys;
  std::swap(reordered[0], reordered[2]);
  expect_used(reordered, kSecret);
  auto other_risk = keys;
  other_risk[1].transmission_risk = 7;
  expect_used(other_risk, kSecret);
  CHECK(f.relay->PendingKeys() == 3);
  // A request the HMAC refuses is refused for that, as before.
  auto fewer = keys;
  fewer.pop_back();
  CHECK(f.relay->Publish(fewer, cert, kSecret, false).status() ==
        base::UnauthenticatedError("key HMAC does not match the certificate"));
  // And the identical request still gets its reply.
  auto same = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(same.ok());
  CHECK(same->accepted == 3);
  CHECK(f.relay->PendingKeys() == 3);
}

TEST_CASE("a retry after the certificate expired is refused as expired", "[relay][retry]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(2);
  const auto cert = f.Certificate(keys, kSecret);  // expires at kNow + 900
  REQUIRE(f.relay->Publish(keys, cert, kSecret, false).ok());
  f.clock.Set(kNow + 900);
  CHECK(f.relay->Publish(keys, cert, kSecret, false).status() ==
        base::UnauthenticatedError("certificate expired"));
}

TEST_CASE("a mark written before retries existed (8 bytes, no digest) refuses a retry",
          "[relay][retry]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(2);
  const auto cert = f.Certificate(keys, kSecret);
  REQUIRE(f.relay->Publish(keys, cert, kSecret, false).ok());
  // Rewrite the mark in the old encoding, BE64(expiry rounded up).
  {
    std::unique_ptr<rocksdb::DB> db = f.RawStore();
    const crypto::Sha256Digest id = crypto::Sha256(base::AsBytes(cert.payload()));
    std::string key(1, 'u');
    key.append(reinterpret_cast<const char*>(id.data()), id.size());
    std::string old;
    REQUIRE(db->Get({}, key, &old).ok());
    REQUIRE(old.size() > 8);
    REQUIRE(db->Put({}, key, old.substr(0, 8)).ok());
  }
  f.Reopen();
  CHECK(f.relay->Publish(keys, cert, kSecret, false).status() ==
        base::UnauthenticatedError("certificate already used"));
  CHECK(f.relay->PendingKeys() == 2);
  // It still expires with its certificate.
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  CHECK_FALSE(f.StoreHolds("u"));
}

TEST_CASE("a retry never restores keys whose batch may already have expired",
          "[relay][retry][expiry]") {
  // With one day of retention, a batch expires a day after its newest key
  // ended, taking its index entries; a certificate that lives longer than
  // that must not publish the keys again.
  RelayOptions options = RelayFixture::TestOptions();
  options.retention_days = 1;
  RelayFixture f(options);
  auto keys = RelayFixture::DailyKeys(1);  // ended at midnight
  const auto cert = f.Certificate(keys, kSecret, "openen-relay", /*ttl=*/3 * 86400);
  auto first = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(first.ok());
  REQUIRE(first->accepted == 1);
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  REQUIRE(f.relay->ListBatches("", 10).size() == 1);
  f.clock.Set(static_cast<int64_t>(kToday) * 600 + 86400 + 3600);  // past the batch's expiry
  REQUIRE(f.relay->Maintain().ok());
  REQUIRE(f.relay->ListBatches("", 10).empty());
  auto again = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(again.ok());
  CheckSameReply(*first, *again);
  CHECK(f.relay->PendingKeys() == 0);
}

TEST_CASE("chaff with a used certificate's request is still chaff", "[relay][retry][chaff]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(3);
  const auto cert = f.Certificate(keys, kSecret);
  REQUIRE(f.relay->Publish(keys, cert, kSecret, false).ok());
  auto chaff = f.relay->Publish(keys, cert, kSecret, /*chaff=*/true);
  REQUIRE(chaff.ok());
  CHECK(chaff->accepted == 3);
  CHECK(f.relay->PendingKeys() == 3);
  // Chaff does not burn or change the mark: the real retry still works.
  auto again = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(again.ok());
  CHECK(again->accepted == 3);
}

#ifdef OPENEN_FAULT_INJECTION

struct Disarm {
  ~Disarm() { base::DisarmFaults(); }
};

TEST_CASE("reply lost after the commit: the identical retry succeeds, each key released once",
          "[relay][retry][fault]") {
  Disarm disarm;
  RelayFixture f;
  const auto keys = MixedKeys();
  const auto cert = f.Certificate(keys, kSecret);
  base::ArmFault("relay.publish.stored", base::FaultAction::kError);
  auto lost = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.status().code() == base::StatusCode::kUnavailable);
  CHECK(f.relay->PendingKeys() == 4);  // committed before the reply was lost

  auto retry = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(retry.ok());
  CHECK(retry->accepted == 4);
  REQUIRE(retry->rejected.size() == 2);
  CHECK(retry->rejected[0].index == 1);
  CHECK(retry->rejected[0].reason == "rolling_period is 0, want 1..144");
  CHECK(retry->rejected[1].index == 5);
  CHECK(retry->rejected[1].reason == "duplicate key_data");
  CHECK(f.relay->PendingKeys() == 4);
  CheckReleasedOnce(f, keys, *retry);
}

TEST_CASE("reply lost, and a key already published by someone else: the retry keeps its reply",
          "[relay][retry][fault]") {
  Disarm disarm;
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(3);
  REQUIRE(f.Publish({keys[1]})->accepted == 1);
  const auto cert = f.Certificate(keys, kSecret);
  base::ArmFault("relay.publish.stored", base::FaultAction::kError);
  REQUIRE_FALSE(f.relay->Publish(keys, cert, kSecret, false).ok());
  auto retry = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(retry.ok());
  CHECK(retry->accepted == 2);
  REQUIRE(retry->rejected.size() == 1);
  CHECK(retry->rejected[0].index == 1);
  CHECK(retry->rejected[0].reason == "key was already published");
  CHECK(f.relay->PendingKeys() == 3);
  CheckReleasedOnce(f, keys, *retry);
}

TEST_CASE("stopped between the mark and the keys: the retry stores the keys",
          "[relay][retry][fault]") {
  Disarm disarm;
  RelayFixture f;
  const auto keys = MixedKeys();
  const auto cert = f.Certificate(keys, kSecret);
  base::ArmFault("relay.publish.marked", base::FaultAction::kError);
  auto stopped = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE_FALSE(stopped.ok());
  CHECK(f.relay->PendingKeys() == 0);  // only the mark was written
  f.Reopen();                          // as after a crash
  CHECK(f.relay->PendingKeys() == 0);

  // Another request under the certificate is still refused...
  auto other = keys;
  std::swap(other[0], other[2]);
  CHECK(f.relay->Publish(other, cert, kSecret, false).status() ==
        base::UnauthenticatedError("certificate already used"));
  CHECK(f.relay->PendingKeys() == 0);
  // ...and the identical one stores the keys, with the reply a publish
  // without the stop would have given.
  auto retry = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(retry.ok());
  CHECK(retry->accepted == 4);
  CHECK(retry->rejected.size() == 2);
  CHECK(f.relay->PendingKeys() == 4);
  auto again = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(again.ok());
  CheckSameReply(*retry, *again);
  CHECK(f.relay->PendingKeys() == 4);
  CheckReleasedOnce(f, keys, *retry);
}

TEST_CASE(
    "stopped between the mark and the keys, then a batch closed: the retry's keys go out next",
    "[relay][retry][fault]") {
  Disarm disarm;
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(3);
  const auto cert = f.Certificate(keys, kSecret, "openen-relay", /*ttl=*/2 * 3600);
  base::ArmFault("relay.publish.marked", base::FaultAction::kError);
  REQUIRE_FALSE(f.relay->Publish(keys, cert, kSecret, false).ok());
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->ListBatches("", 10).empty());
  auto retry = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(retry.ok());
  CHECK(retry->accepted == 3);
  CHECK(f.relay->PendingKeys() == 3);
  f.clock.Set(kNow + 2 * 3600);
  REQUIRE(f.relay->Maintain().ok());
  auto seen = KeyCounts(f);
  for (const auto& k : keys) CHECK(seen[k.key_data] == 1);
}

TEST_CASE("chaff passes both fault points like a real publish", "[relay][retry][fault][chaff]") {
  Disarm disarm;
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(2);
  const auto cert = f.Certificate(keys, kSecret);
  base::ArmFault("relay.publish.marked", base::FaultAction::kError);
  CHECK_FALSE(f.relay->Publish(keys, cert, kSecret, /*chaff=*/true).ok());
  base::ArmFault("relay.publish.stored", base::FaultAction::kError);
  CHECK_FALSE(f.relay->Publish(keys, cert, kSecret, /*chaff=*/true).ok());
  CHECK(f.relay->PendingKeys() == 0);
  // Chaff left no mark: the certificate's first real publish is a first.
  auto real = f.relay->Publish(keys, cert, kSecret, false);
  REQUIRE(real.ok());
  CHECK(real->accepted == 2);
}

#endif  // OPENEN_FAULT_INJECTION

}  // namespace
}  // namespace openen::relay
