// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The client library with a fake clock and a file keystore.

#include "openen/client/client.h"

#include <rocksdb/db.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/v1/relay.pb.h"
#include "openen/wire/export.h"
#include "openen/wire/signed.h"
#include "phone.h"
#include "test_util.h"

namespace openen::client {
namespace {

using openen::testing::FilesContaining;
using openen::testing::TempDir;

using testing::kDay;
using testing::kDay0;
using testing::kDayNumber;
using testing::Phone;

// RawRecords reads the store's raw RocksDB values (closed client required).
std::vector<std::string> RawValues(const std::string& store_dir) {
  rocksdb::DB* db = nullptr;
  rocksdb::Options o;
  REQUIRE(rocksdb::DB::OpenForReadOnly(o, store_dir, &db).ok());
  std::vector<std::string> values;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key()[0] != 'M' && it->value().size() >= 16) values.push_back(it->value().ToString());
  }
  it.reset();
  delete db;
  return values;
}

TEST_CASE("a new key each UTC day, rotating exactly at midnight", "[client][keys]") {
  Phone p;
  p.clock.Set(kDay0 + kDay - 1);  // 23:59:59
  auto before = p.client->CurrentAdvertisement();
  REQUIRE(before.ok());
  p.clock.Set(kDay0 + kDay);  // 00:00:00
  auto after = p.client->CurrentAdvertisement();
  REQUIRE(after.ok());
  CHECK(*before != *after);
  auto keys = p.client->KeysForUpload();
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 2);
  CHECK((*keys)[0].rolling_start_interval_number == kDayNumber * 144);
  CHECK((*keys)[1].rolling_start_interval_number == (kDayNumber + 1) * 144);
  CHECK((*keys)[0].rolling_period == 144);
  CHECK_FALSE((*keys)[0].key_data == (*keys)[1].key_data);

  // The payload is the key's RPI for this interval and its AEM (TX power -10 dBm).
  crypto::RpiDeriver d;
  REQUIRE(d.SetTek((*keys)[1].key_data.Reveal()).ok());
  auto parsed = crypto::ParseAdvertisement(*after);
  CHECK(parsed->rpi == d.Compute((kDayNumber + 1) * 144));
  auto aemk = crypto::DeriveAemk((*keys)[1].key_data.Reveal());
  auto metadata = crypto::DecodeMetadata(*crypto::DecryptAem(aemk->Reveal(), parsed->rpi, parsed->aem));
  CHECK(metadata->tx_power_dbm == -10);
  CHECK(metadata->version_major == 1);

  // Within an interval the payload is stable; the next interval changes the RPI.
  p.clock.Advance(599);
  CHECK(*p.client->CurrentAdvertisement() == *after);
  p.clock.Advance(1);
  CHECK(*p.client->CurrentAdvertisement() != *after);
  CHECK(p.client->KeysForUpload()->size() == 2);
}

TEST_CASE("sightings: one record per identifier, validated", "[client][sightings]") {
  Phone p;
  const int64_t now = p.clock.NowSeconds();
  base::Bytes rpi(16, 0x11), aem(4, 0x22);
  REQUIRE(p.client->RecordSighting(rpi, aem, -60, now - 100).ok());
  REQUIRE(p.client->RecordSighting(rpi, aem, -62, now - 10).ok());
  REQUIRE(p.client->RecordSighting(base::Bytes(16, 0x33), aem, -70, now).ok());
  auto summary = p.client->Summary();
  REQUIRE(summary.ok());
  REQUIRE(summary->days.size() == 1);
  CHECK(summary->days[0].identifiers_seen == 2);
  CHECK(summary->days[0].scans == 3);
  CHECK(summary->oldest_day == kDayNumber);

  CHECK(p.client->RecordSighting(base::Bytes(15, 1), aem, -60, now).message() ==
        "rpi is 15 bytes, want 16");
  CHECK(p.client->RecordSighting(rpi, base::Bytes(5, 1), -60, now).message() ==
        "aem is 5 bytes, want 4");
  CHECK(p.client->RecordSighting(rpi, aem, -128, now).message() == "rssi -128 is outside -127..127");
  CHECK(p.client->RecordSighting(rpi, aem, -60, now + 300).ok());
  CHECK(p.client->RecordSighting(rpi, aem, -60, now + 301).message() == "sighting time is in the future");
  CHECK(p.client->RecordSighting(rpi, aem, -60, kDay0 - 13 * kDay).ok());  // oldest retained day
  CHECK(p.client->RecordSighting(rpi, aem, -60, kDay0 - 13 * kDay - 1).message() ==
        "sighting is older than the retention period");
}

TEST_CASE("sightings in a batch: stored as one by one would be, or not at all", "[client][sightings]") {
  Phone batched, single;
  const int64_t now = batched.clock.NowSeconds();
  const int64_t boundary = now / 600 * 600;  // the start of this interval
  auto obs = [](uint8_t id, int rssi, int64_t t) {
    Observation o;
    o.rpi.fill(id);
    o.aem.fill(0x22);
    o.rssi = rssi;
    o.time = t;
    return o;
  };
  // Identifier 1 straddles an interval boundary (one record), 2 is seen in
  // two scans of one interval, 3 once on the previous day.
  std::vector<Observation> all = {obs(1, -60, boundary - 5), obs(2, -70, boundary - 400), obs(1, -61, boundary + 5),
                                  obs(2, -71, boundary - 100), obs(3, -80, now - kDay)};
  REQUIRE(batched.client->RecordSightings(all).ok());
  for (const Observation& o : all) REQUIRE(single.client->RecordSighting(o.rpi, o.aem, o.rssi, o.time).ok());
  auto b = batched.client->Summary();
  auto s = single.client->Summary();
  REQUIRE(b->days.size() == 2);
  REQUIRE(s->days.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(b->days[i].day == s->days[i].day);
    CHECK(b->days[i].identifiers_seen == s->days[i].identifiers_seen);
    CHECK(b->days[i].scans == s->days[i].scans);
  }
  CHECK(b->days[1].identifiers_seen == 2);
  CHECK(b->days[1].scans == 4);

  // One bad observation refuses the whole batch, naming it; nothing changes.
  std::vector<Observation> bad = {obs(4, -60, now), obs(5, -60, now + 301), obs(6, -200, now)};
  CHECK(batched.client->RecordSightings(bad).message() == "observation 1: sighting time is in the future");
  bad[1].time = kDay0 - 13 * kDay - 1;
  CHECK(batched.client->RecordSightings(bad).message() == "observation 1: sighting is older than the retention period");
  bad[1].time = now;
  CHECK(batched.client->RecordSightings(bad).message() == "observation 2: rssi -200 is outside -127..127");
  CHECK(batched.client->Summary()->days[1].scans == 4);
  CHECK(batched.client->RecordSightings({}).ok());
}

TEST_CASE("no plaintext identifier or key appears in the store's files", "[client][privacy]") {
  Phone p;
  auto ad = p.client->CurrentAdvertisement();
  base::Bytes rpi(16), aem(4);
  crypto::RandomBytes(rpi);
  crypto::RandomBytes(aem);
  REQUIRE(p.client->RecordSighting(rpi, aem, -55, p.clock.NowSeconds()).ok());
  // A contact from 08:00 for 20 minutes whose key is published: an exposure
  // window on this day.
  base::Bytes tek(16);
  crypto::RandomBytes(tek);
  crypto::RpiDeriver deriver;
  REQUIRE(deriver.SetTek(tek).ok());
  auto aemk = crypto::DeriveAemk(tek);
  const uint32_t first_interval = kDayNumber * 144 + 48;  // 08:00
  for (uint32_t i = first_interval; i < first_interval + 2; ++i) {
    const crypto::Rpi contact = deriver.Compute(i);
    auto contact_aem = crypto::EncryptAem(aemk->Reveal(), contact, *crypto::EncodeMetadata({1, 0, -10}));
    for (int64_t s : {0, 300}) {
      REQUIRE(p.client->RecordSighting(contact, *contact_aem, -50, crypto::IntervalStartSeconds(i) + s).ok());
    }
  }
  wire::ExportBatch batch;
  wire::ExportKey published;
  published.key_data = tek;
  published.rolling_start_interval_number = static_cast<int32_t>(kDayNumber * 144);
  published.rolling_period = 144;
  batch.keys.push_back(published);
  auto report = p.client->ProcessExport(*wire::ExportFile::Parse(wire::EncodeExportBin(batch)));
  REQUIRE(report.ok());
  REQUIRE(report->new_exposure_windows == 1);
  auto keys = p.client->KeysForUpload();
  p.client.reset();
  const std::string store = p.dir.Sub("store");
  CHECK(FilesContaining(store, rpi).empty());
  CHECK(FilesContaining(store, base::ByteView(*ad).first(16)).empty());
  CHECK(FilesContaining(store, (*keys)[0].key_data.Reveal()).empty());
  // No interval number, as the sightings' record keys used to hold them
  // ('S' BE32(interval)), and no window's day and sequence ('W' BE32(day)
  // BE32(sequence)).
  auto be32 = [](uint32_t v) {
    std::string k;
    for (int shift = 24; shift >= 0; shift -= 8) k.push_back(static_cast<char>((v >> shift) & 0xff));
    return k;
  };
  const uint32_t now_interval = crypto::EnIntervalNumber(p.clock.NowSeconds());
  for (uint32_t i : {now_interval, first_interval, first_interval + 1}) {
    CHECK(FilesContaining(store, base::AsBytes("S" + be32(i))).empty());
    CHECK(FilesContaining(store, base::AsBytes(be32(i))).empty());
  }
  for (uint32_t sequence = 0; sequence < 4; ++sequence) {
    CHECK(FilesContaining(store, base::AsBytes("W" + be32(kDayNumber) + be32(sequence))).empty());
  }
  // The scan works: the sealed records themselves are on disk.
  auto values = RawValues(p.dir.Sub("store"));
  REQUIRE_FALSE(values.empty());
  CHECK_FALSE(FilesContaining(p.dir.Sub("store"), base::AsBytes(values[0])).empty());
}

TEST_CASE("14 days, then gone: the purge at the exact boundary is physical", "[client][retention][privacy]") {
  Phone p;
  REQUIRE(p.client->CurrentAdvertisement().ok());
  REQUIRE(
      p.client->RecordSighting(base::Bytes(16, 0x5a), base::Bytes(4, 1), -60, p.clock.NowSeconds())
          .ok());
  p.client.reset();
  // The day's wrapped key, own key, windows and 32 sightings shards.
  std::vector<std::string> sealed = RawValues(p.dir.Sub("store"));
  REQUIRE(sealed.size() == 3 + 32);
  p.Reopen();

  p.clock.Set(kDay0 + 14 * kDay - 1);  // the last second of day 13 after
  auto still = p.client->Summary();
  REQUIRE(still.ok());
  CHECK(still->oldest_day == kDayNumber);
  p.clock.Set(kDay0 + 14 * kDay);  // day 14: day 0 is gone
  auto gone = p.client->Summary();
  REQUIRE(gone.ok());
  CHECK(gone->days.empty());
  CHECK(p.client->KeysForUpload()->empty());
  p.client.reset();
  for (const std::string& v : sealed)
    CHECK(FilesContaining(p.dir.Sub("store"), base::AsBytes(v)).empty());
}

// Marks a purge begun and deletes the store's records of days before |day|,
// as a purge does before its compaction.
void InterruptedPurge(const std::string& store_dir, uint32_t day) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Options o;
  REQUIRE(rocksdb::DB::Open(o, store_dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  auto be32 = [](char prefix, uint32_t v) {
    std::string k(1, prefix);
    for (int shift = 24; shift >= 0; shift -= 8) k.push_back(static_cast<char>((v >> shift) & 0xff));
    return k;
  };
  rocksdb::WriteBatch batch;
  for (char prefix : {'D', 'T', 'W', 'S'}) batch.DeleteRange(be32(prefix, 0), be32(prefix, day));
  batch.Put("Mpurging", "1");
  REQUIRE(db->Write({}, &batch).ok());
  REQUIRE(db->Flush({}).ok());
}

TEST_CASE("a purge interrupted before its compaction runs again at the next start", "[client][retention][privacy]") {
  Phone p;
  REQUIRE(
      p.client->RecordSighting(base::Bytes(16, 0x5a), base::Bytes(4, 1), -60, p.clock.NowSeconds())
          .ok());
  p.client.reset();
  std::vector<std::string> sealed = RawValues(p.dir.Sub("store"));
  REQUIRE(sealed.size() == 3 + 32);  // all the records of the day
  // The purge marked its start and wrote its deletions; then the phone died
  // before compacting. Nothing of day 0 can be seen any more, but its bytes
  // are still in the files.
  InterruptedPurge(p.dir.Sub("store"), kDayNumber + 1);
  for (const std::string& v : sealed)
    CHECK_FALSE(FilesContaining(p.dir.Sub("store"), base::AsBytes(v)).empty());
  p.Reopen();  // still day 0: nothing has expired, but the mark says a purge is unfinished
  p.client.reset();
  for (const std::string& v : sealed)
    CHECK(FilesContaining(p.dir.Sub("store"), base::AsBytes(v)).empty());
}

TEST_CASE("the purge also runs at open, with no other activity", "[client][retention]") {
  Phone p;
  REQUIRE(
      p.client->RecordSighting(base::Bytes(16, 0x5a), base::Bytes(4, 1), -60, p.clock.NowSeconds())
          .ok());
  p.client.reset();
  p.clock.Set(kDay0 + 20 * kDay);
  p.Reopen();
  p.client.reset();
  CHECK(RawValues(p.dir.Sub("store")).empty());
}

TEST_CASE("the daily maintenance purges past retention with no other call", "[client][retention][privacy]") {
  Phone p;
  REQUIRE(
      p.client->RecordSighting(base::Bytes(16, 0x5a), base::Bytes(4, 1), -60, p.clock.NowSeconds())
          .ok());
  REQUIRE(p.client->Pause().ok());  // maintenance goes on while paused
  p.client.reset();
  std::vector<std::string> sealed = RawValues(p.dir.Sub("store"));
  REQUIRE_FALSE(sealed.empty());
  p.Reopen();
  auto nothing = p.client->Maintain();
  REQUIRE(nothing.ok());
  CHECK(nothing->days_purged == 0);
  CHECK_FALSE(nothing->decommissioned);
  // Day 14: the app was not opened, only its background job runs.
  p.clock.Set(kDay0 + 14 * kDay);
  auto purged = p.client->Maintain();
  REQUIRE(purged.ok());
  CHECK(purged->days_purged == 1);
  CHECK(p.client->Maintain()->days_purged == 0);
  p.client.reset();
  for (const std::string& v : sealed)
    CHECK(FilesContaining(p.dir.Sub("store"), base::AsBytes(v)).empty());
}

TEST_CASE("configuration can lower retention, never raise it", "[client][retention]") {
  auto authority = crypto::Ed25519PrivateKey::Generate();
  ClientOptions options;
  options.config_keys = {authority.PublicKey()};
  Phone p(options);
  for (int d = 0; d < 10; ++d) {
    REQUIRE(p.client
                ->RecordSighting(base::Bytes(16, static_cast<uint8_t>(d)), base::Bytes(4, 1), -60,
                                 kDay0 - d * kDay + 3600)
                .ok());
  }
  CHECK(p.client->Summary()->days.size() == 10);
  openen::v1::RelayConfig config;
  config.set_serial(1);
  config.set_retention_days(7);
  config.set_expires_at(kDay0 + 30 * kDay);
  REQUIRE(p.client->UpdateConfiguration(wire::SignEnvelope(wire::kRelayConfigContext, config, authority)).ok());
  CHECK(p.client->retention_days() == 7);
  CHECK(p.client->Summary()->days.size() == 7);
  config.set_serial(2);
  config.set_retention_days(30);
  REQUIRE(p.client->UpdateConfiguration(wire::SignEnvelope(wire::kRelayConfigContext, config, authority)).ok());
  CHECK(p.client->retention_days() == 14);
  auto forged = wire::SignEnvelope(wire::kRelayConfigContext, config, crypto::Ed25519PrivateKey::Generate());
  CHECK(p.client->UpdateConfiguration(forged).message() == "configuration: signature verification failed");
  // The same serial again is not adopted twice; a huge value cannot wrap.
  config.set_retention_days(5);
  REQUIRE(p.client->UpdateConfiguration(wire::SignEnvelope(wire::kRelayConfigContext, config, authority)).ok());
  CHECK(p.client->retention_days() == 14);
  config.set_serial(3);
  config.set_retention_days(0x80000001u);
  REQUIRE(p.client->UpdateConfiguration(wire::SignEnvelope(wire::kRelayConfigContext, config, authority)).ok());
  CHECK(p.client->retention_days() == 14);
  // Adopted configuration survives a restart.
  config.set_serial(4);
  config.set_retention_days(5);
  REQUIRE(p.client->UpdateConfiguration(wire::SignEnvelope(wire::kRelayConfigContext, config, authority)).ok());
  p.Reopen();
  CHECK(p.client->retention_days() == 5);
}

TEST_CASE("configuration never raises retention above 14 days nor the app's choice, and old data goes",
          "[client][retention][config][privacy]") {
  auto authority = crypto::Ed25519PrivateKey::Generate();
  for (int app_days : {kMaxRetentionDays, 9}) {
    for (uint32_t asked : {15u, 30u, 255u, UINT32_MAX}) {
      INFO("the app keeps " << app_days << " days, the configuration asks for " << asked);
      ClientOptions options;
      options.config_keys = {authority.PublicKey()};
      options.retention_days = app_days;
      Phone p(options);
      const int64_t first = p.clock.NowSeconds();
      REQUIRE(p.client->RecordSighting(base::Bytes(16, 0x7e), base::Bytes(4, 1), -60, first).ok());
      openen::v1::RelayConfig config;
      config.set_serial(1);
      config.set_retention_days(asked);
      config.set_expires_at(first + 60 * kDay);
      REQUIRE(p.client->UpdateConfiguration(wire::SignEnvelope(wire::kRelayConfigContext, config, authority)).ok());
      CHECK(p.client->retention_days() == app_days);
      // The day before it is due the sighting is kept; on its day it goes,
      // physically, whatever the configuration asked for.
      p.clock.Set(first + (app_days - 1) * kDay);
      CHECK(p.client->Summary()->days.size() == 1);
      CHECK_FALSE(
          p.client->RecordSighting(base::Bytes(16, 0x7f), base::Bytes(4, 1), -60, first - kDay)
              .ok());
      p.clock.Set(first + app_days * kDay);
      CHECK(p.client->Summary()->days.empty());
      p.Reopen();  // and after a restart, which re-reads the stored configuration
      CHECK(p.client->retention_days() == app_days);
      p.client.reset();
      CHECK(RawValues(p.dir.Sub("store")).empty());
    }
  }
}

TEST_CASE("an erase or a fresh install does not bring back an older or an expired configuration",
          "[client][config]") {
  auto authority = crypto::Ed25519PrivateKey::Generate();
  ClientOptions options;
  options.config_keys = {authority.PublicKey()};
  auto sign = [&](uint64_t serial, uint32_t retention, int64_t expires_at) {
    openen::v1::RelayConfig config;
    config.set_serial(serial);
    config.set_retention_days(retention);
    config.set_expires_at(expires_at);
    return wire::SignEnvelope(wire::kRelayConfigContext, config, authority);
  };
  Phone p(options);
  const int64_t now = p.clock.NowSeconds();
  const auto old = sign(3, 6, now + 30 * kDay);
  const auto current = sign(5, 10, now + 30 * kDay);
  REQUIRE(p.client->UpdateConfiguration(current).ok());
  CHECK(p.client->retention_days() == 10);

  // After an erase the phone starts from the app's defaults, but an older
  // configuration is still ignored; the current one is adopted again.
  REQUIRE(p.client->EraseAll().ok());
  CHECK(p.client->retention_days() == 14);
  REQUIRE(p.client->UpdateConfiguration(old).ok());
  CHECK(p.client->retention_days() == 14);
  p.Reopen();
  REQUIRE(p.client->UpdateConfiguration(old).ok());
  CHECK(p.client->retention_days() == 14);
  REQUIRE(p.client->UpdateConfiguration(current).ok());
  CHECK(p.client->retention_days() == 10);

  // A configuration that has already expired is refused, even a newer one.
  auto expired = p.client->UpdateConfiguration(sign(6, 7, now));
  CHECK(expired == base::Status(base::StatusCode::kFailedPrecondition,
                                "configuration serial 6 expired at " + std::to_string(now) +
                                    " (unix time); not adopted")
                       .WithReason(kConfigurationExpiredReason));
  CHECK(p.client->retention_days() == 10);
  CHECK(p.client->CurrentAdvertisement().ok());

  // A fresh install knows nothing of this phone's past, only the app's pin.
  options.min_config_serial = 5;
  Phone fresh(options);
  REQUIRE(fresh.client->UpdateConfiguration(old).ok());
  CHECK(fresh.client->retention_days() == 14);
  REQUIRE(fresh.client->UpdateConfiguration(current).ok());
  CHECK(fresh.client->retention_days() == 10);
}

TEST_CASE("the store does not open under another platform key", "[client][storage]") {
  Phone p;
  REQUIRE(p.client->RecordSighting(base::Bytes(16, 1), base::Bytes(4, 1), -60, p.clock.NowSeconds())
              .ok());
  p.client.reset();
  auto other = FileKeyStore::FromKey(crypto::SecretBytes::Random(32));
  auto opened = Client::Open(p.options, other->get(), &p.clock);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == base::StatusCode::kPermissionDenied);
  CHECK(opened.status().message() == "the platform key does not open this store (was it reset?)");
}

TEST_CASE("a corrupt store gives a clear error, not a crash", "[client][storage]") {
  Phone p;
  REQUIRE(p.client->RecordSighting(base::Bytes(16, 1), base::Bytes(4, 1), -60, p.clock.NowSeconds())
              .ok());
  p.client.reset();
  {  // Replace a sealed sightings record with garbage of the same size.
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::Options(), p.dir.Sub("store"), &db).ok());
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
    it->Seek("S");
    REQUIRE(it->Valid());
    std::string key = it->key().ToString(), value = it->value().ToString();
    it.reset();
    value[value.size() / 2] ^= 0x01;
    REQUIRE(db->Put({}, key, value).ok());
    delete db;
  }
  p.Reopen();
  auto summary = p.client->Summary();
  REQUIRE_FALSE(summary.ok());
  CHECK(summary.status() == base::Status(base::StatusCode::kDataLoss,
                                         "a stored record is corrupt (authentication failed)"));

  // Damaged files: opening fails with a status.
  p.client.reset();
  for (const auto& e : std::filesystem::directory_iterator(p.dir.Sub("store"))) {
    std::string name = e.path().filename().string();
    if (name.find("MANIFEST") == 0 || name == "CURRENT") std::ofstream(e.path(), std::ios::trunc) << "garbage";
  }
  auto broken = Client::Open(p.options, p.keystore.get(), &p.clock);
  CHECK_FALSE(broken.ok());
}

TEST_CASE("pause stops broadcasting and recording, across restarts", "[client][control]") {
  Phone p;
  REQUIRE(p.client->Pause().ok());
  CHECK(p.client->paused());
  CHECK(p.client->CurrentAdvertisement().status().code() == base::StatusCode::kFailedPrecondition);
  CHECK(p.client->RecordSighting(base::Bytes(16, 1), base::Bytes(4, 1), -60, p.clock.NowSeconds())
            .code() == base::StatusCode::kFailedPrecondition);
  p.Reopen();
  CHECK(p.client->paused());
  REQUIRE(p.client->Resume().ok());
  CHECK(p.client->CurrentAdvertisement().ok());
}

TEST_CASE("EraseAll destroys the platform key: a copy taken before cannot be opened after", "[client][control][privacy]") {
  Phone p;
  REQUIRE(p.client->CurrentAdvertisement().ok());
  REQUIRE(p.client->RecordSighting(base::Bytes(16, 7), base::Bytes(4, 1), -60, p.clock.NowSeconds())
              .ok());
  p.client.reset();
  // A thief's copy of the store, and of the key file as it was.
  const std::string key_file = p.dir.Sub("platform.key");
  std::filesystem::copy(p.dir.Sub("store"), p.dir.Sub("copy"), std::filesystem::copy_options::recursive);
  const std::string old_key = openen::testing::ReadFile(key_file);
  REQUIRE(old_key.size() == 32);
  p.Reopen();
  REQUIRE(p.client->EraseAll().ok());
  REQUIRE(p.client->CurrentAdvertisement().ok());  // the client carries on under a fresh key
  p.client.reset();
  // The key file now holds another key, and the old key is nowhere.
  CHECK(openen::testing::ReadFile(key_file) != old_key);
  CHECK(FilesContaining(p.dir.path(), base::AsBytes(old_key)).empty());
  // The keystore in memory, and one read from the file, open the new store, not the copy.
  ClientOptions copy = p.options;
  copy.store_dir = p.dir.Sub("copy");
  CHECK(Client::Open(copy, p.keystore.get(), &p.clock).status().code() ==
        base::StatusCode::kPermissionDenied);
  auto reread = FileKeyStore::OpenOrCreate(key_file);
  REQUIRE(reread.ok());
  CHECK(Client::Open(copy, reread->get(), &p.clock).status().code() ==
        base::StatusCode::kPermissionDenied);
  CHECK(Client::Open(p.options, reread->get(), &p.clock).ok());
}

TEST_CASE("EraseAll removes everything physically and the client carries on", "[client][control][privacy]") {
  Phone p;
  auto first = p.client->CurrentAdvertisement();
  REQUIRE(p.client->RecordSighting(base::Bytes(16, 7), base::Bytes(4, 1), -60, p.clock.NowSeconds())
              .ok());
  p.client.reset();
  auto sealed = RawValues(p.dir.Sub("store"));
  p.Reopen();
  REQUIRE(p.client->EraseAll().ok());
  CHECK(p.client->Summary()->days.empty());
  auto fresh = p.client->CurrentAdvertisement();
  REQUIRE(fresh.ok());
  CHECK(*fresh != *first);
  p.client.reset();
  for (const std::string& v : sealed)
    CHECK(FilesContaining(p.dir.Sub("store"), base::AsBytes(v)).empty());
}

TEST_CASE("invalid options are refused", "[client]") {
  TempDir dir;
  base::FakeClock clock(kDay0);
  auto ks = FileKeyStore::FromKey(crypto::SecretBytes::Random(32));
  ClientOptions o;
  o.store_dir = dir.Sub("s");
  o.retention_days = 15;
  CHECK(Client::Open(o, ks->get(), &clock).status().message() == "retention must be 1..14 days, got 15");
  o.retention_days = 0;
  CHECK_FALSE(Client::Open(o, ks->get(), &clock).ok());
  CHECK(FileKeyStore::FromKey(crypto::SecretBytes(31)).status().code() ==
        base::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace openen::client
