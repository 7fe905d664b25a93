// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Reporting a diagnosis, and chaff, through a real verifier and relay on loopback.

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>

#include "common/grpc_server.h"
#include "common/worker_pool.h"
#include "openen/client/client.h"
#include "relay/service.h"
#include "server/relay_fixture.h"
#include "verifier/service.h"

namespace openen::client {
namespace {

using relay::testing::RelayFixture;

// Recording wraps a transport and keeps the size of every message both ways.
class Recording final : public UploadTransport {
 public:
  explicit Recording(UploadTransport* inner) : inner_(inner) {}
  std::vector<std::pair<std::string, size_t>> log;

  StatusOr<openen::v1::ExchangeCodeResponse> ExchangeCode(const openen::v1::ExchangeCodeRequest& r) override {
    return Record("exchange", r, inner_->ExchangeCode(r));
  }
  StatusOr<openen::v1::CertifyResponse> Certify(const openen::v1::CertifyRequest& r) override {
    return Record("certify", r, inner_->Certify(r));
  }
  StatusOr<openen::v1::PublishResponse> Publish(const openen::v1::PublishRequest& r) override {
    return Record("publish", r, inner_->Publish(r));
  }

 private:
  template <typename Req, typename Resp>
  StatusOr<Resp> Record(const std::string& name, const Req& req, StatusOr<Resp> resp) {
    log.push_back({name + " request", req.ByteSizeLong()});
    log.push_back({name + " response", resp.ok() ? resp->ByteSizeLong() : 0});
    return resp;
  }
  UploadTransport* inner_;
};

struct Authority {
  RelayFixture relay;
  std::unique_ptr<verifier::Verifier> verifier;
  server::WorkerPool pool{2};
  std::unique_ptr<verifier::VerificationService> verifier_service;
  std::unique_ptr<relay::RelayService> relay_service;
  server::RunningServer running;
  std::unique_ptr<GrpcUploadTransport> transport;
  FakeClock phone_clock{relay::testing::kNow};
  openen::testing::TempDir dir;
  std::unique_ptr<FileKeyStore> keystore = std::move(*FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));

  Authority() {
    // The verifier signs with the key the relay trusts.
    auto v = verifier::Verifier::Open(relay.dir.Sub("verifier"),
                                      *crypto::Ed25519PrivateKey::FromSeed(relay.authority.seed().Reveal()), {},
                                      &relay.clock);
    REQUIRE(v.ok());
    verifier = std::move(*v);
    verifier_service = std::make_unique<verifier::VerificationService>(
        verifier.get(), crypto::SecretBytes(AsBytes("admin-key-admin-key")), &pool);
    relay_service = std::make_unique<relay::RelayService>(relay.relay.get(), &pool);
    auto r = server::StartServer({}, {verifier_service.get(), relay_service.get()});
    REQUIRE(r.ok());
    running = std::move(*r);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(running.port), grpc::InsecureChannelCredentials());
    transport = std::make_unique<GrpcUploadTransport>(channel, channel);
  }
  ~Authority() { server::ShutdownGracefully(running.server.get(), 5); }

  std::unique_ptr<Client> Phone(const std::string& name) {
    ClientOptions o;
    o.store_dir = dir.Sub(name);
    auto c = Client::Open(o, keystore.get(), &phone_clock);
    REQUIRE(c.ok());
    return std::move(*c);
  }
};

TEST_CASE("a diagnosed person uploads their keys with a one-time code", "[client][upload][e2e]") {
  Authority a;
  auto phone = a.Phone("alice");
  // Five days of keys.
  for (int d = 4; d >= 0; --d) {
    a.phone_clock.Set(relay::testing::kNow - d * 86400);
    REQUIRE(phone->CurrentAdvertisement().ok());
  }
  auto codes = a.verifier->IssueCode(openen::v1::CONFIRMED_TEST, 0);
  REQUIRE(codes.ok());
  Recording recording(a.transport.get());
  const uint32_t excluded = relay::testing::kToday / 144 - 2;  // the person leaves out one day
  auto report = phone->UploadDiagnosis(recording, codes->short_code, {excluded});
  REQUIRE(report.ok());
  CHECK(report->keys_sent == 4);
  CHECK(report->keys_accepted == 4);
  CHECK(a.relay.relay->PendingKeys() == 4);
  CHECK(a.verifier->LiveRecords() == 0);  // code and token burned

  // The same code does not work twice.
  auto again = phone->UploadDiagnosis(*a.transport, codes->short_code);
  CHECK(again.status() == Status(StatusCode::kNotFound, "ExchangeCode: invalid or expired code"));

  // The keys released later are exactly the phone's, minus the excluded day.
  a.relay.clock.Set(relay::testing::kNow + 86400 + 3600);
  REQUIRE(a.relay.relay->Maintain().ok());
  auto released = a.relay.Batch(a.relay.relay->ListBatches("", 10)[0].name()).Keys();
  auto own = phone->KeysForUpload();
  for (const OwnKey& k : *own) {
    const bool out = std::any_of(released.begin(), released.end(), [&](const auto& e) {
      return crypto::ConstantTimeEqual(e.key_data, k.key_data.Reveal());
    });
    CHECK(out == (k.rolling_start_interval_number / 144 != excluded));
  }

  // Chaff: the same sequence of the same sizes, and nothing stored anywhere.
  Recording chaff(a.transport.get());
  REQUIRE(phone->SendChaff(chaff).ok());
  REQUIRE(chaff.log.size() == recording.log.size());
  for (size_t i = 0; i < chaff.log.size(); ++i) {
    INFO(chaff.log[i].first);
    CHECK(chaff.log[i].first == recording.log[i].first);
    CHECK(chaff.log[i].second == recording.log[i].second);
  }
  CHECK(a.verifier->LiveRecords() == 0);
  CHECK(a.relay.relay->PendingKeys() == 0);
}

TEST_CASE("chaff goes out on a random schedule", "[client][upload]") {
  Authority a;
  auto phone = a.Phone("bob");
  CHECK_FALSE(*phone->MaybeSendChaff(*a.transport));  // the first call only schedules
  int sent = 0;
  for (int day = 1; day <= 60; ++day) {
    a.phone_clock.Set(relay::testing::kNow + day * 86400);
    a.relay.clock.Set(relay::testing::kNow + day * 86400);
    auto r = phone->MaybeSendChaff(*a.transport);
    REQUIRE(r.ok());
    sent += *r;
  }
  // On average one every three days: 20 expected in 60 days (Poisson); the
  // chance of fewer than 5 or more than 40 is about 1e-5 each.
  CHECK(sent >= 5);
  CHECK(sent <= 40);
  CHECK(a.relay.relay->PendingKeys() == 0);
}

TEST_CASE("nothing to upload and bad codes are reported, nothing is sent to the relay", "[client][upload]") {
  Authority a;
  auto phone = a.Phone("carol");
  CHECK(phone->UploadDiagnosis(*a.transport, "12345678").status() ==
        Status(StatusCode::kFailedPrecondition, "there are no keys to upload"));
  REQUIRE(phone->CurrentAdvertisement().ok());
  auto r = phone->UploadDiagnosis(*a.transport, "12345678");
  CHECK(r.status().code() == StatusCode::kNotFound);
  CHECK(a.relay.relay->PendingKeys() == 0);
}

}  // namespace
}  // namespace openen::client
