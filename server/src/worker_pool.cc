// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/worker_pool.h"

namespace openen::server {

std::array<LaneLimits, kLaneCount> WorkerPool::DefaultLimits() {
  std::array<LaneLimits, kLaneCount> limits{};
  // Chaff holds one worker at most and never waits: a chaff call queued
  // behind others would take longer than a real one (Dispatcher answers
  // the rest with decoys).
  limits[static_cast<size_t>(Lane::kChaff)] = {0, 1};
  return limits;
}

WorkerPool::WorkerPool(size_t threads, std::array<LaneLimits, kLaneCount> limits) {
  if (threads == 0) threads = 1;
  for (size_t i = 0; i < kLaneCount; ++i) {
    lanes_[i].limits = limits[i];
    if (lanes_[i].limits.max_running == 0 || lanes_[i].limits.max_running > threads) {
      lanes_[i].limits.max_running = threads;
    }
  }
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool WorkerPool::TrySubmit(Lane lane, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t i = static_cast<size_t>(lane);
    if (!Accepts(i)) return false;
    lanes_[i].tasks.push_back(std::move(task));
    ++queued_;
  }
  cv_.notify_one();
  return true;
}

size_t WorkerPool::Queued(Lane lane) const {
  std::lock_guard<std::mutex> lock(mu_);
  return lanes_[static_cast<size_t>(lane)].tasks.size();
}

bool WorkerPool::Full(Lane lane) const {
  std::lock_guard<std::mutex> lock(mu_);
  return !Accepts(static_cast<size_t>(lane));
}

bool WorkerPool::Accepts(size_t lane) const {
  const LaneState& state = lanes_[lane];
  if (state.limits.max_queued > 0) return state.tasks.size() < state.limits.max_queued;
  // Startable now: a slot of the lane free, and a worker free that no task
  // already waiting will take.
  return state.running + state.tasks.size() < state.limits.max_running && idle_ > queued_;
}

size_t WorkerPool::NextLane() const {
  for (size_t i = 0; i < kLaneCount; ++i) {
    if (!lanes_[i].tasks.empty() && lanes_[i].running < lanes_[i].limits.max_running) return i;
  }
  return kLaneCount;
}

void WorkerPool::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    size_t lane;
    ++idle_;
    cv_.wait(lock, [&] {
      lane = NextLane();
      if (lane != kLaneCount) return true;
      if (!stopping_) return false;
      // Stopping: return once nothing is queued (a capped lane's tasks wait
      // for the worker that holds its slot, which returns to run them).
      for (const LaneState& s : lanes_) {
        if (!s.tasks.empty()) return false;
      }
      return true;
    });
    --idle_;
    if (lane == kLaneCount) return;  // stopping and drained
    LaneState& state = lanes_[lane];
    std::function<void()> task = std::move(state.tasks.front());
    state.tasks.pop_front();
    --queued_;
    ++state.running;
    lock.unlock();
    task();
    task = nullptr;  // whatever it holds goes before the next wait
    lock.lock();
    --state.running;
    // The slot this lane held is free for a task it has waiting; and a
    // stopping pool's idle workers wait for the last task to end.
    if (stopping_ || !state.tasks.empty()) cv_.notify_all();
  }
}

}  // namespace openen::server
