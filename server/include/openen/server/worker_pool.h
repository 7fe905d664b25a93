// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// WorkerPool runs blocking work (synced RocksDB writes, signing) off gRPC's
// callback threads: a reactor hands a task here and returns at once; the task
// finishes the reactor when done.
//
// Work waits in lanes, one per kind of call. Each lane has a bounded queue, so
// that no request mix makes memory grow: a task its lane has no room for is
// refused at once, and the caller answers RESOURCE_EXHAUSTED before doing any
// of the work. Each lane also has a cap on the workers it may hold at a time,
// and free workers serve the lanes in order: real uploads before reads, and
// chaff, which holds one worker at most and never waits, last. A chaff flood
// cannot take the workers from real uploads; a read flood makes them wait
// no longer than for the reads already running.

#ifndef OPENEN_SERVER_WORKER_POOL_H_
#define OPENEN_SERVER_WORKER_POOL_H_

#include <array>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace openen::server {

// The lanes, most urgent first.
enum class Lane : size_t {
  kReal = 0,   // uploads and code exchanges that claim to be real
  kRead = 1,   // batch listings and downloads
  kChaff = 2,  // chaff: at most one worker at a time by default
};
inline constexpr size_t kLaneCount = 3;

struct LaneLimits {
  // Tasks waiting, beyond those running. 0: none wait; a task is taken only
  // when a worker is free to start it now (chaff, whose wait in a queue of
  // its own would make it slower than real work).
  size_t max_queued = 256;
  size_t max_running = 0;  // workers at once; 0 means all of them
};

class WorkerPool {
 public:
  // The default limits: 256 queued in kReal and kRead, all workers; chaff
  // one worker at a time, and only when it can start at once.
  static std::array<LaneLimits, kLaneCount> DefaultLimits();

  explicit WorkerPool(size_t threads, std::array<LaneLimits, kLaneCount> limits = DefaultLimits());
  // The destructor runs every task already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // TrySubmit queues |task| in |lane| and returns true, or returns false at
  // once, without keeping |task|, when the lane's queue is full. Thread-safe.
  [[nodiscard]] bool TrySubmit(Lane lane, std::function<void()> task);

  // Queued returns the number of tasks waiting in |lane|; Full whether
  // TrySubmit would refuse one now.
  size_t Queued(Lane lane) const;
  bool Full(Lane lane) const;

 private:
  struct LaneState {
    LaneLimits limits;
    std::deque<std::function<void()>> tasks;
    size_t running = 0;
  };

  void Run();
  // NextLane returns the first lane with a task it may start, or kLaneCount.
  size_t NextLane() const;
  // Accepts reports whether TrySubmit would take a task for |lane| now.
  bool Accepts(size_t lane) const;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::array<LaneState, kLaneCount> lanes_;
  size_t idle_ = 0;    // workers waiting for a task
  size_t queued_ = 0;  // tasks waiting, all lanes
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace openen::server

#endif  // OPENEN_SERVER_WORKER_POOL_H_
