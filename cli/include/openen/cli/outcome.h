// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Outcome: how a command ends, turned into the process's exit in one place.
// A command returns a base::Status (or an Outcome where an error means "ran,
// and the answer is no") instead of printing its error and choosing an exit
// code at every return.

#ifndef OPENEN_CLI_OUTCOME_H_
#define OPENEN_CLI_OUTCOME_H_

#include <utility>

#include "openen/base/status.h"
#include "openen/cli/args.h"

namespace openen::cli {

class [[nodiscard]] Outcome {
 public:
  // Success: exits kExitOk.
  Outcome() = default;
  // |status|, whose error is bad arguments or unreadable input (kExitUsage).
  // Implicit, so that a command can `return status;` and use
  // OPENEN_RETURN_IF_ERROR and OPENEN_ASSIGN_OR_RETURN.
  Outcome(base::Status status) : status_(std::move(status)) {}  // NOLINT
  // |status|, whose error exits |error_exit_code| (kExitFailure: the command
  // ran and the answer is "no").
  Outcome(base::Status status, int error_exit_code)
      : status_(std::move(status)), error_exit_code_(error_exit_code) {}

  const base::Status& status() const { return status_; }

  // Exit prints an error's message as Fail does ("<program>: <message>" on
  // stderr) and returns the process exit code: kExitOk on success.
  int Exit() const { return status_.ok() ? kExitOk : Fail(status_.message(), error_exit_code_); }

 private:
  base::Status status_;
  int error_exit_code_ = kExitUsage;
};

}  // namespace openen::cli

#endif  // OPENEN_CLI_OUTCOME_H_
