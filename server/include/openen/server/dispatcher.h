// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Dispatcher: how a server's unary calls get from gRPC to the worker pool, in
// one place for both servers. For each call it
//   - decodes the request itself (the services register raw methods), so
//     that undecodable bytes get INVALID_ARGUMENT saying what was wrong;
//   - puts the work in its lane (worker_pool.h), in its connection's flow,
//     or answers
//     RESOURCE_EXHAUSTED at once when the lane is full, before any work;
//   - answers chaff that its lane has no room for with a decoy: the reply
//     the work would give, made without the work (no disk), sent after a
//     delay drawn from the latencies of recent real calls. Chaff then costs
//     a flood nothing but still looks like a real call on the wire: the same
//     status, the same padded size, the same spread of delays. And chaff is
//     shed exactly when a real call from its connection would be: while the
//     real lane is full and no flood's place can be taken.

#ifndef OPENEN_SERVER_DISPATCHER_H_
#define OPENEN_SERVER_DISPATCHER_H_

#include <grpcpp/grpcpp.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "openen/base/status.h"
#include "openen/rpc/codec.h"
#include "openen/rpc/status.h"
#include "openen/server/metrics.h"
#include "openen/server/suspects.h"
#include "openen/server/worker_pool.h"

namespace openen::server {

// How a server answers one unary method. A handler must outlive every call
// it serves: the worker pool's queued tasks refer to it, so the pool is
// drained (destroyed) before the service that holds the handler.
template <typename Request, typename Response>
struct UnaryHandler {
  // The lane the call waits in (e.g. kChaff when the request says chaff).
  std::function<Lane(const Request&)> lane;
  // The work, run on a worker: fills |response| (padded) or fails.
  std::function<base::Status(const Request&, Response*)> run;
  // For a chaff call the chaff lane has no room for: the reply |run| would
  // give, made without its work. Unset: such a call gets RESOURCE_EXHAUSTED.
  std::function<base::Status(const Request&, Response*)> decoy;
};

// The status a call gets when its lane is full.
base::Status BusyError();

// ConnectionOf returns the key of the connection |ctx|'s call came on, for
// the worker pool's flows and suspects: the address of the connection's gRPC
// security context (one per connection, for insecure connections too; none,
// nullptr, over an in-process channel), used only as a number while the call
// waits, or while its connection is suspect (Suspects holds a reference
// then, so that no other connection's context can take the address).
// Nothing about the peer, its address included, is read.
WorkerPool::Flow ConnectionOf(grpc::CallbackServerContext* ctx);

class Dispatcher {
 public:
  // Decoys waiting for their reply time at most; beyond, RESOURCE_EXHAUSTED
  // (the one case where chaff is shed while real calls still have room: a
  // flood of more than this many chaff calls within one real latency).
  static constexpr size_t kMaxDecoys = 1024;
  // Real latencies a decoy's delay is drawn from: the most recent ones.
  static constexpr size_t kLatencySamples = 64;

  // |metrics| (may be null) counts the calls answered RESOURCE_EXHAUSTED
  // because the server was busy (calls_shed_total).
  explicit Dispatcher(WorkerPool* pool, Metrics* metrics = nullptr);
  // Sends every decoy still waiting at once, then returns.
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Serve answers the raw call |request| -> |response| with |handler|.
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* request,
                                  grpc::ByteBuffer* response,
                                  const UnaryHandler<Request, Response>& handler);

  WorkerPool* pool() const { return pool_; }
  // Shed counts a call answered busy (calls_shed_total) and returns the
  // answer, BusyError: for Serve's calls, and for calls a service runs on
  // the pool itself (a streamed download).
  base::Status Shed();

 private:
  using Clock = std::chrono::steady_clock;
  struct Decoy {
    Clock::time_point due;
    uint64_t sequence;  // ties keep their order
    std::function<void()> send;
    bool operator>(const Decoy& other) const {
      return due != other.due ? due > other.due : sequence > other.sequence;
    }
  };
  // The latencies of one method's recent successful real calls.
  struct Latencies {
    std::array<Clock::duration, kLatencySamples> samples{};
    size_t count = 0;  // recorded, up to kLatencySamples
    size_t next = 0;
  };

  // RecordReal notes how long a successful real call of |method| took from
  // decoding to its reply. Failures (a bad certificate, a wrong code) are
  // fast and anyone can make them: they would make decoys fast.
  void RecordReal(const void* method, Clock::duration latency);
  // Judge tells suspects_ how a real call of |ctx|'s connection (|flow|)
  // ended; call it before the call finishes, while its context is alive.
  void Judge(grpc::CallbackServerContext* ctx, WorkerPool::Flow flow, const base::Status& status);
  // ScheduleDecoy runs |send| after a delay drawn from |method|'s recorded
  // latencies; false (and |send| dropped) when kMaxDecoys are waiting.
  bool ScheduleDecoy(const void* method, std::function<void()> send);
  void RunDecoys();

  WorkerPool* const pool_;
  prometheus::Counter* const shed_;  // null without metrics
  Suspects suspects_;  // its own lock: asked on every real and chaff call
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<const void*, Latencies> latencies_;  // by handler: one per method
  std::priority_queue<Decoy, std::vector<Decoy>, std::greater<>> decoys_;
  uint64_t decoy_sequence_ = 0;
  bool stopping_ = false;
  std::thread decoy_thread_;
};

template <typename Request, typename Response>
grpc::ServerUnaryReactor* Dispatcher::Serve(grpc::CallbackServerContext* ctx,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response,
                                            const UnaryHandler<Request, Response>& handler) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const Clock::time_point start = Clock::now();
  // Owned by whichever task answers; gRPC keeps |response| until Finish.
  struct Call {
    Request request;
    Response response;
  };
  auto call = std::make_shared<Call>();
  if (base::Status s = rpc::DecodeMessage(*request, &call->request); !s.ok()) {
    reactor->Finish(rpc::ToGrpcStatus(s));
    return reactor;
  }
  const WorkerPool::Flow flow = ConnectionOf(ctx);
  Lane lane = handler.lane(call->request);
  const Lane real = lane != Lane::kRead && suspects_.IsSuspect(flow) ? Lane::kSuspect : Lane::kReal;
  if (lane == Lane::kReal) lane = real;
  // Chaff is shed exactly when a real call from its connection would be:
  // the same answer.
  if (lane == Lane::kChaff && !pool_->Admits(real, flow)) {
    reactor->Finish(rpc::ToGrpcStatus(Shed()));
    return reactor;
  }
  auto finish = [reactor, response, call](base::Status status) {
    if (status.ok()) status = rpc::EncodeMessage(call->response, response);
    reactor->Finish(rpc::ToGrpcStatus(status));
  };
  const bool queued = pool_->TrySubmit(
      lane,
      [this, &handler, call, finish, lane, ctx, flow, start] {
        base::Status status = handler.run(call->request, &call->response);
        if (lane == Lane::kReal && status.ok()) RecordReal(&handler, Clock::now() - start);
        if (lane == Lane::kReal || lane == Lane::kSuspect) Judge(ctx, flow, status);
        finish(std::move(status));
      },
      flow, [this, finish] { finish(Shed()); });
  if (queued) return reactor;
  if (lane == Lane::kChaff && handler.decoy) {
    // Made now, sent later: the decoy thread only sends.
    base::Status status = handler.decoy(call->request, &call->response);
    if (ScheduleDecoy(&handler, [finish, status] { finish(status); })) return reactor;
  }
  reactor->Finish(rpc::ToGrpcStatus(Shed()));
  return reactor;
}

}  // namespace openen::server

#endif  // OPENEN_SERVER_DISPATCHER_H_
