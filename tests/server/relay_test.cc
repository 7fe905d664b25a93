// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The Relay in-process: certificates, embargo, batches, expiry, restart.

#include "openen/relay/relay.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "relay_fixture.h"

namespace openen::relay {
namespace {

using openen::testing::FilesContaining;
using openen::testing::ReadFile;
using testing::FilesContainingInflated;
using testing::IndexDigestTail;
using testing::kNow;
using testing::kToday;
using testing::RelayFixture;

const base::Bytes kSecret(32, 0x5e);

TEST_CASE("a certified publish is stored until its batch closes", "[relay]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(14);
  auto result = f.Publish(keys);
  REQUIRE(result.ok());
  CHECK(result->accepted == 14);
  CHECK(result->rejected.empty());
  CHECK(f.relay->PendingKeys() == 14);
  CHECK(f.relay->ListBatches("", 100).empty());
}

TEST_CASE("certificates: forged, tampered, wrong audience, expired and replayed are refused",
          "[relay][certificate]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(3);
  auto expect_unauthenticated = [&](const openen::v1::SignedEnvelope& cert, const std::string& message) {
    auto r = f.relay->Publish(keys, cert, kSecret, false);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == base::StatusCode::kUnauthenticated);
    CHECK(r.status().message() == message);
  };
  auto forger = crypto::Ed25519PrivateKey::Generate();
  expect_unauthenticated(f.Certificate(keys, kSecret, "openen-relay", 900, 0, &forger),
                         "certificate signature verification failed");
  auto tampered = f.Certificate(keys, kSecret);
  openen::v1::Certificate c;
  c.ParseFromString(tampered.payload());
  c.set_report_type(openen::v1::SELF_REPORT);
  tampered.set_payload(c.SerializeAsString());
  expect_unauthenticated(tampered, "certificate signature verification failed");
  expect_unauthenticated(f.Certificate(keys, kSecret, "another-relay"),
                         "certificate audience is 'another-relay', want 'openen-relay'");

  auto cert = f.Certificate(keys, kSecret);  // expires at kNow + 900
  f.clock.Set(kNow + 900);
  expect_unauthenticated(cert, "certificate expired");
  f.clock.Set(kNow + 899);
  REQUIRE(f.relay->Publish(keys, cert, kSecret, false).ok());
  // The identical request again is a retry (its reply may have been lost):
  // the same reply, nothing stored twice (relay_retry_test.cc). Any other
  // request under the used certificate is refused.
  REQUIRE(f.relay->Publish(keys, cert, kSecret, false).ok());
  auto reordered = keys;
  std::swap(reordered[0], reordered[2]);
  CHECK(f.relay->Publish(reordered, cert, kSecret, false).status() ==
        base::UnauthenticatedError("certificate already used"));
  CHECK(f.relay->PendingKeys() == 3);
}

TEST_CASE("the key HMAC must match, in either form", "[relay][certificate]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(2);
  base::Bytes other_secret(32, 0x11);
  auto r = f.relay->Publish(keys, f.Certificate(keys, kSecret), other_secret, false);
  CHECK(r.status() == base::Status(base::StatusCode::kUnauthenticated,
                                   "key HMAC does not match the certificate"));
  auto changed = keys;
  changed[1].transmission_risk = 5;
  CHECK(f.relay->Publish(changed, f.Certificate(keys, kSecret), kSecret, false).status().code() ==
        base::StatusCode::kUnauthenticated);
  auto fewer = keys;
  fewer.pop_back();
  CHECK_FALSE(f.relay->Publish(fewer, f.Certificate(keys, kSecret), kSecret, false).ok());
  CHECK(f.relay->PendingKeys() == 0);

  // The three-field form (no transmission risk) is accepted too.
  std::vector<crypto::TekHmacEntry> entries;
  for (const auto& k : keys) entries.push_back({k.key_data, k.rolling_start_interval_number, k.rolling_period, 0});
  auto mac = crypto::TekHmac(kSecret, entries, crypto::TekHmacForm::kWithoutTransmissionRisk);
  openen::v1::Certificate c;
  f.Certificate(keys, kSecret);
  auto env = f.Certificate(keys, kSecret);
  c.ParseFromString(env.payload());
  c.set_key_hmac(std::string(base::AsChars(mac)));
  CHECK(f.relay->Publish(keys, wire::SignEnvelope(wire::kCertificateContext, c, f.authority), kSecret, false).ok());
}

TEST_CASE("a published key past the relay's retention is refused", "[relay][rules]") {
  // With 7 days' retention, the keys of 8, 9 and 10 days ago would be
  // released and their batch deleted at the next pass: refused, as an
  // import refuses them.
  RelayOptions o = RelayFixture::TestOptions();
  o.retention_days = 7;
  RelayFixture f(o);
  auto keys = RelayFixture::DailyKeys(10);
  auto r = f.Publish(keys);
  REQUIRE(r.ok());
  CHECK(r->accepted == 7);
  REQUIRE(r->rejected.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(r->rejected[i].index == 7 + i);
    CHECK(r->rejected[i].kind == "past retention");
  }
  CHECK(f.relay->PendingKeys() == 7);
}

TEST_CASE("publish shape: 1..30 keys, a 16..64 byte secret", "[relay]") {
  RelayFixture f;
  CHECK(f.Publish({}).status().message() == "publish has 0 keys, want 1..30");
  std::vector<SubmittedKey> thirty, thirty_one;
  for (int i = 0; i < 31; ++i) {
    SubmittedKey k{base::Bytes(16, static_cast<uint8_t>(i)), kToday - 144,
                   static_cast<uint32_t>(1 + i), 0};
    (i < 30 ? thirty : thirty_one).push_back(k);
    if (i < 30) thirty_one.push_back(k);
  }
  CHECK(f.Publish(thirty_one).status() ==
        base::Status(base::StatusCode::kInvalidArgument, "publish has 31 keys, want 1..30"));
  auto ok = f.Publish(thirty);
  REQUIRE(ok.ok());
  CHECK(ok->accepted == 3);  // same start: three kept, the rest reported
  CHECK(ok->rejected.size() == 27);
  auto keys = RelayFixture::DailyKeys(1);
  base::Bytes short_secret(15, 1);
  CHECK(f.relay->Publish(keys, f.Certificate(keys, short_secret), short_secret, false).status().message() ==
        "hmac_secret is 15 bytes, want 16..64");
}

TEST_CASE("chaff does the work, stores nothing, and does not burn the certificate", "[relay][chaff]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(14);
  auto cert = f.Certificate(keys, kSecret);
  auto chaff = f.relay->Publish(keys, cert, kSecret, /*chaff=*/true);
  REQUIRE(chaff.ok());
  CHECK(chaff->accepted == 14);
  // A chaff certificate (random signature) is answered the same way.
  auto junk = cert;
  junk.set_signature(std::string(64, 'x'));
  auto junk_result = f.relay->Publish(keys, junk, kSecret, true);
  REQUIRE(junk_result.ok());
  CHECK(junk_result->accepted == 14);
  CHECK(f.relay->PendingKeys() == 0);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->ListBatches("", 10).empty());
  CHECK(f.relay->Publish(keys, cert, kSecret, false).ok());
}

TEST_CASE("batches: sorted, padded to the minimum, signed, listed and indexed", "[relay][batch]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(3);
  base::Bytes secret(32, 0x5e);
  REQUIRE(f.relay->Publish(keys, f.Certificate(keys, secret, "openen-relay", 900, kToday - 2 * 144), secret, false).ok());
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->ListBatches("", 10).empty());  // released by the batch closing at 11:00

  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  auto batches = f.relay->ListBatches("", 10);
  REQUIRE(batches.size() == 1);
  const std::string name = BatchFileName(kNow + 3600);
  CHECK(batches[0].name() == name);
  CHECK(batches[0].start_timestamp() == static_cast<uint64_t>(kNow));
  CHECK(batches[0].end_timestamp() == static_cast<uint64_t>(kNow + 3600));
  CHECK(batches[0].key_count() == 10);
  CHECK(f.relay->PendingKeys() == 0);
  CHECK(ReadFile(f.dir.Sub("export/index.txt")) == name + "\n");

  wire::ExportFile file = f.Batch(name);
  CHECK(file.key_count() == 10);
  CHECK(file.header().region == "ZZ");
  CHECK(file.Verify({{"openen-v1", f.relay->export_public_key()}}).ok());
  auto exported = file.Keys();
  CHECK(std::is_sorted(exported.begin(), exported.end(),
                       [](const auto& a, const auto& b) { return std::memcmp(a.key_data.data(), b.key_data.data(), 16) < 0; }));
  for (const auto& k : keys) {
    auto it = std::find_if(exported.begin(), exported.end(), [&](const auto& e) { return e.key_data == k.key_data; });
    REQUIRE(it != exported.end());
    CHECK(it->rolling_start_interval_number == static_cast<int32_t>(k.rolling_start_interval_number));
    CHECK(it->RollingPeriod() == 144);
    CHECK(it->transmission_risk_level == 4);
    CHECK(it->report_type == wire::ReportType::kConfirmedTest);
    const int day = static_cast<int>(k.rolling_start_interval_number / 144) - static_cast<int>((kToday - 2 * 144) / 144);
    CHECK(it->days_since_onset_of_symptoms == day);
  }
  // ReadBatch serves the same bytes as the file, in pieces.
  uint64_t total = 0;
  auto head = f.relay->ReadBatch(name, 0, 100, &total);
  REQUIRE(head.ok());
  std::string whole = ReadFile(f.dir.Sub("export/" + name));
  CHECK(total == whole.size());
  CHECK(std::string(base::AsChars(*head)) == whole.substr(0, 100));
  auto tail = f.relay->ReadBatch(name, 100, 1 << 20, &total);
  CHECK(std::string(base::AsChars(*tail)) == whole.substr(100));
  CHECK(f.relay->ReadBatch("../data/CURRENT", 0, 10, &total).status().code() ==
        base::StatusCode::kNotFound);
  CHECK(f.relay->ReadBatch(BatchFileName(kNow), 0, 10, &total).status().code() ==
        base::StatusCode::kNotFound);
  CHECK(f.relay->ListBatches(name, 10).empty());
}

TEST_CASE("a batch above the minimum is padded to the next bucket - an hour with no keys makes no batch",
          "[relay][batch]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(12);
  REQUIRE(f.Publish(keys).ok());
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  REQUIRE(f.relay->ListBatches("", 10).size() == 1);
  CHECK(f.relay->ListBatches("", 10)[0].key_count() == 20);  // buckets 10, 20, 40, ...
  f.clock.Set(kNow + 2 * 3600);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->ListBatches("", 10).size() == 1);
}

TEST_CASE("with jitter on, batch sizes fall in buckets and padding keys look like real keys",
          "[relay][batch][privacy]") {
  RelayOptions options = RelayFixture::TestOptions();
  options.min_batch_keys = 10;
  options.batch_jitter_keys = 5;
  RelayFixture f(options);
  // Hours with 3, 12, 25 and 50 real keys of varied fields: rolling starts
  // over 14 days, two report types, symptom onsets, a short rolling period.
  const std::vector<size_t> counts = {3, 12, 25, 50};
  std::vector<base::Bytes> real;
  int64_t t = kNow;
  for (size_t count : counts) {
    for (size_t done = 0; done < count;) {
      const size_t n = std::min<size_t>(count - done, 10);
      auto keys = RelayFixture::DailyKeys(static_cast<int>(n));
      for (size_t i = 0; i < keys.size(); ++i) {
        keys[i].transmission_risk = static_cast<int32_t>(i % 3) + 2;
        if (i == 0) keys[i].rolling_period = 72;
      }
      base::Bytes secret(32, 0x5e);
      auto cert = f.Certificate(keys, secret, "openen-relay", 900, kToday - static_cast<uint32_t>(144 * (done % 4)));
      auto published = f.relay->Publish(keys, cert, secret, false);
      REQUIRE(published.ok());
      REQUIRE(published->accepted == n);
      for (const auto& k : keys) real.push_back(k.key_data);
      done += n;
    }
    t += 3600;
    f.clock.Set(t);
    REQUIRE(f.relay->Maintain().ok());
  }
  auto batches = f.relay->ListBatches("", 10);
  REQUIRE(batches.size() == counts.size());
  const std::vector<uint32_t> buckets = {10, 20, 40, 80};
  // Field values of real and of padding keys, by field.
  std::array<std::set<int64_t>, 5> real_values, padding_values;
  for (size_t b = 0; b < batches.size(); ++b) {
    INFO("batch " << b << ": " << counts[b] << " real keys, " << batches[b].key_count() << " in all");
    CHECK(batches[b].key_count() >= buckets[b]);
    CHECK(batches[b].key_count() <= buckets[b] + 5);
    for (const auto& k : f.Batch(batches[b].name()).Keys()) {
      const bool is_real = std::find(real.begin(), real.end(), k.key_data) != real.end();
      auto& values = is_real ? real_values : padding_values;
      values[0].insert(k.rolling_start_interval_number);
      values[1].insert(k.rolling_period.value_or(-1));
      values[2].insert(k.transmission_risk_level.value_or(-1));
      values[3].insert(static_cast<int64_t>(k.report_type.value_or(wire::ReportType::kUnknown)));
      values[4].insert(k.days_since_onset_of_symptoms.value_or(-100));
    }
  }
  // No field value that only padding keys have.
  const char* fields[] = {"rolling start", "rolling period", "transmission risk", "report type",
                          "days since onset"};
  for (size_t i = 0; i < 5; ++i) {
    INFO(fields[i]);
    CHECK(std::includes(real_values[i].begin(), real_values[i].end(), padding_values[i].begin(),
                        padding_values[i].end()));
  }
  // Spread like the real keys, not one copied value.
  CHECK(padding_values[0].size() > 1);
  // Over four batches the jitter is not always the same.
  std::set<uint32_t> extras;
  for (size_t b = 0; b < batches.size(); ++b) extras.insert(batches[b].key_count() - buckets[b]);
  CHECK(extras.size() > 1);
}

TEST_CASE("a key already pending or released is never published again", "[relay][duplicates]") {
  RelayFixture f;
  auto first = RelayFixture::DailyKeys(3);
  REQUIRE(f.Publish(first)->accepted == 3);
  // The same person uploads again (a re-test, a second code) while the
  // first upload is pending: the shared key is refused, the new ones go on.
  auto second = RelayFixture::DailyKeys(2);
  second.insert(second.begin() + 1, first[1]);
  auto again = f.Publish(second);
  REQUIRE(again.ok());
  CHECK(again->accepted == 2);
  REQUIRE(again->rejected.size() == 1);
  CHECK(again->rejected[0].index == 1);
  CHECK(again->rejected[0].reason == "key was already published");
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());

  // And again after its batch was released.
  std::vector<SubmittedKey> third = {first[0], first[2]};
  auto released = f.Publish(third);
  REQUIRE(released.ok());
  CHECK(released->accepted == 0);
  CHECK(released->rejected.size() == 2);
  f.clock.Set(kNow + 2 * 3600);
  REQUIRE(f.relay->Maintain().ok());

  // Each key exactly once across every batch.
  std::map<base::Bytes, int> seen;
  for (const auto& info : f.relay->ListBatches("", 100)) {
    for (const auto& k : f.Batch(info.name()).Keys()) seen[k.key_data] += 1;
  }
  for (const auto& k : first) CHECK(seen[k.key_data] == 1);
  for (const auto& k : second) CHECK(seen[k.key_data] == 1);
  for (const auto& [key, n] : seen) CHECK(n == 1);
}

TEST_CASE("more due keys than a batch may hold are split into several batches", "[relay][batch][limits]") {
  RelayOptions options = RelayFixture::TestOptions();
  options.min_batch_keys = 4;
  options.batch_jitter_keys = 2;
  options.max_batch_keys = 20;  // parts of at most 18 real keys
  RelayFixture f(options);
  std::vector<base::Bytes> real;
  for (int i = 0; i < 3; ++i) {
    auto keys = RelayFixture::DailyKeys(14);
    REQUIRE(f.Publish(keys)->accepted == 14);
    for (const auto& k : keys) real.push_back(k.key_data);
  }
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  auto batches = f.relay->ListBatches("", 10);
  REQUIRE(batches.size() == 3);  // 42 keys: 18 + 18 + 6
  CHECK(batches[0].name() == BatchFileName(kNow + 3600 - 2));
  CHECK(batches[2].name() == BatchFileName(kNow + 3600));
  std::map<base::Bytes, int> seen;
  for (const auto& info : batches) {
    CHECK(info.key_count() <= 20);
    auto file = f.Batch(info.name());
    CHECK(file.header().end_timestamp == info.end_timestamp());
    for (const auto& k : file.Keys()) seen[k.key_data] += 1;
  }
  for (const auto& k : real) CHECK(seen[k] == 1);
  CHECK(f.relay->PendingKeys() == 0);

  options.max_batch_keys = wire::kMaxExportKeys + 1;
  CHECK_FALSE(ValidateOptions(options).ok());
  options.max_batch_keys = 6;
  CHECK(ValidateOptions(options).message() == "min batch keys + jitter (4 + 2) must be below max batch keys (6)");
}

TEST_CASE("a split close mixes real keys over the whole key range in every part", "[relay][batch][limits][privacy]") {
  // Were the keys split in key order, each part's real keys would sit in a
  // narrow key range (here about half of it) while its padding keys spread
  // over the whole range. Shuffled, each part's 42 real keys span most of
  // the first-byte range: below 160 of 255 with probability under 1e-7.
  RelayOptions options = RelayFixture::TestOptions();
  options.min_batch_keys = 4;
  options.batch_jitter_keys = 2;
  options.max_batch_keys = 44;  // parts of at most 42 real keys
  RelayFixture f(options);
  std::set<base::Bytes> real;
  for (int i = 0; i < 6; ++i) {
    auto keys = RelayFixture::DailyKeys(14);
    REQUIRE(f.Publish(keys)->accepted == 14);
    for (const auto& k : keys) real.insert(k.key_data);
  }
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  auto batches = f.relay->ListBatches("", 10);
  REQUIRE(batches.size() == 2);  // 84 keys: 42 + 42
  for (const auto& info : batches) {
    int lowest = 255, highest = 0, n = 0;
    for (const auto& k : f.Batch(info.name()).Keys()) {
      if (real.count(k.key_data) == 0) continue;  // padding
      lowest = std::min<int>(lowest, k.key_data[0]);
      highest = std::max<int>(highest, k.key_data[0]);
      ++n;
    }
    INFO(info.name() << ": real first bytes " << lowest << ".." << highest);
    CHECK(n == 42);
    CHECK(highest - lowest >= 160);
  }
}

TEST_CASE("a key still valid at upload is embargoed until it expires", "[relay][embargo]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(1);
  SubmittedKey today{base::Bytes(16, 0xee), kToday, 144, 4};  // valid until midnight
  keys.push_back(today);
  REQUIRE(f.Publish(keys)->accepted == 2);
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  auto first = f.Batch(BatchFileName(kNow + 3600)).Keys();
  CHECK(std::none_of(first.begin(), first.end(), [&](const auto& k) { return k.key_data == today.key_data; }));
  CHECK(f.relay->PendingKeys() == 1);

  const int64_t midnight = static_cast<int64_t>(kToday + 144) * 600;
  f.clock.Set(midnight);  // the key has just expired; it goes out with the next close
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->PendingKeys() == 1);
  f.clock.Set(midnight + 3600);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->PendingKeys() == 0);
  auto second = f.Batch(BatchFileName(midnight + 3600)).Keys();
  CHECK(std::any_of(second.begin(), second.end(), [&](const auto& k) { return k.key_data == today.key_data; }));
}

TEST_CASE("batches expire 14 days after their newest key, leaving no key bytes anywhere",
          "[relay][expiry][privacy]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(2);
  REQUIRE(f.Publish(keys).ok());
  // The scan sees pending keys in the store (the write-ahead log).
  for (const auto& k : keys) CHECK_FALSE(FilesContaining(f.dir.Sub("data"), k.key_data).empty());
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  const std::string name = BatchFileName(kNow + 3600);
  // Released: the keys live in the export only, not in the store.
  for (const auto& k : keys) CHECK(FilesContaining(f.dir.Sub("data"), k.key_data).empty());

  const int64_t newest_end = static_cast<int64_t>(kToday) * 600;  // yesterday's key ended at midnight
  f.clock.Set(newest_end + 14 * 86400 - 1);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->ListBatches("", 10).size() == 1);
  // Until then the keys are in the export (inflated) and their digests in the
  // duplicate index: the scan sees both.
  for (const auto& k : keys) {
    CHECK_FALSE(FilesContainingInflated(f.dir.Sub("export"), k.key_data).empty());
    CHECK_FALSE(FilesContaining(f.dir.Sub("data"), IndexDigestTail(k.key_data)).empty());
  }
  f.clock.Set(newest_end + 14 * 86400);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->ListBatches("", 10).empty());
  CHECK_FALSE(std::filesystem::exists(f.dir.Sub("export/" + name)));
  CHECK(ReadFile(f.dir.Sub("export/index.txt")).empty());
  for (const auto& k : keys) {
    INFO("key " << base::HexEncode(k.key_data));
    CHECK(FilesContainingInflated(f.dir.path(), k.key_data).empty());
    CHECK(FilesContaining(f.dir.path(), IndexDigestTail(k.key_data)).empty());
  }
}

TEST_CASE("what was acknowledged survives a restart", "[relay]") {
  RelayFixture f;
  auto keys = RelayFixture::DailyKeys(5);
  REQUIRE(f.Publish(keys).ok());
  f.Reopen();
  CHECK(f.relay->PendingKeys() == 5);
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  f.Reopen();
  REQUIRE(f.relay->ListBatches("", 10).size() == 1);
  CHECK(f.Batch(BatchFileName(kNow + 3600)).key_count() == 10);
}

TEST_CASE(
    "a batch file the relay did not write is never removed - the relay refuses to start and names "
    "it",
    "[relay][standby]") {
  RelayFixture f;
  f.relay.reset();
  const std::string foreign = f.dir.Sub("export/" + BatchFileName(kNow));
  std::ofstream(foreign) << "not this relay's";
  std::ofstream(f.dir.Sub("export/index.txt.tmp")) << "x";
  std::ofstream(f.dir.Sub("export/README")) << "operator's file";
  auto r = Relay::Open(f.dir.Sub("data"), f.dir.Sub("export"), f.options, {f.authority.PublicKey()},
                       *crypto::EcdsaP256PrivateKey::FromPem(f.signing_pem), {}, &f.clock);
  REQUIRE(r.status().code() == base::StatusCode::kFailedPrecondition);
  CHECK_THAT(r.status().message(), Catch::Contains(BatchFileName(kNow)) &&
                                       Catch::Contains("did not write") &&
                                       Catch::Contains("Move them"));
  CHECK(ReadFile(foreign) == "not this relay's");
  CHECK(std::filesystem::exists(f.dir.Sub("export/README")));
  // The relay's own leftovers go: the temporary file of its index.
  CHECK_FALSE(std::filesystem::exists(f.dir.Sub("export/index.txt.tmp")));
  std::filesystem::remove(foreign);
  f.Reopen();
  CHECK(std::filesystem::exists(f.dir.Sub("export/README")));
}

// TimesIn returns every value in [lo, hi] that a file under |dir| holds at
// any offset as decimal ASCII (10 digits), big- or little-endian 32 or 64
// bits, or a protobuf varint.
std::set<int64_t> TimesIn(const std::string& dir, int64_t lo, int64_t hi) {
  std::set<int64_t> found;
  auto add = [&](uint64_t v) {
    if (v >= static_cast<uint64_t>(lo) && v <= static_cast<uint64_t>(hi)) found.insert(static_cast<int64_t>(v));
  };
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string data = ReadFile(entry.path().string());
    const auto* b = reinterpret_cast<const uint8_t*>(data.data());
    const size_t n = data.size();
    for (size_t i = 0; i < n; ++i) {
      for (size_t width : {4, 8}) {
        if (i + width > n) continue;
        uint64_t be = 0, le = 0;
        for (size_t j = 0; j < width; ++j) {
          be = be << 8 | b[i + j];
          le |= static_cast<uint64_t>(b[i + j]) << (8 * j);
        }
        add(be);
        add(le);
      }
      uint64_t varint = 0;
      for (size_t j = 0; j < 10 && i + j < n; ++j) {
        varint |= static_cast<uint64_t>(b[i + j] & 0x7f) << (7 * j);
        if ((b[i + j] & 0x80) == 0) {
          add(varint);
          break;
        }
      }
      if (i + 10 <= n && std::all_of(b + i, b + i + 10, [](uint8_t c) { return c >= '0' && c <= '9'; })) {
        add(std::stoull(data.substr(i, 10)));
      }
    }
  }
  return found;
}

TEST_CASE("the store holds no arrival time: only release batches", "[relay][privacy]") {
  // Two publishes half an hour apart of keys from the same days release
  // together, and neither the data nor the export directory holds, in any
  // encoding, at any point (write-ahead log before Maintain, table files
  // after, the closed batch), a time near an upload that is not a batch
  // boundary. Random bytes (hashes, keys, signatures) match some 32-bit
  // window value by chance (about 2 in 10^6 per byte), so a hit counts only
  // if a second, independent run a day later finds the same time relative to
  // its uploads: what a leak of the upload time does, and chance does not.
  const int64_t p = RelayFixture::TestOptions().batch_period_seconds;
  const int64_t certificate_ttl = 900;
  auto run = [&](int64_t base) {
    RelayFixture f;
    const std::vector<int64_t> uploads = {base + 1234, base + 2345};
    std::set<int64_t> offsets;
    auto scan = [&](const char* when) {
      for (const char* sub : {"data", "export"}) {
        for (int64_t upload : uploads) {
          for (int64_t t : TimesIn(f.dir.Sub(sub), upload - p, upload + p + certificate_ttl)) {
            if (t % p == 0) continue;
            UNSCOPED_INFO(when << ": " << sub << " holds " << t << ", upload at " << upload);
            offsets.insert(t - base);
          }
        }
      }
    };
    for (int64_t upload : uploads) {
      f.clock.Set(upload);
      REQUIRE(f.Publish(RelayFixture::DailyKeys(3)).ok());
    }
    scan("after the publishes");
    REQUIRE(f.relay->Maintain().ok());  // flushes and compacts; no batch is due
    scan("after a Maintain that closes nothing");
    f.clock.Set(base + p);
    REQUIRE(f.relay->Maintain().ok());
    REQUIRE(f.relay->ListBatches("", 10).size() == 1);
    CHECK(f.relay->ListBatches("", 10)[0].key_count() == 10);  // six real, four padding
    scan("after the batch closed");
    f.clock.Set(base + p + certificate_ttl + p);
    REQUIRE(f.relay->Maintain().ok());  // the used-certificate marks expire
    scan("after the marks expired");
    return offsets;
  };
  const std::set<int64_t> first = run(kNow);
  const std::set<int64_t> second = run(kNow + 86400);
  std::vector<int64_t> both;
  std::set_intersection(first.begin(), first.end(), second.begin(), second.end(), std::back_inserter(both));
  for (int64_t offset : both) UNSCOPED_INFO("both runs hold base + " << offset);
  CHECK(both.empty());
}

// PerThreadClock tells publisher threads one time and the maintainer another:
// a publish that read its clock just before a batch boundary racing the close
// that read it just after.
class PerThreadClock final : public base::Clock {
 public:
  int64_t NowSeconds() const override { return maintainer_ == std::this_thread::get_id() ? late_ : early_; }
  std::thread::id maintainer_;
  std::atomic<int64_t> early_{0}, late_{0};
};

TEST_CASE("a publish racing a batch close never loses an acknowledged key", "[relay][batch]") {
  openen::testing::TempDir dir;
  PerThreadClock clock;
  const int64_t boundary = kNow + 3600;
  clock.early_ = boundary - 1;
  clock.late_ = boundary;
  auto authority = crypto::Ed25519PrivateKey::Generate();
  RelayOptions options = RelayFixture::TestOptions();
  options.min_batch_keys = 0;
  auto relay = Relay::Open(dir.Sub("data"), dir.Sub("export"), options, {authority.PublicKey()},
                           *crypto::EcdsaP256PrivateKey::Generate(), {}, &clock);
  REQUIRE(relay.ok());
  RelayFixture certs;  // only for its certificate helper
  certs.authority = *crypto::Ed25519PrivateKey::FromSeed(authority.seed().Reveal());
  certs.clock.Set(boundary - 1);
  std::vector<std::vector<SubmittedKey>> publishes;
  std::vector<openen::v1::SignedEnvelope> certificates;
  for (int i = 0; i < 300; ++i) {
    publishes.push_back(RelayFixture::DailyKeys(1));
    certificates.push_back(certs.Certificate(publishes.back(), kSecret));
  }
  std::atomic<int> accepted{0};
  std::thread publisher([&] {
    for (int i = 0; i < 300; ++i) {
      auto r = (*relay)->Publish(publishes[i], certificates[i], kSecret, false);
      if (r.ok()) accepted += static_cast<int>(r->accepted);
    }
  });
  clock.maintainer_ = std::this_thread::get_id();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE((*relay)->Maintain().ok());  // closes the batch at the boundary mid-stream
  publisher.join();
  clock.early_ = clock.late_ = boundary + 3600;
  REQUIRE((*relay)->Maintain().ok());
  size_t exported = 0;
  for (const auto& b : (*relay)->ListBatches("", 10)) exported += b.key_count();
  CHECK(accepted == 300);
  CHECK(exported == 300);
  CHECK((*relay)->PendingKeys() == 0);
}

TEST_CASE("invalid options and configurations are refused at open", "[relay]") {
  openen::testing::TempDir dir;
  base::FakeClock clock(kNow);
  auto authority = crypto::Ed25519PrivateKey::Generate();
  RelayOptions o;
  o.batch_period_seconds = 0;
  CHECK(Relay::Open(dir.Sub("d"), dir.Sub("e"), o, {authority.PublicKey()}, *crypto::EcdsaP256PrivateKey::Generate(),
                    {}, &clock)
            .status()
            .message() == "batch period must be 1..86400 seconds, got 0");
  CHECK(Relay::Open(dir.Sub("d"), dir.Sub("e"), {}, {}, *crypto::EcdsaP256PrivateKey::Generate(), {}, &clock)
            .status()
            .message() == "at least one certificate key is required");
  openen::v1::RelayConfig config;
  config.set_serial(1);
  auto forged = wire::SignEnvelope(wire::kRelayConfigContext, config, crypto::Ed25519PrivateKey::Generate());
  RelayOptions with_config_key;
  with_config_key.config_keys = {crypto::Ed25519PrivateKey::Generate().PublicKey()};
  CHECK(Relay::Open(dir.Sub("d"), dir.Sub("e"), with_config_key, {authority.PublicKey()},
                    *crypto::EcdsaP256PrivateKey::Generate(), forged, &clock)
            .status()
            .message() == "configuration: signature verification failed");
  // A configuration without configuration keys: nothing could verify it.
  CHECK(Relay::Open(dir.Sub("d"), dir.Sub("e"), {}, {authority.PublicKey()},
                    *crypto::EcdsaP256PrivateKey::Generate(), forged, &clock)
            .status()
            .message() == "a configuration needs the configuration keys that sign it");
}

}  // namespace
}  // namespace openen::relay
