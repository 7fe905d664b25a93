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
// and free workers serve the lanes in order: real uploads before reads, reads
// before the real calls of connections whose last call failed, and chaff
// last: it holds one worker at most, never waits, and runs only while
// nothing else is running or waiting. A chaff flood cannot take a worker (or
// the relay's publish lock, or the disk) from real uploads; a read flood makes
// them wait no longer than for the reads already running.
//
// Within a lane, tasks wait by flow (the connection a call came on) and the
// flows take turns: one task of each flow with work, round and round. A
// connection with many calls waiting (a flood of forged uploads, which only
// a worker can tell from real ones) makes a real upload from another
// connection wait for one task per connection, not for its whole queue. When
// a lane is full, a newcomer takes the place of the newest task of the flow
// with the most waiting, which is refused in its stead, as long as that flow
// has at least two more waiting than the newcomer's: a flood fills the
// queue, but cannot keep anyone else out of it.

#ifndef OPENEN_SERVER_WORKER_POOL_H_
#define OPENEN_SERVER_WORKER_POOL_H_

#include <array>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace openen::server {

// The lanes, most urgent first.
enum class Lane : size_t {
  kReal = 0,     // uploads and code exchanges that claim to be real
  kRead = 1,     // batch listings and downloads
  kSuspect = 2,  // real calls from a connection whose last one failed (suspects.h)
  kChaff = 3,    // chaff: at most one worker at a time by default
};
inline constexpr size_t kLaneCount = 4;

struct LaneLimits {
  // Tasks waiting, beyond those running. 0: none wait; a task is taken only
  // when a worker is free to start it now (chaff, whose wait in a queue of
  // its own would make it slower than real work).
  size_t max_queued = 256;
  size_t max_running = 0;  // workers at once; 0 means all of them
  // Taken only while no other lane has a task running or waiting: work that
  // must never hold a worker, a lock or the disk from anything else (chaff,
  // which runs for real only on an otherwise idle server).
  bool only_when_idle = false;
};

class WorkerPool {
 public:
  // The default limits: 256 queued in kReal, kRead and kSuspect, all workers; chaff
  // one worker at a time, only when it can start at once, and only while the
  // other lanes are idle.
  static std::array<LaneLimits, kLaneCount> DefaultLimits();

  explicit WorkerPool(size_t threads, std::array<LaneLimits, kLaneCount> limits = DefaultLimits());
  // The destructor runs every task already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // The connection a task came from, as an opaque key (server::ConnectionOf):
  // compared, never read. nullptr is a flow like any other.
  using Flow = const void*;

  // TrySubmit queues |task| in |lane| for |flow| and returns true, or
  // returns false at once, without keeping |task|, when the lane has no room
  // for it. To make room, the newest task of the flow with the most waiting
  // may be dropped, if it came with a |refused| callback: that is called
  // instead of the task (outside the pool's lock). Thread-safe.
  [[nodiscard]] bool TrySubmit(Lane lane, std::function<void()> task, Flow flow = nullptr,
                               std::function<void()> refused = nullptr);

  // Queued returns the number of tasks waiting in |lane|; Full whether its
  // queue holds all it may (a newcomer then gets in only in a larger flow's
  // place).
  size_t Queued(Lane lane) const;
  bool Full(Lane lane) const;
  // Admits reports whether TrySubmit would take a task with a |refused|
  // callback for |flow| in |lane| now, making room if it may.
  bool Admits(Lane lane, Flow flow) const;

 private:
  struct Task {
    std::function<void()> run;
    std::function<void()> refused;  // unset: never dropped for a newcomer
  };
  struct LaneState {
    LaneLimits limits;
    std::map<Flow, std::deque<Task>> flows;  // the flows with tasks waiting
    std::deque<Flow> turns;                  // each of them once: whose task is next
    size_t queued = 0;                       // tasks waiting, all flows
    size_t running = 0;
  };

  void Run();
  // NextLane returns the first lane with a task it may start, or kLaneCount.
  size_t NextLane() const;
  // Accepts reports whether |lane| has room for another task now.
  bool Accepts(size_t lane) const;
  // Victim returns the flow whose newest task a newcomer of |flow| may take
  // the place of in a full |lane|: the largest, if it has two more waiting
  // than |flow| and its newest task can be refused; or nullptr with false.
  std::pair<Flow, bool> Victim(const LaneState& lane, Flow flow) const;
  // MakeRoom drops the newest task of Victim's flow and returns its refused
  // callback; or returns nullptr.
  std::function<void()> MakeRoom(LaneState* lane, Flow flow);

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
