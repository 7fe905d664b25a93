// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The servers under bad bytes and overload: undecodable requests get
// INVALID_ARGUMENT saying what was wrong; full lanes shed with
// RESOURCE_EXHAUSTED before any work; chaff the server has no room for is
// answered by a decoy that looks like the real reply; real calls go first,
// chaff runs for real only on an idle server, and connections take turns.

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "openen/client/upload.h"
#include "openen/relay/export_directory.h"
#include "openen/relay/service.h"
#include "openen/rpc/codec.h"
#include "openen/server/dispatcher.h"
#include "openen/server/grpc_server.h"
#include "openen/server/metrics.h"
#include "openen/server/worker_pool.h"
#include "openen/verifier/service.h"
#include "openen/wire/padding.h"
#include "relay_fixture.h"

namespace openen::server {
namespace {

using relay::testing::RelayFixture;

// Gate blocks the workers that run Wait until Open.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  void WaitForWaiters(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool open_ = false;
};

grpc::ByteBuffer Bytes(const std::string& s) {
  grpc::Slice slice(s);
  return grpc::ByteBuffer(&slice, 1);
}

// RawCall sends |bytes| as the request of |method| and returns the status.
grpc::Status RawCall(const std::shared_ptr<grpc::Channel>& channel, const char* method,
                     const std::string& bytes) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  const grpc::internal::RpcMethod rpc(method, grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ByteBuffer response;
  return grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      channel.get(), rpc, &ctx, Bytes(bytes), &response);
}

std::shared_ptr<grpc::Channel> Channel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

// Connection opens a connection of its own to |port|: channels with
// different arguments (|id|) share none.
std::shared_ptr<grpc::Channel> Connection(int port, int id) {
  grpc::ChannelArguments args;
  args.SetInt("openen.test.connection", id);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials(), args);
}

openen::v1::PublishRequest PublishRequest(const RelayFixture& f, bool chaff) {
  auto keys = RelayFixture::DailyKeys(3);
  base::Bytes secret(32, 7);
  return RelayFixture::Request(keys, f.Certificate(keys, secret), secret, chaff);
}

grpc::Status Publish(const std::shared_ptr<grpc::Channel>& channel,
                     const openen::v1::PublishRequest& request,
                     openen::v1::PublishResponse* response) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  const grpc::internal::RpcMethod rpc("/openen.v1.Relay/Publish",
                                      grpc::internal::RpcMethod::NORMAL_RPC);
  return grpc::internal::BlockingUnaryCall<openen::v1::PublishRequest, openen::v1::PublishResponse>(
      channel.get(), rpc, &ctx, request, response);
}

TEST_CASE("undecodable requests get INVALID_ARGUMENT saying what was wrong", "[server][grpc]") {
  RelayFixture f;
  WorkerPool pool(2);
  relay::RelayService relay_service(f.relay.get(), &pool);
  auto verifier = verifier::Verifier::Open(f.dir.Sub("verifier"),
                                           crypto::Ed25519PrivateKey::Generate(), {}, &f.clock);
  REQUIRE(verifier.ok());
  verifier::VerificationService verification(
      verifier->get(),
      [](std::string_view) -> base::StatusOr<std::string> {
        return base::UnauthenticatedError("a valid API key is required");
      },
      &pool);
  auto running = StartServer({}, {&relay_service, &verification});
  REQUIRE(running.ok());
  auto channel = Channel(running->port);

  const std::string random_bytes = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  const std::string truncated = std::string("\x0a\x64", 2) + "abc";  // field 1, 100 bytes, 3 sent
  const std::string bad_utf8 = std::string("\x0a\x03", 2) + "a\xc3\x28";  // field 1 (a string)
  // Field 1 of PublishRequest (a DiagnosisKey) holding a bad tag.
  const std::string bad_nested = std::string("\x0a\x03\xff\xff\xff", 5);

  struct Case {
    const char* method;
    std::string bytes;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"/openen.v1.Relay/Publish", random_bytes,
       "request is not a valid openen.v1.PublishRequest: "
       "malformed protobuf encoding"},
      {"/openen.v1.Relay/Publish", truncated, "malformed protobuf encoding"},
      {"/openen.v1.Relay/ListBatches", bad_utf8,
       "request is not a valid openen.v1.ListBatchesRequest: string field "
       "openen.v1.ListBatchesRequest.after is not valid UTF-8"},
      {"/openen.v1.Relay/Publish", bad_nested,
       "request is not a valid openen.v1.PublishRequest: a nested message is malformed"},
      {"/openen.v1.Relay/GetConfig", truncated, "openen.v1.GetConfigRequest: malformed"},
      {"/openen.v1.Verification/ExchangeCode", bad_utf8,
       "string field openen.v1.ExchangeCodeRequest.code is not valid UTF-8"},
      {"/openen.v1.Verification/Certify", random_bytes, "openen.v1.CertifyRequest: malformed"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.method, c.want);
    const grpc::Status s = RawCall(channel, c.method, c.bytes);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK_THAT(s.error_message(), Catch::Contains(c.want));
  }

  // GetBatch, a stream, decodes its request the same way.
  {
    grpc::ClientContext ctx;
    const grpc::internal::RpcMethod rpc("/openen.v1.Relay/GetBatch",
                                        grpc::internal::RpcMethod::SERVER_STREAMING);
    std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
        grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(channel.get(), rpc, &ctx,
                                                                      Bytes(bad_utf8)));
    grpc::ByteBuffer chunk;
    CHECK_FALSE(reader->Read(&chunk));
    const grpc::Status s = reader->Finish();
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK_THAT(s.error_message(),
               Catch::Contains("openen.v1.GetBatchRequest.name is not valid UTF-8"));
  }

  // And both keep serving.
  openen::v1::PublishResponse response;
  CHECK(Publish(channel, PublishRequest(f, false), &response).ok());
  CHECK(response.accepted() == 3);
  ShutdownGracefully(running->server.get(), 5);
}

TEST_CASE("a request over 8 KiB is refused before it is read - the largest padded request fits",
          "[server][grpc]") {
  RelayFixture f;
  WorkerPool pool(2);
  relay::RelayService relay_service(f.relay.get(), &pool);
  const EndpointOptions options;
  REQUIRE(options.max_receive_message_bytes == 8 * 1024);
  auto running = StartServer(options, {&relay_service});
  REQUIRE(running.ok());
  auto channel = Channel(running->port);

  // The largest request a phone sends: 14 keys padded to the publish size.
  auto keys = RelayFixture::DailyKeys(14);
  base::Bytes secret(32, 7);
  openen::v1::PublishRequest largest =
      RelayFixture::Request(keys, f.Certificate(keys, secret), secret, false);
  REQUIRE(wire::PadToSize(&largest, client::kPublishRequestSize).ok());
  openen::v1::PublishResponse response;
  CHECK(Publish(channel, largest, &response).ok());
  CHECK(response.accepted() == 14);

  // At the bound a request is read and decoded; one byte over, gRPC refuses
  // it before any handler sees it.
  const std::string at_bound(options.max_receive_message_bytes, '\xff');
  CHECK(RawCall(channel, "/openen.v1.Relay/Publish", at_bound).error_code() ==
        grpc::INVALID_ARGUMENT);
  const grpc::Status over =
      RawCall(channel, "/openen.v1.Relay/Publish", at_bound + std::string(1, '\xff'));
  CHECK(over.error_code() == grpc::RESOURCE_EXHAUSTED);
  CHECK(over.error_message().size() < 200);
  ShutdownGracefully(running->server.get(), 5);
}

TEST_CASE("one connection has at most 4 calls open at once - the rest wait on its side",
          "[server][grpc]") {
  RelayFixture f;
  WorkerPool pool(1);
  relay::RelayService relay_service(f.relay.get(), &pool);
  const EndpointOptions options;
  REQUIRE(options.max_streams_per_connection == 4);
  auto running = StartServer(options, {&relay_service});
  REQUIRE(running.ok());
  auto channel = Connection(running->port, 1);
  Gate gate;
  REQUIRE(pool.TrySubmit(Lane::kReal, [&] { gate.Wait(); }));
  gate.WaitForWaiters(1);
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 8; ++i) {
    calls.push_back(std::async(std::launch::async, [&] {
      openen::v1::PublishResponse r;
      return Publish(channel, PublishRequest(f, false), &r);
    }));
  }
  for (int i = 0; i < 5000 && pool.Queued(Lane::kReal) < 4; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  // Long enough for the other four to arrive, had the server let them.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(pool.Queued(Lane::kReal) == 4);
  gate.Open();
  for (auto& call : calls) CHECK(call.get().ok());
  ShutdownGracefully(running->server.get(), 5);
}

TEST_CASE("a full lane refuses at once - free workers serve lanes in order - chaff holds one",
          "[server]") {
  SECTION("chaff holds one worker, never waits; the other worker serves real work") {
    WorkerPool pool(2);
    Gate gate;
    std::atomic<bool> chaff_done{false};
    // Taken once a worker has started and waits for work.
    bool taken = false;
    for (int i = 0; i < 5000 && !taken; ++i) {
      taken = pool.TrySubmit(Lane::kChaff, [&] {
        gate.Wait();
        chaff_done = true;
      });
      if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(taken);
    gate.WaitForWaiters(1);
    // Its one slot is taken: more chaff is refused, not queued.
    CHECK(pool.Full(Lane::kChaff));
    CHECK_FALSE(pool.TrySubmit(Lane::kChaff, [] {}));
    std::promise<void> real_ran;
    REQUIRE(pool.TrySubmit(Lane::kReal, [&] { real_ran.set_value(); }));
    CHECK(real_ran.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    gate.Open();
    while (!chaff_done) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  SECTION(
      "a full queue refuses; real work runs before reads, reads before suspects; chaff waits for "
      "no one") {
    std::array<LaneLimits, kLaneCount> limits = WorkerPool::DefaultLimits();
    limits[static_cast<size_t>(Lane::kReal)].max_queued = 2;
    Gate gate;
    std::vector<std::string> order;  // written by the one worker only
    {
      WorkerPool pool(1, limits);
      REQUIRE(pool.TrySubmit(Lane::kRead, [&] { gate.Wait(); }));
      gate.WaitForWaiters(1);
      // No worker is free: chaff is refused rather than queued.
      CHECK_FALSE(pool.TrySubmit(Lane::kChaff, [&] { order.push_back("chaff"); }));
      REQUIRE(pool.TrySubmit(Lane::kSuspect, [&] { order.push_back("suspect"); }));
      REQUIRE(pool.TrySubmit(Lane::kRead, [&] { order.push_back("read"); }));
      REQUIRE(pool.TrySubmit(Lane::kReal, [&] { order.push_back("real"); }));
      REQUIRE(pool.TrySubmit(Lane::kReal, [&] { order.push_back("real"); }));
      CHECK(pool.Full(Lane::kReal));
      CHECK_FALSE(pool.TrySubmit(Lane::kReal, [&] { order.push_back("shed"); }));
      CHECK(pool.Queued(Lane::kReal) == 2);
      gate.Open();
    }  // the destructor runs what is queued
    CHECK(order == std::vector<std::string>{"real", "real", "read", "suspect"});
  }
}

TEST_CASE("with every worker busy, real publishes shed and chaff is answered by a decoy",
          "[server][grpc][privacy]") {
  RelayFixture f;
  std::array<LaneLimits, kLaneCount> limits = WorkerPool::DefaultLimits();
  limits[static_cast<size_t>(Lane::kReal)].max_queued = 1;
  WorkerPool pool(1, limits);
  Metrics metrics("openen_relay");
  relay::RelayService service(f.relay.get(), &pool, &metrics);
  auto running = StartServer({}, {&service});
  REQUIRE(running.ok());
  auto channel = Channel(running->port);

  // A real publish first, so that the decoys have a real latency to draw on.
  openen::v1::PublishResponse real_response;
  REQUIRE(Publish(channel, PublishRequest(f, false), &real_response).ok());

  Gate gate;
  REQUIRE(pool.TrySubmit(Lane::kRead, [&] { gate.Wait(); }));
  gate.WaitForWaiters(1);

  // Chaff, with the only worker held, is answered by decoys: the same
  // status and the same size as a real reply, every key accepted.
  for (int i = 0; i < 5; ++i) {
    openen::v1::PublishResponse decoy;
    const grpc::Status s = Publish(channel, PublishRequest(f, true), &decoy);
    REQUIRE(s.ok());
    CHECK(decoy.accepted() == 3);
    CHECK(decoy.rejected_size() == 0);
    CHECK(decoy.ByteSizeLong() == real_response.ByteSizeLong());
  }
  // A decoy refuses what the real path refuses.
  openen::v1::PublishRequest empty = PublishRequest(f, true);
  empty.clear_keys();
  openen::v1::PublishResponse refused;
  CHECK(Publish(channel, empty, &refused).error_code() == grpc::INVALID_ARGUMENT);

  // kReal: one queued, then shed at once; and while it is full, chaff is
  // shed too, as a real call would be.
  auto queued = std::async(std::launch::async, [&] {
    openen::v1::PublishResponse r;
    return Publish(channel, PublishRequest(f, false), &r);
  });
  while (pool.Queued(Lane::kReal) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  for (bool chaff : {false, true}) {
    openen::v1::PublishResponse shed;
    const grpc::Status busy = Publish(channel, PublishRequest(f, chaff), &shed);
    CHECK(busy.error_code() == grpc::RESOURCE_EXHAUSTED);
    CHECK(busy.error_message() == "the server is busy; try again later");
  }
  // Both counted for the operator (decoys are not: they answered).
  CHECK(metrics.Text().find("\nopenen_relay_calls_shed_total 2\n") != std::string::npos);

  gate.Open();
  CHECK(queued.get().ok());
  ShutdownGracefully(running->server.get(), 5);
}

TEST_CASE("flows take turns in a lane - a full lane makes room from the largest flow", "[server]") {
  const WorkerPool::Flow a = "connection a", b = "connection b";
  std::array<LaneLimits, kLaneCount> limits = WorkerPool::DefaultLimits();
  limits[static_cast<size_t>(Lane::kReal)].max_queued = 4;
  Gate gate;
  std::vector<std::string> order, refused;  // the one worker writes |order|
  std::mutex refused_mu;
  auto task = [&](const std::string& name) { return [&order, name] { order.push_back(name); }; };
  auto refuse = [&](const std::string& name) {
    return [&refused, &refused_mu, name] {
      std::lock_guard<std::mutex> lock(refused_mu);
      refused.push_back(name);
    };
  };
  SECTION("one task of each flow in turn, whatever the order they came in") {
    {
      WorkerPool pool(1);
      REQUIRE(pool.TrySubmit(Lane::kRead, [&] { gate.Wait(); }));
      gate.WaitForWaiters(1);
      for (const char* name : {"a1", "a2", "a3", "a4"}) REQUIRE(pool.TrySubmit(Lane::kReal, task(name), a));
      REQUIRE(pool.TrySubmit(Lane::kReal, task("b1"), b));
      gate.Open();
    }
    CHECK(order == std::vector<std::string>{"a1", "b1", "a2", "a3", "a4"});
  }
  SECTION("a newcomer takes the place of the newest task of a flow with two more waiting") {
    {
      WorkerPool pool(1, limits);
      REQUIRE(pool.TrySubmit(Lane::kRead, [&] { gate.Wait(); }));
      gate.WaitForWaiters(1);
      for (const char* name : {"a1", "a2", "a3", "a4"}) {
        REQUIRE(pool.TrySubmit(Lane::kReal, task(name), a, refuse(name)));
      }
      CHECK(pool.Full(Lane::kReal));
      CHECK(pool.Admits(Lane::kReal, b));
      CHECK_FALSE(pool.Admits(Lane::kReal, a));
      // The largest flow itself gets no room.
      CHECK_FALSE(pool.TrySubmit(Lane::kReal, task("a5"), a, refuse("a5")));
      CHECK(pool.TrySubmit(Lane::kReal, task("b1"), b, refuse("b1")));  // a4 out
      CHECK(pool.TrySubmit(Lane::kReal, task("b2"), b, refuse("b2")));  // a3 out
      // Two each: no flow has two more than b.
      CHECK_FALSE(pool.TrySubmit(Lane::kReal, task("b3"), b, refuse("b3")));
      CHECK(pool.Queued(Lane::kReal) == 4);
      gate.Open();
    }
    CHECK(order == std::vector<std::string>{"a1", "b1", "a2", "b2"});
    CHECK(refused == std::vector<std::string>{"a4", "a3"});
  }
  SECTION("a task without a refusal is never dropped") {
    {
      WorkerPool pool(1, limits);
      REQUIRE(pool.TrySubmit(Lane::kRead, [&] { gate.Wait(); }));
      gate.WaitForWaiters(1);
      for (const char* name : {"a1", "a2", "a3", "a4"}) REQUIRE(pool.TrySubmit(Lane::kReal, task(name), a));
      CHECK_FALSE(pool.TrySubmit(Lane::kReal, task("b1"), b, refuse("b1")));
      gate.Open();
    }
    CHECK(order == std::vector<std::string>{"a1", "a2", "a3", "a4"});
    CHECK(refused.empty());
  }
}

TEST_CASE("chaff runs for real only while no other work runs or waits", "[server]") {
  WorkerPool pool(2);
  Gate gate;
  std::atomic<bool> real_done{false};
  REQUIRE(pool.TrySubmit(Lane::kReal, [&] {
    gate.Wait();
    real_done = true;
  }));
  gate.WaitForWaiters(1);
  // The other worker is free (once it has started), but real work runs:
  // chaff would take turns from it. Tried for a while, so that the free
  // worker is surely waiting for work.
  bool taken_while_real_ran = false;
  for (int i = 0; i < 200 && !taken_while_real_ran; ++i) {
    taken_while_real_ran = !pool.Full(Lane::kChaff) || pool.TrySubmit(Lane::kChaff, [] {});
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK_FALSE(taken_while_real_ran);
  gate.Open();
  while (!real_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  bool taken = false;
  std::promise<void> chaff_ran;
  for (int i = 0; i < 5000 && !taken; ++i) {
    taken = pool.TrySubmit(Lane::kChaff, [&] { chaff_ran.set_value(); });
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(taken);
  CHECK(chaff_ran.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
}

TEST_CASE("calls wait by connection - a flood on one connection cannot keep another connection out",
          "[server][grpc]") {
  RelayFixture f;
  std::array<LaneLimits, kLaneCount> limits = WorkerPool::DefaultLimits();
  limits[static_cast<size_t>(Lane::kReal)].max_queued = 2;
  WorkerPool pool(1, limits);
  relay::RelayService service(f.relay.get(), &pool);
  auto running = StartServer({}, {&service});
  REQUIRE(running.ok());
  auto flooder = Connection(running->port, 1), phone = Connection(running->port, 2);
  Gate gate;
  REQUIRE(pool.TrySubmit(Lane::kReal, [&] { gate.Wait(); }));
  gate.WaitForWaiters(1);

  // The flooding connection fills the lane.
  std::vector<std::future<grpc::Status>> flood;
  for (int i = 0; i < 2; ++i) {
    flood.push_back(std::async(std::launch::async, [&] {
      openen::v1::PublishResponse r;
      return Publish(flooder, PublishRequest(f, false), &r);
    }));
    while (pool.Queued(Lane::kReal) < static_cast<size_t>(i + 1))
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(pool.Full(Lane::kReal));
  // Its third call is refused: its own flow is the largest.
  openen::v1::PublishResponse r;
  CHECK(Publish(flooder, PublishRequest(f, false), &r).error_code() == grpc::RESOURCE_EXHAUSTED);
  // Chaff is shed exactly as a real call from its connection would be: the
  // flooder's is refused, the phone's answered (by a decoy: the one worker
  // is held). Neither takes a place.
  openen::v1::PublishResponse chaff;
  CHECK(Publish(flooder, PublishRequest(f, true), &chaff).error_code() ==
        grpc::RESOURCE_EXHAUSTED);
  CHECK(Publish(phone, PublishRequest(f, true), &chaff).ok());
  CHECK(pool.Queued(Lane::kReal) == 2);
  // The phone's call takes the place of the flood's newest, which is
  // refused in its stead; the phone's publish is served.
  auto real = std::async(std::launch::async, [&] {
    openen::v1::PublishResponse out;
    return Publish(phone, PublishRequest(f, false), &out);
  });
  int refused = 0;
  for (int i = 0; i < 5000 && refused == 0; ++i) {
    for (auto& call : flood) {
      if (!call.valid() || call.wait_for(std::chrono::seconds(0)) != std::future_status::ready) continue;
      if (call.get().error_code() == grpc::RESOURCE_EXHAUSTED) ++refused;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(refused == 1);
  gate.Open();
  CHECK(real.get().ok());
  for (auto& call : flood) {
    if (call.valid()) CHECK(call.get().ok());  // the flood's first call, served in its turn
  }
  ShutdownGracefully(running->server.get(), 5);
}

// Download reads batch |name| over |channel|: the status and the bytes.
std::pair<grpc::Status, std::string> Download(const std::shared_ptr<grpc::Channel>& channel,
                                              const std::string& name) {
  openen::v1::GetBatchRequest request;
  request.set_name(name);
  grpc::ByteBuffer request_bytes;
  REQUIRE(rpc::EncodeMessage(request, &request_bytes).ok());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  const grpc::internal::RpcMethod rpc("/openen.v1.Relay/GetBatch",
                                      grpc::internal::RpcMethod::SERVER_STREAMING);
  std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
      grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(channel.get(), rpc, &ctx,
                                                                    request_bytes));
  std::string data;
  for (grpc::ByteBuffer chunk_bytes; reader->Read(&chunk_bytes);) {
    openen::v1::BatchChunk chunk;
    REQUIRE(rpc::DecodeMessage(chunk_bytes, &chunk).ok());
    data += chunk.data();
  }
  return {reader->Finish(), data};
}

TEST_CASE("batch downloads wait by connection - a full read lane makes room from the largest flow",
          "[server][grpc]") {
  RelayFixture f;
  REQUIRE(f.Publish(RelayFixture::DailyKeys(3)).ok());
  f.clock.Set(relay::testing::kNow + 3600);
  REQUIRE(f.relay->Maintain().ok());
  const std::string name = relay::BatchFileName(relay::testing::kNow + 3600);
  std::array<LaneLimits, kLaneCount> limits = WorkerPool::DefaultLimits();
  limits[static_cast<size_t>(Lane::kRead)].max_queued = 2;
  WorkerPool pool(1, limits);
  relay::RelayService service(f.relay.get(), &pool);
  auto running = StartServer({}, {&service});
  REQUIRE(running.ok());
  auto flooder = Connection(running->port, 1), phone = Connection(running->port, 2);
  const std::string whole = Download(phone, name).second;
  REQUIRE_FALSE(whole.empty());

  Gate gate;
  REQUIRE(pool.TrySubmit(Lane::kRead, [&] { gate.Wait(); }));
  gate.WaitForWaiters(1);
  // The flooding connection's downloads fill the read lane.
  std::vector<std::future<std::pair<grpc::Status, std::string>>> flood;
  for (int i = 0; i < 2; ++i) {
    flood.push_back(std::async(std::launch::async, [&] { return Download(flooder, name); }));
    while (pool.Queued(Lane::kRead) < static_cast<size_t>(i + 1))
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(pool.Full(Lane::kRead));
  // The phone's download takes the place of the flood's newest, which ends
  // with RESOURCE_EXHAUSTED; the phone's is served whole.
  auto phones = std::async(std::launch::async, [&] { return Download(phone, name); });
  int refused = 0;
  for (int i = 0; i < 5000 && refused == 0; ++i) {
    for (auto& call : flood) {
      if (!call.valid() || call.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        continue;
      if (call.get().first.error_code() == grpc::RESOURCE_EXHAUSTED) ++refused;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(refused == 1);
  gate.Open();
  auto [status, data] = phones.get();
  CHECK(status.ok());
  CHECK(data == whole);
  for (auto& call : flood) {
    if (call.valid()) CHECK(call.get().second == whole);  // the flood's first, in its turn
  }
  ShutdownGracefully(running->server.get(), 5);
}

TEST_CASE("a connection whose real call failed waits behind other connections until one succeeds",
          "[server][grpc]") {
  RelayFixture f;
  WorkerPool pool(1);
  relay::RelayService service(f.relay.get(), &pool);
  auto running = StartServer({}, {&service});
  REQUIRE(running.ok());
  auto forger = Connection(running->port, 1), phone = Connection(running->port, 2);
  auto publish = [&](const std::shared_ptr<grpc::Channel>& channel) {
    return std::async(std::launch::async, [&f, channel] {
      openen::v1::PublishResponse r;
      return Publish(channel, PublishRequest(f, false), &r);
    });
  };
  auto wait_queued = [&](Lane lane, size_t n) {
    for (int i = 0; i < 5000 && pool.Queued(lane) < n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return pool.Queued(lane) == n;
  };

  // A certificate for other keys: refused after a worker checked it.
  auto keys = RelayFixture::DailyKeys(2);
  base::Bytes secret(32, 1);
  openen::v1::PublishResponse r;
  CHECK(Publish(forger,
                RelayFixture::Request(keys, f.Certificate(keys, base::Bytes(32, 2)), secret), &r)
            .error_code() == grpc::UNAUTHENTICATED);

  // With the worker held, the forger's next call waits in kSuspect, the
  // phone's in kReal, and the phone's is served first.
  auto held = std::make_unique<Gate>();
  REQUIRE(pool.TrySubmit(Lane::kReal, [&gate = *held] { gate.Wait(); }));
  held->WaitForWaiters(1);
  auto forgers = publish(forger);
  CHECK(wait_queued(Lane::kSuspect, 1));
  auto phones = publish(phone);
  CHECK(wait_queued(Lane::kReal, 1));
  CHECK(pool.Queued(Lane::kSuspect) == 1);
  // A read queued behind the phone's call holds the worker again: the
  // phone's call is done by then, the forger's still waits.
  Gate read;
  REQUIRE(pool.TrySubmit(Lane::kRead, [&] { read.Wait(); }));
  held->Open();
  CHECK(phones.get().ok());
  read.WaitForWaiters(1);
  CHECK(pool.Queued(Lane::kSuspect) == 1);
  CHECK(forgers.wait_for(std::chrono::seconds(0)) != std::future_status::ready);
  read.Open();
  CHECK(forgers.get().ok());

  // Its call succeeded: the forger's connection is no longer suspect.
  held = std::make_unique<Gate>();
  REQUIRE(pool.TrySubmit(Lane::kReal, [&gate = *held] { gate.Wait(); }));
  held->WaitForWaiters(1);
  auto again = publish(forger);
  CHECK(wait_queued(Lane::kReal, 1));
  CHECK(pool.Queued(Lane::kSuspect) == 0);
  held->Open();
  CHECK(again.get().ok());
  ShutdownGracefully(running->server.get(), 5);
}

}  // namespace
}  // namespace openen::server
