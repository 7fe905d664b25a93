// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Clock: the only source of time for the phone library and the servers,
// injectable so that tests and the simulation can stand at the exact second a
// key, code, certificate, batch or configuration expires.

#ifndef OPENEN_BASE_CLOCK_H_
#define OPENEN_BASE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace openen::base {

class Clock {
 public:
  virtual ~Clock() = default;
  // NowSeconds returns unix time in seconds. Thread-safe.
  virtual int64_t NowSeconds() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowSeconds() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// FakeClock is set by tests and simulations. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now) : now_(now) {}
  int64_t NowSeconds() const override { return now_.load(); }
  void Set(int64_t now) { now_.store(now); }
  void Advance(int64_t seconds) { now_.fetch_add(seconds); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace openen::base

#endif  // OPENEN_BASE_CLOCK_H_
