// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// World: a real relay (in process, its gRPC service on loopback) and phones
// that share its fake time, for sync tests; and the steps those tests take:
// two phones meet, one is diagnosed and its keys released.

#ifndef OPENEN_TESTS_CLIENT_WORLD_H_
#define OPENEN_TESTS_CLIENT_WORLD_H_

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "openen/client/client.h"
#include "openen/relay/service.h"
#include "openen/server/grpc_server.h"
#include "openen/server/worker_pool.h"
#include "openen/wire/export.h"
#include "server/relay_fixture.h"

namespace openen::client::testing {

using relay::testing::RelayFixture;

struct World {
  // Time starts at 10:00 on the relay fixture's day.
  RelayFixture relay;  // the relay's clock
  base::FakeClock phone_clock{relay::testing::kNow};
  server::WorkerPool pool{2};
  std::unique_ptr<relay::RelayService> service;
  server::RunningServer running;
  openen::testing::TempDir dir;
  std::unique_ptr<FileKeyStore> keystore =
      std::move(*FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));

  World() {
    service = std::make_unique<relay::RelayService>(relay.relay.get(), &pool);
    auto r = server::StartServer({}, {service.get()});
    REQUIRE(r.ok());
    running = std::move(*r);
  }
  ~World() { server::ShutdownGracefully(running.server.get(), 5); }

  // The policy of a phone that follows the relay's log, without witnesses.
  LogPolicy Log() const { return {relay.log_key->public_key(), {}, 0}; }

  std::unique_ptr<Client> NewPhone(const std::string& name,
                                   std::optional<LogPolicy> log = std::nullopt) {
    ClientOptions o;
    o.log = std::move(log);
    o.store_dir = dir.Sub(name);
    o.export_keys = {{"openen-v1", relay.relay->export_public_key()}};
    o.config_keys = {relay.config_key.PublicKey()};
    o.decommission_keys = {relay.decommission_key.PublicKey()};
    auto c = Client::Open(o, keystore.get(), &phone_clock);
    REQUIRE(c.ok());
    return std::move(*c);
  }
  std::shared_ptr<grpc::Channel> Channel() const {
    return grpc::CreateChannel("127.0.0.1:" + std::to_string(running.port),
                               grpc::InsecureChannelCredentials());
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
      submitted.push_back({base::Bytes(k.key_data.Reveal().begin(), k.key_data.Reveal().end()),
                           k.rolling_start_interval_number, k.rolling_period, 0});
    }
    base::Bytes secret(32, 0x77);
    auto result =
        relay.relay->Publish(submitted, relay.Certificate(submitted, secret), secret, false);
    REQUIRE(result.ok());
    REQUIRE(result->accepted == submitted.size());
  }
};

// Meet: for |minutes|, every 5 minutes |b| records |a|'s current advertisement.
inline void Meet(World* w, Client* a, Client* b, int64_t start, int minutes, int rssi) {
  for (int m = 0; m <= minutes; m += 5) {
    w->SetTime(start + m * 60);
    auto ad = a->CurrentAdvertisement();
    REQUIRE(ad.ok());
    auto parsed = crypto::ParseAdvertisement(*ad);
    REQUIRE(b->RecordSighting(parsed->rpi, parsed->aem, rssi, start + m * 60).ok());
  }
}

// Diagnosed publishes |alice|'s keys after she met |bob| for 26 minutes (a
// score of 1800) on day0, and the relay releases them: returns the batch name.
inline std::string MeetAndRelease(World* w, Client* alice, Client* bob, int64_t day0) {
  Meet(w, alice, bob, day0 + 12 * 3600, 25, -50);
  w->SetTime(day0 + 86400 + 600);
  w->Upload(alice);
  w->SetTime(day0 + 86400 + 3600);
  REQUIRE(w->relay.relay->Maintain().ok());
  return w->relay.relay->ListBatches("", 1).at(0).name();
}

inline void WriteIndex(const std::string& dir, const std::vector<std::string>& names) {
  std::ofstream index(dir + "/index.txt", std::ios::trunc);
  for (const auto& n : names) index << n << "\n";
  std::filesystem::remove(dir + "/index.sha256");
}

inline double ScoreOfDay(Client* phone, uint32_t day) {
  auto days = phone->DailySummaries();
  REQUIRE(days.ok());
  for (const auto& d : *days) {
    if (d.day == day) return d.score_sum;
  }
  return 0;
}

// ResignedShorter returns another genuinely signed file for |genuine|'s
// batch (its keys but the last, signed with |relay|'s export key): the
// signature alone would pass it, and a phone given it would see another
// world than the rest.
inline base::Bytes ResignedShorter(const RelayFixture& relay, const base::Bytes& genuine) {
  auto parsed = wire::ExportFile::Parse(genuine);
  REQUIRE(parsed.ok());
  wire::ExportBatch batch;
  batch.header = parsed->header();
  batch.keys = parsed->Keys();
  batch.keys.pop_back();
  auto signer = crypto::EcdsaP256PrivateKey::FromPem(relay.signing_pem);
  return *wire::WriteExportZip(batch, {{{"v1", "openen", ""}, &*signer}});
}

}  // namespace openen::client::testing

#endif  // OPENEN_TESTS_CLIENT_WORLD_H_
