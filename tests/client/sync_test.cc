// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Two phones meet; one is diagnosed and publishes through a real relay over
// loopback gRPC; the other syncs, matches and finds the exposure.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "openen/client/client.h"
#include "openen/client_grpc/relay_source.h"
#include "openen/crypto/hash.h"
#include "openen/relay/service.h"
#include "openen/server/grpc_server.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/relay.grpc.pb.h"
#include "openen/wire/signed.h"
#include "server/relay_fixture.h"
#include "store.h"  // internal: the retention test reads a metadata record
#include "world.h"

namespace openen::client {
namespace {

using relay::testing::RelayFixture;
using testing::Meet;
using testing::MeetAndRelease;
using testing::ScoreOfDay;
using testing::World;
using testing::WriteIndex;

TEST_CASE("a contact is found through the relay over loopback gRPC", "[client][sync][e2e]") {
  World w;
  auto alice = w.NewPhone("alice");
  auto bob = w.NewPhone("bob");
  auto carol = w.NewPhone("carol");
  const int64_t day0 = relay::testing::kNow - 10 * 3600;
  Meet(&w, alice.get(), bob.get(), day0 + 12 * 3600, 25, -50);  // 26 minutes, attenuation 40 dB

  // Alice is diagnosed the next day and uploads; yesterday's key goes out at 01:00.
  w.SetTime(day0 + 86400 + 1800);
  w.Upload(alice.get());
  w.SetTime(day0 + 86400 + 3600);
  REQUIRE(w.relay.relay->Maintain().ok());

  client_grpc::RelaySource source(w.Channel());
  auto report = bob->Sync(source);
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
  CHECK(report->matched_identifiers == 3);  // 26 minutes span three RPIs
  CHECK(report->new_exposure_windows == 1);
  auto days = bob->DailySummaries();
  REQUIRE(days.ok());
  REQUIRE(days->size() == 1);
  CHECK((*days)[0].day == static_cast<uint32_t>(day0 / 86400));
  // Six scans, 300 s each, near bucket (weight 1.0), standard infectiousness.
  CHECK((*days)[0].weighted_duration_sum_seconds == Approx(1800));
  CHECK((*days)[0].score_sum == Approx(1800));
  CHECK((*days)[0].exposure);
  CHECK(bob->Summary()->days[0].exposure_windows == 1);

  // Nothing twice: progress is remembered, and survives for the next sync.
  auto again = bob->Sync(source);
  REQUIRE(again.ok());
  CHECK(again->batches == 0);

  // Carol met nobody: the batch is processed, nothing found.
  auto none = carol->Sync(source);
  REQUIRE(none.ok());
  CHECK(none->batches == 1);
  CHECK(none->new_exposure_windows == 0);
  CHECK(carol->DailySummaries()->empty());

  // The same files from the static export directory give the same answer.
  auto dave = w.NewPhone("dave");
  Meet(&w, alice.get(), dave.get(), day0 + 12 * 3600, 25, -50);
  w.SetTime(day0 + 86400 + 3600);
  DirectorySource files(w.relay.dir.Sub("export"));
  auto from_files = dave->Sync(files);
  REQUIRE(from_files.ok());
  CHECK(from_files->new_exposure_windows == 1);
  CHECK((*dave->DailySummaries())[0].score_sum == Approx(1800));
}

TEST_CASE("a batch that fails verification stops the sync - progress is kept", "[client][sync]") {
  World w;
  auto alice = w.NewPhone("alice");
  const int64_t day0 = relay::testing::kNow - 10 * 3600;
  w.SetTime(day0 + 12 * 3600);
  REQUIRE(alice->CurrentAdvertisement().ok());
  w.SetTime(day0 + 86400 + 600);
  w.Upload(alice.get());
  w.SetTime(day0 + 86400 + 3600);
  REQUIRE(w.relay.relay->Maintain().ok());

  // A mirror whose file was tampered with.
  const std::string mirror = w.dir.Sub("mirror");
  std::filesystem::copy(w.relay.dir.Sub("export"), mirror);
  const std::string name = w.relay.relay->ListBatches("", 1)[0].name();
  std::string zip = openen::testing::ReadFile(mirror + "/" + name);
  {
    auto file = wire::ExportFile::Parse(base::ToBytes(zip));
    REQUIRE(file.ok());
  }
  // Re-sign with another key: a valid file, the wrong signer.
  auto original = wire::ExportFile::Parse(base::ToBytes(zip));
  wire::ExportBatch batch;
  batch.header = original->header();
  batch.keys = original->Keys();
  auto impostor = crypto::EcdsaP256PrivateKey::Generate();
  auto forged = wire::WriteExportZip(batch, {{{"v1", "openen", ""}, &*impostor}});
  std::ofstream(mirror + "/" + name, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(forged->data()), static_cast<std::streamsize>(forged->size()));
  // A mirror that lists no digests: the signature is what refuses the file.
  std::filesystem::remove(mirror + "/index.sha256");

  auto bob = w.NewPhone("bob");
  DirectorySource bad(mirror);
  auto report = bob->Sync(bad);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == base::StatusCode::kUnauthenticated);
  CHECK(report.status().message() == name + ": signature by openen-v1 does not verify");
  // Not marked as done: the genuine source still delivers it.
  DirectorySource good(w.relay.dir.Sub("export"));
  auto retry = bob->Sync(good);
  REQUIRE(retry.ok());
  CHECK(retry->batches == 1);

  // Files that list paths are refused.
  std::ofstream(mirror + "/index.txt", std::ios::trunc) << "../../etc/passwd\n";
  auto carol = w.NewPhone("carol");
  CHECK(carol->Sync(bad).status().message() == "index.txt lists '../../etc/passwd', not a plain file name");
  // Names of bytes that are not printable ASCII are refused too, and an error
  // shows at most 64 bytes of what was listed, escaped: short, valid UTF-8.
  std::ofstream(mirror + "/index.txt", std::ios::trunc | std::ios::binary)
      << "batch-\xa1\x01 .zip\n";
  CHECK(carol->Sync(bad).status().message() ==
        "index.txt lists 'batch-\\xa1\\x01 .zip', not a plain file name");
  std::ofstream(mirror + "/index.txt", std::ios::trunc) << std::string(300, 'a') << "\n";
  CHECK(carol->Sync(bad).status().message() ==
        "index.txt lists '" + std::string(64, 'a') + "...', not a plain file name");
}

openen::v1::SignedEnvelope Config(uint64_t serial, uint32_t retention, double minimum_score,
                                  const crypto::Ed25519PrivateKey& key) {
  openen::v1::RelayConfig c;
  c.set_serial(serial);
  c.set_expires_at(relay::testing::kNow + 30 * 86400);
  c.set_retention_days(retention);
  c.mutable_risk()->set_minimum_daily_score(minimum_score);
  return wire::SignEnvelope(wire::kRelayConfigContext, c, key);
}

TEST_CASE("sync adopts the authority's configuration - forged ones fail, older ones are ignored",
          "[client][sync][config]") {
  World w;
  // The relay serves a configuration: also written to its export directory.
  w.relay.Reopen(Config(2, 10, 5000, w.relay.config_key));
  REQUIRE(std::filesystem::exists(w.relay.dir.Sub("export/config.bin")));
  auto alice = w.NewPhone("alice");
  auto bob = w.NewPhone("bob");
  const int64_t day0 = relay::testing::kNow - 10 * 3600;
  Meet(&w, alice.get(), bob.get(), day0 + 12 * 3600, 25, -50);
  w.SetTime(day0 + 86400 + 600);
  w.Upload(alice.get());
  w.SetTime(day0 + 86400 + 3600);
  REQUIRE(w.relay.relay->Maintain().ok());

  DirectorySource files(w.relay.dir.Sub("export"));
  REQUIRE(bob->Sync(files).ok());
  CHECK(bob->retention_days() == 10);
  auto days = bob->DailySummaries();
  REQUIRE(days->size() == 1);
  CHECK((*days)[0].score_sum == Approx(1800));
  CHECK_FALSE((*days)[0].exposure);  // the authority asks for 5000

  // A mirror serving an older configuration: ignored, not an error.
  const std::string mirror = w.dir.Sub("mirror");
  std::filesystem::copy(w.relay.dir.Sub("export"), mirror);
  auto write_config = [&](const openen::v1::SignedEnvelope& env) {
    std::ofstream(mirror + "/config.bin", std::ios::binary | std::ios::trunc) << env.SerializeAsString();
  };
  write_config(Config(1, 14, 900, w.relay.config_key));
  DirectorySource old_config(mirror);
  REQUIRE(bob->Sync(old_config).ok());
  CHECK(bob->retention_days() == 10);
  CHECK_FALSE((*bob->DailySummaries())[0].exposure);

  // A phone that pins no configuration or decommission key ignores announcements.
  ClientOptions plain;
  plain.store_dir = w.dir.Sub("no-authority");
  plain.export_keys = {{"openen-v1", w.relay.relay->export_public_key()}};
  auto dora = Client::Open(plain, w.keystore.get(), &w.phone_clock);
  REQUIRE(dora.ok());
  CHECK((*dora)->Sync(old_config).ok());
  CHECK((*dora)->retention_days() == 14);

  // A forged configuration stops the sync.
  write_config(Config(3, 14, 900, crypto::Ed25519PrivateKey::Generate()));
  DirectorySource forged(mirror);
  CHECK(bob->Sync(forged).status().message() == "configuration: signature verification failed");
  std::ofstream(mirror + "/config.bin", std::ios::trunc) << "not a protobuf at all \xff\xff";
  CHECK_FALSE(bob->Sync(forged).ok());

  // A newer one is adopted.
  write_config(Config(3, 14, 900, w.relay.config_key));
  REQUIRE(bob->Sync(forged).ok());
  CHECK(bob->retention_days() == 14);
  CHECK((*bob->DailySummaries())[0].exposure);
}

TEST_CASE("RelaySource fetches the announcements with GetConfig", "[client][sync][config]") {
  World w;
  client_grpc::RelaySource none(w.Channel());
  auto empty = none.Announcements(base::NeverCancelled());
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->configuration.has_value());
  CHECK_FALSE(empty->decommission_order.has_value());

  auto env = Config(4, 12, 900, w.relay.config_key);
  w.relay.Reopen(env);
  server::WorkerPool pool(1);
  relay::RelayService service(w.relay.relay.get(), &pool);
  auto r = server::StartServer({}, {&service});
  REQUIRE(r.ok());
  client_grpc::RelaySource source(grpc::CreateChannel("127.0.0.1:" + std::to_string(r->port),
                                                      grpc::InsecureChannelCredentials()));
  auto got = source.Announcements(base::NeverCancelled());
  REQUIRE(got.ok());
  REQUIRE(got->configuration.has_value());
  CHECK(std::string(base::AsChars(*got->configuration)) == env.SerializeAsString());
  auto bob = w.NewPhone("bob");
  REQUIRE(bob->Sync(source).ok());
  CHECK(bob->retention_days() == 12);
  server::ShutdownGracefully(r->server.get(), 1);
}

TEST_CASE("the same genuine zip under three names scores once", "[client][sync][duplicates]") {
  World w;
  auto alice = w.NewPhone("alice");
  auto bob = w.NewPhone("bob");
  const int64_t day0 = relay::testing::kNow - 10 * 3600;
  const std::string name = MeetAndRelease(&w, alice.get(), bob.get(), day0);
  const std::string mirror = w.dir.Sub("mirror");
  std::filesystem::create_directories(mirror);
  const std::string genuine = w.relay.dir.Sub("export/" + name);
  const std::vector<std::string> copies = {"copy-1.zip", "copy-2.zip", "copy-3.zip"};
  for (const auto& copy : copies) std::filesystem::copy_file(genuine, mirror + "/" + copy);
  WriteIndex(mirror, copies);

  DirectorySource source(mirror);
  auto report = bob->Sync(source);
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
  CHECK(report->new_exposure_windows == 1);
  REQUIRE(report->skipped.size() == 2);
  CHECK(report->skipped[0].name == "copy-2.zip");
  CHECK(report->skipped[0].reason == "the same bytes as a batch already processed");
  CHECK(report->skipped[1].name == "copy-3.zip");
  CHECK(ScoreOfDay(bob.get(), static_cast<uint32_t>(day0 / 86400)) == Approx(1800));

  // Carol gets it first under its own name from the relay, then the three
  // copies from the mirror: all three skipped, counted once.
  auto carol = w.NewPhone("carol");
  Meet(&w, alice.get(), carol.get(), day0 + 12 * 3600, 25, -50);
  w.SetTime(day0 + 86400 + 3600);
  DirectorySource relay_files(w.relay.dir.Sub("export"));
  REQUIRE(carol->Sync(relay_files)->batches == 1);
  auto mirrored = carol->Sync(source);
  REQUIRE(mirrored.ok());
  CHECK(mirrored->batches == 0);
  CHECK(mirrored->skipped.size() == 3);
  CHECK(ScoreOfDay(carol.get(), static_cast<uint32_t>(day0 / 86400)) == Approx(1800));
}

TEST_CASE("the same key in two different genuine batches scores once", "[client][sync][duplicates]") {
  World w;
  auto alice = w.NewPhone("alice");
  auto bob = w.NewPhone("bob");
  const int64_t day0 = relay::testing::kNow - 10 * 3600;
  const std::string name = MeetAndRelease(&w, alice.get(), bob.get(), day0);
  // A second batch, signed by the same authority (another relay of it, or the
  // same person's keys published twice before duplicates were refused): the
  // same key among other keys, so different bytes.
  auto first = wire::ExportFile::Parse(
      base::ToBytes(openen::testing::ReadFile(w.relay.dir.Sub("export/" + name))));
  REQUIRE(first.ok());
  wire::ExportBatch batch;
  batch.header = first->header();
  batch.header.start_timestamp += 3600;
  batch.header.end_timestamp += 3600;
  batch.keys = first->Keys();
  auto own = alice->KeysForUpload();
  REQUIRE(own.ok());
  for (auto& k : batch.keys) {
    const bool alices = std::any_of(own->begin(), own->end(), [&](const OwnKey& o) {
      return std::equal(k.key_data.begin(), k.key_data.end(), o.key_data.Reveal().begin(), o.key_data.Reveal().end());
    });
    if (!alices) crypto::RandomBytes(k.key_data);
  }
  auto signer = crypto::EcdsaP256PrivateKey::FromPem(w.relay.signing_pem);
  auto second = wire::WriteExportZip(batch, {{{"v1", "openen", ""}, &*signer}});
  REQUIRE(second.ok());
  const std::string second_name = relay::BatchFileName(static_cast<int64_t>(batch.header.end_timestamp));
  const std::string mirror = w.dir.Sub("mirror");
  std::filesystem::create_directories(mirror);
  std::filesystem::copy_file(w.relay.dir.Sub("export/" + name), mirror + "/" + name);
  std::ofstream(mirror + "/" + second_name, std::ios::binary)
      .write(reinterpret_cast<const char*>(second->data()), static_cast<std::streamsize>(second->size()));
  WriteIndex(mirror, {name, second_name});

  DirectorySource source(mirror);
  auto report = bob->Sync(source);
  REQUIRE(report.ok());
  CHECK(report->batches == 2);
  CHECK(report->skipped.empty());
  CHECK(report->new_exposure_windows == 1);
  CHECK(report->repeated_exposure_windows == 1);
  CHECK(ScoreOfDay(bob.get(), static_cast<uint32_t>(day0 / 86400)) == Approx(1800));
  CHECK(bob->Summary()->days[0].exposure_windows == 1);
}

TEST_CASE(
    "a renamed batch whose signed window disagrees with its name is refused - progress does not "
    "move",
    "[client][sync][duplicates]") {
  World w;
  auto alice = w.NewPhone("alice");
  auto bob = w.NewPhone("bob");
  const int64_t day0 = relay::testing::kNow - 10 * 3600;
  const std::string name = MeetAndRelease(&w, alice.get(), bob.get(), day0);
  const int64_t closed = day0 + 86400 + 3600;
  const std::string renamed = relay::BatchFileName(closed + 3600);
  const std::string far_future = "batch-9999999999.zip";
  const std::string other_server = std::to_string(closed - 3600) + "-" + std::to_string(closed + 7200) + "-00001.zip";
  const std::pair<std::string, std::string> cases[] = {
      {other_server, "its name says " + std::to_string(closed - 3600) + "-" +
                         std::to_string(closed + 7200) + " part 1, its signed header " +
                         std::to_string(closed - 3600) + "-" + std::to_string(closed) + " part 1"},
      {renamed, "its name says it closed at " + std::to_string(closed + 3600) +
                    ", its signed header at " + std::to_string(closed)},
      {far_future,
       "its name says it closed at 9999999999, its signed header at " + std::to_string(closed)}};
  for (const auto& [copy, why] : cases) {
    INFO(copy);
    const std::string mirror = w.dir.Sub("mirror-" + copy);
    std::filesystem::create_directories(mirror);
    std::filesystem::copy_file(w.relay.dir.Sub("export/" + name), mirror + "/" + copy);
    WriteIndex(mirror, {copy});
    DirectorySource source(mirror);
    auto report = bob->Sync(source);
    REQUIRE_FALSE(report.ok());
    CHECK(report.status().code() == base::StatusCode::kDataLoss);
    CHECK(report.status().reason() == kMisbehavingSourceReason);
    CHECK(report.status().message() == copy + ": " + why);
  }
  // Progress did not move past the genuine batch: the relay's own listing
  // still brings it.
  DirectorySource genuine(w.relay.dir.Sub("export"));
  auto report = bob->Sync(genuine);
  REQUIRE(report.ok());
  CHECK(report->batches == 1);
  CHECK(ScoreOfDay(bob.get(), static_cast<uint32_t>(day0 / 86400)) == Approx(1800));
}

// ListedSource lists a batch with a size and digest, and serves other bytes.
class ListedSource final : public BatchSource {
 public:
  ListedSource(ListedBatch listed, base::Bytes served)
      : listed_(std::move(listed)), served_(std::move(served)) {}
  base::StatusOr<std::vector<ListedBatch>> ListAfter(const std::string& after,
                                                     const base::Cancellation&) override {
    if (listed_.name <= after) return std::vector<ListedBatch>{};
    return std::vector<ListedBatch>{listed_};
  }
  base::StatusOr<base::Bytes> Fetch(const std::string&, const base::Cancellation&) override {
    return served_;
  }
  base::StatusOr<Signed> Announcements(const base::Cancellation&) override { return Signed{}; }

 private:
  ListedBatch listed_;
  base::Bytes served_;
};

TEST_CASE("every client gets the listed bytes - a batch that differs from its listed digest is refused",
          "[client][sync][privacy]") {
  World w;
  auto alice = w.NewPhone("alice");
  auto bob = w.NewPhone("bob");
  const int64_t day0 = relay::testing::kNow - 10 * 3600;
  const std::string name = MeetAndRelease(&w, alice.get(), bob.get(), day0);
  const std::string path = w.relay.dir.Sub("export/" + name);
  const base::Bytes genuine = base::ToBytes(openen::testing::ReadFile(path));
  const crypto::Sha256Digest digest = crypto::Sha256(genuine);
  CHECK(openen::testing::ReadFile(w.relay.dir.Sub("export/index.sha256")) ==
        base::HexEncode(digest) + "  " + name + "\n");

  // Another genuine, signed file for the same name.
  const base::Bytes other = testing::ResignedShorter(w.relay, genuine);

  ListedSource same_size({name, genuine.size(), digest}, genuine);
  auto carol = w.NewPhone("carol");
  REQUIRE(carol->Sync(same_size).ok());  // the honest case passes
  ListedSource differs({name, std::nullopt, digest}, other);
  auto report = bob->Sync(differs);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == base::StatusCode::kDataLoss);
  CHECK(report.status().message() == name + ": its SHA-256 is " +
                                         base::HexEncode(crypto::Sha256(other)) +
                                         ", the listing says " + base::HexEncode(digest));
  ListedSource longer({name, genuine.size(), digest}, other);
  CHECK(bob->Sync(longer).status().message() == name + ": " + std::to_string(other.size()) +
                                                    " bytes arrived, the listing says " +
                                                    std::to_string(genuine.size()));

  // The relay's listing and index.sha256 carry the digest: a file swapped
  // behind them is refused over gRPC and from the directory.
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(other.data()), static_cast<std::streamsize>(other.size()));
  client_grpc::RelaySource grpc_source(w.Channel());
  CHECK(bob->Sync(grpc_source).status().code() == base::StatusCode::kDataLoss);
  DirectorySource files(w.relay.dir.Sub("export"));
  CHECK(bob->Sync(files).status().code() == base::StatusCode::kDataLoss);
  CHECK(bob->DailySummaries()->empty());
}

// EndlessRelay lists 1000 new batches on every page, for up to 300 pages.
class EndlessRelay final : public openen::v1::Relay::Service {
 public:
  grpc::Status ListBatches(grpc::ServerContext*, const openen::v1::ListBatchesRequest* request,
                           openen::v1::ListBatchesResponse* response) override {
    if (++pages_ > 300) return grpc::Status::OK;
    const int64_t after = request->after().empty() ? 0 : std::stoll(request->after().substr(6, 10));
    for (int64_t i = 1; i <= 1000; ++i) response->add_batches()->set_name(relay::BatchFileName(after + i));
    return grpc::Status::OK;
  }
  std::atomic<int> pages_{0};
};

TEST_CASE("a listing that pages on and on is taken in bounded parts, and a file over the limit fails with a clear error",
          "[client][sync][limits]") {
  World w;
  EndlessRelay endless;
  auto r = server::StartServer({}, {&endless});
  REQUIRE(r.ok());
  client_grpc::RelaySource source(grpc::CreateChannel("127.0.0.1:" + std::to_string(r->port),
                                                      grpc::InsecureChannelCredentials()));
  auto listed = source.ListAfter("", base::NeverCancelled());
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == kMaxListedBatches);
  CHECK(listed->front().name == relay::BatchFileName(1));
  CHECK(listed->back().name == relay::BatchFileName(static_cast<int64_t>(kMaxListedBatches)));
  CHECK(endless.pages_ <= 101);
  // The next sync goes on from where this one stopped.
  auto next = source.ListAfter(listed->back().name, base::NeverCancelled());
  REQUIRE(next.ok());
  REQUIRE_FALSE(next->empty());
  CHECK(next->front().name == relay::BatchFileName(static_cast<int64_t>(kMaxListedBatches) + 1));
  server::ShutdownGracefully(r->server.get(), 1);

  // A mirror's file larger than any export is refused before it is read.
  const std::string mirror = w.dir.Sub("mirror");
  std::filesystem::create_directories(mirror);
  const std::string big = relay::BatchFileName(relay::testing::kNow);
  std::ofstream(mirror + "/" + big).close();
  std::filesystem::resize_file(mirror + "/" + big, wire::kMaxExportFileSize + 1);
  WriteIndex(mirror, {big});
  DirectorySource files(mirror);
  auto fetched = files.Fetch(big, base::NeverCancelled());
  REQUIRE_FALSE(fetched.ok());
  CHECK(fetched.status().code() == base::StatusCode::kResourceExhausted);
  CHECK(fetched.status().message() == big + " is " + std::to_string(wire::kMaxExportFileSize + 1) +
                                          " bytes, more than the limit of " +
                                          std::to_string(wire::kMaxExportFileSize));
  // An index.txt ahead of its index.sha256 (a mirror mid-copy) is retryable.
  std::ofstream(mirror + "/index.sha256", std::ios::trunc) << std::string(64, '0') + "  other.zip\n";
  CHECK(
      files.ListAfter("", base::NeverCancelled()).status() ==
      base::Status(base::StatusCode::kUnavailable, "index.sha256 does not list " + big + " (yet)"));
  std::filesystem::remove(mirror + "/index.sha256");
  // An index listing more batches than a sync may take gives the oldest
  // ones, whatever the order of its lines; the rest come next time.
  std::string many;
  for (size_t i = kMaxListedBatches + 1; i >= 1; --i) many += relay::BatchFileName(static_cast<int64_t>(i)) + "\n";
  std::ofstream(mirror + "/index.txt", std::ios::trunc) << many;
  auto part = files.ListAfter("", base::NeverCancelled());
  REQUIRE(part.ok());
  REQUIRE(part->size() == kMaxListedBatches);
  CHECK(part->back().name == relay::BatchFileName(static_cast<int64_t>(kMaxListedBatches)));
  auto rest = files.ListAfter(part->back().name, base::NeverCancelled());
  REQUIRE(rest.ok());
  REQUIRE(rest->size() == 1);
  CHECK(rest->front().name == relay::BatchFileName(static_cast<int64_t>(kMaxListedBatches) + 1));
}


TEST_CASE("the digests of processed batches go when their day leaves retention", "[client][sync][retention]") {
  World w;
  auto alice = w.NewPhone("alice");
  auto bob = w.NewPhone("bob");
  const int64_t day0 = relay::testing::kNow - 10 * 3600;
  const std::string name = MeetAndRelease(&w, alice.get(), bob.get(), day0);
  const std::string mirror = w.dir.Sub("mirror");
  std::filesystem::create_directories(mirror);
  std::filesystem::copy_file(w.relay.dir.Sub("export/" + name), mirror + "/batch.zip");
  WriteIndex(mirror, {"batch.zip"});
  DirectorySource source(mirror);
  REQUIRE(bob->Sync(source).ok());
  auto processed = [&]() -> std::string {
    bob.reset();
    auto store = internal::Store::Open(w.dir.Sub("bob"), w.keystore.get());
    REQUIRE(store.ok());
    auto meta = (*store)->GetMeta("Mprocessed");
    REQUIRE(meta.ok());
    return meta->value_or("");
  };
  // The test can fail: the digest is stored, with its day.
  REQUIRE(processed().size() == 4 + 32);
  // Fifteen days on, no sync: opening the app (a purge) drops it.
  w.SetTime(w.phone_clock.NowSeconds() + 15 * 86400);
  bob = w.NewPhone("bob");
  CHECK(processed().empty());
}

}  // namespace
}  // namespace openen::client
