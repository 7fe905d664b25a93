// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Phones that follow the relay's transparency log: they process what the
// log holds, and refuse a forked or rolled-back log, a listed batch the log
// lacks, a logged batch withheld, bytes other than those logged, and entries
// or checkpoints that do not verify. A real relay; mirrors made from its
// export directory play the relay or CDN that shows one phone another world.

#include "openen/client/transparency.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "openen/client/client.h"
#include "openen/client_grpc/relay_source.h"
#include "openen/crypto/hash.h"
#include "openen/wire/export.h"
#include "openen/wire/tlog.h"
#include "test_util.h"
#include "world.h"

namespace openen::client {
namespace {

using relay::testing::RelayFixture;
using testing::World;
namespace fs = std::filesystem;

const int64_t kDay0 = relay::testing::kNow - 10 * 3600;

// Mirror copies the relay's export directory (batches, listing, log) to
// |name|, as a CDN would, and returns its path.
std::string Mirror(World& w, const std::string& name) {
  const std::string mirror = w.dir.Sub(name);
  fs::remove_all(mirror);
  fs::copy(w.relay.dir.Sub("export"), mirror, fs::copy_options::recursive);
  return mirror;
}

// Release publishes two random keys at |relay| and closes the batch of hour
// |hour| after day0's 11:00 (hour 0 is 11:00 on the day after day0),
// moving |phone_clock| along when given; returns the batch's name.
std::string Release(RelayFixture& relay, int hour, base::FakeClock* phone_clock = nullptr,
                    uint32_t keys_days_old = 0) {
  const int64_t t = kDay0 + 86400 + 3600 + hour * 3600;
  auto set_time = [&](int64_t at) {
    relay.clock.Set(at);
    if (phone_clock) phone_clock->Set(at);
  };
  set_time(t - 1800);
  const uint32_t today = crypto::RollingStart(crypto::EnIntervalNumber(t));
  REQUIRE(relay.Publish(RelayFixture::DailyKeys(2, today - 144 * keys_days_old)).ok());
  set_time(t);
  REQUIRE(relay.relay->Maintain().ok());
  return relay::BatchFileName(t);
}
std::string Release(World& w, int hour, uint32_t keys_days_old = 0) {
  return Release(w.relay, hour, &w.phone_clock, keys_days_old);
}

void Rewrite(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
}

void CheckMisbehaving(const base::StatusOr<SyncReport>& report, const std::string& message) {
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == base::StatusCode::kDataLoss);
  CHECK(report.status().reason() == kMisbehavingSourceReason);
  CHECK(report.status().message() == message);
}

TEST_CASE("a phone that follows the log processes what it holds and keeps its checkpoint",
          "[client][sync][transparency]") {
  World w;
  auto alice = w.NewPhone("alice");
  auto bob = w.NewPhone("bob", w.Log());
  testing::MeetAndRelease(&w, alice.get(), bob.get(), kDay0);
  DirectorySource files(w.relay.dir.Sub("export"));
  auto report = bob->Sync(files);
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
  CHECK(testing::ScoreOfDay(bob.get(), static_cast<uint32_t>(kDay0 / 86400)) == Approx(1800));
  // The same over gRPC, for another phone; and nothing new the second time.
  auto carol = w.NewPhone("carol", w.Log());
  client_grpc::RelaySource grpc_source(w.Channel());
  auto over_grpc = carol->Sync(grpc_source);
  REQUIRE(over_grpc.ok());
  CHECK(over_grpc->batches == 1);
  CHECK(bob->Sync(files)->batches == 0);
  // A later batch, and only it, comes with the next sync.
  Release(w, 1);
  report = bob->Sync(files);
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
  CHECK(bob->Sync(grpc_source)->batches == 0);
}

TEST_CASE(
    "a forked log is refused and a rolled-back one not taken - the phone keeps its checkpoint and "
    "progress",
    "[client][sync][transparency]") {
  World w;
  auto bob = w.NewPhone("bob", w.Log());
  Release(w, 0);
  const std::string before = Mirror(w, "before");  // the log at size 1
  Release(w, 1);
  DirectorySource files(w.relay.dir.Sub("export"));
  REQUIRE(bob->Sync(files)->batches == 2);

  // The same relay's older checkpoint (a mirror behind, or a rollback):
  // nothing to take from it, try again.
  DirectorySource old(before);
  auto behind = bob->Sync(old);
  CHECK(behind.status().code() == base::StatusCode::kUnavailable);
  CHECK(behind.status().message() ==
        "the log's tree head has size 1, behind the 2 seen before: the source is behind, or was "
        "rolled back");

  // Another history under the same log key (a relay that keeps two logs,
  // one for this phone): as long, or longer, and not an extension.
  relay::RelayOptions options = RelayFixture::TestOptions();
  options.log_key = w.relay.log_key;
  RelayFixture forked(options);
  for (int hour : {0, 1, 2}) Release(forked, hour);
  DirectorySource fork(forked.dir.Sub("export"));
  auto refused = bob->Sync(fork);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().reason() == kMisbehavingSourceReason);
  CHECK(refused.status().message().find("does not extend the one of size 2") != std::string::npos);
  // Nothing moved: the genuine relay's next batch comes, and only it.
  Release(w, 2);
  auto report = bob->Sync(files);
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
}

TEST_CASE("an app that pins another log starts afresh in it - its old position does not count",
          "[client][sync][transparency]") {
  World w;
  Release(w, 0);
  Release(w, 1);
  auto bob = w.NewPhone("bob", w.Log());
  DirectorySource files(w.relay.dir.Sub("export"));
  REQUIRE(bob->Sync(files)->batches == 2);
  // The authority moves to another relay and log; the app update pins it.
  RelayFixture moved;
  for (int hour : {0, 1, 2}) Release(moved, hour);
  bob.reset();
  ClientOptions o;
  o.store_dir = w.dir.Sub("bob");
  o.export_keys = {{"openen-v1", moved.relay->export_public_key()}};
  o.log = LogPolicy{moved.log_key->public_key(), {}, 0};
  auto reopened = Client::Open(o, w.keystore.get(), &w.phone_clock);
  REQUIRE(reopened.ok());
  DirectorySource moved_files(moved.dir.Sub("export"));
  auto report = (*reopened)->Sync(moved_files);
  REQUIRE(report.ok());
  CHECK(report->batches == 3);
}

TEST_CASE("a listed batch the log lacks is refused - a far-future name does not move progress",
          "[client][sync][transparency]") {
  World w;
  auto alice = w.NewPhone("alice");
  auto bob = w.NewPhone("bob", w.Log());
  const std::string name = testing::MeetAndRelease(&w, alice.get(), bob.get(), kDay0);
  const std::string mirror = Mirror(w, "mirror");
  fs::copy_file(mirror + "/" + name, mirror + "/batch-9999999999.zip");
  std::ofstream(mirror + "/index.txt", std::ios::app) << "batch-9999999999.zip\n";
  fs::remove(mirror + "/index.sha256");
  DirectorySource hostile(mirror);
  CheckMisbehaving(bob->Sync(hostile),
                   "batch-9999999999.zip is listed but is not in the log (size 1)");
  DirectorySource genuine(w.relay.dir.Sub("export"));
  auto report = bob->Sync(genuine);
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
  CHECK(testing::ScoreOfDay(bob.get(), static_cast<uint32_t>(kDay0 / 86400)) == Approx(1800));
}

TEST_CASE(
    "a logged batch not served before it expires is withheld and refused - after, it is skipped",
    "[client][sync][transparency]") {
  World w;
  // The first batch holds only keys 10 days old: the relay keeps it 4 days.
  const std::string first = Release(w, 0, 9), second = Release(w, 1), third = Release(w, 2);
  auto listing = [](const std::string& dir, const std::vector<std::string>& names) {
    std::string index;
    for (const auto& n : names) index += n + "\n";
    Rewrite(dir + "/index.txt", index);
    fs::remove(dir + "/index.sha256");
  };
  // The middle one is gone, and unlisted: withheld.
  const std::string gap = Mirror(w, "gap");
  fs::remove(gap + "/" + second);
  listing(gap, {first, third});
  auto bob = w.NewPhone("bob", w.Log());
  DirectorySource withheld(gap);
  auto refused = bob->Sync(withheld);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().reason() == kMisbehavingSourceReason);
  CHECK(refused.status().message().starts_with(second + " is in the log and kept until "));
  // Every file gone and nothing listed: still withheld, and nothing moves.
  const std::string empty = Mirror(w, "empty");
  for (const auto& n : {first, second, third}) fs::remove(empty + "/" + n);
  listing(empty, {});
  auto carol = w.NewPhone("carol", w.Log());
  DirectorySource nothing(empty);
  CHECK(carol->Sync(nothing).status().reason() == kMisbehavingSourceReason);
  // Five days on, the first has expired at the source: skipped.
  const std::string expired = Mirror(w, "expired");
  fs::remove(expired + "/" + first);
  listing(expired, {second, third});
  w.SetTime(w.phone_clock.NowSeconds() + 5 * 86400);
  DirectorySource source(expired);
  auto report = carol->Sync(source);
  REQUIRE(report.ok());
  CHECK(report->batches == 2);
  REQUIRE(report->skipped.size() == 1);
  CHECK(report->skipped[0].name == first);
  CHECK(report->skipped[0].reason == "in the log, expired at the source");
  // Bob processed the first before his refusal, and stopped there: the
  // genuine directory gives him the other two.
  DirectorySource genuine(w.relay.dir.Sub("export"));
  CHECK(bob->Sync(genuine)->batches == 2);
}

TEST_CASE("bytes other than those logged, and entries that do not lead to the root, are refused",
          "[client][sync][transparency]") {
  World w;
  const std::string name = Release(w, 0);
  // Another genuinely signed file under the logged name, listed with its
  // own digest: the listing is consistent, the log is not.
  const std::string swapped = Mirror(w, "swapped");
  const base::Bytes other = testing::ResignedShorter(
      w.relay, base::ToBytes(openen::testing::ReadFile(swapped + "/" + name)));
  Rewrite(swapped + "/" + name, std::string(base::AsChars(other)));
  Rewrite(swapped + "/index.sha256", base::HexEncode(crypto::Sha256(other)) + "  " + name + "\n");
  auto bob = w.NewPhone("bob", w.Log());
  DirectorySource source(swapped);
  auto refused = bob->Sync(source);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().reason() == kMisbehavingSourceReason);
  CHECK(refused.status().message().starts_with(
      name + ": its SHA-256 is " + base::HexEncode(crypto::Sha256(other)) + ", the log says "));

  // An entry bundle edited to name the swapped bytes: the root tells.
  const std::string edited = Mirror(w, "edited");
  Rewrite(edited + "/" + name, std::string(base::AsChars(other)));
  const std::string bundle_path = edited + "/log/" + wire::EntryBundlePath(0, 1);
  auto entries = wire::ParseEntryBundle(base::ToBytes(openen::testing::ReadFile(bundle_path)), 1);
  REQUIRE(entries.ok());
  auto entry = wire::LogEntry::Parse((*entries)[0]);
  REQUIRE(entry.ok());
  entry->sha256 = crypto::Sha256(other);
  Rewrite(bundle_path, std::string(base::AsChars(wire::EncodeEntryBundle({entry->Encode()}))));
  DirectorySource tampered(edited);
  refused = bob->Sync(tampered);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == base::StatusCode::kDataLoss);
  CHECK(refused.status().message() == "log entries 0..1 are not those of the signed tree head");
  DirectorySource genuine(w.relay.dir.Sub("export"));
  CHECK(bob->Sync(genuine)->batches == 1);
}

TEST_CASE("a phone that requires k witnesses refuses a checkpoint with fewer cosignatures",
          "[client][sync][transparency]") {
  World w;
  Release(w, 0);
  const auto witness = [](const char* name) {
    return wire::NoteSigner::Generate(name, wire::NoteKey::Type::kCosignature);
  };
  const wire::NoteSigner a = witness("witness.example/a"), b = witness("witness.example/b"),
                         c = witness("witness.example/c");
  LogPolicy policy = w.Log();
  policy.witness_keys = {a.public_key(), b.public_key(), c.public_key()};
  policy.witness_quorum = 2;
  auto bob = w.NewPhone("bob", policy);
  const std::string mirror = Mirror(w, "cosigned");
  const std::string checkpoint = mirror + "/log/checkpoint";
  auto note = wire::SignedNote::Parse(openen::testing::ReadFile(checkpoint));
  REQUIRE(note.ok());
  DirectorySource source(mirror);
  auto cosign = [&](const wire::NoteSigner& witness) {
    note->signatures.push_back(witness.Sign(note->text, relay::testing::kNow));
    Rewrite(checkpoint, note->Format());
  };
  const std::string fewer =
      "log/checkpoint: the checkpoint has 1 of the 2 witness cosignatures required";
  CHECK(bob->Sync(source).status().message() ==
        "log/checkpoint: the checkpoint has 0 of the 2 witness cosignatures required");
  cosign(a);
  CHECK(bob->Sync(source).status().message() == fewer);
  cosign(a);  // the same witness twice counts once
  CHECK(bob->Sync(source).status().message() == fewer);
  // A cosignature by a key of the right name but not the pinned one.
  cosign(witness("witness.example/b"));
  CHECK(bob->Sync(source).status().message() == fewer);
  cosign(c);
  auto report = bob->Sync(source);
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
}

TEST_CASE("a log policy with keys of the wrong type or an impossible quorum is refused at Open",
          "[client][transparency]") {
  const wire::NoteSigner log =
      wire::NoteSigner::Generate("log.example", wire::NoteKey::Type::kEd25519);
  const wire::NoteSigner witness =
      wire::NoteSigner::Generate("witness.example", wire::NoteKey::Type::kCosignature);
  CHECK(LogPolicy{log.public_key(), {witness.public_key()}, 1}.Check().ok());
  CHECK(LogPolicy{witness.public_key(), {}, 0}.Check().message() ==
        "the log key must be an Ed25519 note key (type 0x01)");
  CHECK(LogPolicy{log.public_key(), {log.public_key()}, 0}.Check().message() ==
        "witness key log.example must be a cosignature/v1 key (type 0x04)");
  CHECK(LogPolicy{log.public_key(), {witness.public_key(), witness.public_key()}, 1}
            .Check()
            .message() == "witness key witness.example is given twice");
  CHECK(LogPolicy{log.public_key(), {witness.public_key()}, 2}.Check().message() ==
        "the witness quorum is 2, but only 1 witness keys are given");
}

}  // namespace
}  // namespace openen::client
