// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Crash and power-cut consistency of the relay and the verifier: each is
// stopped at every step that writes a file or a database record, the power
// cut also undoes what was not synced (base::LoseUnsyncedChanges, the model
// in base/file.h), and the next start must repair what it finds or refuse
// with a message that says what to do. Nothing acknowledged is lost or
// released twice; no code, token or certificate counts twice.
//
// In process, a step stops through a fault point armed to fail (kError):
// the relay or verifier is then closed without another step, which leaves
// the disk as a crash there would (every database write is synced; closing
// RocksDB adds nothing). The real binaries are stopped by the same points
// armed through OPENEN_FAULT to crash or cut the power.

#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "openen/base/fault.h"
#include "openen/base/file.h"
#include "openen/rpc/call.h"
#include "openen/server/decommission.h"
#include "openen/server/key_files.h"
#include "openen/verifier/verifier.h"
#include "relay_fixture.h"
#include "subprocess.h"

#ifdef OPENEN_FAULT_INJECTION
#include <grpcpp/grpcpp.h>

#include "openen/v1/relay.grpc.pb.h"
#endif

namespace openen {
namespace {

#ifndef OPENEN_FAULT_INJECTION

TEST_CASE("crash tests need a build with OPENEN_FAULT_INJECTION", "[crash]") {
  SUCCEED("configure with -DOPENEN_FAULT_INJECTION=ON (scripts/test.sh does) to run them");
}

#else

using relay::RelayOptions;
using relay::SubmittedKey;
using relay::testing::RelayFixture;
using testing::Process;
using testing::ReadFile;
using testing::Run;
using testing::RunResult;
using testing::TempDir;

// FilesIn returns the names in |dir|, sorted; a relay's lock file
// (.openen-relay) counts only when it names an owner.
std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename() == ".openen-relay" && e.file_size() == 0) continue;
    names.push_back(e.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t from = 0;
  for (size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) {
    lines.push_back(text.substr(from, nl - from));
  }
  return lines;
}

// CheckExportDirectory checks what a start must leave: index.txt lists
// exactly the batch files present, index.sha256 their digests, and no
// temporary file is left. Returns the listed names.
std::vector<std::string> CheckExportDirectory(const std::string& dir) {
  std::vector<std::string> batches;
  for (const std::string& name : FilesIn(dir)) {
    CHECK(name.find(".tmp") == std::string::npos);
    if (relay::ParseBatchName(name)) batches.push_back(name);
  }
  const std::vector<std::string> index = Lines(ReadFile(dir + "/index.txt"));
  CHECK(index == batches);
  std::vector<std::string> digests;
  for (const std::string& name : batches) {
    const std::string bytes = ReadFile(dir + "/" + name);
    digests.push_back(base::HexEncode(crypto::Sha256(base::AsBytes(bytes))) + "  " + name);
  }
  CHECK(Lines(ReadFile(dir + "/index.sha256")) == digests);
  return index;
}

// Contents maps each file in |dir| to its bytes.
std::map<std::string, std::string> Contents(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const std::string& name : FilesIn(dir)) files[name] = ReadFile(dir + "/" + name);
  return files;
}

// CheckDurable checks that a power cut now would change nothing in |dir|:
// what a step that returned OK did is all synced.
void CheckDurable(const std::string& dir) {
  const auto before = Contents(dir);
  base::LoseUnsyncedChanges();
  CHECK(Contents(dir) == before);
}

// ReleaseCounts counts, for each key, the listed batch files that hold it.
std::map<std::string, int> ReleaseCounts(const std::string& dir,
                                         const std::vector<std::string>& names) {
  std::map<std::string, int> counts;
  for (const std::string& name : names) {
    auto file = wire::ExportFile::Parse(base::ToBytes(ReadFile(dir + "/" + name)));
    REQUIRE(file.ok());
    for (const auto& k : file->Keys()) ++counts[base::HexEncode(k.key_data)];
  }
  return counts;
}

// CheckReleasedOnce checks that every key of |keys| is in exactly one batch.
void CheckReleasedOnce(const std::map<std::string, int>& counts,
                       const std::vector<SubmittedKey>& keys) {
  for (const auto& k : keys) {
    auto it = counts.find(base::HexEncode(k.key_data));
    CHECK((it == counts.end() ? 0 : it->second) == 1);
  }
}

// StopAt runs |step| with |point| armed to fail at its |hit|-th pass. When it
// is reached, the step's component is closed by |close| as a crash would
// leave it, and for a power cut what was not synced is undone. Returns
// whether the point was reached; a step that does not reach it must pass.
bool StopAt(const std::string& point, int hit, bool power_cut,
            const std::function<base::Status()>& step, const std::function<void()>& close) {
  base::ArmFault(point, base::FaultAction::kError, hit);
  const base::Status s = step();
  base::DisarmFaults();
  if (s.ok()) return false;
  INFO(s.ToString());
  REQUIRE(s.message().find("injected fault at " + point) != std::string::npos);
  close();
  if (power_cut) base::LoseUnsyncedChanges();
  return true;
}

struct Stop {
  std::string point;
  int hits;  // tried at passes 1..hits
};

// The relay with batches of at most 12 keys: 30 keys close as three files.
RelayOptions SmallBatches() {
  RelayOptions o = RelayFixture::TestOptions();
  o.min_batch_keys = 4;
  o.max_batch_keys = 12;
  return o;
}

std::vector<SubmittedKey> PublishThirty(RelayFixture& f) {
  std::vector<SubmittedKey> all;
  for (int i = 0; i < 10; ++i) {
    auto keys = RelayFixture::DailyKeys(3);
    auto result = f.Publish(keys);
    REQUIRE(result.ok());
    REQUIRE(result->accepted == 3);
    all.insert(all.end(), keys.begin(), keys.end());
  }
  return all;
}

// ForEachStop runs |scenario| for every stop and both a crash and a power
// cut, and checks that every relay or verifier point was reached.
void ForEachStop(const std::vector<Stop>& stops,
                 const std::function<bool(const std::string&, int, bool)>& scenario) {
  std::map<std::string, int> reached;
  for (const Stop& stop : stops) {
    for (int hit = 1; hit <= stop.hits; ++hit) {
      for (bool power_cut : {false, true}) {
        INFO(stop.point << "@" << hit << (power_cut ? " power cut" : " crash"));
        if (scenario(stop.point, hit, power_cut)) ++reached[stop.point];
      }
    }
  }
  for (const Stop& stop : stops) {
    INFO(stop.point);
    if (stop.point.rfind("file.", 0) != 0) CHECK(reached[stop.point] > 0);
  }
}

TEST_CASE("a relay stopped at any step of a batch close releases every key once after a restart",
          "[crash][relay]") {
  // Per close: three batch files, then index.sha256 and index.txt.
  const std::vector<Stop> stops = {{"relay.close.file_written", 3}, {"relay.close.recorded", 1},
                                   {"relay.close.indexed", 1},      {"file.write.synced", 5},
                                   {"file.write.renamed", 5},       {"file.sync_directory", 5}};
  ForEachStop(stops, [](const std::string& point, int hit, bool power_cut) {
    RelayFixture f(SmallBatches());
    const std::vector<SubmittedKey> keys = PublishThirty(f);
    f.clock.Advance(3600);
    base::LoseUnsyncedChanges();  // nothing is pending; forget other tests' records
    const bool reached = StopAt(
        point, hit, power_cut, [&] { return f.relay->Maintain(); }, [&] { f.relay.reset(); });
    if (!reached) CheckDurable(f.dir.Sub("export"));
    f.Reopen();
    std::vector<std::string> names = CheckExportDirectory(f.dir.Sub("export"));
    for (const auto& info : f.relay->ListBatches("", 100)) {
      CHECK(std::find(names.begin(), names.end(), info.name()) != names.end());
    }
    CHECK(f.relay->ListBatches("", 100).size() == names.size());
    // A released key is in one batch, so far; the next close releases the rest.
    for (const auto& [key, count] : ReleaseCounts(f.dir.Sub("export"), names)) CHECK(count == 1);
    f.clock.Advance(3600);
    REQUIRE(f.relay->Maintain().ok());
    names = CheckExportDirectory(f.dir.Sub("export"));
    CheckReleasedOnce(ReleaseCounts(f.dir.Sub("export"), names), keys);
    CHECK(f.relay->PendingKeys() == 0);
    CHECK(f.relay->ListBatches("", 100).size() == names.size());
    return reached;
  });
}

TEST_CASE("a relay stopped at any step of an expiry leaves no expired batch after a restart",
          "[crash][relay]") {
  // Per expiry: index.sha256 and index.txt, then one sync of the removals.
  const std::vector<Stop> stops = {{"relay.expire.unrecorded", 1},
                                   {"relay.expire.indexed", 1},
                                   {"relay.expire.removed", 1},
                                   {"file.write.renamed", 2},
                                   {"file.sync_directory", 3}};
  ForEachStop(stops, [](const std::string& point, int hit, bool power_cut) {
    RelayFixture f(SmallBatches());
    PublishThirty(f);
    f.clock.Advance(3600);
    REQUIRE(f.relay->Maintain().ok());
    REQUIRE(f.relay->ListBatches("", 100).size() == 3);
    f.clock.Advance(16 * crypto::kDaySeconds);
    base::LoseUnsyncedChanges();
    const bool reached = StopAt(
        point, hit, power_cut, [&] { return f.relay->Maintain(); }, [&] { f.relay.reset(); });
    if (!reached) CheckDurable(f.dir.Sub("export"));
    f.Reopen();
    REQUIRE(f.relay->Maintain().ok());
    CHECK(CheckExportDirectory(f.dir.Sub("export")).empty());
    CHECK(f.relay->ListBatches("", 100).empty());
    return reached;
  });
}

openen::v1::SignedEnvelope Order(int64_t effective, const crypto::Ed25519PrivateKey& key) {
  openen::v1::DecommissionOrder o;
  o.set_effective_at(effective);
  o.set_sequence(1);
  o.set_issuer("health authority");
  return wire::SignEnvelope(wire::kDecommissionOrderContext, o, key);
}

TEST_CASE("a relay stopped at any step of a decommission finishes it at the next start",
          "[crash][relay][decommission]") {
  // decommission.bin in the export directory, then the removals' sync.
  const std::vector<Stop> stops = {{"relay.decommission.erased", 1},
                                   {"relay.decommission.removed", 1},
                                   {"file.write.renamed", 1},
                                   {"file.sync_directory", 2}};
  ForEachStop(stops, [](const std::string& point, int hit, bool power_cut) {
    RelayFixture f(SmallBatches());
    const std::vector<SubmittedKey> keys = PublishThirty(f);
    f.clock.Advance(3600);
    REQUIRE(f.relay->Maintain().ok());
    REQUIRE(base::WriteFileAtomically(
                f.dir.Sub("order.bin"),
                Order(f.clock.NowSeconds(), f.decommission_key).SerializeAsString(), false)
                .ok());
    REQUIRE(server::InstallDecommissionOrder(f.dir.Sub("order.bin"), f.dir.Sub("data"),
                                             {f.decommission_key.PublicKey()})
                .ok());
    base::LoseUnsyncedChanges();
    const bool reached = StopAt(
        point, hit, power_cut, [&] { return f.relay->Maintain(); }, [&] { f.relay.reset(); });
    if (!reached) CheckDurable(f.dir.Sub("export"));
    f.Reopen();
    CHECK(f.relay->decommissioned());
    REQUIRE(f.relay->Maintain().ok());
    CHECK(FilesIn(f.dir.Sub("export")) == std::vector<std::string>{"decommission.bin"});
    CHECK(f.relay->PendingKeys() == 0);
    f.relay.reset();
    for (const auto& k : keys)
      CHECK(relay::testing::FilesContainingInflated(f.dir.path(), k.key_data).empty());
    return reached;
  });
}

TEST_CASE(
    "a relay whose released batch is missing or different refuses to start and says what to do",
    "[crash][relay]") {
  RelayFixture f;
  REQUIRE(f.Publish(RelayFixture::DailyKeys(3)).ok());
  f.clock.Advance(3600);
  REQUIRE(f.relay->Maintain().ok());
  const auto batches = f.relay->ListBatches("", 10);
  REQUIRE(batches.size() == 1);
  const std::string name = batches[0].name();
  const std::string path = f.dir.Sub("export/" + name);
  const std::string bytes = ReadFile(path);
  f.relay.reset();

  auto open = [&] {
    return relay::Relay::Open(f.dir.Sub("data"), f.dir.Sub("export"), f.options,
                              {f.authority.PublicKey()},
                              *crypto::EcdsaP256PrivateKey::FromPem(f.signing_pem), {}, &f.clock);
  };
  const std::string head =
      "1 released batch(es) are recorded but their file is missing or different, so "
      "the relay does not start: batch " +
      name + " (" + std::to_string(bytes.size()) + " bytes, SHA-256 " +
      base::HexEncode(base::AsBytes(batches[0].sha256())) + "): " + path;
  const std::string tail =
      ". A released batch's keys exist nowhere else: copy each file back into " +
      f.dir.Sub("export") +
      " from a mirror or CDN that serves this directory (check it with sha256sum "
      "against the digest above), then start the relay again";
  REQUIRE(std::filesystem::remove(path));
  auto missing = open();
  CHECK(missing.status().code() == base::StatusCode::kDataLoss);
  CHECK(missing.status().message() == head + " is missing" + tail);
  // Nothing was changed: index.txt still lists it.
  CHECK(ReadFile(f.dir.Sub("export/index.txt")) == name + "\n");

  std::ofstream(path, std::ios::binary) << bytes.substr(1);
  CHECK(open().status().message() == head + " is " + std::to_string(bytes.size() - 1) +
                                         " bytes, not the " + std::to_string(bytes.size()) +
                                         " recorded" + tail);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 1;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
  CHECK(open().status().message() == head + " has SHA-256 " +
                                         base::HexEncode(crypto::Sha256(base::AsBytes(flipped))) +
                                         ", not the one recorded" + tail);

  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;  // restored from a mirror
  REQUIRE(open().ok());
}

// The verifier, in process.
struct VerifierFixture {
  TempDir dir;
  base::FakeClock clock{relay::testing::kNow};
  crypto::Ed25519PrivateKey key = crypto::Ed25519PrivateKey::Generate();
  crypto::Ed25519PrivateKey decommission_key = crypto::Ed25519PrivateKey::Generate();
  std::unique_ptr<verifier::Verifier> v;
  VerifierFixture() { Reopen(); }
  void Reopen() {
    v.reset();
    verifier::VerifierOptions options;
    options.decommission_keys = {decommission_key.PublicKey()};
    auto opened = verifier::Verifier::Open(
        dir.Sub("db"), *crypto::Ed25519PrivateKey::FromSeed(key.seed().Reveal()), options, &clock);
    REQUIRE(opened.ok());
    v = std::move(*opened);
  }
};

const base::Bytes kHmac(32, 0x42);

TEST_CASE("a verifier stopped after burning a code or a token lets none count twice",
          "[crash][verifier]") {
  for (bool power_cut : {false, true}) {
    VerifierFixture f;
    auto close = [&] { f.v.reset(); };

    // Codes stored, never handed out: they only wait for their expiry.
    CHECK(StopAt(
        "verifier.issue.stored", 1, power_cut,
        [&] { return f.v->IssueCode(openen::v1::CONFIRMED_TEST, 0).status(); }, close));
    f.Reopen();
    CHECK(f.v->LiveRecords() == 2);

    // Burnt before the token left: neither code of the pair counts again.
    auto codes = f.v->IssueCode(openen::v1::CONFIRMED_TEST, 0);
    REQUIRE(codes.ok());
    CHECK(StopAt(
        "verifier.exchange.burned", 1, power_cut,
        [&] { return f.v->ExchangeCode(codes->short_code).status(); }, close));
    f.Reopen();
    CHECK(f.v->ExchangeCode(codes->short_code).status().message() == "invalid or expired code");
    CHECK(f.v->ExchangeCode(codes->long_code).status().message() == "invalid or expired code");

    // Burnt before the certificate was signed: the token counts no more.
    codes = f.v->IssueCode(openen::v1::CONFIRMED_TEST, 0);
    REQUIRE(codes.ok());
    auto token = f.v->ExchangeCode(codes->long_code);
    REQUIRE(token.ok());
    CHECK(StopAt(
        "verifier.certify.burned", 1, power_cut,
        [&] { return f.v->Certify(token->token, kHmac).status(); }, close));
    f.Reopen();
    CHECK(f.v->Certify(token->token, kHmac).status().message() == "invalid or expired token");

    // Everything expires as it would have.
    f.clock.Advance(2 * crypto::kDaySeconds);
    REQUIRE(f.v->Maintain().ok());
    CHECK(f.v->LiveRecords() == 0);
  }
}

TEST_CASE(
    "a verifier stopped in its decommission refuses everything and finishes it after a restart",
    "[crash][verifier][decommission]") {
  for (bool power_cut : {false, true}) {
    VerifierFixture f;
    auto codes = f.v->IssueCode(openen::v1::CONFIRMED_TEST, 0);
    REQUIRE(codes.ok());
    auto token = f.v->ExchangeCode(codes->short_code);
    REQUIRE(token.ok());
    auto spare = f.v->IssueCode(openen::v1::CONFIRMED_TEST, 0);
    REQUIRE(spare.ok());
    REQUIRE(base::WriteFileAtomically(
                f.dir.Sub("order.bin"),
                Order(f.clock.NowSeconds(), f.decommission_key).SerializeAsString(), false)
                .ok());
    REQUIRE(server::InstallDecommissionOrder(f.dir.Sub("order.bin"), f.dir.Sub("db"),
                                             {f.decommission_key.PublicKey()})
                .ok());
    CHECK(StopAt(
        "verifier.decommission.erased", 1, power_cut, [&] { return f.v->Maintain().status(); },
        [&] { f.v.reset(); }));
    f.Reopen();
    CHECK(f.v->ExchangeCode(spare->short_code).status().message() == "decommissioned");
    CHECK(f.v->Certify(token->token, kHmac).status().message() == "decommissioned");
    REQUIRE(f.v->Maintain().ok());
    CHECK(f.v->LiveRecords() == 0);
  }
}

// The real binaries, stopped through OPENEN_FAULT.

// Spawn starts |argv| with OPENEN_FAULT=|fault| (none when empty).
std::unique_ptr<Process> Spawn(const std::vector<std::string>& argv, const std::string& fault) {
  // This process reads OPENEN_FAULT once, at its first fault point: make
  // that happen now, before the variable is set for the child.
  (void)base::FaultPoint("crash_test.start");
  if (!fault.empty()) setenv("OPENEN_FAULT", fault.c_str(), 1);
  auto p = std::make_unique<Process>(argv);
  unsetenv("OPENEN_FAULT");
  return p;
}

// WaitForExit reads the child's output until it ends (at most 30 s) and
// returns its exit code.
int WaitForExit(Process* p) {
  p->WaitForStderr(std::string("\x01 never printed"), 30000);
  return p->Stop(SIGKILL);
}

// PublishThree publishes three keys of the last three days (real clock).
std::vector<SubmittedKey> PublishThree(int port, RelayFixture& f) {
  f.clock.Set(std::time(nullptr));
  const auto keys = RelayFixture::DailyKeys(
      3, crypto::RollingStart(crypto::EnIntervalNumber(std::time(nullptr))));
  base::Bytes secret(32, 0x44);
  const auto req = RelayFixture::Request(keys, f.Certificate(keys, secret), secret);
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  grpc::ClientContext ctx;
  openen::v1::PublishResponse resp;
  REQUIRE(rpc::UnaryCall(channel.get(), "/openen.v1.Relay/Publish", &ctx, req, &resp).ok());
  REQUIRE(resp.accepted() == 3);
  return keys;
}

TEST_CASE("the relay binary crashed or cut off at each step of a close releases every key once",
          "[crash][relay][cli]") {
  RelayFixture f;  // for its certificate key
  // Each start writes index.sha256 and index.txt; the third write is the
  // first batch file.
  const std::vector<std::string> points = {"relay.close.file_written", "relay.close.recorded",
                                           "relay.close.indexed", "file.write.renamed=powerloss@3"};
  for (const std::string& spec : points) {
    for (const char* action : {"crash", "powerloss"}) {
      const std::string fault = spec.find('=') != std::string::npos ? spec : spec + "=" + action;
      if (spec.find('=') != std::string::npos && std::string(action) == "crash") continue;
      {
        INFO(fault);
        TempDir dir;
        REQUIRE(Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")}).exit_code == 0);
        std::ofstream(dir.Sub("certificate.pub"))
            << base::Base64Encode(f.authority.PublicKey().bytes()) << "\n";
        const std::vector<std::string> argv = {OPENEN_RELAY,
                                               "--data-dir",
                                               dir.Sub("data"),
                                               "--export-dir",
                                               dir.Sub("export"),
                                               "--certificate-key",
                                               dir.Sub("certificate.pub"),
                                               "--signing-key",
                                               dir.Sub("export.pem"),
                                               "--listen",
                                               "127.0.0.1:0",
                                               "--batch-period",
                                               "1",
                                               "--min-batch-keys",
                                               "5",
                                               "--maintenance-interval",
                                               "1"};
        std::vector<SubmittedKey> keys;
        {
          auto relay = Spawn(argv, fault);
          keys = PublishThree(relay->ListeningPort(), f);
          CHECK(WaitForExit(relay.get()) == base::kFaultExitCode);
          CHECK(relay->stderr_text().find("fault: stopping at " +
                                          fault.substr(0, fault.find('='))) != std::string::npos);
        }
        auto relay = Spawn(argv, "");
        const std::vector<SubmittedKey> more = PublishThree(relay->ListeningPort(), f);
        keys.insert(keys.end(), more.begin(), more.end());
        std::map<std::string, int> counts;
        for (int i = 0; i < 200; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          counts = ReleaseCounts(dir.Sub("export"), Lines(ReadFile(dir.Sub("export/index.txt"))));
          if (std::all_of(keys.begin(), keys.end(), [&](const SubmittedKey& k) {
                return counts.count(base::HexEncode(k.key_data));
              })) {
            break;
          }
        }
        CHECK(relay->Stop(SIGTERM) == 0);
        CheckReleasedOnce(ReleaseCounts(dir.Sub("export"), CheckExportDirectory(dir.Sub("export"))),
                          keys);
      }
    }
  }
}

TEST_CASE("the relay binary refuses to start without a released batch's file",
          "[crash][relay][cli]") {
  RelayFixture f;
  TempDir dir;
  REQUIRE(Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")}).exit_code == 0);
  std::ofstream(dir.Sub("certificate.pub"))
      << base::Base64Encode(f.authority.PublicKey().bytes()) << "\n";
  const std::vector<std::string> argv = {OPENEN_RELAY,
                                         "--data-dir",
                                         dir.Sub("data"),
                                         "--export-dir",
                                         dir.Sub("export"),
                                         "--certificate-key",
                                         dir.Sub("certificate.pub"),
                                         "--signing-key",
                                         dir.Sub("export.pem"),
                                         "--listen",
                                         "127.0.0.1:0",
                                         "--batch-period",
                                         "1",
                                         "--maintenance-interval",
                                         "1"};
  std::string name;
  {
    auto relay = Spawn(argv, "");
    PublishThree(relay->ListeningPort(), f);
    for (int i = 0; i < 100 && name.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      name = ReadFile(dir.Sub("export/index.txt"));
    }
    CHECK(relay->Stop(SIGTERM) == 0);
  }
  REQUIRE(!name.empty());
  name.pop_back();
  REQUIRE(std::filesystem::remove(dir.Sub("export/" + name)));
  // Run with a bound: a relay that wrongly starts must fail the test, not hang it.
  auto refused = Spawn(argv, "");
  CHECK(WaitForExit(refused.get()) == 1);
  const std::string& err = refused->stderr_text();
  CHECK(err.find("openen-relay: 1 released batch(es) are recorded but their file is missing or "
                 "different, so the relay does not start: batch " +
                 name) != std::string::npos);
  CHECK(err.find(dir.Sub("export/" + name) +
                 " is missing. A released batch's keys exist nowhere else") != std::string::npos);
}

TEST_CASE(
    "a decommission order or key cut off before its directory sync is not installed and can be "
    "again",
    "[crash][verifier][cli][decommission]") {
  TempDir dir;
  RunResult dkey = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("decommission.key")});
  REQUIRE(dkey.exit_code == 0);
  std::ofstream(dir.Sub("decommission.pub")) << dkey.out;
  auto key = server::ReadEd25519PrivateKey(dir.Sub("decommission.key"));
  REQUIRE(key.ok());
  REQUIRE(base::WriteFileAtomically(dir.Sub("order.bin"),
                                    Order(std::time(nullptr), *key).SerializeAsString(), false)
              .ok());
  REQUIRE(std::filesystem::create_directory(dir.Sub("data")));
  const std::vector<std::string> install = {OPENEN_VERIFIER,
                                            "decommission",
                                            "--order",
                                            dir.Sub("order.bin"),
                                            "--data-dir",
                                            dir.Sub("data"),
                                            "--decommission-key",
                                            dir.Sub("decommission.pub")};
  for (const char* fault :
       {"file.write.synced=crash", "file.write.synced=powerloss", "file.write.renamed=powerloss"}) {
    INFO(fault);
    auto p = Spawn(install, fault);
    CHECK(WaitForExit(p.get()) == base::kFaultExitCode);
    CHECK(!base::FileExists(dir.Sub("data/") + server::kDecommissionOrderFile));
  }
  // A crash after the rename is durable: what a power cut would also keep
  // once the directory is synced.
  auto renamed = Spawn(install, "file.write.renamed=crash");
  CHECK(WaitForExit(renamed.get()) == base::kFaultExitCode);
  CHECK(base::FileExists(dir.Sub("data/") + server::kDecommissionOrderFile));
  RunResult again = Run(install);
  CHECK(again.exit_code == 0);
  CHECK(FilesIn(dir.Sub("data")) == std::vector<std::string>{server::kDecommissionOrderFile});

  // A key cut off before its directory sync is gone: keygen can run again.
  auto keygen = Spawn({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("signing.key")},
                      "file.write.renamed=powerloss");
  CHECK(WaitForExit(keygen.get()) == base::kFaultExitCode);
  CHECK(!base::FileExists(dir.Sub("signing.key")));
  CHECK(Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("signing.key")}).exit_code == 0);
}

#endif  // OPENEN_FAULT_INJECTION

}  // namespace
}  // namespace openen
