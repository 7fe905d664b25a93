// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Two phones meet; one is diagnosed and publishes through a real relay over
// loopback gRPC; the other syncs, matches and finds the exposure.

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "common/grpc_server.h"
#include "common/worker_pool.h"
#include "openen/client/client.h"
#include "relay/service.h"
#include "openen/wire/signed.h"
#include "server/relay_fixture.h"

namespace openen::client {
namespace {

using relay::testing::RelayFixture;

struct World {
  // Time starts at 10:00 on the relay fixture's day.
  RelayFixture relay;  // the relay's clock
  FakeClock phone_clock{relay::testing::kNow};
  server::WorkerPool pool{2};
  std::unique_ptr<relay::RelayService> service;
  server::RunningServer running;
  openen::testing::TempDir dir;
  std::unique_ptr<FileKeyStore> keystore = std::move(*FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));

  World() {
    service = std::make_unique<relay::RelayService>(relay.relay.get(), &pool);
    auto r = server::StartServer({}, {service.get()});
    REQUIRE(r.ok());
    running = std::move(*r);
  }
  ~World() { server::ShutdownGracefully(running.server.get(), 5); }

  std::unique_ptr<Client> NewPhone(const std::string& name) {
    ClientOptions o;
    o.store_dir = dir.Sub(name);
    o.export_keys = {{"openen-v1", relay.relay->export_public_key()}};
    o.authority_keys = {relay.authority.PublicKey()};
    auto c = Client::Open(o, keystore.get(), &phone_clock);
    REQUIRE(c.ok());
    return std::move(*c);
  }
  std::shared_ptr<grpc::Channel> Channel() const {
    return grpc::CreateChannel("127.0.0.1:" + std::to_string(running.port), grpc::InsecureChannelCredentials());
  }
  void SetTime(int64_t t) {
    relay.clock.Set(t);
    phone_clock.Set(t);
  }

  // Upload publishes |phone|'s keys the way the app does after verification.
  void Upload(Client* phone) {
    auto keys = phone->KeysForUpload();
    REQUIRE(keys.ok());
    std::vector<relay::SubmittedKey> submitted;
    for (const OwnKey& k : *keys) {
      submitted.push_back({Bytes(k.key_data.Reveal().begin(), k.key_data.Reveal().end()),
                           k.rolling_start_interval_number, k.rolling_period, 0});
    }
    Bytes secret(32, 0x77);
    auto result = relay.relay->Publish(submitted, relay.Certificate(submitted, secret), secret, false);
    REQUIRE(result.ok());
    REQUIRE(result->accepted == submitted.size());
  }
};

// Meet: for |minutes|, every 5 minutes |b| records |a|'s current advertisement.
void Meet(World* w, Client* a, Client* b, int64_t start, int minutes, int rssi) {
  for (int m = 0; m <= minutes; m += 5) {
    w->SetTime(start + m * 60);
    auto ad = a->CurrentAdvertisement();
    REQUIRE(ad.ok());
    auto parsed = crypto::ParseAdvertisement(*ad);
    REQUIRE(b->RecordSighting(parsed->rpi, parsed->aem, rssi, start + m * 60).ok());
  }
}

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

  RelaySource source(w.Channel());
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
    auto file = wire::ExportFile::Parse(ToBytes(zip));
    REQUIRE(file.ok());
  }
  // Re-sign with another key: a valid file, the wrong signer.
  auto original = wire::ExportFile::Parse(ToBytes(zip));
  wire::ExportBatch batch;
  batch.header = original->header();
  batch.keys = original->Keys();
  auto impostor = crypto::EcdsaP256PrivateKey::Generate();
  auto forged = wire::WriteExportZip(batch, {{{"v1", "openen", ""}, &*impostor}});
  std::ofstream(mirror + "/" + name, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(forged->data()), static_cast<std::streamsize>(forged->size()));

  auto bob = w.NewPhone("bob");
  DirectorySource bad(mirror);
  auto report = bob->Sync(bad);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == StatusCode::kUnauthenticated);
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
  w.relay.Reopen(Config(2, 10, 5000, w.relay.authority));
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
  write_config(Config(1, 14, 900, w.relay.authority));
  DirectorySource old_config(mirror);
  REQUIRE(bob->Sync(old_config).ok());
  CHECK(bob->retention_days() == 10);
  CHECK_FALSE((*bob->DailySummaries())[0].exposure);

  // A phone configured without authority keys ignores announcements.
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
  write_config(Config(3, 14, 900, w.relay.authority));
  REQUIRE(bob->Sync(forged).ok());
  CHECK(bob->retention_days() == 14);
  CHECK((*bob->DailySummaries())[0].exposure);
}

TEST_CASE("RelaySource fetches the announcements with GetConfig", "[client][sync][config]") {
  World w;
  RelaySource none(w.Channel());
  auto empty = none.Announcements();
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->configuration.has_value());
  CHECK_FALSE(empty->decommission_order.has_value());

  auto env = Config(4, 12, 900, w.relay.authority);
  w.relay.Reopen(env);
  server::WorkerPool pool(1);
  relay::RelayService service(w.relay.relay.get(), &pool);
  auto r = server::StartServer({}, {&service});
  REQUIRE(r.ok());
  RelaySource source(grpc::CreateChannel("127.0.0.1:" + std::to_string(r->port), grpc::InsecureChannelCredentials()));
  auto got = source.Announcements();
  REQUIRE(got.ok());
  REQUIRE(got->configuration.has_value());
  CHECK(std::string(AsChars(*got->configuration)) == env.SerializeAsString());
  auto bob = w.NewPhone("bob");
  REQUIRE(bob->Sync(source).ok());
  CHECK(bob->retention_days() == 12);
  server::ShutdownGracefully(r->server.get(), 1);
}

}  // namespace
}  // namespace openen::client
