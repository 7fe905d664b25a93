// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// One relay writes an export directory at a time, and another takes it over
// only by continuing it: the lock, the owner, adoption of the other relay's
// log and batches (Relay::Open, RelayOptions::take_over), in process; and
// a standby openen-relay taking over from a dead one under a phone that
// checks the log, with the real binaries.

#include <catch2/catch.hpp>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "openen/base/fault.h"
#include "openen/client/client.h"
#include "openen/client/platform.h"
#include "openen/client/sync.h"
#include "openen/relay/relay.h"
#include "openen/server/decommission.h"
#include "openen/wire/export.h"
#include "openen/wire/signed.h"
#include "openen/wire/tlog.h"
#include "relay_fixture.h"
#include "relay_process.h"
#include "subprocess.h"

namespace openen::relay {
namespace {

using openen::testing::ReadFile;
using openen::testing::Run;
using openen::testing::RunResult;
using openen::testing::TempDir;
using testing::kNow;
using testing::RelayFixture;
using testing::RelayProcess;

// Names lists the names of |batches|.
std::vector<std::string> Names(const std::vector<openen::v1::BatchInfo>& batches) {
  std::vector<std::string> names;
  for (const auto& b : batches) names.push_back(b.name());
  return names;
}

// LogEntries reads the entries published in <export>/log (one partial
// bundle: fewer than 256).
std::vector<std::string> LogEntries(const RelayFixture& f) {
  auto note = wire::SignedNote::Parse(ReadFile(f.dir.Sub("export/log/checkpoint")));
  REQUIRE(note.ok());
  auto head = wire::Checkpoint::Parse(note->text);
  REQUIRE(head.ok());
  REQUIRE(head->size < wire::kTileWidth);
  auto entries = wire::ParseEntryBundle(
      base::ToBytes(ReadFile(f.dir.Sub("export/log/" + wire::EntryBundlePath(0, head->size)))),
      head->size);
  REQUIRE(entries.ok());
  return *entries;
}

// Released publishes |keys| and closes the batch due |hours| after kNow.
void Release(RelayFixture& f, Relay* relay, const std::vector<SubmittedKey>& keys, int hours) {
  base::Bytes secret(32, 0x5e);
  auto r = relay->Publish(keys, f.Certificate(keys, secret), secret, false);
  REQUIRE(r.ok());
  REQUIRE(r->accepted == keys.size());
  f.clock.Set(kNow + hours * 3600);
  REQUIRE(relay->Maintain().ok());
}

// ExportZip writes a batch file of |n| random keys closing at |close|,
// signed by |key|.
std::string ExportZip(const crypto::EcdsaP256PrivateKey& key, int64_t close, int n) {
  wire::ExportBatch batch;
  batch.header.start_timestamp = static_cast<uint64_t>(close - 3600);
  batch.header.end_timestamp = static_cast<uint64_t>(close);
  batch.header.region = "ZZ";
  for (const auto& k : RelayFixture::DailyKeys(n)) {
    wire::ExportKey e;
    e.key_data = k.key_data;
    e.rolling_start_interval_number = static_cast<int32_t>(k.rolling_start_interval_number);
    e.rolling_period = 144;
    e.transmission_risk_level = 4;
    batch.keys.push_back(e);
  }
  auto zip = wire::WriteExportZip(std::move(batch), {{{"v1", "openen", ""}, &key}});
  REQUIRE(zip.ok());
  return std::string(base::AsChars(*zip));
}

RelayOptions TakeOver(RelayOptions o) {
  o.take_over = true;
  return o;
}

TEST_CASE("a second relay cannot write an export directory a running relay holds",
          "[relay][standby]") {
  RelayFixture f;
  Release(f, f.relay.get(), RelayFixture::DailyKeys(3), 1);
  const std::string index = ReadFile(f.dir.Sub("export/index.txt"));
  REQUIRE_FALSE(index.empty());
  for (bool take_over : {false, true}) {
    RelayOptions o = f.options;
    o.take_over = take_over;
    auto second = f.OpenOther("data-b", o);
    REQUIRE(second.status().code() == base::StatusCode::kFailedPrecondition);
    CHECK_THAT(second.status().message(),
               Catch::Contains("another openen-relay is writing") && Catch::Contains("--standby"));
  }
  CHECK(ReadFile(f.dir.Sub("export/index.txt")) == index);
  CHECK(f.relay->ListBatches("", 10).size() == 1);
}

TEST_CASE(
    "a relay restored empty refuses the export directory - with take_over it continues the batches "
    "and the log",
    "[relay][standby]") {
  RelayFixture f;
  const auto first = RelayFixture::DailyKeys(3);
  Release(f, f.relay.get(), first, 1);
  Release(f, f.relay.get(), RelayFixture::DailyKeys(2), 2);
  const auto released = Names(f.relay->ListBatches("", 10));
  REQUIRE(released.size() == 2);
  const std::string index = ReadFile(f.dir.Sub("export/index.txt"));
  const std::string checkpoint = ReadFile(f.dir.Sub("export/log/checkpoint"));
  const std::vector<std::string> entries = LogEntries(f);
  f.relay.reset();  // the relay and its data directory are gone

  auto refused = f.OpenOther("data-restored", f.options);
  REQUIRE(refused.status().code() == base::StatusCode::kFailedPrecondition);
  CHECK_THAT(refused.status().message(),
             Catch::Contains("another relay's batches") && Catch::Contains("--take-over"));
  CHECK(ReadFile(f.dir.Sub("export/index.txt")) == index);
  for (const auto& name : released) CHECK(std::filesystem::exists(f.dir.Sub("export/" + name)));

  auto restored = f.OpenOther("data-restored", TakeOver(f.options));
  REQUIRE(restored.ok());
  Relay& relay = **restored;
  CHECK(Names(relay.ListBatches("", 10)) == released);
  CHECK(ReadFile(f.dir.Sub("export/index.txt")) == index);
  // The same checkpoint, signature and all: the log goes on as it was.
  CHECK(ReadFile(f.dir.Sub("export/log/checkpoint")) == checkpoint);
  // The keys already released are refused again.
  base::Bytes secret(32, 0x5e);
  auto again = relay.Publish(first, f.Certificate(first, secret), secret, false);
  REQUIRE(again.ok());
  CHECK(again->accepted == 0);
  REQUIRE(again->rejected.size() == 3);
  CHECK(again->rejected[0].reason == "key was already published");
  // The next batch continues the names and the log.
  const auto later = RelayFixture::DailyKeys(2);
  Release(f, &relay, later, 3);
  const auto now_listed = Names(relay.ListBatches("", 10));
  REQUIRE(now_listed.size() == 3);
  CHECK(now_listed[2] == BatchFileName(kNow + 3 * 3600));
  const std::vector<std::string> grown = LogEntries(f);
  REQUIRE(grown.size() == entries.size() + 1);
  CHECK(std::equal(entries.begin(), entries.end(), grown.begin()));
  CHECK_THAT(grown.back(), Catch::StartsWith("batch " + now_listed[2]));
}

TEST_CASE(
    "take over adopts a batch file the other relay wrote but had not logged - not one signed by "
    "another key",
    "[relay][standby]") {
  RelayFixture f;
  Release(f, f.relay.get(), RelayFixture::DailyKeys(3), 1);
  f.relay.reset();
  const auto key = *crypto::EcdsaP256PrivateKey::FromPem(f.signing_pem);
  // The other relay died after writing this file and before logging it.
  const std::string unlogged = BatchFileName(kNow + 2 * 3600);
  std::ofstream(f.dir.Sub("export/" + unlogged), std::ios::binary)
      << ExportZip(key, kNow + 2 * 3600, 12);
  const std::string forged = BatchFileName(kNow + 3 * 3600);
  const std::string forged_zip =
      ExportZip(*crypto::EcdsaP256PrivateKey::Generate(), kNow + 3 * 3600, 12);
  std::ofstream(f.dir.Sub("export/" + forged), std::ios::binary) << forged_zip;

  auto refused = f.OpenOther("data-b", TakeOver(f.options));
  REQUIRE(refused.status().code() == base::StatusCode::kFailedPrecondition);
  CHECK_THAT(refused.status().message(),
             Catch::Contains(forged) && Catch::Contains("did not write"));
  CHECK(ReadFile(f.dir.Sub("export/" + forged)) == forged_zip);

  std::filesystem::rename(f.dir.Sub("export/" + forged), f.dir.Sub("forged.zip"));
  auto relay = f.OpenOther("data-b", TakeOver(f.options));
  REQUIRE(relay.ok());
  const auto listed = (*relay)->ListBatches("", 10);
  REQUIRE(listed.size() == 2);
  CHECK(listed[1].name() == unlogged);
  CHECK(listed[1].key_count() == 12);
  CHECK_THAT(LogEntries(f).back(), Catch::StartsWith("batch " + unlogged + " "));
}

TEST_CASE("take over refuses a log it cannot continue and a logged batch whose file is gone",
          "[relay][standby]") {
  RelayFixture f;
  Release(f, f.relay.get(), RelayFixture::DailyKeys(3), 1);
  const std::string name = f.relay->ListBatches("", 10).at(0).name();
  f.relay.reset();
  const std::string index = ReadFile(f.dir.Sub("export/index.txt"));

  RelayOptions other_log = TakeOver(f.options);
  other_log.log_key = std::make_shared<const wire::NoteSigner>(
      wire::NoteSigner::Generate("openen.example/relay-log", wire::NoteKey::Type::kEd25519));
  auto wrong_key = f.OpenOther("data-b", other_log);
  REQUIRE(wrong_key.status().code() == base::StatusCode::kDataLoss);
  CHECK_THAT(wrong_key.status().message(), Catch::Contains("not signed by this relay's log key"));

  RelayOptions no_log = TakeOver(f.options);
  no_log.log_key = nullptr;
  auto without = f.OpenOther("data-c", no_log);
  REQUIRE(without.status().code() == base::StatusCode::kFailedPrecondition);
  CHECK_THAT(without.status().message(), Catch::Contains("--log-key"));

  std::filesystem::rename(f.dir.Sub("export/" + name), f.dir.Sub("kept.zip"));
  auto missing = f.OpenOther("data-d", TakeOver(f.options));
  REQUIRE(missing.status().code() == base::StatusCode::kDataLoss);
  CHECK_THAT(missing.status().message(),
             Catch::Contains(name) && Catch::Contains("copy each file back"));
  CHECK(ReadFile(f.dir.Sub("export/index.txt")) == index);
  std::filesystem::rename(f.dir.Sub("kept.zip"), f.dir.Sub("export/" + name));
  REQUIRE(f.OpenOther("data-d", TakeOver(f.options)).ok());
}

TEST_CASE(
    "a relay back after a standby took over continues from the standby - its pending keys go out "
    "once",
    "[relay][standby]") {
  RelayFixture f;
  Release(f, f.relay.get(), RelayFixture::DailyKeys(3), 1);
  // Two uploads reach the first relay and are pending when it stops; one
  // of them is retried at the standby, which releases it.
  const auto retried = RelayFixture::DailyKeys(2);
  const auto stranded = RelayFixture::DailyKeys(2);
  for (const auto* keys : {&retried, &stranded}) {
    base::Bytes secret(32, 0x5e);
    REQUIRE(f.relay->Publish(*keys, f.Certificate(*keys, secret), secret, false)->accepted == 2);
  }
  REQUIRE(f.relay->PendingKeys() == 4);
  f.relay.reset();
  {
    auto standby = f.OpenOther("data-b", TakeOver(f.options));
    REQUIRE(standby.ok());
    Release(f, standby->get(), retried, 2);
    REQUIRE((*standby)->ListBatches("", 10).size() == 2);
  }
  // The first relay comes back: the directory is no longer its own.
  auto refused = f.OpenOther("data", f.options);
  REQUIRE(refused.status().code() == base::StatusCode::kFailedPrecondition);
  auto back = f.OpenOther("data", TakeOver(f.options));
  REQUIRE(back.ok());
  CHECK((*back)->PendingKeys() == 2);  // the retried keys went out with the standby
  f.clock.Set(kNow + 3 * 3600);
  REQUIRE((*back)->Maintain().ok());
  const auto listed = (*back)->ListBatches("", 10);
  REQUIRE(listed.size() == 3);
  CHECK(listed[2].name() == BatchFileName(kNow + 3 * 3600));
  for (const auto& k : stranded) {
    CHECK(testing::FilesContainingInflated(f.dir.Sub("export"), k.key_data) ==
          std::vector<std::string>{f.dir.Sub("export/" + listed[2].name()) + " (inflated)"});
  }
  for (const auto& k : retried) {
    CHECK(testing::FilesContainingInflated(f.dir.Sub("export"), k.key_data) ==
          std::vector<std::string>{f.dir.Sub("export/" + listed[1].name()) + " (inflated)"});
  }
}

TEST_CASE(
    "a standby relay takes over when the active one dies and the phone sees no gap - real binaries",
    "[relay][standby][e2e]") {
  RelayFixture f;  // the verifier's certificate key, and certificates
  f.clock.Set(std::time(nullptr));
  TempDir dir;
  const testing::RelayKeys keys =
      testing::MakeRelayKeys(dir, {base::Base64Encode(f.authority.PublicKey().bytes())});
  const std::string& spki = keys.export_spki;
  const std::string& log_vkey = keys.log_vkey;

  const std::string exports = dir.Sub("exports");
  RelayProcess active(dir, dir.Sub("active-data"), exports, {});
  active.WaitUntilListening();
  RelayProcess standby(dir, dir.Sub("standby-data"), exports, {"--standby"});
  REQUIRE(standby.process->WaitForStderr("standby: waiting for the relay that writes"));
  // A relay that is not a standby is refused while another writes.
  RunResult second =
      Run({OPENEN_RELAY, "--data-dir", dir.Sub("second-data"), "--export-dir", exports,
           "--certificate-key", dir.Sub("certificate.pub"), "--signing-key", dir.Sub("export.pem"),
           "--log-key", dir.Sub("log.key"), "--listen", "127.0.0.1:0"});
  CHECK(second.exit_code == 1);
  CHECK_THAT(second.err, Catch::Contains("another openen-relay is writing the export directory"));

  // A phone that checks the log, reading the export directory.
  auto keystore = std::move(*client::FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));
  base::SystemClock clock;
  client::ClientOptions o;
  o.store_dir = dir.Sub("phone");
  o.export_keys = {{"openen-v1", *crypto::EcdsaP256PublicKey::FromSpkiBase64(spki)}};
  o.log = client::LogPolicy{*wire::NoteKey::Parse(log_vkey), {}, 0};
  auto phone = client::Client::Open(o, keystore.get(), &clock);
  REQUIRE(phone.ok());
  client::DirectorySource files(exports);

  active.PublishAndRelease(f);
  auto before = (*phone)->Sync(files);
  REQUIRE(before.ok());
  CHECK(before->batches == 1);
  const std::string first = ReadFile(exports + "/index.txt");

  active.process->Stop(SIGKILL);  // no shutdown: it dies
  standby.WaitUntilListening();
  CHECK_THAT(standby.process->stderr_text(), Catch::Contains("took over the export directory"));
  standby.PublishAndRelease(f);
  const std::string index = ReadFile(exports + "/index.txt");
  REQUIRE(openen::testing::CountLines(index) == 2);
  CHECK(index.substr(0, first.size()) == first);
  CHECK(index.substr(first.size()) > first);
  // The log went on: the phone checks the new checkpoint against the one it
  // kept, and takes the standby's batch.
  auto after = (*phone)->Sync(files);
  INFO(after.status().ToString());
  REQUIRE(after.ok());
  CHECK(after->batches == 1);

  // A standby stopped while it waits exits cleanly.
  RelayProcess idle(dir, dir.Sub("idle-data"), exports, {"--standby"});
  REQUIRE(idle.process->WaitForStderr("standby: waiting"));
  CHECK(idle.process->Stop(SIGTERM) == 0);
  CHECK(standby.process->Stop(SIGTERM) == 0);
}

}  // namespace
}  // namespace openen::relay

namespace openen::relay {
namespace {

TEST_CASE(
    "a relay taking over a decommissioned directory stays switched off - or does not start without "
    "the key",
    "[relay][standby][decommission]") {
  RelayFixture f;
  Release(f, f.relay.get(), RelayFixture::DailyKeys(3), 1);
  openen::v1::DecommissionOrder o;
  o.set_effective_at(kNow + 3600);
  o.set_issuer("health authority");
  std::ofstream(f.dir.Sub("order.bin"), std::ios::binary)
      << wire::SignEnvelope(wire::kDecommissionOrderContext, o, f.decommission_key)
             .SerializeAsString();
  REQUIRE(server::InstallDecommissionOrder(f.dir.Sub("order.bin"), f.dir.Sub("data"),
                                           {f.decommission_key.PublicKey()})
              .ok());
  REQUIRE(f.relay->Maintain().ok());
  REQUIRE(f.relay->decommissioned());
  f.relay.reset();

  RelayOptions keyless = f.options;
  keyless.decommission_keys.clear();
  auto refused = f.OpenOther("data-b", keyless);
  REQUIRE(refused.status().code() == base::StatusCode::kFailedPrecondition);
  CHECK_THAT(refused.status().message(), Catch::Contains("serves a decommission order"));

  auto standby = f.OpenOther("data-b", TakeOver(f.options));
  REQUIRE(standby.ok());
  CHECK((*standby)->decommissioned());
  CHECK((*standby)->ListBatches("", 10).empty());
  base::Bytes secret(32, 0x5e);
  const auto keys = RelayFixture::DailyKeys(2);
  CHECK((*standby)->Publish(keys, f.Certificate(keys, secret), secret, false).status().code() ==
        base::StatusCode::kFailedPrecondition);
  CHECK_FALSE(std::filesystem::exists(f.dir.Sub("export/log/checkpoint")));
}

#ifdef OPENEN_FAULT_INJECTION
TEST_CASE("a take-over stopped after its write finishes at the next start", "[relay][standby]") {
  RelayFixture f;
  Release(f, f.relay.get(), RelayFixture::DailyKeys(3), 1);
  f.relay.reset();
  const auto key = *crypto::EcdsaP256PrivateKey::FromPem(f.signing_pem);
  const std::string unlogged = BatchFileName(kNow + 2 * 3600);
  std::ofstream(f.dir.Sub("export/" + unlogged), std::ios::binary)
      << ExportZip(key, kNow + 2 * 3600, 12);
  base::ArmFault("relay.takeover.written", base::FaultAction::kError);
  REQUIRE_FALSE(f.OpenOther("data-b", TakeOver(f.options)).ok());
  base::DisarmFaults();
  // Its log now has the adopted batch, the published one not yet.
  auto relay = f.OpenOther("data-b", TakeOver(f.options));
  REQUIRE(relay.ok());
  const auto listed = (*relay)->ListBatches("", 10);
  REQUIRE(listed.size() == 2);
  CHECK(listed[1].name() == unlogged);
  CHECK(LogEntries(f).size() == 2);
}
#endif  // OPENEN_FAULT_INJECTION

}  // namespace
}  // namespace openen::relay
