// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/base/fault.h"

#ifdef OPENEN_FAULT_INJECTION

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "openen/base/file.h"

namespace openen::base {
namespace {

struct Armed {
  FaultAction action;
  int remaining;  // passes left before it acts
};

struct Faults {
  std::mutex mu;
  std::map<std::string, Armed, std::less<>> armed;
  void (*power_loss_hook)() = &LoseUnsyncedChanges;  // base/file.h
};

// ParseEnvironment arms OPENEN_FAULT="<point>=<error|crash|powerloss>[@<hit>]".
void ParseEnvironment(Faults* f) {
  const char* spec = std::getenv("OPENEN_FAULT");
  if (spec == nullptr || *spec == '\0') return;
  const std::string s = spec;
  const size_t eq = s.find('=');
  const size_t at = s.find('@', eq == std::string::npos ? 0 : eq);
  const std::string action =
      s.substr(eq + 1, at == std::string::npos ? std::string::npos : at - eq - 1);
  int hit = at == std::string::npos ? 1 : std::atoi(s.c_str() + at + 1);
  FaultAction a;
  if (eq == std::string::npos || hit < 1) {
    std::fprintf(stderr, "OPENEN_FAULT '%s': want <point>=<action>[@<hit>]\n", spec);
    std::_Exit(2);
  } else if (action == "error") {
    a = FaultAction::kError;
  } else if (action == "crash") {
    a = FaultAction::kCrash;
  } else if (action == "powerloss") {
    a = FaultAction::kPowerLoss;
  } else {
    std::fprintf(stderr, "OPENEN_FAULT '%s': action is error, crash or powerloss\n", spec);
    std::_Exit(2);
  }
  f->armed[s.substr(0, eq)] = {a, hit};
}

Faults& Get() {
  static Faults* faults = [] {
    auto* f = new Faults;
    ParseEnvironment(f);
    return f;
  }();
  return *faults;
}

}  // namespace

Status FaultPoint(std::string_view point) {
  Faults& f = Get();
  FaultAction action;
  void (*hook)() = nullptr;
  {
    std::lock_guard<std::mutex> lock(f.mu);
    auto it = f.armed.find(point);
    if (it == f.armed.end() || --it->second.remaining > 0) return Status::Ok();
    action = it->second.action;
    hook = f.power_loss_hook;
    f.armed.erase(it);
  }
  switch (action) {
    case FaultAction::kError:
      return UnavailableError("injected fault at " + std::string(point));
    case FaultAction::kPowerLoss:
      if (hook != nullptr) hook();
      [[fallthrough]];
    case FaultAction::kCrash:
      std::fprintf(stderr, "fault: stopping at %.*s\n", static_cast<int>(point.size()),
                   point.data());
      std::_Exit(kFaultExitCode);
  }
  return Status::Ok();
}

void ArmFault(std::string point, FaultAction action, int hit) {
  Faults& f = Get();
  std::lock_guard<std::mutex> lock(f.mu);
  f.armed[std::move(point)] = {action, hit < 1 ? 1 : hit};
}

void DisarmFaults() {
  Faults& f = Get();
  std::lock_guard<std::mutex> lock(f.mu);
  f.armed.clear();
}

void SetPowerLossHook(void (*hook)()) {
  Faults& f = Get();
  std::lock_guard<std::mutex> lock(f.mu);
  f.power_loss_hook = hook;
}

}  // namespace openen::base

#endif  // OPENEN_FAULT_INJECTION
