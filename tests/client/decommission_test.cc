// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// It ends: a signed decommission order switches off the relay, the verifier
// and every phone, and configuration that expires stops what depends on it.

#include "openen/server/decommission.h"

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "openen/base/file.h"
#include "openen/client/client.h"
#include "openen/client_grpc/relay_source.h"
#include "openen/relay/service.h"
#include "openen/server/grpc_server.h"
#include "openen/server/key_files.h"
#include "openen/server/worker_pool.h"
#include "openen/verifier/verifier.h"
#include "openen/wire/signed.h"
#include "server/relay_fixture.h"

namespace openen::client {
namespace {

using openen::testing::FilesContaining;
using relay::testing::kNow;
using relay::testing::RelayFixture;

openen::v1::SignedEnvelope Order(int64_t effective, const crypto::Ed25519PrivateKey& key, uint64_t sequence = 1) {
  openen::v1::DecommissionOrder o;
  o.set_effective_at(effective);
  o.set_sequence(sequence);
  o.set_issuer("health authority");
  return wire::SignEnvelope(wire::kDecommissionOrderContext, o, key);
}

// FilesIn returns the names of the files under |dir|, sorted; a relay's
// lock file (.openen-relay) counts only when it names an owner.
std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().filename() == ".openen-relay" && e.file_size() == 0) continue;
    if (e.is_regular_file()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct System {
  RelayFixture relay;
  std::unique_ptr<verifier::Verifier> verifier;
  server::WorkerPool pool{2};
  std::unique_ptr<relay::RelayService> service;
  server::RunningServer running;
  base::FakeClock phone_clock{kNow};
  openen::testing::TempDir dir;
  std::unique_ptr<FileKeyStore> keystore = std::move(*FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));

  System() {
    verifier::VerifierOptions options;
    options.decommission_keys = {relay.decommission_key.PublicKey()};
    auto v = verifier::Verifier::Open(relay.dir.Sub("verifier"),
                                      *crypto::Ed25519PrivateKey::FromSeed(relay.authority.seed().Reveal()), options,
                                      &relay.clock);
    REQUIRE(v.ok());
    verifier = std::move(*v);
    service = std::make_unique<relay::RelayService>(relay.relay.get(), &pool);
    auto r = server::StartServer({}, {service.get()});
    REQUIRE(r.ok());
    running = std::move(*r);
  }
  ~System() { server::ShutdownGracefully(running.server.get(), 5); }

  ClientOptions Options(const std::string& name) {
    ClientOptions o;
    o.store_dir = dir.Sub(name);
    o.export_keys = {{"openen-v1", relay.relay->export_public_key()}};
    o.config_keys = {relay.config_key.PublicKey()};
    o.decommission_keys = {relay.decommission_key.PublicKey()};
    return o;
  }
  std::unique_ptr<Client> Phone(const std::string& name) {
    auto c = Client::Open(Options(name), keystore.get(), &phone_clock);
    REQUIRE(c.ok());
    return std::move(*c);
  }
  client_grpc::RelaySource Source() {
    return client_grpc::RelaySource(grpc::CreateChannel("127.0.0.1:" + std::to_string(running.port),
                                                        grpc::InsecureChannelCredentials()));
  }
  void SetTime(int64_t t) {
    relay.clock.Set(t);
    phone_clock.Set(t);
  }
  // Install writes |order| into both servers' data directories, as their
  // `decommission` commands do.
  void Install(const openen::v1::SignedEnvelope& order) {
    const std::string file = dir.Sub("order.bin");
    REQUIRE(base::WriteFileAtomically(file, order.SerializeAsString(), false).ok());
    REQUIRE(server::InstallDecommissionOrder(file, relay.dir.Sub("data"), {relay.decommission_key.PublicKey()}).ok());
    REQUIRE(server::InstallDecommissionOrder(file, relay.dir.Sub("verifier"), {relay.decommission_key.PublicKey()}).ok());
  }
};

TEST_CASE("a decommission order switches off the relay, the verifier and the phones", "[decommission][e2e][privacy]") {
  System sys;
  auto alice = sys.Phone("alice");
  auto bob = sys.Phone("bob");
  // Alice and Bob meet; Alice uploads; the batch goes out; Bob finds it.
  base::Bytes seen_rpi;
  for (int m = 0; m <= 20; m += 5) {
    sys.SetTime(kNow + m * 60);
    auto ad = crypto::ParseAdvertisement(*alice->CurrentAdvertisement());
    seen_rpi.assign(ad->rpi.begin(), ad->rpi.end());
    REQUIRE(bob->RecordSighting(ad->rpi, ad->aem, -50, kNow + m * 60).ok());
  }
  auto alice_keys = alice->KeysForUpload();
  std::vector<relay::SubmittedKey> submitted;
  for (const auto& k : *alice_keys) {
    submitted.push_back({base::Bytes(k.key_data.Reveal().begin(), k.key_data.Reveal().end()),
                         k.rolling_start_interval_number, k.rolling_period, 0});
  }
  sys.SetTime(kNow + 86400);
  base::Bytes secret(32, 1);
  REQUIRE(sys.relay.relay->Publish(submitted, sys.relay.Certificate(submitted, secret), secret, false).ok());
  sys.SetTime(kNow + 86400 + 3600);
  REQUIRE(sys.relay.relay->Maintain().ok());
  client_grpc::RelaySource source = sys.Source();
  REQUIRE(bob->Sync(source)->new_exposure_windows == 1);
  REQUIRE(bob->CurrentAdvertisement().ok());
  auto bob_key = bob->KeysForUpload();
  REQUIRE(bob_key->size() == 1);
  REQUIRE(sys.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0).ok());

  // The order, effective now.
  const int64_t now = kNow + 86400 + 3600;
  auto order = Order(now, sys.relay.decommission_key);
  sys.Install(order);

  // Relay: refuses publishes, lists nothing, deletes everything, serves only the order.
  REQUIRE(sys.relay.relay->Maintain().ok());
  auto more = RelayFixture::DailyKeys(2);
  CHECK(
      sys.relay.relay->Publish(more, sys.relay.Certificate(more, secret), secret, false).status() ==
      base::Status(base::StatusCode::kFailedPrecondition, "decommissioned"));
  CHECK(sys.relay.relay->ListBatches("", 10).empty());
  CHECK(FilesIn(sys.relay.dir.Sub("export")) == std::vector<std::string>{"decommission.bin"});
  for (const auto& k : submitted) CHECK(FilesContaining(sys.relay.dir.Sub("data"), k.key_data).empty());
  auto announced = source.Announcements(base::NeverCancelled());
  REQUIRE(announced.ok());
  CHECK_FALSE(announced->configuration.has_value());
  REQUIRE(announced->decommission_order.has_value());
  CHECK(std::string(base::AsChars(*announced->decommission_order)) == order.SerializeAsString());

  // Verifier: no more codes, and nothing kept.
  REQUIRE(sys.verifier->Maintain().ok());
  CHECK(sys.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0).status() ==
        base::Status(base::StatusCode::kFailedPrecondition, "decommissioned"));
  CHECK(sys.verifier->LiveRecords() == 0);

  // Bob's phone: the next sync erases everything and stops it for good.
  const std::string bob_dir = sys.dir.Sub("bob");
  auto synced = bob->Sync(source);
  CHECK(synced.status() ==
        base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason));
  CHECK(bob->CurrentAdvertisement().status() ==
        base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason));
  CHECK(bob->Summary().status().code() == base::StatusCode::kFailedPrecondition);
  CHECK(bob->RecordSighting(seen_rpi, base::Bytes(4, 0), -50, now).code() ==
        base::StatusCode::kFailedPrecondition);
  CHECK(FilesIn(bob_dir) == std::vector<std::string>{"DECOMMISSIONED"});
  CHECK(FilesContaining(bob_dir, seen_rpi).empty());
  CHECK(FilesContaining(bob_dir, (*bob_key)[0].key_data.Reveal()).empty());
  bob.reset();
  auto reopened = Client::Open(sys.Options("bob"), sys.keystore.get(), &sys.phone_clock);
  CHECK(reopened.status() ==
        base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason));
  CHECK(Client::IsDecommissioned(bob_dir));
}

TEST_CASE("forged, replayed and malformed orders are ignored and reported", "[decommission]") {
  System sys;
  auto bob = sys.Phone("bob");
  REQUIRE(bob->CurrentAdvertisement().ok());
  const std::string mirror = sys.dir.Sub("mirror");
  std::filesystem::create_directories(mirror);
  std::ofstream(mirror + "/index.txt") << "";
  auto serve = [&](const std::string& bytes) {
    std::ofstream(mirror + "/decommission.bin", std::ios::binary | std::ios::trunc) << bytes;
  };
  DirectorySource source(mirror);

  serve(Order(kNow, crypto::Ed25519PrivateKey::Generate()).SerializeAsString());
  CHECK(bob->Sync(source).status() ==
        base::Status(base::StatusCode::kUnauthenticated,
                     "decommission order: signature verification failed"));
  // A configuration signed by the decommission key is not an order (contexts differ).
  openen::v1::RelayConfig config;
  config.set_serial(1);
  serve(wire::SignEnvelope(wire::kRelayConfigContext, config, sys.relay.decommission_key).SerializeAsString());
  CHECK(bob->Sync(source).status().code() == base::StatusCode::kUnauthenticated);
  serve("garbage \xff\xff\xff");
  CHECK_FALSE(bob->Sync(source).ok());
  // None of that changed anything.
  CHECK(bob->CurrentAdvertisement().ok());
  CHECK(bob->Summary().ok());
  CHECK_FALSE(Client::IsDecommissioned(sys.dir.Sub("bob")));

  // The servers refuse to install such orders.
  const std::string forged = sys.dir.Sub("forged.bin");
  REQUIRE(base::WriteFileAtomically(
              forged, Order(kNow, crypto::Ed25519PrivateKey::Generate()).SerializeAsString(), false)
              .ok());
  CHECK(server::InstallDecommissionOrder(forged, sys.relay.dir.Sub("data"),
                                         {sys.relay.decommission_key.PublicKey()})
            .status()
            .code() == base::StatusCode::kUnauthenticated);
  REQUIRE(sys.relay.relay->Maintain().ok());
  CHECK_FALSE(sys.relay.relay->decommission_order().has_value());
}

TEST_CASE("an order for the future takes effect at its time, on the phone and the relay", "[decommission]") {
  System sys;
  auto bob = sys.Phone("bob");
  const int64_t at = kNow + 7200;
  auto order = Order(at, sys.relay.decommission_key);
  sys.Install(order);
  REQUIRE(sys.relay.relay->Maintain().ok());
  // Served in advance, and logged: the log's one entry (a hash tile and
  // an entry bundle of width 1) and its checkpoint.
  CHECK(FilesIn(sys.relay.dir.Sub("export")) ==
        std::vector<std::string>{".openen-relay", "1", "1", "checkpoint", "decommission.bin",
                                 "index.sha256", "index.txt"});
  auto keys = RelayFixture::DailyKeys(2);
  base::Bytes secret(32, 2);
  CHECK(sys.relay.relay->Publish(keys, sys.relay.Certificate(keys, secret), secret, false).ok());

  client_grpc::RelaySource source = sys.Source();
  REQUIRE(bob->Sync(source).ok());  // learns of the order, keeps working
  CHECK(bob->CurrentAdvertisement().ok());
  REQUIRE(bob->EraseAll().ok());  // the person's data goes; the authority's order stays
  CHECK(bob->CurrentAdvertisement().ok());
  sys.SetTime(at - 1);
  CHECK(bob->CurrentAdvertisement().ok());
  CHECK_FALSE(sys.relay.relay->decommissioned());
  sys.SetTime(at);  // no network needed: the phone applies the order it already has
  CHECK(bob->CurrentAdvertisement().status() ==
        base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason));
  CHECK(FilesIn(sys.dir.Sub("bob")) == std::vector<std::string>{"DECOMMISSIONED"});
  CHECK(sys.relay.relay->decommissioned());
  CHECK(sys.relay.relay->Publish(keys, sys.relay.Certificate(keys, secret), secret, false)
            .status()
            .code() == base::StatusCode::kFailedPrecondition);

  // A phone that learned of it and restarts before the time applies it on open.
  sys.SetTime(kNow);
  auto carol = sys.Phone("carol");
  DirectorySource files(sys.relay.dir.Sub("export"));
  REQUIRE(carol->Sync(files).ok());
  carol.reset();
  sys.SetTime(at + 10);
  CHECK(Client::Open(sys.Options("carol"), sys.keystore.get(), &sys.phone_clock).status() ==
        base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason));
}

// OrderSource announces one decommission order and lists no batches.
struct OrderSource final : BatchSource {
  base::Bytes order;
  base::StatusOr<std::vector<ListedBatch>> ListAfter(const std::string&,
                                                     const base::Cancellation&) override {
    return std::vector<ListedBatch>();
  }
  base::StatusOr<base::Bytes> Fetch(const std::string& name, const base::Cancellation&) override {
    return base::NotFoundError(name);
  }
  base::StatusOr<Signed> Announcements(const base::Cancellation&) override {
    Signed s;
    s.decommission_order = order;
    return s;
  }
};

TEST_CASE("a phone keeps the earliest of the future orders it learns of", "[decommission]") {
  System sys;
  auto bob = sys.Phone("bob");
  const int64_t early = kNow + 3600, late = kNow + 7200;
  OrderSource source;
  source.order = base::ToBytes(Order(early, sys.relay.decommission_key).SerializeAsString());
  REQUIRE(bob->Sync(source).ok());
  source.order = base::ToBytes(Order(late, sys.relay.decommission_key, 2).SerializeAsString());
  REQUIRE(bob->Sync(source).ok());  // a later order does not postpone the earlier one
  sys.SetTime(early - 1);
  CHECK(bob->CurrentAdvertisement().ok());
  sys.SetTime(early);
  CHECK(bob->CurrentAdvertisement().status() ==
        base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason));
}

TEST_CASE("the daily maintenance applies an order at its time and destroys the platform key", "[decommission]") {
  System sys;
  const std::string key_file = sys.dir.Sub("dave.key");
  auto keystore = FileKeyStore::OpenOrCreate(key_file);
  REQUIRE(keystore.ok());
  auto opened = Client::Open(sys.Options("dave"), keystore->get(), &sys.phone_clock);
  REQUIRE(opened.ok());
  std::unique_ptr<Client> dave = std::move(*opened);
  REQUIRE(dave->CurrentAdvertisement().ok());
  const int64_t at = kNow + 7200;
  sys.Install(Order(at, sys.relay.decommission_key));
  REQUIRE(sys.relay.relay->Maintain().ok());
  client_grpc::RelaySource source = sys.Source();
  REQUIRE(dave->Sync(source).ok());  // learns of the order
  sys.SetTime(at - 1);
  auto before = dave->Maintain();
  REQUIRE(before.ok());
  CHECK_FALSE(before->decommissioned);
  CHECK(std::filesystem::exists(key_file));
  // At its time the background job alone applies it: no other call, no network.
  sys.SetTime(at);
  auto applied = dave->Maintain();
  REQUIRE(applied.ok());
  CHECK(applied->decommissioned);
  CHECK(FilesIn(sys.dir.Sub("dave")) == std::vector<std::string>{"DECOMMISSIONED"});
  CHECK_FALSE(std::filesystem::exists(key_file));
  CHECK(dave->Maintain().status() ==
        base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason));
}

TEST_CASE("a deletion interrupted by a crash is finished at the next open", "[decommission]") {
  System sys;
  const std::string store = sys.dir.Sub("eve");
  { auto eve = sys.Phone("eve"); REQUIRE(eve->CurrentAdvertisement().ok()); }
  // The marker was written, then the app died before deleting the store.
  std::ofstream(store + "/DECOMMISSIONED") << Order(kNow, sys.relay.decommission_key).SerializeAsString();
  REQUIRE(FilesIn(store).size() > 1);
  CHECK(Client::Open(sys.Options("eve"), sys.keystore.get(), &sys.phone_clock).status() ==
        base::FailedPreconditionError("decommissioned").WithReason(kDecommissionedReason));
  CHECK(FilesIn(store) == std::vector<std::string>{"DECOMMISSIONED"});
}

TEST_CASE("relay decommission keys: the offline key counts, certificate keys do not - earliest order wins",
          "[decommission]") {
  auto offline = crypto::Ed25519PrivateKey::Generate();
  relay::RelayOptions options = RelayFixture::TestOptions();
  options.decommission_keys = {offline.PublicKey()};
  RelayFixture f(options);
  const std::string file = f.dir.Sub("order.bin");
  auto install = [&](const openen::v1::SignedEnvelope& env,
                     std::vector<crypto::Ed25519PublicKey> keys) {
    REQUIRE(base::WriteFileAtomically(file, env.SerializeAsString(), false).ok());
    return server::InstallDecommissionOrder(file, f.dir.Sub("data"), keys);
  };
  // An order signed with the certificate key, installed by a careless
  // operator, is ignored by the relay, which keeps working.
  REQUIRE(install(Order(kNow, f.authority), {f.authority.PublicKey()}).ok());
  REQUIRE(f.Publish(RelayFixture::DailyKeys(2)).ok());
  f.clock.Set(kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  CHECK_FALSE(f.relay->decommissioned());
  CHECK(f.relay->ListBatches("", 10).size() == 1);
  // The offline key's order counts; a later one cannot postpone it.
  REQUIRE(*install(Order(kNow + 7200, offline), {offline.PublicKey()}) == kNow + 7200);
  CHECK(*install(Order(kNow + 99999, offline), {offline.PublicKey()}) == kNow + 7200);
  REQUIRE(f.relay->Maintain().ok());
  CHECK_FALSE(f.relay->decommissioned());
  f.clock.Set(kNow + 7200);
  REQUIRE(f.relay->Maintain().ok());
  CHECK(f.relay->decommissioned());
  CHECK(FilesIn(f.dir.Sub("export")) == std::vector<std::string>{"decommission.bin"});
  // After a restart it stays off and republishes nothing but the order.
  f.Reopen();
  CHECK(f.relay->decommissioned());
  CHECK(FilesIn(f.dir.Sub("export")) == std::vector<std::string>{"decommission.bin"});
}

TEST_CASE("expired configuration stops broadcasting and matching, not purging", "[decommission][config]") {
  System sys;
  auto bob = sys.Phone("bob");
  openen::v1::RelayConfig config;
  config.set_serial(1);
  config.set_expires_at(kNow + 600);
  REQUIRE(bob->UpdateConfiguration(wire::SignEnvelope(wire::kRelayConfigContext, config, sys.relay.config_key)).ok());
  REQUIRE(bob->RecordSighting(base::Bytes(16, 9), base::Bytes(4, 1), -60, kNow).ok());
  CHECK(bob->CurrentAdvertisement().ok());
  sys.SetTime(kNow + 600);
  auto stopped = bob->CurrentAdvertisement();
  CHECK(stopped.status().code() == base::StatusCode::kFailedPrecondition);
  CHECK(stopped.status().message().find("configuration expired") != std::string::npos);
  CHECK(stopped.status().reason() == kConfigurationExpiredReason);
  DirectorySource nothing_new(sys.relay.dir.Sub("export"));
  auto not_renewed = bob->Sync(nothing_new);
  CHECK(not_renewed.status().code() == base::StatusCode::kFailedPrecondition);
  CHECK(not_renewed.status().reason() == kConfigurationExpiredReason);
  // Purging goes on: 14 days later the sighting is gone.
  sys.SetTime(kNow + 15 * 86400);
  CHECK(bob->Summary()->days.empty());
  // A renewed configuration restarts it.
  config.set_serial(2);
  config.set_expires_at(kNow + 30 * 86400);
  const std::string mirror = sys.dir.Sub("renewal");
  std::filesystem::create_directories(mirror);
  std::ofstream(mirror + "/index.txt") << "";
  std::ofstream(mirror + "/config.bin", std::ios::binary)
      << wire::SignEnvelope(wire::kRelayConfigContext, config, sys.relay.config_key).SerializeAsString();
  DirectorySource renewal(mirror);
  REQUIRE(bob->Sync(renewal).ok());
  CHECK(bob->CurrentAdvertisement().ok());
}

}  // namespace
}  // namespace openen::client
