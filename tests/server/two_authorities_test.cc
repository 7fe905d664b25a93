// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Federation with the real binaries: two health authorities, Ireland (IE)
// and Great Britain (GB), each with its own openen-verifier and
// openen-relay, each relay's export directory behind its own CDN (nginx,
// HTTPS under the authority's own CA). Each relay follows the other's peer
// feed. Case workers issue codes with `openen-verifier issue`, recording
// the person's consent or not; real client libraries upload with them, and
// phones that follow only their own authority's CDN find the contacts that
// crossed the border - and only those whose keys the person agreed to
// share. The same keys arriving through a second path (a hub's copy) count
// once; a source pinned under the wrong key imports nothing. Each relay pins
// the other's feed signature ("<id>-<version>-peers"), which only the
// batches of the feed carry.

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/nginx.h"
#include "metrics_scrape.h"
#include "openen/base/bytes.h"
#include "openen/base/clock.h"
#include "openen/client/client.h"
#include "openen/client/platform.h"
#include "openen/client_curl/curl_fetcher.h"
#include "openen/client_grpc/upload_transport.h"
#include "openen/crypto/gaen.h"
#include "openen/wire/export.h"
#include "openen/wire/tlog.h"
#include "relay_process.h"
#include "subprocess.h"

namespace openen::relay {
namespace {

using openen::testing::Process;
using openen::testing::Run;
using openen::testing::RunResult;
using openen::testing::TempDir;

// ReadIfPresent is the file at |path|, or "" while it does not exist.
std::string ReadIfPresent(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return in ? text.str() : "";
}

// Released is every key of the batches that |index| lists in the export
// directory |dir|, as many times as it was released.
std::multiset<base::Bytes> Released(const std::string& dir, const std::string& index) {
  std::multiset<base::Bytes> keys;
  std::istringstream names(ReadIfPresent(dir + "/" + index));
  for (std::string name; std::getline(names, name);) {
    auto file = wire::ExportFile::Parse(base::ToBytes(openen::testing::ReadFile(dir + "/" + name)));
    REQUIRE(file.ok());
    for (const auto& k : file->Keys()) keys.insert(k.key_data);
  }
  return keys;
}

// An authority: its verifier and relay (once started) on loopback, its
// relay's export directory served by its own CDN under its own CA.
struct Authority {
  std::string region;  // "IE", its key name "ie-v1"
  TempDir dir;
  relay::testing::RelayKeys keys;
  std::unique_ptr<Process> verifier;
  int verifier_port = 0;
  openen::testing::Pki pki;
  std::unique_ptr<openen::testing::Nginx> cdn;
  std::unique_ptr<relay::testing::RelayProcess> relay;

  explicit Authority(std::string code) : region(std::move(code)) {
    keys = relay::testing::MakeRelayKeys(dir, {relay::testing::MakeVerifierKeys(dir)});
    verifier = std::make_unique<Process>(std::vector<std::string>{
        OPENEN_VERIFIER, "--data-dir", dir.Sub("verifier-data"), "--signing-key",
        dir.Sub("certificate.key"), "--staff-dir", dir.Sub("staff"), "--listen", "127.0.0.1:0",
        "--maintenance-interval", "1"});
    verifier_port = verifier->ListeningPort();
    std::filesystem::create_directories(exports());
    cdn = std::make_unique<openen::testing::Nginx>(exports(), pki);
  }
  std::string KeyName() const { return Lower(region) + "-v1"; }
  std::string exports() const { return dir.Sub("relay-export"); }

  // SourceLine is this authority's peer feed as a line of another relay's
  // --import-sources file: its CDN, its CA, its feed's signature.
  std::string SourceLine() const {
    return Lower(region) + " " + region + " " + cdn->Url("/") + " " + KeyName() + "-peers " +
           keys.export_spki + " index=peers.txt ca=" + pki.ca + "\n";
  }
  // StartRelay starts the relay of this region, with a peer feed, following
  // the sources in |sources| (the text of its --import-sources file).
  void StartRelay(const std::string& sources) {
    std::ofstream(dir.Sub("relay.sources")) << sources;
    relay = std::make_unique<relay::testing::RelayProcess>(
        dir, "relay",
        std::vector<std::string>{"--region", region, "--signing-key-id", Lower(region),
                                 "--peer-feed", "--import-sources", dir.Sub("relay.sources"),
                                 "--metrics-listen", "127.0.0.1:0"});
  }
  // Issue has the verifier issue a code pair as a contact tracer's system
  // does, with the person's consent to sharing or without; returns the
  // short code, and keeps both in |codes|.
  std::string Issue(bool share_with_peers) {
    std::vector<std::string> argv = {OPENEN_VERIFIER,  "issue",
                                     "--server",       "127.0.0.1:" + std::to_string(verifier_port),
                                     "--api-key-file", dir.Sub("issue.key"),
                                     "--test-type",    "confirmed",
                                     "--json"};
    if (share_with_peers) argv.push_back("--share-with-peers");
    RunResult issued = Run(argv);
    INFO(issued.err);
    REQUIRE(issued.exit_code == 0);
    const auto json = nlohmann::json::parse(issued.out);
    CHECK(json.at("share_with_peers").get<bool>() == share_with_peers);  // as stored
    codes.push_back(json.at("long_code").get<std::string>());
    codes.push_back(json.at("short_code").get<std::string>());
    return codes.back();
  }
  std::vector<std::string> codes;
  // Upload sends |phone|'s keys with |code| as the app does: to this
  // authority's verifier, then its relay.
  void Upload(client::Client* phone, const std::string& code) {
    client_grpc::GrpcUploadTransport transport(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(verifier_port),
                            grpc::InsecureChannelCredentials()),
        grpc::CreateChannel("127.0.0.1:" + std::to_string(relay->port),
                            grpc::InsecureChannelCredentials()),
        30);
    auto report = phone->UploadDiagnosis(transport, code);
    INFO(report.status().ToString());
    REQUIRE(report.ok());
    CHECK(report->keys_sent > 0);
    CHECK(report->keys_accepted == report->keys_sent);
  }
  // Sync has |phone| follow this authority's CDN over HTTPS.
  base::StatusOr<client::SyncReport> Sync(client::Client* phone) const {
    client_curl::CurlOptions o;
    o.base_url = cdn->Url("/");
    o.ca_file = pki.ca;
    auto fetcher = client_curl::CurlFetcher::Create(o);
    REQUIRE(fetcher.ok());
    client::StaticSource source(fetcher->get());
    return phone->Sync(source);
  }

  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
};

// WaitFor polls |done| for up to 30 s; returns its last answer.
template <typename Done>
bool WaitFor(Done done) {
  for (int i = 0; i < 300; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

TEST_CASE("two authorities - a contact diagnosed across the border is found only with consent",
          "[relay][import][federation][e2e]") {
  Authority ie("IE"), gb("GB");

  // People, their phones and who met whom, yesterday (UTC).
  const int64_t now = std::time(nullptr);
  const int64_t day0 = (now / 86400 - 1) * 86400;
  base::FakeClock clock(day0);
  TempDir phones;
  auto keystore = std::move(*client::FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));
  // A phone trusts its authority's export key and follows its log.
  const auto phone = [&](const std::string& name, const Authority& home,
                         const Authority* log = nullptr) {
    client::ClientOptions o;
    o.store_dir = phones.Sub(name);
    o.export_keys = {
        {home.KeyName(), *crypto::EcdsaP256PublicKey::FromSpkiBase64(home.keys.export_spki)}};
    o.log = client::LogPolicy{*wire::NoteKey::Parse((log ? *log : home).keys.log_vkey), {}, 0};
    auto c = client::Client::Open(o, keystore.get(), &clock);
    REQUIRE(c.ok());
    return std::move(*c);
  };
  auto alice = phone("alice", ie);               // diagnosed in IE, agrees to share
  auto dave = phone("dave", ie);                 // diagnosed in IE, does not
  auto carol = phone("carol", gb);               // diagnosed in GB, agrees to share
  auto bob = phone("bob", gb);                   // lives in GB
  auto erin = phone("erin", ie);                 // lives in IE
  std::map<std::string, base::Bytes> first_key;  // each diagnosed person's key of day0
  const auto meet = [&](const std::string& name, client::Client* a, client::Client* b,
                        int64_t start) {
    for (int m = 0; m <= 25; m += 5) {  // 26 minutes close by: a score of 1800
      clock.Set(start + m * 60);
      auto ad = a->CurrentAdvertisement();
      REQUIRE(ad.ok());
      auto parsed = crypto::ParseAdvertisement(*ad);
      REQUIRE(b->RecordSighting(parsed->rpi, parsed->aem, -50, start + m * 60).ok());
    }
    auto own = a->KeysForUpload();
    REQUIRE(own.ok());
    const auto key = own->front().key_data.Reveal();
    first_key[name] = base::Bytes(key.begin(), key.end());
  };
  meet("alice", alice.get(), bob.get(), day0 + 12 * 3600);
  meet("carol", carol.get(), erin.get(), day0 + 13 * 3600);
  meet("dave", dave.get(), bob.get(), day0 + 15 * 3600);
  meet("dave", dave.get(), erin.get(), day0 + 16 * 3600);
  clock.Set(now);

  // Ireland's relay follows GB's feed (nothing there yet). Alice and Dave
  // are diagnosed; only Alice's keys go in the feed.
  ie.StartRelay(gb.SourceLine());
  ie.Upload(alice.get(), ie.Issue(/*share_with_peers=*/true));
  ie.Upload(dave.get(), ie.Issue(/*share_with_peers=*/false));
  REQUIRE(WaitFor([&] {
    return Released(ie.exports(), "peers.txt").count(first_key["alice"]) == 1 &&
           Released(ie.exports(), "index.txt").count(first_key["dave"]) == 1;
  }));
  const std::multiset<base::Bytes> feed = Released(ie.exports(), "peers.txt");
  CHECK(feed.count(first_key["dave"]) == 0);
  // A hub's copy of Ireland's files: a second path for the same keys.
  const std::string hub = gb.dir.Sub("hub");
  std::filesystem::copy(ie.exports(), hub + ".part", std::filesystem::copy_options::recursive);
  std::filesystem::rename(hub + ".part", hub);

  // GB's relay follows Ireland's CDN, the hub, and Ireland's CDN pinned
  // under a key that is not Ireland's. Carol is diagnosed in GB.
  const std::string wrong_key = crypto::EcdsaP256PrivateKey::Generate()->PublicKey().ToSpkiBase64();
  gb.StartRelay(ie.SourceLine() + "ie-hub IE " + hub + " ie-v1-peers " + ie.keys.export_spki +
                " index=peers.txt\n" + "ie-forged IE " + ie.cdn->Url("/") + " ie-v1-peers " +
                wrong_key + " index=peers.txt ca=" + ie.pki.ca + "\n");
  const int metrics = relay::testing::MetricsPort(*gb.relay->process);
  gb.Upload(carol.get(), gb.Issue(/*share_with_peers=*/true));
  REQUIRE(WaitFor([&] {
    const auto gb_released = Released(gb.exports(), "index.txt");
    return gb_released.count(first_key["alice"]) == 1 &&
           gb_released.count(first_key["carol"]) == 1 &&
           Released(ie.exports(), "index.txt").count(first_key["carol"]) == 1;
  }));

  // Each of Ireland's shared keys crossed once, through Ireland's CDN or the
  // hub, and was held already when the other offered it; none crossed under
  // the wrong key. (The sources are followed in turn: which of the two took
  // a key first depends on which answered first.)
  std::string text;
  const auto keys_of = [&](const std::string& source, const std::string& outcome) {
    return std::max(
        0.0, relay::testing::Value(text, "openen_relay_import_keys_total{outcome=\"" + outcome +
                                             "\",source=\"" + source + "\"}"));
  };
  const double shared = static_cast<double>(feed.size());
  REQUIRE(WaitFor([&] {
    text = relay::testing::Scrape(metrics);
    return keys_of("ie", "already_held") + keys_of("ie-hub", "already_held") >= shared &&
           relay::testing::Value(text,
                                 "openen_relay_import_stops_total{code=\"UNAUTHENTICATED\","
                                 "source=\"ie-forged\"}") >= 1;
  }));
  INFO(text);
  CHECK(keys_of("ie", "imported") + keys_of("ie-hub", "imported") == shared);
  CHECK(keys_of("ie", "already_held") + keys_of("ie-hub", "already_held") == shared);
  CHECK(keys_of("ie-forged", "imported") == 0);
  const std::multiset<base::Bytes> gb_released = Released(gb.exports(), "index.txt");
  for (const base::Bytes& key : feed) CHECK(gb_released.count(key) == 1);
  CHECK(gb_released.count(first_key["dave"]) == 0);
  // A relay offers its peers only its own people's keys: what it imported
  // does not go back, nor on.
  const auto gb_feed = Released(gb.exports(), "peers.txt");
  CHECK(gb_feed.count(first_key["carol"]) == 1);
  CHECK(gb_feed.count(first_key["alice"]) == 0);
  CHECK(Released(ie.exports(), "peers.txt").count(first_key["carol"]) == 0);

  // Bob, who follows only GB's CDN, finds Alice (who agreed to share) and
  // not Dave (who did not); Erin, in Ireland, finds Dave and Carol.
  auto bob_report = gb.Sync(bob.get());
  INFO(bob_report.status().ToString());
  REQUIRE(bob_report.ok());
  CHECK(bob_report->matched_identifiers == 3);
  CHECK(bob_report->new_exposure_windows == 1);
  auto bob_days = bob->DailySummaries();
  REQUIRE(bob_days.ok());
  REQUIRE(bob_days->size() == 1);
  CHECK((*bob_days)[0].weighted_duration_sum_seconds == Approx(1800));
  auto erin_report = ie.Sync(erin.get());
  INFO(erin_report.status().ToString());
  REQUIRE(erin_report.ok());
  CHECK(erin_report->matched_identifiers == 6);
  CHECK(erin_report->new_exposure_windows == 2);
  // A phone that trusts Ireland's export key (and follows GB's log) refuses
  // GB's batches: GB signs what it releases.
  auto misled = phone("misled", ie, &gb);
  auto refused = gb.Sync(misled.get());
  CHECK(refused.status().code() == base::StatusCode::kUnauthenticated);
  CHECK_THAT(refused.status().message(), Catch::Contains("no signature by a trusted key"));

  // The wrong key is reported; no log names a key or a code.
  CHECK(gb.relay->process->Stop(SIGTERM) == 0);
  CHECK(ie.relay->process->Stop(SIGTERM) == 0);
  CHECK(ie.verifier->Stop(SIGTERM) == 0);
  CHECK(gb.verifier->Stop(SIGTERM) == 0);
  CHECK_THAT(gb.relay->process->stderr_text(), Catch::Contains("import source ie-forged:"));
  for (Authority* a : {&ie, &gb}) {
    const std::string logs = a->relay->process->stderr_text() + a->verifier->stderr_text();
    for (const auto& [name, key] : first_key) {
      CHECK(logs.find(base::HexEncode(key)) == std::string::npos);
      CHECK(logs.find(base::Base64Encode(key)) == std::string::npos);
      CHECK(logs.find(std::string(base::AsChars(key))) == std::string::npos);
    }
    for (const std::string& code : a->codes) CHECK(logs.find(code) == std::string::npos);
  }
}

}  // namespace
}  // namespace openen::relay
