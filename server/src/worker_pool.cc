// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/worker_pool.h"

namespace openen::server {

std::array<LaneLimits, kLaneCount> WorkerPool::DefaultLimits() {
  std::array<LaneLimits, kLaneCount> limits{};
  // Chaff holds one worker at most and never waits: a chaff call queued
  // behind others would take longer than a real one. It runs only while no
  // real work runs or waits: each chaff publish holds the relay's publish
  // lock for two synced writes, and a flood of it would take every other
  // turn from real ones. Dispatcher answers the rest with decoys.
  limits[static_cast<size_t>(Lane::kChaff)] = {0, 1, true};
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

bool WorkerPool::TrySubmit(Lane lane, std::function<void()> task, Flow flow,
                           std::function<void()> refused) {
  std::function<void()> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    LaneState& state = lanes_[static_cast<size_t>(lane)];
    if (!Accepts(static_cast<size_t>(lane))) {
      if (state.limits.max_queued == 0) return false;
      dropped = MakeRoom(&state, flow);
      if (!dropped) return false;
    }
    auto [it, fresh] = state.flows.try_emplace(flow);
    if (fresh) state.turns.push_back(flow);
    it->second.push_back({std::move(task), std::move(refused)});
    ++state.queued;
    ++queued_;
  }
  cv_.notify_one();
  if (dropped) dropped();
  return true;
}

std::pair<WorkerPool::Flow, bool> WorkerPool::Victim(const LaneState& lane, Flow flow) const {
  auto largest = lane.flows.end();
  for (auto it = lane.flows.begin(); it != lane.flows.end(); ++it) {
    if (largest == lane.flows.end() || it->second.size() > largest->second.size()) largest = it;
  }
  auto own = lane.flows.find(flow);
  const size_t own_size = own == lane.flows.end() ? 0 : own->second.size();
  if (largest == lane.flows.end() || largest->first == flow ||
      largest->second.size() < own_size + 2 || !largest->second.back().refused) {
    return {nullptr, false};
  }
  return {largest->first, true};
}

std::function<void()> WorkerPool::MakeRoom(LaneState* lane, Flow flow) {
  const auto [victim, found] = Victim(*lane, flow);
  if (!found) return nullptr;
  std::deque<Task>& tasks = lane->flows.find(victim)->second;
  std::function<void()> refused = std::move(tasks.back().refused);
  tasks.pop_back();  // at least two waited: the flow keeps its turn
  --lane->queued;
  --queued_;
  return refused;
}

size_t WorkerPool::Queued(Lane lane) const {
  std::lock_guard<std::mutex> lock(mu_);
  return lanes_[static_cast<size_t>(lane)].queued;
}

bool WorkerPool::Full(Lane lane) const {
  std::lock_guard<std::mutex> lock(mu_);
  return !Accepts(static_cast<size_t>(lane));
}

bool WorkerPool::Admits(Lane lane, Flow flow) const {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t i = static_cast<size_t>(lane);
  if (Accepts(i)) return true;
  return lanes_[i].limits.max_queued > 0 && Victim(lanes_[i], flow).second;
}

bool WorkerPool::Accepts(size_t lane) const {
  const LaneState& state = lanes_[lane];
  if (state.limits.only_when_idle) {
    for (size_t other = 0; other < kLaneCount; ++other) {
      if (other != lane && (lanes_[other].running > 0 || lanes_[other].queued > 0)) return false;
    }
  }
  if (state.limits.max_queued > 0) return state.queued < state.limits.max_queued;
  // Startable now: a slot of the lane free, and a worker free that no task
  // already waiting will take.
  return state.running + state.queued < state.limits.max_running && idle_ > queued_;
}

size_t WorkerPool::NextLane() const {
  for (size_t i = 0; i < kLaneCount; ++i) {
    if (lanes_[i].queued > 0 && lanes_[i].running < lanes_[i].limits.max_running) return i;
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
        if (s.queued > 0) return false;
      }
      return true;
    });
    --idle_;
    if (lane == kLaneCount) return;  // stopping and drained
    LaneState& state = lanes_[lane];
    // The flow whose turn it is gives its oldest task, and goes to the back
    // of the line if it has more.
    const Flow flow = state.turns.front();
    state.turns.pop_front();
    auto it = state.flows.find(flow);
    std::function<void()> task = std::move(it->second.front().run);
    it->second.pop_front();
    if (it->second.empty()) {
      state.flows.erase(it);
    } else {
      state.turns.push_back(flow);
    }
    --state.queued;
    --queued_;
    ++state.running;
    lock.unlock();
    task();
    task = nullptr;  // whatever it holds goes before the next wait
    lock.lock();
    --state.running;
    // The slot this lane held is free for a task it has waiting; and a
    // stopping pool's idle workers wait for the last task to end.
    if (stopping_ || state.queued > 0) cv_.notify_all();
  }
}

}  // namespace openen::server
