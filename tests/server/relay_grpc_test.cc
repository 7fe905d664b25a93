// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The relay over real gRPC channels on loopback, fed by a real verifier.

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>

#include "openen/base/fault.h"
#include "openen/relay/service.h"
#include "openen/server/grpc_server.h"
#include "openen/server/worker_pool.h"
#include "openen/verifier/verifier.h"
#include "relay_fixture.h"

namespace openen::relay {
namespace {

using testing::kNow;
using testing::RelayFixture;

struct RelayServer {
  RelayFixture f;
  server::WorkerPool pool{2};
  std::unique_ptr<RelayService> service;
  server::RunningServer running;

  explicit RelayServer(RelayOptions options = RelayFixture::TestOptions(),
                       std::optional<openen::v1::SignedEnvelope> config = {})
      : f(options) {
    if (config) f.Reopen(config);
    service = std::make_unique<RelayService>(f.relay.get(), &pool);
    auto r = server::StartServer({}, {service.get()});
    REQUIRE(r.ok());
    running = std::move(*r);
  }
  ~RelayServer() { server::ShutdownGracefully(running.server.get(), 5); }

  std::unique_ptr<openen::v1::Relay::Stub> RelayApi() const {
    return openen::v1::Relay::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(running.port),
                                                          grpc::InsecureChannelCredentials()));
  }
};

base::Bytes FetchBatch(openen::v1::Relay::Stub* relay_api, const std::string& name, grpc::Status* status,
                       int* chunks = nullptr) {
  grpc::ClientContext ctx;
  openen::v1::GetBatchRequest req;
  req.set_name(name);
  auto reader = relay_api->GetBatch(&ctx, req);
  openen::v1::BatchChunk chunk;
  base::Bytes out;
  int n = 0;
  while (reader->Read(&chunk)) {
    REQUIRE(chunk.offset() == out.size());
    out.insert(out.end(), chunk.data().begin(), chunk.data().end());
    ++n;
  }
  *status = reader->Finish();
  if (chunks) *chunks = n;
  return out;
}

TEST_CASE("code to certificate to publish to batch, over loopback gRPC", "[relay][grpc][e2e]") {
  RelayServer s;
  // The verifier's certificate key is the relay's authority key.
  auto v = verifier::Verifier::Open(s.f.dir.Sub("verifier"),
                                    *crypto::Ed25519PrivateKey::FromSeed(s.f.authority.seed().Reveal()), {},
                                    &s.f.clock);
  REQUIRE(v.ok());
  auto codes = (*v)->IssueCode(openen::v1::CONFIRMED_TEST, testing::kToday - 3 * 144);
  auto token = (*v)->ExchangeCode(codes->short_code);
  auto keys = RelayFixture::DailyKeys(14);
  base::Bytes secret(32);
  crypto::RandomBytes(secret);
  std::vector<crypto::TekHmacEntry> entries;
  for (const auto& k : keys) entries.push_back({k.key_data, k.rolling_start_interval_number, k.rolling_period, k.transmission_risk});
  auto mac = crypto::TekHmac(secret, entries, crypto::TekHmacForm::kWithTransmissionRisk);
  auto cert = (*v)->Certify(token->token, mac);
  REQUIRE(cert.ok());

  auto relay_api = s.RelayApi();
  grpc::ClientContext ctx;
  openen::v1::PublishResponse resp;
  grpc::Status st = relay_api->Publish(&ctx, RelayFixture::Request(keys, *cert, secret), &resp);
  REQUIRE(st.ok());
  CHECK(resp.accepted() == 14);
  CHECK(resp.rejected_size() == 0);
  CHECK(resp.ByteSizeLong() == kPublishResponseSize);

  s.f.clock.Set(kNow + 3600);
  REQUIRE(s.f.relay->Maintain().ok());
  grpc::ClientContext list_ctx;
  openen::v1::ListBatchesResponse list;
  REQUIRE(relay_api->ListBatches(&list_ctx, {}, &list).ok());
  REQUIRE(list.batches_size() == 1);
  CHECK(list.ByteSizeLong() % kConfigResponsePadTo == 0);

  // Two clients fetch identical bytes, equal to the file and its listed hash.
  grpc::Status a_status, b_status;
  base::Bytes a = FetchBatch(relay_api.get(), list.batches(0).name(), &a_status);
  base::Bytes b = FetchBatch(s.RelayApi().get(), list.batches(0).name(), &b_status);
  REQUIRE(a_status.ok());
  REQUIRE(b_status.ok());
  CHECK(a == b);
  CHECK(a.size() == list.batches(0).size());
  auto digest = crypto::Sha256(a);
  CHECK(std::string(base::AsChars(digest)) == list.batches(0).sha256());
  auto file = wire::ExportFile::Parse(a);
  REQUIRE(file.ok());
  CHECK(file->key_count() == 20);  // 14 real keys padded to the bucket of 20
  CHECK(file->Verify({{"openen-v1", s.f.relay->export_public_key()}}).ok());
}

TEST_CASE("bad publishes get clear statuses and the relay keeps serving", "[relay][grpc]") {
  RelayServer s;
  auto relay_api = s.RelayApi();
  auto keys = RelayFixture::DailyKeys(2);
  base::Bytes secret(32, 1);
  auto publish = [&](const openen::v1::PublishRequest& req, openen::v1::PublishResponse* resp) {
    grpc::ClientContext ctx;
    return relay_api->Publish(&ctx, req, resp);
  };
  openen::v1::PublishResponse resp;
  grpc::Status forged =
      publish(RelayFixture::Request(keys, s.f.Certificate(keys, base::Bytes(32, 2)), secret), &resp);
  CHECK(forged.error_code() == grpc::UNAUTHENTICATED);
  CHECK(forged.error_message() == "key HMAC does not match the certificate");
  grpc::Status empty = publish(RelayFixture::Request({}, s.f.Certificate({}, secret), secret), &resp);
  CHECK(empty.error_code() == grpc::INVALID_ARGUMENT);
  CHECK(empty.error_message() == "publish has 0 keys, want 1..30");

  auto big = RelayFixture::Request(keys, s.f.Certificate(keys, secret), secret);
  big.set_padding(std::string(9 * 1024, 'p'));
  CHECK(publish(big, &resp).error_code() == grpc::RESOURCE_EXHAUSTED);

  // Per-key problems are reported, the rest accepted, in a same-size response.
  auto mixed = keys;
  mixed.push_back(SubmittedKey{base::Bytes(15, 9), testing::kToday - 3 * 144, 144, 1});
  grpc::Status ok = publish(RelayFixture::Request(mixed, s.f.Certificate(mixed, secret), secret), &resp);
  REQUIRE(ok.ok());
  CHECK(resp.accepted() == 2);
  REQUIRE(resp.rejected_size() == 1);
  CHECK(resp.rejected(0).index() == 2);
  CHECK(resp.rejected(0).reason() == "key_data is 15 bytes, want 16");
  CHECK(resp.ByteSizeLong() == kPublishResponseSize);

  // Chaff: same size, nothing stored.
  openen::v1::PublishResponse chaff;
  auto more = RelayFixture::DailyKeys(14);
  REQUIRE(publish(RelayFixture::Request(more, s.f.Certificate(more, secret), secret, true), &chaff).ok());
  CHECK(chaff.ByteSizeLong() == kPublishResponseSize);
  CHECK(s.f.relay->PendingKeys() == 2);

  grpc::Status missing;
  FetchBatch(relay_api.get(), "batch-0000000001.zip", &missing);
  CHECK(missing.error_code() == grpc::NOT_FOUND);
  FetchBatch(relay_api.get(), "../data/CURRENT", &missing);
  CHECK(missing.error_code() == grpc::NOT_FOUND);
  // A long name (near the request bound) is not echoed whole: the answer
  // stays NOT_FOUND, not an error too large for the caller's metadata limit.
  FetchBatch(relay_api.get(), std::string(8000, 'a'), &missing);
  CHECK(missing.error_code() == grpc::NOT_FOUND);
  CHECK(missing.error_message().size() < 128);
}

#ifdef OPENEN_FAULT_INJECTION
TEST_CASE("a publish whose reply was lost after the commit is retried over gRPC",
          "[relay][grpc][retry][fault]") {
  struct Disarm {
    ~Disarm() { base::DisarmFaults(); }
  } disarm;
  RelayServer s;
  auto relay_api = s.RelayApi();
  auto keys = RelayFixture::DailyKeys(3);
  keys.push_back(SubmittedKey{base::Bytes(15, 9), testing::kToday - 5 * 144, 144, 1});
  base::Bytes secret(32, 1);
  const auto request = RelayFixture::Request(keys, s.f.Certificate(keys, secret), secret);
  auto publish = [&](openen::v1::PublishResponse* resp) {
    grpc::ClientContext ctx;
    return relay_api->Publish(&ctx, request, resp);
  };
  base::ArmFault("relay.publish.stored", base::FaultAction::kError);
  openen::v1::PublishResponse lost;
  grpc::Status failed = publish(&lost);
  CHECK(failed.error_code() == grpc::UNAVAILABLE);
  CHECK(s.f.relay->PendingKeys() == 3);
  openen::v1::PublishResponse resp;
  grpc::Status ok = publish(&resp);
  REQUIRE(ok.ok());
  CHECK(resp.accepted() == 3);
  REQUIRE(resp.rejected_size() == 1);
  CHECK(resp.rejected(0).index() == 3);
  CHECK(resp.rejected(0).reason() == "key_data is 15 bytes, want 16");
  CHECK(resp.ByteSizeLong() == kPublishResponseSize);
  CHECK(s.f.relay->PendingKeys() == 3);
}
#endif  // OPENEN_FAULT_INJECTION

TEST_CASE("large batches stream in 64 KiB chunks", "[relay][grpc]") {
  RelayOptions options = RelayFixture::TestOptions();
  options.min_batch_keys = 5000;
  RelayServer s(options);
  REQUIRE(s.f.Publish(RelayFixture::DailyKeys(3)).ok());
  s.f.clock.Set(kNow + 3600);
  REQUIRE(s.f.relay->Maintain().ok());
  auto relay_api = s.RelayApi();
  grpc::Status st;
  int chunks = 0;
  base::Bytes data = FetchBatch(relay_api.get(), BatchFileName(kNow + 3600), &st, &chunks);
  REQUIRE(st.ok());
  CHECK(data.size() > 64 * 1024);
  CHECK(chunks == static_cast<int>((data.size() + 64 * 1024 - 1) / (64 * 1024)));
  CHECK(wire::ExportFile::Parse(data)->key_count() == 5000);
}

TEST_CASE("GetConfig serves the signed configuration, or NOT_FOUND", "[relay][grpc]") {
  {
    RelayServer none;
    grpc::ClientContext ctx;
    openen::v1::GetConfigResponse resp;
    CHECK(none.RelayApi()->GetConfig(&ctx, {}, &resp).error_code() == grpc::NOT_FOUND);
  }
  RelayServer s;
  openen::v1::RelayConfig config;
  config.set_serial(7);
  config.set_expires_at(kNow + 30 * 86400);
  config.set_retention_days(14);
  auto env = wire::SignEnvelope(wire::kRelayConfigContext, config, s.f.config_key);
  s.f.Reopen(env);
  s.service = std::make_unique<RelayService>(s.f.relay.get(), &s.pool);
  auto r = server::StartServer({}, {s.service.get()});
  REQUIRE(r.ok());
  auto relay_api = openen::v1::Relay::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(r->port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  openen::v1::GetConfigResponse resp;
  REQUIRE(relay_api->GetConfig(&ctx, {}, &resp).ok());
  openen::v1::RelayConfig got;
  REQUIRE(wire::OpenEnvelope(resp.config(), wire::kRelayConfigContext, {s.f.config_key.PublicKey()}, &got).ok());
  CHECK(got.serial() == 7);
  server::ShutdownGracefully(r->server.get(), 1);
}

TEST_CASE("the same service over an in-process channel", "[relay][grpc]") {
  RelayServer s;
  auto relay_api = openen::v1::Relay::NewStub(s.running.server->InProcessChannel(grpc::ChannelArguments()));
  auto keys = RelayFixture::DailyKeys(4);
  base::Bytes secret(32, 9);
  grpc::ClientContext ctx;
  openen::v1::PublishResponse resp;
  REQUIRE(relay_api->Publish(&ctx, RelayFixture::Request(keys, s.f.Certificate(keys, secret), secret), &resp).ok());
  CHECK(resp.accepted() == 4);
  s.f.clock.Set(kNow + 3600);
  REQUIRE(s.f.relay->Maintain().ok());
  grpc::Status st;
  base::Bytes in_process = FetchBatch(relay_api.get(), BatchFileName(kNow + 3600), &st);
  REQUIRE(st.ok());
  base::Bytes loopback = FetchBatch(s.RelayApi().get(), BatchFileName(kNow + 3600), &st);
  CHECK(in_process == loopback);
}

TEST_CASE("no peer address reaches the data or export directory", "[relay][grpc][privacy]") {
  RelayServer s;
  auto relay_api = s.RelayApi();
  auto keys = RelayFixture::DailyKeys(5);
  base::Bytes secret(32, 3);
  grpc::ClientContext ctx;
  openen::v1::PublishResponse resp;
  REQUIRE(relay_api->Publish(&ctx, RelayFixture::Request(keys, s.f.Certificate(keys, secret), secret), &resp).ok());
  s.f.clock.Set(kNow + 3600);
  REQUIRE(s.f.relay->Maintain().ok());
  for (const char* needle : {"127.0.0.1", "ipv4:", "localhost"}) {
    INFO(needle);
    CHECK(openen::testing::FilesContaining(s.f.dir.path(), base::AsBytes(needle)).empty());
  }
}

}  // namespace
}  // namespace openen::relay
