// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/fault.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

namespace openen::base {
namespace {

TEST_CASE("an unarmed fault point passes and an armed one acts on its hit once") {
#ifndef OPENEN_FAULT_INJECTION
  // ArmFault and DisarmFaults exist only in a fault-injection build: a
  // discarded if-constexpr branch outside a template still needs them.
  SUCCEED("built without OPENEN_FAULT_INJECTION: every point is an inline OK");
  CHECK(FaultPoint("test.point").ok());
#else
  CHECK(FaultPoint("test.point").ok());
  ArmFault("test.point", FaultAction::kError, 2);
  CHECK(FaultPoint("test.point").ok());
  const Status s = FaultPoint("test.point");
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message() == "injected fault at test.point");
  CHECK(FaultPoint("test.point").ok());  // once

  ArmFault("test.point", FaultAction::kError);
  DisarmFaults();
  CHECK(FaultPoint("test.point").ok());
#endif
}

#ifdef OPENEN_FAULT_INJECTION

TEST_CASE("a crash fault ends the process with kFaultExitCode, a power loss runs its hook first") {
  for (FaultAction action : {FaultAction::kCrash, FaultAction::kPowerLoss}) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      static int out = pipe_fds[1];
      SetPowerLossHook([] { (void)!::write(out, "h", 1); });
      ArmFault("test.crash", action);
      (void)FaultPoint("test.crash");
      std::_Exit(0);  // not reached when the fault acts
    }
    ::close(pipe_fds[1]);
    char c = 0;
    const ssize_t n = ::read(pipe_fds[0], &c, 1);
    ::close(pipe_fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == kFaultExitCode);
    CHECK(n == (action == FaultAction::kPowerLoss ? 1 : 0));
  }
}
#endif

}  // namespace
}  // namespace openen::base
