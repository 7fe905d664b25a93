// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Cancellation: one thread asks, another stops. A long operation (a sync)
// checks cancelled() between steps; a transfer that blocks (an HTTP or gRPC
// call) registers a callback that aborts it, or polls cancelled() from its
// own progress callback. Cancel() may be called from any thread, any number
// of times; Reset() re-arms it for the next operation.

#ifndef OPENEN_BASE_CANCELLATION_H_
#define OPENEN_BASE_CANCELLATION_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace openen::base {

class Cancellation {
 public:
  Cancellation() = default;
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;

  // Cancel marks the operation cancelled and runs every registered callback
  // (on the calling thread, once each).
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // Reset clears the mark; callbacks registered before stay registered.
  void Reset() { cancelled_.store(false, std::memory_order_release); }

  // Callback runs |on_cancel| when Cancel() is called while it lives (at
  // once, on the constructing thread, if already cancelled). Its destructor
  // waits for a callback that is running on another thread to finish, so
  // what the callback touches may be destroyed right after it. Callbacks run
  // under the Cancellation's lock: one must not touch its Cancellation
  // (Cancel, or make or drop a Callback on it), and a thread must not make a
  // Callback while holding a lock that the callback takes.
  class Callback {
   public:
    Callback(const Cancellation& cancellation, std::function<void()> on_cancel);
    ~Callback();
    Callback(const Callback&) = delete;
    Callback& operator=(const Callback&) = delete;

   private:
    const Cancellation& cancellation_;
    uint64_t id_ = 0;
  };

 private:
  std::atomic<bool> cancelled_{false};
  // Guards callbacks_ and is held while they run, so that ~Callback never
  // returns while its function runs.
  mutable std::mutex mu_;
  mutable uint64_t next_id_ = 1;
  mutable std::map<uint64_t, std::function<void()>> callbacks_;
};

// NeverCancelled is a Cancellation nobody cancels, for callers that do not.
const Cancellation& NeverCancelled();

}  // namespace openen::base

#endif  // OPENEN_BASE_CANCELLATION_H_
