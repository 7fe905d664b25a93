// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Fault injection for the crash, power-loss and retry tests. A step that
// matters for durability or for a retry names itself:
//
//   OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.close.file_written"));
//
// In a build configured with OPENEN_FAULT_INJECTION=ON (scripts/test.sh's)
// a test arms a point, in the process (ArmFault) or in a child through the
// environment (OPENEN_FAULT="<point>=<action>[@<hit>]", read once at first
// use), and the point then fails, ends the process as kill -9 would, or
// ends it as a power cut would. In every other build FaultPoint is an inline
// OK and nothing here is compiled in: the shipped programs read no such
// variable.

#ifndef OPENEN_BASE_FAULT_H_
#define OPENEN_BASE_FAULT_H_

#include <string>
#include <string_view>

#include "openen/base/status.h"

namespace openen::base {

enum class FaultAction {
  kError,      // FaultPoint returns UNAVAILABLE "injected fault at <point>"
  kCrash,      // the process ends at once (_exit(kFaultExitCode))
  kPowerLoss,  // RunPowerLossHook, then as kCrash
};

// The exit status of a process ended at a fault point.
inline constexpr int kFaultExitCode = 86;

#ifdef OPENEN_FAULT_INJECTION

inline constexpr bool kFaultInjection = true;

// FaultPoint returns OK unless |point| is armed and this is the armed hit.
Status FaultPoint(std::string_view point);

// ArmFault arms |point| to act on its |hit|-th pass (1 = the next), once.
// Arming again replaces; DisarmFaults clears every point. Thread-safe.
void ArmFault(std::string point, FaultAction action, int hit = 1);
void DisarmFaults();

// SetPowerLossHook sets what a kPowerLoss fault runs before the process
// ends: undo whatever the page cache would lose. The default is
// LoseUnsyncedChanges (base/file.h), which does so for the files written
// through base/file.h. Tests of programs that keep state elsewhere may
// replace it with a hook that calls it and more.
void SetPowerLossHook(void (*hook)());

#else

inline constexpr bool kFaultInjection = false;
inline Status FaultPoint(std::string_view) { return Status::Ok(); }

#endif  // OPENEN_FAULT_INJECTION

}  // namespace openen::base

#endif  // OPENEN_BASE_FAULT_H_
