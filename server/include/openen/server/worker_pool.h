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
// and free workers serve the lanes in order, so that a flood of one kind
// (chaff, reads) cannot take the workers from real uploads.

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
  size_t max_queued = 256;  // tasks waiting, beyond those running
  size_t max_running = 0;   // workers at once; 0 means all of them
};

class WorkerPool {
 public:
  // The default limits: 256 queued in kReal and kRead, all workers; chaff
  // 4 queued and one worker at a time.
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

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::array<LaneState, kLaneCount> lanes_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace openen::server

#endif  // OPENEN_SERVER_WORKER_POOL_H_
