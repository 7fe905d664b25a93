// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The console's sessions: memory stays bounded whatever logs in (idle and
// total lifetimes, a cap with the least recently used dropped first), and a
// token names one session only.

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "openen/base/clock.h"
#include "openen/console/sessions.h"

namespace openen::console {
namespace {

TEST_CASE("sessions end when idle, when old and past the cap - least recently used first",
          "[console][sessions]") {
  base::FakeClock clock(1795000000);
  SessionLimits limits;
  limits.idle_seconds = 60;
  limits.max_seconds = 300;
  limits.max_sessions = 3;
  Sessions sessions(&clock, limits);

  const std::string a = sessions.Create("ann"), b = sessions.Create("bob"),
                    c = sessions.Create("cy");
  CHECK(std::set<std::string>{a, b, c}.size() == 3);
  CHECK(a.size() == 43);
  REQUIRE(sessions.Find(a));
  CHECK(sessions.Find(a)->name == "ann");
  CHECK(sessions.Find(a)->csrf != sessions.Find(b)->csrf);
  CHECK_FALSE(sessions.Find("not a token"));

  // The cap: a fourth pushes out the least recently used (b; a and c were used).
  clock.Advance(10);
  REQUIRE(sessions.Find(a));
  REQUIRE(sessions.Find(c));
  const std::string d = sessions.Create("dee");
  CHECK(sessions.size() == 3);
  CHECK_FALSE(sessions.Find(b));
  CHECK(sessions.Find(d));

  // Idle: unused for idle_seconds, gone.
  clock.Advance(50);
  REQUIRE(sessions.Find(a));
  clock.Advance(59);
  CHECK(sessions.Find(a));
  clock.Advance(60);
  CHECK_FALSE(sessions.Find(a));
  CHECK_FALSE(sessions.Find(c));

  // Old: max_seconds after login, gone however busy.
  const std::string e = sessions.Create("ed");
  for (int i = 0; i < 5; ++i) {
    clock.Advance(59);
    REQUIRE(sessions.Find(e));
  }
  clock.Advance(59);
  CHECK_FALSE(sessions.Find(e));

  // Ending: one, or all of a member's.
  const std::string f1 = sessions.Create("fay"), f2 = sessions.Create("fay"),
                    g = sessions.Create("gus");
  sessions.End(g);
  CHECK_FALSE(sessions.Find(g));
  sessions.EndAllOf("fay");
  CHECK_FALSE(sessions.Find(f1));
  CHECK_FALSE(sessions.Find(f2));
  CHECK(sessions.size() == 0);
}

}  // namespace
}  // namespace openen::console
