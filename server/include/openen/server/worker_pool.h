// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// WorkerPool runs blocking work (synced RocksDB writes, signing) off gRPC's
// callback threads: a reactor hands a task here and returns at once; the task
// finishes the reactor when done.

#ifndef OPENEN_SERVER_WORKER_POOL_H_
#define OPENEN_SERVER_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace openen::server {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);
  // The destructor runs every task already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Submit queues |task|. Thread-safe.
  void Submit(std::function<void()> task);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace openen::server

#endif  // OPENEN_SERVER_WORKER_POOL_H_
