// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/cancellation.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "openen/base/status.h"

namespace openen::base {
namespace {

TEST_CASE("a cancellation set on one thread is seen on another, and runs the callbacks once",
          "[cancellation]") {
  Cancellation cancel;
  std::atomic<int> ran{0};
  {
    Cancellation::Callback callback(cancel, [&] { ++ran; });
    std::thread other([&] { cancel.Cancel(); });
    other.join();
    CHECK(cancel.cancelled());
    CHECK(ran == 1);
    cancel.Cancel();  // a second Cancel runs nothing again
    CHECK(ran == 1);
  }
  // Registered after the fact: runs at once.
  Cancellation::Callback late(cancel, [&] { ++ran; });
  CHECK(ran == 2);
  cancel.Reset();
  CHECK_FALSE(cancel.cancelled());
}

TEST_CASE("a callback that is gone does not run, and one that runs is waited for",
          "[cancellation]") {
  Cancellation cancel;
  std::atomic<int> ran{0};
  {
    Cancellation::Callback gone(cancel, [&] { ++ran; });
  }
  cancel.Cancel();
  CHECK(ran == 0);

  Cancellation slow;
  std::atomic<bool> started{false}, finished{false};
  auto callback = std::make_unique<Cancellation::Callback>(slow, [&] {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    finished = true;
  });
  std::thread other([&] { slow.Cancel(); });
  while (!started) std::this_thread::yield();
  callback.reset();  // returns only after the callback finished
  CHECK(finished);
  other.join();
  CHECK_FALSE(NeverCancelled().cancelled());
}

TEST_CASE("a status keeps its reason through context, and compares by it", "[status]") {
  const Status paused = FailedPreconditionError("paused").WithReason("PAUSED");
  CHECK(paused.reason() == "PAUSED");
  CHECK(paused.WithContext("sync").reason() == "PAUSED");
  CHECK(paused.WithContext("sync").message() == "sync: paused");
  CHECK(FailedPreconditionError("paused").reason().empty());
  CHECK_FALSE(paused == FailedPreconditionError("paused"));
  CHECK(Status::Ok().WithReason("X").ok());
  CHECK(Status::Ok().WithReason("X").reason().empty());
}

}  // namespace
}  // namespace openen::base
