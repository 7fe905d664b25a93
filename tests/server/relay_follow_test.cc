// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// A relay follows other authorities' export directories: another
// openen-relay's, Google's reference server's real file, a directory laid
// out as GAEN servers lay it out. Keys cross once, under the pinned key
// only; a source that is down, garbled, rolled back or repeating changes
// nothing and is reported.

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "client/nginx.h"
#include "metrics_scrape.h"
#include "openen/base/coding.h"
#include "openen/base/fault.h"
#include "openen/base/file.h"
#include "openen/crypto/random.h"
#include "openen/relay/importer.h"
#include "openen/server/decommission.h"
#include "openen/wire/signed.h"
#include "relay_fixture.h"
#include "relay_process.h"
#include "subprocess.h"

namespace openen::relay {
namespace {

using testing::kNow;
using testing::kToday;
using testing::RelayFixture;

// SourceOf is |f|'s export directory as the source |name| of |region|,
// under |f|'s export key.
ImportSource SourceOf(const std::string& name, const std::string& region, const RelayFixture& f) {
  ImportSource s;
  s.name = name;
  s.region = region;
  s.location = f.dir.Sub("export");
  s.keys = {{"openen-v1", f.relay->export_public_key()}};
  return s;
}

// Peer is another authority's relay, region IE, writing its own export
// directory; |home| follows it.
struct Peer {
  RelayFixture relay{Options()};
  static RelayOptions Options() {
    RelayOptions o = RelayFixture::TestOptions();
    o.region = "IE";
    return o;
  }
  // FeedOptions: Options with a peer feed.
  static RelayOptions FeedOptions() {
    RelayOptions o = Options();
    o.peer_feed = true;
    return o;
  }
  ImportSource Source() const { return SourceOf("ie", "IE", relay); }
  // Publishes |n| keys and releases them in the next batch.
  std::vector<SubmittedKey> Release(int n) {
    auto keys = RelayFixture::DailyKeys(n);
    REQUIRE(relay.Publish(keys)->accepted == static_cast<uint32_t>(n));
    relay.clock.Set(relay.clock.NowSeconds() + 3600);
    REQUIRE(relay.relay->Maintain().ok());
    return keys;
  }
};

// Mirror is a source's export directory of region IE, written file by file
// under the source's own key ("ie-v1").
struct Mirror {
  std::string dir;
  std::unique_ptr<crypto::EcdsaP256PrivateKey> key =
      std::make_unique<crypto::EcdsaP256PrivateKey>(*crypto::EcdsaP256PrivateKey::Generate());
  std::string listing;

  explicit Mirror(std::string directory) : dir(std::move(directory)) {
    std::filesystem::create_directories(dir);
  }
  // Add writes |keys| as the signed file |name| ending at |end|, and lists it.
  void Add(const std::string& name, int64_t end, std::vector<wire::ExportKey> keys) {
    wire::ExportBatch batch;
    batch.header.start_timestamp = static_cast<uint64_t>(end - 86400);
    batch.header.end_timestamp = static_cast<uint64_t>(end);
    batch.header.region = "IE";
    batch.keys = std::move(keys);
    auto zip = wire::WriteExportZip(std::move(batch), {{{"v1", "ie", ""}, key.get()}});
    REQUIRE(zip.ok());
    REQUIRE(base::WriteFileAtomically(dir + "/" + name, base::AsChars(*zip), false).ok());
    listing += name + "\n";
    REQUIRE(base::WriteFileAtomically(dir + "/index.txt", listing, false).ok());
  }
  ImportSource Source() const {
    ImportSource s;
    s.name = "ie";
    s.region = "IE";
    s.location = dir;
    s.keys = {{"ie-v1", key->PublicKey()}};
    return s;
  }
};

// YesterdaysKey is a random key of yesterday whose first bytes are |prefix|
// (big-endian: the order of a file, which sorts by key).
wire::ExportKey YesterdaysKey(uint32_t prefix = 0) {
  wire::ExportKey k;
  base::PutFixedBE<4>(&k.key_data, prefix);
  k.key_data.resize(16);
  crypto::RandomBytes(std::span<uint8_t>(k.key_data).subspan(4));
  k.rolling_start_interval_number = static_cast<int32_t>(kToday - crypto::kTekRollingPeriod);
  return k;
}

// PeerKeysOf returns n keys a peer released, for the n days before today.
std::vector<wire::ExportKey> PeerKeysOf(int n) {
  std::vector<wire::ExportKey> keys;
  for (int i = 1; i <= n; ++i) {
    wire::ExportKey k = YesterdaysKey();
    k.rolling_start_interval_number = static_cast<int32_t>(kToday - i * crypto::kTekRollingPeriod);
    keys.push_back(std::move(k));
  }
  return keys;
}

// Released returns every released key of |f|, by region.
std::map<std::string, std::set<base::Bytes>> Released(RelayFixture& f) {
  std::map<std::string, std::set<base::Bytes>> out;
  for (const auto& info : f.relay->ListBatches("", 1000)) {
    wire::ExportFile file = f.Batch(info.name());
    for (const auto& k : file.Keys()) out[file.header().region].insert(k.key_data);
  }
  return out;
}

void Close(RelayFixture& f, int64_t at) {
  f.clock.Set(at);
  REQUIRE(f.relay->Maintain().ok());
}

// Listed returns the names |file| (index.txt, peers.txt) lists in |f|'s
// export directory.
std::vector<std::string> Listed(const RelayFixture& f, const std::string& file) {
  std::vector<std::string> names;
  std::istringstream lines(openen::testing::ReadFile(f.dir.Sub("export/" + file)));
  for (std::string line; std::getline(lines, line);) names.push_back(line);
  return names;
}

TEST_CASE("a relay follows another relay: each new file once, its keys under its region",
          "[relay][import][follow]") {
  Peer peer;
  RelayFixture home;
  auto first = peer.Release(3);
  auto r = FollowSource(*home.relay, peer.Source(), home.clock.NowSeconds());
  CHECK(r.stopped.ok());
  CHECK(r.files_imported == 1);
  CHECK(r.keys_imported == 10);  // the peer's padding looks like keys, and is imported as keys
  auto mark = home.relay->LastImport("ie");
  REQUIRE(mark.ok());
  REQUIRE(mark->has_value());
  CHECK((*mark)->file == BatchFileName(kNow + 3600));
  // Nothing new: nothing imported.
  r = FollowSource(*home.relay, peer.Source(), home.clock.NowSeconds());
  CHECK(r.files_imported == 0);
  CHECK(r.keys_imported == 0);
  // The peer releases another batch: only it is read.
  auto second = peer.Release(2);
  r = FollowSource(*home.relay, peer.Source(), home.clock.NowSeconds() + 7200);
  CHECK(r.files_imported == 1);
  Close(home, kNow + 3600);
  auto released = Released(home);
  for (const auto& k : first) CHECK(released["IE"].count(k.key_data) == 1);
  for (const auto& k : second) CHECK(released["IE"].count(k.key_data) == 1);
  CHECK(released.count("ZZ") == 0);
}

TEST_CASE("a source under a key other than the pinned one imports nothing",
          "[relay][import][follow]") {
  Peer peer;
  RelayFixture home;
  peer.Release(2);
  ImportSource source = peer.Source();
  source.keys = {
      {"openen-v1", *crypto::EcdsaP256PublicKey::FromSpkiBase64(
                        crypto::EcdsaP256PrivateKey::Generate()->PublicKey().ToSpkiBase64())}};
  auto r = FollowSource(*home.relay, source, home.clock.NowSeconds());
  CHECK(r.stopped.code() == base::StatusCode::kUnauthenticated);
  CHECK(r.files_imported == 0);
  CHECK(home.relay->PendingKeys() == 0);
  CHECK(!home.relay->LastImport("ie")->has_value());
  // Pinned under another key name: the same.
  source = peer.Source();
  source.keys = {{"other-v1", peer.relay.relay->export_public_key()}};
  r = FollowSource(*home.relay, source, home.clock.NowSeconds());
  CHECK(r.stopped.code() == base::StatusCode::kUnauthenticated);
  CHECK(home.relay->PendingKeys() == 0);
  // A file naming another region than the source's (keys the source
  // imported from a third authority) is passed over: nothing imported.
  source = peer.Source();
  source.region = "GB";
  r = FollowSource(*home.relay, source, home.clock.NowSeconds());
  CHECK(r.stopped.ok());
  CHECK(r.files_other_region == 1);
  CHECK(r.files_imported == 0);
  CHECK(home.relay->PendingKeys() == 0);
}

TEST_CASE("a source that is down or garbled changes nothing and is tried again",
          "[relay][import][follow]") {
  Peer peer;
  RelayFixture home;
  ImportSource source = peer.Source();
  // No index.txt yet.
  source.location = home.dir.Sub("nothing-here");
  auto r = FollowSource(*home.relay, source, home.clock.NowSeconds());
  CHECK(r.stopped.code() == base::StatusCode::kNotFound);
  // A listing with a path out of the directory.
  const std::string dir = home.dir.Sub("mirror");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/index.txt") << "../../etc/passwd\n";
  source.location = dir;
  r = FollowSource(*home.relay, source, home.clock.NowSeconds());
  CHECK(r.stopped.code() == base::StatusCode::kInvalidArgument);
  // A file cut short: stopped there, then imported once whole.
  peer.Release(2);
  const std::string name = BatchFileName(kNow + 3600);
  const std::string whole = openen::testing::ReadFile(peer.relay.dir.Sub("export/" + name));
  std::ofstream(dir + "/index.txt") << name << "\n";
  std::ofstream(dir + "/" + name, std::ios::binary) << whole.substr(0, whole.size() / 2);
  r = FollowSource(*home.relay, source, home.clock.NowSeconds());
  CHECK(r.stopped.code() != base::StatusCode::kOk);
  CHECK(home.relay->PendingKeys() == 0);
  CHECK(!home.relay->LastImport("ie")->has_value());
  std::ofstream(dir + "/" + name, std::ios::binary) << whole;
  r = FollowSource(*home.relay, source, home.clock.NowSeconds());
  CHECK(r.stopped.ok());
  CHECK(r.files_imported == 1);
  CHECK(home.relay->PendingKeys() == 10);
}

TEST_CASE("a file that ends before what was imported is skipped", "[relay][import][follow]") {
  Peer peer;
  RelayFixture home;
  peer.Release(2);  // batch at kNow + 3600
  peer.Release(2);  // batch at kNow + 7200
  const std::string dir = home.dir.Sub("mirror");
  std::filesystem::create_directories(dir);
  const std::string older = BatchFileName(kNow + 3600), newer = BatchFileName(kNow + 7200);
  std::filesystem::copy_file(peer.relay.dir.Sub("export/" + newer), dir + "/" + newer);
  std::ofstream(dir + "/index.txt") << newer << "\n";
  ImportSource source = peer.Source();
  source.location = dir;
  auto r = FollowSource(*home.relay, source, kNow + 7200);
  REQUIRE(r.files_imported == 1);
  const size_t pending = home.relay->PendingKeys();
  // The mirror now serves the older file under a name that sorts later.
  std::filesystem::copy_file(peer.relay.dir.Sub("export/" + older), dir + "/batch-9.zip");
  std::ofstream(dir + "/index.txt") << newer << "\nbatch-9.zip\n";
  r = FollowSource(*home.relay, source, kNow + 7200);
  CHECK(r.files_rolled_back == 1);
  CHECK(r.files_imported == 0);
  CHECK(home.relay->PendingKeys() == pending);
  // The mark did not move: a name that sorts high hides no later file.
  CHECK((*home.relay->LastImport("ie"))->file == newer);
  CHECK((*home.relay->LastImport("ie"))->end_timestamp == static_cast<uint64_t>(kNow + 7200));
  peer.Release(2);  // batch at kNow + 10800, named below "batch-9.zip"
  const std::string latest = BatchFileName(kNow + 10800);
  std::filesystem::copy_file(peer.relay.dir.Sub("export/" + latest), dir + "/" + latest);
  std::ofstream(dir + "/index.txt") << newer << "\nbatch-9.zip\n" << latest << "\n";
  r = FollowSource(*home.relay, source, kNow + 10800);
  CHECK(r.files_imported == 1);
  CHECK(r.files_rolled_back == 1);
  CHECK((*home.relay->LastImport("ie"))->file == latest);
}

TEST_CASE("a large file is stored in parts: a key repeated across them counts once",
          "[relay][import][follow]") {
  // 2.5 writes' worth of keys, one of them twice, in two parts; with
  // fault points, the second part's write is followed by a failure (as a
  // crash right after it): the mark stays, and the next pass takes the rest.
  RelayFixture home;
  Mirror mirror(home.dir.Sub("big"));
  // Key i starts with i's bytes, so that the file keeps this order, and the
  // repeated key's two copies end and start a part.
  const size_t total = kImportKeysPerWrite * 5 / 2;
  std::vector<wire::ExportKey> keys;
  for (size_t i = 0; i < total; ++i) keys.push_back(YesterdaysKey(static_cast<uint32_t>(i)));
  keys[kImportKeysPerWrite].key_data = keys[kImportKeysPerWrite - 1].key_data;
  mirror.Add("batch-1.zip", kNow - 3600, std::move(keys));
#ifdef OPENEN_FAULT_INJECTION
  base::ArmFault("relay.import.stored", base::FaultAction::kError, 2);
  auto cut = FollowSource(*home.relay, mirror.Source(), kNow);
  CHECK(cut.stopped.code() == base::StatusCode::kUnavailable);
  CHECK(cut.files_imported == 0);
  CHECK(home.relay->PendingKeys() == 2 * kImportKeysPerWrite - 1);
  CHECK(!home.relay->LastImport("ie")->has_value());
#endif
  auto r = FollowSource(*home.relay, mirror.Source(), kNow);
  INFO(r.stopped.ToString());
  CHECK(r.stopped.ok());
  CHECK(r.files_imported == 1);
  CHECK(r.keys_imported + r.keys_already_held == total);
  CHECK(home.relay->PendingKeys() == total - 1);
  CHECK((*home.relay->LastImport("ie"))->file == "batch-1.zip");
}

TEST_CASE("a pass takes at most kMaxFilesPerFollow files, the next pass the rest",
          "[relay][import][follow]") {
  RelayFixture home;
  Mirror mirror(home.dir.Sub("many"));
  const size_t files = kMaxFilesPerFollow + 1;
  for (size_t i = 0; i < files; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "batch-%04zu.zip", i);
    mirror.Add(name, kNow - 86400 + static_cast<int64_t>(i), {YesterdaysKey()});
  }
  auto r = FollowSource(*home.relay, mirror.Source(), kNow);
  CHECK(r.stopped.ok());
  CHECK(r.files_imported == kMaxFilesPerFollow);
  CHECK(home.relay->PendingKeys() == kMaxFilesPerFollow);
  r = FollowSource(*home.relay, mirror.Source(), kNow);
  CHECK(r.files_imported == 1);
  CHECK(home.relay->PendingKeys() == files);
  CHECK((*home.relay->LastImport("ie"))->file == "batch-1000.zip");
}

TEST_CASE("a pass starts no new file once its key or time budget is spent",
          "[relay][import][follow]") {
  Peer peer;
  RelayFixture home;
  for (int i = 0; i < 4; ++i) peer.Release(2);  // four files of 10 keys
  FollowLimits keys_budget;
  keys_budget.keys = 15;  // reached within the second file
  auto r = FollowSource(*home.relay, peer.Source(), kNow + 5 * 3600, base::NeverCancelled(),
                        keys_budget);
  CHECK(r.stopped.ok());
  CHECK(r.files_imported == 2);
  FollowLimits no_time;
  no_time.time = std::chrono::seconds(0);  // still one file per pass
  r = FollowSource(*home.relay, peer.Source(), kNow + 5 * 3600, base::NeverCancelled(), no_time);
  CHECK(r.files_imported == 1);
  r = FollowSource(*home.relay, peer.Source(), kNow + 5 * 3600, base::NeverCancelled(), no_time);
  CHECK(r.files_imported == 1);
  CHECK(home.relay->PendingKeys() == 40);
}

TEST_CASE("a GAEN server's layout and Google's real sample file are imported over HTTPS",
          "[relay][import][follow][interop][https]") {
  // Google's reference server keeps index.txt beside its files, under a
  // directory of its region, and lists them from the bucket's root; the
  // sample is a real file it signed (tests/vectors/README.md). A real nginx
  // serves the bucket.
  RelayFixture home;
  const int64_t sample_end = 1593633900;
  home.clock.Set(sample_end + 600);
  const std::string bucket = home.dir.Sub("us");
  std::filesystem::create_directories(bucket + "/exposureKeyExport-US");
  const std::string name = "exposureKeyExport-US/1593633600-1593633900-00001.zip";
  std::filesystem::copy_file(std::string(OPENEN_TEST_VECTORS_DIR) + "/gaen-sample-export.zip",
                             bucket + "/" + name);
  std::ofstream(bucket + "/exposureKeyExport-US/index.txt") << name << "\n";
  openen::testing::Pki pki;
  openen::testing::Nginx nginx(bucket, pki);
  ImportSource source;
  source.name = "us";
  source.region = "US";
  source.location = nginx.Url("/");
  source.index = "exposureKeyExport-US/index.txt";
  source.ca_file = pki.ca;
  source.keys = {
      {"310-v1", *crypto::EcdsaP256PublicKey::FromSpkiBase64(
                     "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE49JY6kekDgxj3Crm4y6kEHdfoKQFSND"
                     "M4mV9cgDb+e5nOAw0GeRoRThCu9/wX5wDT2QloFoOjl2pGZHI0f3C3w==")}};
  auto r = FollowSource(*home.relay, source, home.clock.NowSeconds());
  INFO(r.stopped.ToString());
  CHECK(r.stopped.ok());
  CHECK(r.files_imported == 1);
  CHECK(r.keys_imported + r.keys_refused == 140);
  CHECK(r.keys_imported > 100);
  CHECK((*home.relay->LastImport("us"))->file == name);
}

TEST_CASE("a source over HTTPS: only its CA, down or refusing changes nothing, a stop cancels",
          "[relay][import][follow][https]") {
  Peer peer;
  RelayFixture home;
  peer.Release(2);
  openen::testing::Pki pki;
  openen::testing::Nginx nginx(peer.relay.dir.Sub("export"), pki);
  ImportSource source = peer.Source();
  source.ca_file = pki.ca;
  const auto follow_at = [&](const std::string& url, const std::string& ca) {
    ImportSource s = source;
    s.location = url;
    s.ca_file = ca;
    return FollowSource(*home.relay, s, home.clock.NowSeconds());
  };
  const auto nothing_taken = [&] {
    CHECK(home.relay->PendingKeys() == 0);
    CHECK(!home.relay->LastImport("ie")->has_value());
  };
  // A certificate from another CA, or for another address: no connection.
  for (const FollowReport& r : {follow_at(nginx.Url("/"), pki.other_ca),
                                follow_at(nginx.UrlAt("127.0.0.2", "/"), pki.ca)}) {
    CHECK(r.stopped.code() == base::StatusCode::kUnavailable);
    CHECK_THAT(r.stopped.message(), Catch::Contains("certificate does not verify"));
  }
  // No listing, a refusal, a server error, a redirect, a body cut short.
  CHECK(follow_at(nginx.Url("/empty/"), pki.ca).stopped.code() == base::StatusCode::kNotFound);
  CHECK(follow_at(nginx.Url("/forbidden/"), pki.ca).stopped.code() ==
        base::StatusCode::kFailedPrecondition);
  CHECK(follow_at(nginx.Url("/broken/"), pki.ca).stopped.code() == base::StatusCode::kUnavailable);
  CHECK(follow_at(nginx.Url("/moved/"), pki.ca).stopped.code() ==
        base::StatusCode::kFailedPrecondition);
  const FollowReport cut = follow_at(nginx.Url("/truncated/"), pki.ca);
  CHECK(cut.stopped.code() == base::StatusCode::kUnavailable);
  CHECK_THAT(cut.stopped.message(), Catch::Contains(BatchFileName(kNow + 3600)));
  // Nothing listening at all.
  CHECK(follow_at("https://127.0.0.1:" + std::to_string(openen::testing::FreePort()) + "/", pki.ca)
            .stopped.code() == base::StatusCode::kUnavailable);
  nothing_taken();
  // The relay stops while a source stalls before its first byte: the
  // download ends at once, and nothing is taken.
  {
    openen::testing::Listener stalled;
    base::Cancellation stopping;
    ImportSource s = source;
    s.location = "https://127.0.0.1:" + std::to_string(stalled.port()) + "/";
    FollowReport report;
    const auto start = std::chrono::steady_clock::now();
    std::thread follow(
        [&] { report = FollowSource(*home.relay, s, home.clock.NowSeconds(), stopping); });
    REQUIRE(stalled.WaitForConnection());  // the download is under way
    stopping.Cancel();
    follow.join();
    CHECK(report.stopped.code() == base::StatusCode::kCancelled);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    nothing_taken();
  }
  // The source's own URL and CA: its batch, once.
  auto r = follow_at(nginx.Url("/"), pki.ca);
  INFO(r.stopped.ToString());
  CHECK(r.stopped.ok());
  CHECK(r.files_imported == 1);
  CHECK(home.relay->PendingKeys() == 10);
  CHECK(follow_at(nginx.Url("/"), pki.ca).files_imported == 0);
}

TEST_CASE("a source's location, index and CA are checked before it is followed",
          "[relay][import][follow]") {
  Peer peer;
  const auto refused = [&](ImportSource s) {
    return ValidateSource(s).code() == base::StatusCode::kInvalidArgument;
  };
  ImportSource s = peer.Source();
  CHECK(ValidateSource(s).ok());
  s.location = "https://cdn.example.org/ie/";
  CHECK(ValidateSource(s).ok());
  for (const char* bad : {"http://cdn.example.org/ie/", "ftp://cdn.example.org/",
                          "https://user:secret@cdn.example.org/", "https://cdn.example.org/?a=1",
                          "https://", "https:///ie/", ""}) {
    s.location = bad;
    INFO(bad);
    CHECK(refused(s));
  }
  s = peer.Source();
  for (const char* bad : {"", "/index.txt", "../index.txt", "a//index.txt"}) {
    s.index = bad;
    INFO(bad);
    CHECK(refused(s));
  }
  s = peer.Source();
  s.ca_file = "/etc/hostname";  // a CA for a local directory means a mistake
  CHECK(refused(s));
  s.location = "https://cdn.example.org/ie/";
  s.ca_file = "/no/such/ca.pem";
  CHECK(refused(s));
  // A peer feed is pinned under its feed signature's name, nothing else.
  s = peer.Source();
  for (const char* feed : {"peers.txt", "ie/peers.txt"}) {
    s.index = feed;
    s.keys = {{"openen-v1", peer.relay.relay->export_public_key()}};
    CHECK_THAT(ValidateSource(s).message(), Catch::Contains("pin openen-v1-peers, not openen-v1"));
    s.keys = {{"openen-v1-peers", peer.relay.relay->export_public_key()}};
    CHECK(ValidateSource(s).ok());
  }
}

TEST_CASE("openen-relay follows the sources its --import-sources file lists",
          "[relay][import][follow][e2e]") {
  using openen::testing::ReadFile;
  using openen::testing::Run;
  openen::testing::TempDir dir;
  testing::MakeRelayKeys(dir, {testing::MakeVerifierKeys(dir)});
  // The peer released a batch of keys of the last days, on this machine's clock.
  Peer peer;
  const int64_t now = std::time(nullptr);
  peer.relay.clock.Set(now);
  auto keys = RelayFixture::DailyKeys(3, crypto::RollingStart(crypto::EnIntervalNumber(now)));
  REQUIRE(peer.relay.Publish(keys)->accepted == 3);
  peer.relay.clock.Set(now + 3600);
  REQUIRE(peer.relay.relay->Maintain().ok());
  const std::string spki = peer.relay.relay->export_public_key().ToSpkiBase64();

  // Refused at start: a malformed line, an unknown option, a source in the
  // relay's own region.
  const auto start_with = [&](const std::string& name, const std::string& sources) {
    std::ofstream(dir.Sub(name)) << sources;
    return Run({OPENEN_RELAY, "--data-dir", dir.Sub("bad-data"), "--export-dir",
                dir.Sub("bad-export"), "--certificate-key", dir.Sub("certificate.pub"),
                "--signing-key", dir.Sub("export.pem"), "--import-sources", dir.Sub(name)});
  };
  const std::string peer_export = peer.relay.dir.Sub("export");
  auto bad = start_with("bad.sources", "# sources\nie IE " + peer_export + " openen-v1\n");
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err,
             Catch::Contains("bad.sources:2: want NAME REGION LOCATION KEY-NAME PUBLIC-KEY"));
  auto option =
      start_with("option.sources", "ie IE " + peer_export + " openen-v1 " + spki + " cert=x.pem\n");
  CHECK(option.exit_code != 0);
  CHECK_THAT(option.err, Catch::Contains("option.sources:1: an option is index=PATH or ca=FILE"));
  auto own = start_with("own.sources", "zz ZZ " + peer_export + " openen-v1 " + spki + "\n");
  CHECK(own.exit_code != 0);
  CHECK_THAT(own.err, Catch::Contains("the region is this relay's own"));

  // Ireland's relay's export directory, served over HTTPS by a real nginx.
  openen::testing::Pki pki;
  openen::testing::Nginx nginx(peer.relay.dir.Sub("export"), pki);
  std::ofstream(dir.Sub("relay.sources"))
      << "# Ireland's relay, through its CDN\nie IE " << nginx.Url("/") << " openen-v1 " << spki
      << " ca=" << pki.ca << "  # pinned\n"
      << "gb GB https://127.0.0.1:" << openen::testing::FreePort() << "/ openen-v1 " << spki
      << "  # down\n";
  testing::RelayProcess home(dir, "home",
                             {"--import-sources", dir.Sub("relay.sources"), "--metrics-listen",
                              "127.0.0.1:0", "--peer-feed"});
  const int metrics = testing::MetricsPort(*home.process);
  REQUIRE(home.process->WaitForStderr("import source ie: 1 files, 10 keys imported"));
  // Counted per source, for the operator (once the pass that logged it ends:
  // the refused keys are the last series it records).
  const std::string refused = "openen_relay_import_keys_total{outcome=\"refused\",source=\"ie\"}";
  std::string text = testing::Scrape(metrics);
  for (int i = 0; i < 100 && testing::Value(text, refused) < 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    text = testing::Scrape(metrics);
  }
  CHECK(testing::Value(text, "openen_relay_import_files_total{source=\"ie\"}") == 1);
  CHECK(testing::Value(text,
                       "openen_relay_import_keys_total{outcome=\"imported\",source=\"ie\"}") == 10);
  CHECK(testing::Value(text, refused) == 0);
  // A source that is down is counted as stopped, by status code.
  const std::string down = "openen_relay_import_stops_total{code=\"UNAVAILABLE\",source=\"gb\"}";
  for (int i = 0; i < 100 && testing::Value(text, down) < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    text = testing::Scrape(metrics);
  }
  CHECK(testing::Value(text, down) >= 1);
  // Released in the relay's next one-second batch, under the peer's region.
  const std::string index = home.exports + "/index.txt";
  for (int i = 0;
       i < 400 && !(std::filesystem::exists(index) && std::filesystem::file_size(index) > 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string listing = ReadFile(index);
  REQUIRE(!listing.empty());
  // --peer-feed: the feed is listed, and holds no imported batch.
  CHECK(std::filesystem::exists(home.exports + "/peers.txt"));
  CHECK(ReadFile(home.exports + "/peers.txt").empty());
  const std::string name = listing.substr(0, listing.find('\n'));
  auto file = wire::ExportFile::Parse(base::ToBytes(ReadFile(home.exports + "/" + name)));
  REQUIRE(file.ok());
  CHECK(file->header().region == "IE");
  std::set<base::Bytes> released;
  for (const auto& k : file->Keys()) released.insert(k.key_data);
  for (const auto& k : keys) CHECK(released.count(k.key_data) == 1);
  CHECK(home.process->Stop(SIGTERM) == 0);
}

TEST_CASE("openen-relay stops at once while a source stalls", "[relay][import][follow][e2e]") {
  // A source that accepts the connection and never answers holds a pass for
  // the connect timeout (10 s); a shutdown signal ends it, and the last pass
  // imports nothing.
  openen::testing::TempDir dir;
  testing::MakeRelayKeys(dir, {testing::MakeVerifierKeys(dir)});
  openen::testing::Listener stalled;
  const std::string spki = crypto::EcdsaP256PrivateKey::Generate()->PublicKey().ToSpkiBase64();
  std::ofstream(dir.Sub("stalled.sources"))
      << "ie IE https://127.0.0.1:" << stalled.port() << "/ openen-v1 " << spki << "\n";
  testing::RelayProcess home(dir, "home", {"--import-sources", dir.Sub("stalled.sources")});
  REQUIRE(stalled.WaitForConnection());  // a pass is under way
  const auto start = std::chrono::steady_clock::now();
  CHECK(home.process->Stop(SIGTERM) == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK_THAT(home.process->stderr_text(),
             Catch::Contains("import source ie: index.txt: cancelled"));
}

TEST_CASE("a peer feed lists only the batches of consenting local keys, and a peer takes only them",
          "[relay][import][follow][peers]") {
  RelayFixture ie(Peer::FeedOptions());
  auto shared = RelayFixture::DailyKeys(3);
  auto kept = RelayFixture::DailyKeys(3);
  auto from_gb = PeerKeysOf(2);
  REQUIRE(ie.Publish(shared, /*share_with_peers=*/true)->accepted == 3);
  REQUIRE(ie.Publish(kept, /*share_with_peers=*/false)->accepted == 3);
  REQUIRE(ie.relay->ImportKeys("GB", from_gb)->imported == 2);
  const auto listed = [&](const std::string& file) { return Listed(ie, file); };
#ifdef OPENEN_FAULT_INJECTION
  // peers.txt is written after index.txt: a pass cut between the two
  // leaves no name in peers.txt that index.txt lacks, and the next pass
  // lists it.
  base::ArmFault("relay.index.listed", base::FaultAction::kError);
  ie.clock.Set(kNow + 3600);
  CHECK(ie.relay->Maintain().code() == base::StatusCode::kUnavailable);
  CHECK(listed("index.txt").size() == 3);
  CHECK(listed("peers.txt").empty());
#endif
  Close(ie, kNow + 3600);
  // Three batches (consenting IE, other IE, GB); peers.txt names the first.
  REQUIRE(listed("index.txt").size() == 3);
  const std::vector<std::string> peers = listed("peers.txt");
  REQUIRE(peers.size() == 1);
  std::set<base::Bytes> in_feed;
  wire::ExportFile file = ie.Batch(peers[0]);
  CHECK(file.header().region == "IE");
  for (const auto& k : file.Keys()) in_feed.insert(k.key_data);
  for (const auto& k : shared) CHECK(in_feed.count(k.key_data) == 1);
  for (const auto& k : kept) CHECK(in_feed.count(k.key_data) == 0);
  for (const auto& k : from_gb) CHECK(in_feed.count(k.key_data) == 0);

  // A peer that follows the feed takes the consenting keys only.
  RelayFixture home;
  ImportSource source = SourceOf("ie", "IE", ie);
  source.index = "peers.txt";
  source.keys = {{"openen-v1-peers", ie.relay->export_public_key()}};
  auto r = FollowSource(*home.relay, source, kNow + 3600);
  CHECK(r.stopped.ok());
  CHECK(r.files_imported == 1);
  Close(home, kNow + 7200);
  auto released = Released(home);
  for (const auto& k : shared) CHECK(released["IE"].count(k.key_data) == 1);
  for (const auto& k : kept) CHECK(released["IE"].count(k.key_data) == 0);
  CHECK(released.count("GB") == 0);

  // The feed's batch expires with the others, and leaves peers.txt and the
  // store.
  Close(ie, kNow + 30 * 86400);
  CHECK(listed("index.txt").empty());
  CHECK(listed("peers.txt").empty());
  CHECK_FALSE(ie.StoreHolds("p"));
}

TEST_CASE(
    "feed batches are signed for peers - a peer refuses another batch listed in peers.txt and a "
    "take-over keeps the feed",
    "[relay][import][follow][peers]") {
  RelayOptions o = Peer::FeedOptions();
  // In the middle of a key rotation: every batch is signed by both keys.
  const auto next =
      std::make_shared<const crypto::EcdsaP256PrivateKey>(*crypto::EcdsaP256PrivateKey::Generate());
  o.next_signing_key = next;
  o.next_signing_key_version = "v2";
  RelayFixture ie(o);
  REQUIRE(ie.Publish(RelayFixture::DailyKeys(3), /*share_with_peers=*/true)->accepted == 3);
  REQUIRE(ie.Publish(RelayFixture::DailyKeys(3), /*share_with_peers=*/false)->accepted == 3);
  Close(ie, kNow + 3600);
  const std::vector<std::string> index = Listed(ie, "index.txt");
  const std::vector<std::string> peers = Listed(ie, "peers.txt");
  REQUIRE(index.size() == 2);
  REQUIRE(peers.size() == 1);
  // The feed's batch carries a second signature, named for peers, in its
  // signed header; the other batch does not.
  const std::string kept = index[0] == peers[0] ? index[1] : index[0];
  const auto signed_as = [&](const std::string& name) {
    std::set<std::string> names;
    const wire::ExportFile file = ie.Batch(name);
    for (const auto& info : file.header().signature_infos) names.insert(info.KeyName());
    return names;
  };
  CHECK(signed_as(peers[0]) ==
        std::set<std::string>{"openen-v1", "openen-v2", "openen-v1-peers", "openen-v2-peers"});
  CHECK(signed_as(kept) == std::set<std::string>{"openen-v1", "openen-v2"});
  // Phones that pin either export key verify both batches; peers that pin
  // either feed name verify the feed's batch only.
  for (const wire::TrustedExportKeys& phones :
       {wire::TrustedExportKeys{{"openen-v1", ie.relay->export_public_key()}},
        wire::TrustedExportKeys{{"openen-v2", next->PublicKey()}}}) {
    for (const std::string& name : index) CHECK(ie.Batch(name).Verify(phones).ok());
  }
  for (const wire::TrustedExportKeys& peer :
       {wire::TrustedExportKeys{{"openen-v1-peers", ie.relay->export_public_key()}},
        wire::TrustedExportKeys{{"openen-v2-peers", next->PublicKey()}}}) {
    CHECK(ie.Batch(peers[0]).Verify(peer).ok());
    CHECK(ie.Batch(kept).Verify(peer).code() == base::StatusCode::kUnauthenticated);
  }

  // Whoever serves the directory lists the other batch in peers.txt too: a
  // peer that pins the feed's signature refuses it, and imports nothing.
  const std::string cdn = ie.dir.Sub("cdn");
  std::filesystem::copy(ie.dir.Sub("export"), cdn, std::filesystem::copy_options::recursive);
  std::ofstream(cdn + "/peers.txt") << kept << "\n" << peers[0] << "\n";
  RelayFixture home;
  ImportSource source = SourceOf("ie", "IE", ie);
  source.location = cdn;
  source.index = "peers.txt";
  source.keys = {{"openen-v1-peers", ie.relay->export_public_key()}};
  auto r = FollowSource(*home.relay, source, kNow + 3600);
  CHECK(r.stopped.code() == base::StatusCode::kUnauthenticated);
  CHECK(r.files_imported == 0);
  CHECK(home.relay->PendingKeys() == 0);
  source.location = ie.dir.Sub("export");  // the genuine feed is taken
  r = FollowSource(*home.relay, source, kNow + 3600);
  CHECK(r.stopped.ok());
  CHECK(r.files_imported == 1);

  // A relay that takes the export directory over keeps the feed's batch in
  // the feed (the signed header says it is one): it writes peers.txt anew.
  ie.relay.reset();
  std::filesystem::remove(ie.dir.Sub("export") + "/peers.txt");
  RelayOptions taking = ie.options;
  taking.take_over = true;
  auto taken = ie.OpenOther("data-b", taking);
  INFO(taken.status().ToString());
  REQUIRE(taken.ok());
  CHECK(Listed(ie, "peers.txt") == peers);
  // No export key version, this one's or the next one's, may end in the
  // feed's suffix.
  taken->reset();
  for (bool next : {false, true}) {
    RelayOptions bad = ie.options;
    (next ? bad.next_signing_key_version : bad.signing_key_version) = "v2-peers";
    const base::Status s = ie.OpenOther("data-c", bad).status();
    INFO(s.ToString());
    CHECK(s.code() == base::StatusCode::kInvalidArgument);
    CHECK(s.message().find("must not end in -peers") != std::string::npos);
  }
}

TEST_CASE("without a peer feed, consent changes nothing and there is no peers.txt",
          "[relay][import][follow][peers]") {
  RelayFixture ie(Peer::Options());
  REQUIRE(ie.Publish(RelayFixture::DailyKeys(3), true)->accepted == 3);
  REQUIRE(ie.Publish(RelayFixture::DailyKeys(3), false)->accepted == 3);
  Close(ie, kNow + 3600);
  CHECK(ie.relay->ListBatches("", 10).size() == 1);
  CHECK_FALSE(std::filesystem::exists(ie.dir.Sub("export/peers.txt")));
  // Keys stored while the feed was on, released once it is off: one batch,
  // and the feed's listing goes.
  ie.options.peer_feed = true;
  ie.Reopen();
  REQUIRE(ie.Publish(RelayFixture::DailyKeys(3), true)->accepted == 3);
  REQUIRE(ie.Publish(RelayFixture::DailyKeys(3), false)->accepted == 3);
  CHECK(std::filesystem::exists(ie.dir.Sub("export/peers.txt")));
  ie.options.peer_feed = false;
  ie.Reopen();
  CHECK_FALSE(std::filesystem::exists(ie.dir.Sub("export/peers.txt")));
  Close(ie, kNow + 7200);
  CHECK(ie.relay->ListBatches("", 10).size() == 2);
}

TEST_CASE("keys stored before consent existed (version 1 records) are released as before",
          "[relay][peers]") {
  RelayFixture ie(Peer::FeedOptions());
  auto keys = RelayFixture::DailyKeys(3);
  REQUIRE(ie.Publish(keys, /*share_with_peers=*/true)->accepted == 3);
  {
    // Rewrite the pending records as version 1 wrote them: no flags byte.
    std::unique_ptr<rocksdb::DB> db = ie.RawStore();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
    int rewritten = 0;
    for (it->Seek("k"); it->Valid() && it->key().starts_with("k"); it->Next()) {
      std::string v = it->value().ToString();
      REQUIRE(v.size() == 11);
      REQUIRE(v[0] == 3);
      v[0] = 1;
      v.pop_back();
      REQUIRE(db->Put({}, it->key(), v).ok());
      ++rewritten;
    }
    CHECK(rewritten == 3);
  }
  ie.Reopen();
  Close(ie, kNow + 3600);
  auto released = Released(ie);
  for (const auto& k : keys) CHECK(released["IE"].count(k.key_data) == 1);
  CHECK(openen::testing::ReadFile(ie.dir.Sub("export/peers.txt")).empty());  // no consent then
}

TEST_CASE("relays that follow each other pass over the keys they imported",
          "[relay][import][follow]") {
  // IE's keys reach ZZ; ZZ releases them in an IE batch beside its own;
  // GB follows ZZ: it takes ZZ's batch, passes over the IE batch, and
  // keeps following.
  Peer ie;
  RelayFixture zz;
  ie.Release(2);
  REQUIRE(FollowSource(*zz.relay, ie.Source(), kNow + 3600).files_imported == 1);
  auto own = RelayFixture::DailyKeys(2);
  REQUIRE(zz.Publish(own)->accepted == 2);
  Close(zz, kNow + 7200);
  REQUIRE(zz.relay->ListBatches("", 10).size() == 2);
  RelayOptions o = RelayFixture::TestOptions();
  o.region = "GB";
  RelayFixture gb(o);
  const ImportSource from_zz = SourceOf("zz", "ZZ", zz);
  auto r = FollowSource(*gb.relay, from_zz, kNow + 7200);
  CHECK(r.stopped.ok());
  CHECK(r.files_imported == 1);
  CHECK(r.files_other_region == 1);
  CHECK(gb.relay->PendingKeys() == 10);  // ZZ's batch only
  auto more = RelayFixture::DailyKeys(1);
  REQUIRE(zz.Publish(more)->accepted == 1);
  Close(zz, kNow + 3 * 3600);
  r = FollowSource(*gb.relay, from_zz, kNow + 3 * 3600);
  CHECK(r.files_imported == 1);
  CHECK(r.files_other_region == 0);
}

TEST_CASE("a decommissioned relay imports nothing, and a file from the future stops a source",
          "[relay][import][follow]") {
  Peer peer;
  RelayFixture home;
  peer.Release(2);  // ends at kNow + 3600
  // More than an hour ahead of this relay's clock: refused, mark unmoved.
  auto r = FollowSource(*home.relay, peer.Source(), kNow - 1);
  CHECK(r.stopped.code() == base::StatusCode::kFailedPrecondition);
  CHECK(home.relay->PendingKeys() == 0);
  CHECK(!home.relay->LastImport("ie")->has_value());

  openen::v1::DecommissionOrder order;
  order.set_effective_at(kNow);
  order.set_sequence(1);
  order.set_issuer("health authority");
  const std::string file = home.dir.Sub("order.bin");
  REQUIRE(base::WriteFileAtomically(
              file,
              wire::SignEnvelope(wire::kDecommissionOrderContext, order, home.decommission_key)
                  .SerializeAsString(),
              false)
              .ok());
  REQUIRE(server::InstallDecommissionOrder(file, home.dir.Sub("data"),
                                           {home.decommission_key.PublicKey()})
              .ok());
  REQUIRE(home.relay->Maintain().ok());
  REQUIRE(home.relay->decommissioned());
  r = FollowSource(*home.relay, peer.Source(), kNow + 3600);
  CHECK(r.stopped.code() == base::StatusCode::kFailedPrecondition);
  CHECK(r.files_imported == 0);
  CHECK(home.relay->PendingKeys() == 0);
}

TEST_CASE(
    "a key past the relay's retention is not imported, and marks of sources no longer listed go",
    "[relay][import][follow]") {
  RelayFixture home;
  wire::ExportKey old;
  old.key_data.resize(16);
  crypto::RandomBytes(old.key_data);
  // Ended 14 days and 10 minutes before now (10:00): within the 15 days of
  // the key rules, past the 14 days of retention (its batch and index
  // entry would be gone at once, and the key could come back).
  old.rolling_start_interval_number = static_cast<int32_t>(kToday - 144 * 15 + 59);
  auto r = home.relay->ImportKeys("IE", std::vector<wire::ExportKey>{old});
  REQUIRE(r.ok());
  CHECK(r->imported == 0);
  REQUIRE(r->rejected.size() == 1);
  CHECK(r->rejected[0].kind == "past retention");

  Peer peer;
  peer.Release(1);
  REQUIRE(FollowSource(*home.relay, peer.Source(), kNow + 3600).files_imported == 1);
  REQUIRE(home.relay->LastImport("ie")->has_value());
  REQUIRE(home.relay->ForgetImportsExcept({"ie"}).ok());
  CHECK(home.relay->LastImport("ie")->has_value());
  REQUIRE(home.relay->ForgetImportsExcept({}).ok());
  CHECK(!home.relay->LastImport("ie")->has_value());
}

}  // namespace
}  // namespace openen::relay
