// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// What a stolen copy of the phone's store shows without the platform key:
// the store's directory is opened with plain RocksDB, as a thief would, and
// its keys and value sizes are compared between phones that lived different
// lives on the same days.

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "openen/client/client.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/store/db.h"
#include "openen/v1/relay.pb.h"
#include "openen/v1/verification.pb.h"
#include "openen/wire/export.h"
#include "phone.h"
#include "test_util.h"

namespace openen::client {
namespace {

using openen::testing::FilesContaining;
using openen::testing::TempDir;

using testing::kDay;
using testing::kDay0;
using testing::kDayNumber;

// The store tests' phones open their client at 20:00 UTC.
struct Phone : testing::Phone {
  Phone() : testing::Phone({}, kDay0 + 20 * 3600) {}
};

// Dump returns every record key of a closed store with its value size, as
// plain RocksDB shows them, without PurgeDeleted's marker (a counter).
std::map<std::string, size_t> Dump(const std::string& store_dir) {
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), store_dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::map<std::string, size_t> out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().starts_with(rocksdb::Slice(store::kPurgeMarkerKey.data(), 2))) continue;
    out[it->key().ToString()] = it->value().size();
  }
  REQUIRE(it->status().ok());
  return out;
}

std::string Printable(const std::map<std::string, size_t>& dump) {
  std::string s;
  for (const auto& [key, size] : dump)
    s += base::HexEncode(base::AsBytes(key)) + "=" + std::to_string(size) + " ";
  return s;
}

std::string Be32(uint32_t v) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
  return s;
}

// Occurrences counts |needle| in every file under |dir|: before compaction
// the log and the SST files hold each version of a rewritten record.
size_t Occurrences(const std::string& dir, const std::string& needle) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string contents = openen::testing::ReadFile(entry.path().string());
    for (size_t at = contents.find(needle); at != std::string::npos; at = contents.find(needle, at + 1)) ++n;
  }
  return n;
}

// A diagnosis key and what its owner's phone broadcast at |time|.
struct Contact {
  base::Bytes tek = base::Bytes(16);
  crypto::Rpi rpi{};
  crypto::Aem aem{};
  explicit Contact(int64_t time) {
    crypto::RandomBytes(tek);
    crypto::RpiDeriver d;
    REQUIRE(d.SetTek(tek).ok());
    rpi = d.Compute(crypto::EnIntervalNumber(time));
    auto aemk = crypto::DeriveAemk(tek);
    aem = *crypto::EncryptAem(aemk->Reveal(), rpi, *crypto::EncodeMetadata({1, 0, -10}));
  }
  wire::ExportFile Export() const {
    wire::ExportBatch batch;
    wire::ExportKey key;
    key.key_data = tek;
    key.rolling_start_interval_number = static_cast<int32_t>(kDayNumber * 144);
    key.rolling_period = 144;
    key.report_type = wire::ReportType::kConfirmedTest;
    batch.keys.push_back(key);
    return *wire::ExportFile::Parse(wire::EncodeExportBin(batch));
  }
};

TEST_CASE("a stolen store does not show whether its phone was exposed", "[client][storage][privacy]") {
  // Two phones, the same day: both broadcast and saw one phone three times
  // from 08:00. Only |exposed| met the person whose key is then published.
  const int64_t at = kDay0 + 8 * 3600;
  Contact contact(at);
  Phone exposed, unexposed;
  for (Phone* p : {&exposed, &unexposed}) {
    REQUIRE(p->client->CurrentAdvertisement().ok());
    Observation o;
    o.rpi = p == &exposed ? contact.rpi : Contact(at).rpi;
    o.aem = p == &exposed ? contact.aem : Contact(at).aem;
    o.rssi = -50;
    for (int s = 0; s < 3; ++s) {
      o.time = at + 120 * s;
      REQUIRE(p->client->RecordSightings({o}).ok());
    }
    REQUIRE(p->client->ProcessExport(contact.Export()).ok());
  }
  // The test can fail: one phone has an exposure, the other none.
  REQUIRE(exposed.client->Summary()->days.at(0).exposure_windows == 1);
  REQUIRE(unexposed.client->Summary()->days.at(0).exposure_windows == 0);
  exposed.client.reset();
  unexposed.client.reset();
  const auto a = Dump(exposed.store()), b = Dump(unexposed.store());
  INFO("exposed:   " << Printable(a));
  INFO("unexposed: " << Printable(b));
  CHECK(a == b);
  // Nor do the versions the files still hold: the exposed phone's window
  // record was rewritten as often as the other's.
  const std::string windows_key = "W" + Be32(kDayNumber);
  CHECK(Occurrences(exposed.store(), windows_key) == Occurrences(unexposed.store(), windows_key));
  CHECK(Occurrences(exposed.store(), windows_key) >= 2);  // created with the day, rewritten by the commit
}

TEST_CASE("a stolen store does not show when in the day its phone met others", "[client][storage][privacy]") {
  // Two phones, the same day, the same number of sightings: one phone seen
  // twice and another once, at 08:00 for one and at 15:30 for the other.
  Phone morning, afternoon;
  for (Phone* p : {&morning, &afternoon}) {
    const int64_t at = kDay0 + (p == &morning ? 8 * 3600 : 15 * 3600 + 1800);
    REQUIRE(p->client->CurrentAdvertisement().ok());
    Contact one(at), two(at);
    REQUIRE(p->client->RecordSighting(one.rpi, one.aem, -60, at).ok());
    REQUIRE(p->client->RecordSighting(one.rpi, one.aem, -61, at + 300).ok());
    REQUIRE(p->client->RecordSighting(two.rpi, two.aem, -70, at + 60).ok());
  }
  REQUIRE(morning.client->Summary()->days.at(0).scans == 3);
  morning.client.reset();
  afternoon.client.reset();
  const auto a = Dump(morning.store()), b = Dump(afternoon.store());
  INFO("08:00: " << Printable(a));
  INFO("15:30: " << Printable(b));
  CHECK(a == b);
}

TEST_CASE("a stolen store does not show pausing or the chaff schedule", "[client][storage][privacy]") {
  // The metadata records behaviour: whether the person paused, when the
  // next chaff goes out. Two phones that differ only there look alike.
  struct NoTransport final : UploadTransport {
    base::StatusOr<base::Bytes> Call(std::string_view, base::ByteView) override {
      return base::UnavailableError("offline");
    }
  } offline;
  Phone paused, running;
  for (Phone* p : {&paused, &running}) {
    REQUIRE(p->client->CurrentAdvertisement().ok());
    REQUIRE(p->client->MaybeSendChaff(offline).ok());  // the first call schedules
  }
  REQUIRE(paused.client->Pause().ok());
  paused.client.reset();
  running.client.reset();
  const auto a = Dump(paused.store()), b = Dump(running.store());
  INFO("paused:  " << Printable(a));
  INFO("running: " << Printable(b));
  CHECK(a == b);
  // No value holds a clear unix time (the schedule is 10 digits from now).
  const std::string epoch_prefix = std::to_string(kDay0).substr(0, 4);
  CHECK(FilesContaining(paused.store(), base::AsBytes(epoch_prefix)).empty());
}

TEST_CASE("a stolen store does not show a kept upload", "[client][storage][privacy][retry]") {
  // One phone's upload got no answer to its Publish, so it keeps the
  // certified request (keys, certificate, secret); the other never
  // uploaded. Their stores show the same records at the same sizes.
  struct Unanswered final : UploadTransport {
    int64_t expires_at = 0;
    base::StatusOr<base::Bytes> Call(std::string_view method, base::ByteView) override {
      std::string reply;
      if (method == kExchangeCodeMethod) {
        openen::v1::ExchangeCodeResponse r;
        r.set_token(std::string(64, 'a'));
        reply = r.SerializeAsString();
      } else if (method == kCertifyMethod) {
        openen::v1::Certificate c;
        c.set_expires_at(expires_at);
        openen::v1::CertifyResponse r;
        r.mutable_certificate()->set_payload(c.SerializeAsString());
        r.mutable_certificate()->set_signature(std::string(64, 's'));
        reply = r.SerializeAsString();
      } else {
        return base::UnavailableError("offline");
      }
      return base::Bytes(reply.begin(), reply.end());
    }
  } unanswered;
  ClientOptions options;
  options.publish_retry = {2, 1, 1};
  testing::Phone kept(options, kDay0 + 20 * 3600), never(options, kDay0 + 20 * 3600);
  unanswered.expires_at = kDay0 + 20 * 3600 + 900;
  for (testing::Phone* p : {&kept, &never}) REQUIRE(p->client->CurrentAdvertisement().ok());
  auto r = kept.client->UploadDiagnosis(unanswered, "1234567890123456");
  REQUIRE(r.status().reason() == kUploadPendingReason);
  REQUIRE(*kept.client->HasPendingUpload());  // the test can fail: one keeps an upload
  REQUIRE_FALSE(*never.client->HasPendingUpload());
  kept.client.reset();
  never.client.reset();
  const auto a = Dump(kept.store()), b = Dump(never.store());
  INFO("kept:  " << Printable(a));
  INFO("never: " << Printable(b));
  CHECK(a == b);
}

// A keystore whose Wrap can be made to fail, and that counts Destroy calls.
struct FlakyKeyStore final : KeyStore {
  FileKeyStore* inner;
  bool fail_wrap = false;
  int destroys = 0;
  explicit FlakyKeyStore(FileKeyStore* k) : inner(k) {}
  base::StatusOr<base::Bytes> Wrap(const crypto::SecretBytes& key) override {
    if (fail_wrap) return base::UnavailableError("keystore busy");
    return inner->Wrap(key);
  }
  base::StatusOr<crypto::SecretBytes> Unwrap(base::ByteView wrapped) override {
    return inner->Unwrap(wrapped);
  }
  base::Status Destroy() override {
    ++destroys;
    return inner->Destroy();
  }
};

bool HasKey(const std::map<std::string, size_t>& dump, const std::string& key) { return dump.count(key) > 0; }

TEST_CASE("an erase that fails before its fresh store key leaves a store that opens", "[client][storage]") {
  Phone p;
  REQUIRE(p.client->CurrentAdvertisement().ok());
  FlakyKeyStore flaky(p.keystore.get());
  p.client.reset();
  {
    auto c = Client::Open(p.options, &flaky, &p.clock);
    REQUIRE(c.ok());
    flaky.fail_wrap = true;  // the fresh store key cannot be made
    CHECK_FALSE((*c)->EraseAll().ok());
  }
  flaky.fail_wrap = false;
  const int destroys = flaky.destroys;
  auto c = Client::Open(p.options, &flaky, &p.clock);
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  CHECK(flaky.destroys == destroys + 1);  // the open finished the erase
  CHECK((*c)->Summary()->days.empty());
  CHECK_FALSE((*c)->paused());
}

TEST_CASE("an erase a crash interrupted is finished at the next open", "[client][storage]") {
  Phone p;
  REQUIRE(p.client->CurrentAdvertisement().ok());
  p.client.reset();
  {
    // The crash: the mark is written, nothing else happened.
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::Options(), p.store(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Put({}, "Merasing", "1").ok());
  }
  FlakyKeyStore counting(p.keystore.get());
  auto c = Client::Open(p.options, &counting, &p.clock);
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  CHECK(counting.destroys == 1);
  CHECK((*c)->Summary()->days.empty());
  c->reset();
  const auto dump = Dump(p.store());
  INFO(Printable(dump));
  CHECK_FALSE(HasKey(dump, "Merasing"));
  CHECK_FALSE(HasKey(dump, "D" + Be32(kDayNumber)));
  // And the store opens again without another erase.
  REQUIRE(Client::Open(p.options, &counting, &p.clock).ok());
  CHECK(counting.destroys == 1);
}

TEST_CASE("a store of the earlier layout is erased at open and starts afresh", "[client][storage][privacy]") {
  TempDir dir;
  const std::string store_dir = dir.Sub("store");
  const uint32_t interval = kDayNumber * 144 + 50;
  const std::string old_sighting = "S" + Be32(interval);
  const std::string old_window = "W" + Be32(kDayNumber) + Be32(7);
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(o, store_dir, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (const auto& [k, v] : std::map<std::string, std::string>{{"Mpaused", "1"},
                                                                {"Mprogress", "batch-0001"},
                                                                {"Mconfig", "old config"},
                                                                {"Mcanary", "canary"},
                                                                {old_sighting, std::string(40, 'x')},
                                                                {old_window, std::string(40, 'y')}}) {
      REQUIRE(db->Put({}, k, v).ok());
    }
  }
  auto keystore = std::move(*FileKeyStore::OpenOrCreate(dir.Sub("platform.key")));
  base::FakeClock clock(kDay0 + 20 * 3600);
  ClientOptions options;
  options.store_dir = store_dir;
  auto c = Client::Open(options, keystore.get(), &clock);
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  CHECK_FALSE((*c)->paused());
  CHECK((*c)->Summary()->days.empty());
  c->reset();
  const auto dump = Dump(store_dir);
  INFO(Printable(dump));
  for (const std::string& gone : {std::string("Mcanary"), std::string("Mprogress"), std::string("Mconfig"),
                                  old_sighting, old_window}) {
    CHECK_FALSE(HasKey(dump, gone));
  }
  // Nor do the files hold them, in any version.
  CHECK(Occurrences(store_dir, old_sighting) == 0);
  CHECK(Occurrences(store_dir, "canary") == 0);
  CHECK(Occurrences(store_dir, "batch-0001") == 0);
}

TEST_CASE("a key file of zeros is refused and a new key replaces a leftover file", "[client][storage]") {
  TempDir dir;
  const std::string path = dir.Sub("platform.key");
  auto keystore = std::move(*FileKeyStore::OpenOrCreate(path));
  REQUIRE(keystore->Destroy().ok());
  // What a Destroy that overwrote the file but could not remove it leaves.
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << std::string(32, '\0');
  }
  auto zeros = FileKeyStore::OpenOrCreate(path);
  REQUIRE_FALSE(zeros.ok());
  CHECK(zeros.status().code() == base::StatusCode::kDataLoss);
  // The keystore that was destroyed makes a fresh key over the leftover.
  auto wrapped = keystore->Wrap(crypto::SecretBytes::Random(32));
  INFO(wrapped.status().ToString());
  REQUIRE(wrapped.ok());
  auto reopened = FileKeyStore::OpenOrCreate(path);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->Unwrap(*wrapped).ok());
}

}  // namespace
}  // namespace openen::client
