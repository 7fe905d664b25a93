// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Suspects on their own, with a clock of the test's: who becomes suspect,
// for how long, what clears it, how many are kept, and that the reference
// held for each goes with it.

#include "openen/server/suspects.h"

#include <catch2/catch.hpp>
#include <cstdint>

namespace openen::server {
namespace {

WorkerPool::Flow Connection(uintptr_t n) { return reinterpret_cast<WorkerPool::Flow>(n); }

struct Fixture {
  Suspects::Clock::time_point now = Suspects::Clock::time_point() + std::chrono::hours(1);
  int held = 0;  // references alive
  std::function<std::shared_ptr<const void>()> hold = [this] {
    ++held;
    return std::shared_ptr<const void>(this, [this](const void*) { --held; });
  };
  Suspects Make(size_t max = Suspects::kMaxSuspects) {
    return Suspects(max, [this] { return now; });
  }
};

TEST_CASE(
    "a failure through the caller's fault makes a connection suspect for 10 s - a success clears "
    "it - the server's failures change nothing",
    "[server][suspects]") {
  Fixture f;
  Suspects s = f.Make();
  const WorkerPool::Flow a = Connection(16), b = Connection(32);
  for (base::Status fault :
       {base::UnauthenticatedError("forged"), base::NotFoundError("code"),
        base::InvalidArgumentError("bad"), base::PermissionDeniedError("no")}) {
    CAPTURE(fault.ToString());
    s.Judge(a, fault, f.hold);
    CHECK(s.IsSuspect(a));
    CHECK_FALSE(s.IsSuspect(b));
    CHECK(f.held == 1);
    s.Judge(a, base::Status::Ok(), f.hold);
    CHECK_FALSE(s.IsSuspect(a));
    CHECK(f.held == 0);
  }
  // Busy or broken servers are not the caller's fault.
  for (base::Status server : {base::ResourceExhaustedError("busy"), base::InternalError("disk"),
                              base::UnavailableError("down")}) {
    s.Judge(b, server, f.hold);
    CHECK_FALSE(s.IsSuspect(b));
  }
  // Ten seconds, counted from the last failure; a failure of the server's
  // neither ends nor extends it.
  s.Judge(a, base::UnauthenticatedError("forged"), f.hold);
  f.now += std::chrono::seconds(5);
  s.Judge(a, base::UnauthenticatedError("forged again"), f.hold);
  s.Judge(a, base::InternalError("disk"), f.hold);
  CHECK(f.held == 1);
  f.now += std::chrono::milliseconds(9999);
  CHECK(s.IsSuspect(a));
  f.now += std::chrono::milliseconds(1);
  CHECK_FALSE(s.IsSuspect(a));
  CHECK(f.held == 0);
  // No connection (an in-process channel) is never suspect.
  s.Judge(nullptr, base::UnauthenticatedError("forged"), f.hold);
  CHECK_FALSE(s.IsSuspect(nullptr));
  CHECK(f.held == 0);
}

TEST_CASE("suspects are bounded - expired ones go within a second with what they held",
          "[server][suspects]") {
  Fixture f;
  Suspects s = f.Make(3);
  for (uintptr_t i = 1; i <= 4; ++i)
    s.Judge(Connection(i * 16), base::NotFoundError("code"), f.hold);
  CHECK(s.Count() == 3);
  CHECK(f.held == 3);
  CHECK_FALSE(s.IsSuspect(Connection(64)));  // past the bound: not remembered
  // Expired suspects nobody asks about again are swept, and let go.
  f.now += Suspects::kSuspectFor + std::chrono::seconds(1);
  CHECK(s.Count() == 0);
  CHECK(f.held == 0);
  s.Judge(Connection(64), base::NotFoundError("code"), f.hold);
  CHECK(s.IsSuspect(Connection(64)));
}

}  // namespace
}  // namespace openen::server
