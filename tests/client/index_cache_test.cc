// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The day indexes a phone keeps between syncs: a sync decrypts only the
// days whose sightings changed since the last one, a sync with nothing new
// decrypts none, and an index never hides a sighting recorded after it.

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "exposure.h"  // internal: the index cache
#include "openen/base/fault.h"
#include "openen/client/client.h"
#include "openen/client/sync.h"
#include "openen/crypto/gaen.h"
#include "openen/crypto/random.h"
#include "openen/wire/export.h"
#include "phone.h"
#include "records.h"

namespace openen::client {
namespace {

using testing::kDay;
using testing::kDay0;
using testing::kDayNumber;
using testing::Phone;

// Exports is a directory of signed batches a phone syncs from.
struct Exports {
  openen::testing::TempDir dir;
  crypto::EcdsaP256PrivateKey signer = *crypto::EcdsaP256PrivateKey::Generate();
  std::string index;

  void Add(const std::string& name, std::vector<wire::ExportKey> keys) {
    wire::ExportBatch batch;
    batch.header.region = "ZZ";
    batch.keys = std::move(keys);
    auto zip = wire::WriteExportZip(std::move(batch), {{{"v1", "test", ""}, &signer}});
    REQUIRE(zip.ok());
    std::ofstream(dir.Sub(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(zip->data()),
               static_cast<std::streamsize>(zip->size()));
    index += name + "\n";
    std::ofstream(dir.Sub("index.txt"), std::ios::trunc) << index;
  }
};

wire::ExportKey KeyOfDay(uint32_t day) {
  wire::ExportKey k;
  k.key_data.resize(16);
  crypto::RandomBytes(k.key_data);
  k.rolling_start_interval_number = static_cast<int32_t>(day * crypto::kTekRollingPeriod);
  return k;
}

// Meets records |scans| scans, a minute apart from |when|, of the identifier
// |key| broadcast at |when|.
void Meets(Phone& p, const wire::ExportKey& key, int64_t when, int scans = 1) {
  crypto::RpiDeriver d;
  REQUIRE(d.SetTek(key.key_data).ok());
  const crypto::Rpi rpi = d.Compute(crypto::EnIntervalNumber(when));
  base::Bytes aem(4);
  crypto::RandomBytes(aem);
  for (int scan = 0; scan < scans; ++scan)
    REQUIRE(p.client->RecordSighting(rpi, aem, -55, when + 60 * scan).ok());
}

// Sees records |n| random identifiers at |time|.
void Sees(Phone& p, int n, int64_t time) {
  for (int i = 0; i < n; ++i) {
    base::Bytes rpi(16), aem(4);
    crypto::RandomBytes(rpi);
    crypto::RandomBytes(aem);
    REQUIRE(p.client->RecordSighting(rpi, aem, -60, time).ok());
  }
}

TEST_CASE("a sync decrypts only the days whose sightings changed, and none when nothing is new",
          "[client][sync][matcher]") {
  Exports exports;
  ClientOptions options;
  options.export_keys = {{"test-v1", exports.signer.PublicKey()}};
  Phone p(options, kDay0 + 10 * 3600);
  Sees(p, 30, kDay0 - 2 * kDay + 3600);
  Sees(p, 20, kDay0 - kDay + 3600);
  Sees(p, 10, kDay0 + 3600);
  DirectorySource source(exports.dir.path());

  // The first sync indexes every day.
  exports.Add("a1.zip", {KeyOfDay(kDayNumber - 1), KeyOfDay(kDayNumber)});
  auto first = p.client->Sync(source);
  REQUIRE(first.ok());
  CHECK(first->batches == 1);
  CHECK(first->sightings_read == 60);

  // Nothing new: no sighting is decrypted.
  auto nothing = p.client->Sync(source);
  REQUIRE(nothing.ok());
  CHECK(nothing->batches == 0);
  CHECK(nothing->sightings_read == 0);

  // Today a diagnosed person is met; then a batch with their key comes.
  // Only today's index is rebuilt (11 identifiers), and today's sightings
  // are read again to resolve the match: the kept indexes of the past days
  // are used as they are, and today's stale one is not.
  wire::ExportKey met = KeyOfDay(kDayNumber);
  Meets(p, met, kDay0 + 9 * 3600, 4);
  exports.Add("a2.zip", {met, KeyOfDay(kDayNumber - 2)});
  auto second = p.client->Sync(source);
  REQUIRE(second.ok());
  CHECK(second->batches == 1);
  CHECK(second->matched_identifiers == 1);
  CHECK(second->new_exposure_windows == 1);
  CHECK(second->sightings_read == 11 + 11);

  // A restart starts with no index: the first sync reads every day again.
  p.Reopen();
  exports.Add("a3.zip", {KeyOfDay(kDayNumber)});
  auto after_restart = p.client->Sync(source);
  REQUIRE(after_restart.ok());
  CHECK(after_restart->sightings_read == 61);

  // After an erase nothing is indexed or matched: the indexes went with the data.
  REQUIRE(p.client->EraseAll().ok());
  exports.Add("a4.zip", {met});
  auto after_erase = p.client->Sync(source);
  REQUIRE(after_erase.ok());
  CHECK(after_erase->matched_identifiers == 0);
  CHECK(after_erase->sightings_read == 0);
}

TEST_CASE("the day indexes follow the purge: a day past retention is neither indexed nor matched",
          "[client][sync][matcher][retention]") {
  Exports exports;
  ClientOptions options;
  options.export_keys = {{"test-v1", exports.signer.PublicKey()}};
  Phone p(options, kDay0 + 10 * 3600);
  // A contact 13 days ago, at the edge of retention.
  wire::ExportKey met = KeyOfDay(kDayNumber - 13);
  Meets(p, met, kDay0 - 13 * kDay + 12 * 3600);
  Sees(p, 5, kDay0 + 3600);
  DirectorySource source(exports.dir.path());
  exports.Add("a1.zip", {KeyOfDay(kDayNumber)});
  auto first = p.client->Sync(source);
  REQUIRE(first.ok());
  CHECK(first->sightings_read == 6);

  // Two days on, that day is gone; its key, published late, matches nothing.
  p.clock.Set(kDay0 + 2 * kDay + 10 * 3600);
  exports.Add("a2.zip", {met});
  auto late = p.client->Sync(source);
  REQUIRE(late.ok());
  CHECK(late->batches == 1);
  CHECK(late->matched_identifiers == 0);
  CHECK(late->sightings_read == 0);
}

TEST_CASE(
    "the index cache drops purged days and everything on clear, and rebuilds only what it lacks",
    "[client][matcher][retention][privacy]") {
  openen::testing::TempDir dir;
  auto keystore = FileKeyStore::OpenOrCreate(dir.Sub("platform.key"));
  REQUIRE(keystore.ok());
  auto records = internal::Records::Open(dir.Sub("store"), keystore->get());
  REQUIRE(records.ok());
  std::vector<Observation> seen;
  for (int day = 0; day < 3; ++day) {
    for (int i = 0; i < 5 + day; ++i) {
      Observation o;
      crypto::RandomBytes(o.rpi);
      o.rssi = -60;
      o.time = kDay0 + (day - 2) * kDay + 3600 + 60 * i;
      seen.push_back(o);
    }
  }
  uint64_t dropped = 0;
  REQUIRE((*records)->AddSightings(seen, &dropped).ok());
  internal::IndexCache cache;
  uint64_t read = 0;
  REQUIRE(cache.Current(**records, &read).ok());
  CHECK(cache.size() == 3);
  CHECK(read == 5 + 6 + 7);
  // A purge of the oldest day drops its index at once, the others stay.
  cache.DropBefore(kDayNumber - 1);
  CHECK(cache.size() == 2);
  read = 0;
  REQUIRE(cache.Current(**records, &read).ok());  // the store still holds that day here
  CHECK(read == 5);                               // so only it is read again
  cache.Clear();
  CHECK(cache.size() == 0);
}

#ifdef OPENEN_FAULT_INJECTION
TEST_CASE("a sync whose reading of a day fails leaves the kept indexes whole",
          "[client][sync][matcher]") {
  Exports exports;
  ClientOptions options;
  options.export_keys = {{"test-v1", exports.signer.PublicKey()}};
  Phone p(options, kDay0 + 10 * 3600);
  // A contact two days ago, and others since.
  wire::ExportKey met = KeyOfDay(kDayNumber - 2);
  Meets(p, met, kDay0 - 2 * kDay + 12 * 3600);
  Sees(p, 10, kDay0 - kDay + 3600);
  Sees(p, 10, kDay0 + 3600);
  DirectorySource source(exports.dir.path());
  exports.Add("a1.zip", {KeyOfDay(kDayNumber)});
  REQUIRE(p.client->Sync(source).ok());

  // Today's sightings change; reading them fails once, mid-way through the
  // days, after the kept ones were looked at.
  Sees(p, 1, kDay0 + 7200);
  exports.Add("a2.zip", {met});
  base::ArmFault("client.load_sightings", base::FaultAction::kError);
  auto failed = p.client->Sync(source);
  base::DisarmFaults();
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().message().find("client.load_sightings") != std::string::npos);

  // The next sync still finds the contact of two days ago.
  auto next = p.client->Sync(source);
  REQUIRE(next.ok());
  CHECK(next->matched_identifiers == 1);
  CHECK(next->new_exposure_windows == 1);
}
#endif  // OPENEN_FAULT_INJECTION

}  // namespace
}  // namespace openen::client
