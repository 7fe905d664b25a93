// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Across a border: a person diagnosed in region A (whose relay is World's)
// is matched by a phone that follows only region B's relay, which imports
// A's released batches from A's export directory under A's pinned key.

#include <catch2/catch.hpp>

#include "openen/client/client.h"
#include "openen/relay/importer.h"
#include "server/relay_fixture.h"
#include "world.h"

namespace openen::client {
namespace {

using relay::testing::RelayFixture;
using testing::Meet;
using testing::World;

TEST_CASE("a contact diagnosed in another region is found through the phone's own relay",
          "[client][sync][e2e][federation]") {
  World a;  // region ZZ: alice's authority
  relay::RelayOptions b_options = RelayFixture::TestOptions();
  b_options.region = "GB";
  RelayFixture b(b_options);  // bob's authority
  b.clock.Set(relay::testing::kNow);
  auto alice = a.NewPhone("alice");
  // Bob's phone trusts only B's export key and follows only B's log.
  ClientOptions o;
  o.store_dir = a.dir.Sub("bob");
  o.export_keys = {{"openen-v1", b.relay->export_public_key()}};
  o.log = LogPolicy{b.log_key->public_key(), {}, 0};
  auto bob = Client::Open(o, a.keystore.get(), &a.phone_clock);
  REQUIRE(bob.ok());

  const int64_t day0 = relay::testing::kNow - 10 * 3600;
  Meet(&a, alice.get(), bob->get(), day0 + 12 * 3600, 25, -50);
  a.SetTime(day0 + 86400 + 600);
  a.Upload(alice.get());
  a.SetTime(day0 + 86400 + 3600);
  REQUIRE(a.relay.relay->Maintain().ok());

  // B follows A, then releases what it imported in its next batch.
  relay::ImportSource source;
  source.name = "zz";
  source.region = "ZZ";
  source.location = a.relay.dir.Sub("export");
  source.keys = {{"openen-v1", a.relay.relay->export_public_key()}};
  b.clock.Set(day0 + 86400 + 3600);
  auto followed = relay::FollowSource(*b.relay, source, b.clock.NowSeconds());
  REQUIRE(followed.stopped.ok());
  CHECK(followed.files_imported == 1);
  b.clock.Set(day0 + 86400 + 2 * 3600);
  REQUIRE(b.relay->Maintain().ok());
  // The same batch reaching B again (a second follow) changes nothing.
  auto again = relay::FollowSource(*b.relay, source, b.clock.NowSeconds());
  CHECK(again.files_imported == 0);

  a.SetTime(day0 + 86400 + 2 * 3600 + 60);
  DirectorySource b_exports(b.dir.Sub("export"));
  auto report = (*bob)->Sync(b_exports);
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
  CHECK(report->matched_identifiers == 3);
  CHECK(report->new_exposure_windows == 1);
  auto days = (*bob)->DailySummaries();
  REQUIRE(days.ok());
  REQUIRE(days->size() == 1);
  CHECK((*days)[0].weighted_duration_sum_seconds == Approx(1800));

  // A phone that trusted A's key only, following B, finds nothing: B signs.
  ClientOptions other = o;
  other.store_dir = a.dir.Sub("carol");
  other.export_keys = {{"openen-v1", a.relay.relay->export_public_key()}};
  other.log.reset();
  auto carol = Client::Open(other, a.keystore.get(), &a.phone_clock);
  REQUIRE(carol.ok());
  auto refused = (*carol)->Sync(b_exports);
  CHECK(refused.status().code() == base::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace openen::client
