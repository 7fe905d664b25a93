// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/dispatcher.h"

#include <grpc/grpc_security.h>

#include "openen/crypto/random.h"

namespace openen::server {

base::Status BusyError() {
  return base::ResourceExhaustedError("the server is busy; try again later");
}

WorkerPool::Flow ConnectionOf(grpc::CallbackServerContext* ctx) {
  grpc_auth_context* auth = grpc_call_auth_context(ctx->c_call());
  const WorkerPool::Flow flow = auth;
  // The pointer stays a key only: it is never dereferenced once released
  // (Dispatcher::Judge has Suspects keep a reference to keep it unique).
  if (auth != nullptr) grpc_auth_context_release(auth);
  return flow;
}

Dispatcher::Dispatcher(WorkerPool* pool, Metrics* metrics)
    : pool_(pool),
      shed_(metrics ? &metrics->Counter("calls_shed_total",
                                        "calls answered RESOURCE_EXHAUSTED: the server was busy")
                    : nullptr),
      decoy_thread_([this] { RunDecoys(); }) {}

base::Status Dispatcher::Shed() {
  if (shed_ != nullptr) shed_->Increment();
  return BusyError();
}

Dispatcher::~Dispatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  decoy_thread_.join();
}

void Dispatcher::RecordReal(const void* method, Clock::duration latency) {
  std::lock_guard<std::mutex> lock(mu_);
  Latencies& l = latencies_[method];
  l.samples[l.next] = latency;
  l.next = (l.next + 1) % kLatencySamples;
  if (l.count < kLatencySamples) ++l.count;
}

void Dispatcher::Judge(grpc::CallbackServerContext* ctx, WorkerPool::Flow flow,
                       const base::Status& status) {
  suspects_.Judge(flow, status, [ctx]() -> std::shared_ptr<const void> {
    // A reference of our own: the call's goes when it finishes.
    grpc_auth_context* held = grpc_call_auth_context(ctx->c_call());
    return std::shared_ptr<const void>(held, [held](const void*) {
      if (held != nullptr) grpc_auth_context_release(held);
    });
  });
}

bool Dispatcher::ScheduleDecoy(const void* method, std::function<void()> send) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (decoys_.size() >= kMaxDecoys || stopping_) return false;
    // One of the method's recent real latencies, uniformly: the decoys'
    // delays have the real calls' spread. Before any real call, a
    // millisecond, about a synced write's.
    Clock::duration delay = std::chrono::milliseconds(1);
    auto it = latencies_.find(method);
    if (it != latencies_.end() && it->second.count > 0) {
      delay = it->second.samples[crypto::RandomUniform(static_cast<uint32_t>(it->second.count))];
    }
    decoys_.push(Decoy{Clock::now() + delay, decoy_sequence_++, std::move(send)});
  }
  cv_.notify_one();
  return true;
}

void Dispatcher::RunDecoys() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (decoys_.empty()) {
      if (stopping_) return;
      cv_.wait(lock);
      continue;
    }
    // A copy: wait_until reads the deadline again after waking, when a
    // push may have moved the heap's storage.
    const Clock::time_point due = decoys_.top().due;
    if (!stopping_ && Clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    std::function<void()> send = std::move(const_cast<Decoy&>(decoys_.top()).send);
    decoys_.pop();
    lock.unlock();
    send();
    lock.lock();
  }
}

}  // namespace openen::server
