// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared by every OpenEN program (the servers and the `openen` tool).
// A small, strict command-line parser: `--name value` and `--flag` options after
// positional words. Unknown options and missing values are errors, never ignored.

#ifndef OPENEN_CLI_ARGS_H_
#define OPENEN_CLI_ARGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "openen/base/status.h"

namespace openen::cli {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and the answer is "no"
inline constexpr int kExitUsage = 2;    // bad arguments or unreadable input

class Args {
 public:
  // Parse reads argv[first..argc). |valued| options take a value, |flags| do not.
  static base::StatusOr<Args> Parse(int argc, char** argv, int first,
                                    const std::set<std::string>& valued,
                                    const std::set<std::string>& flags);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& name) const { return values_.count(name) || flags_.count(name); }
  std::optional<std::string> Get(const std::string& name) const;
  // GetInt parses a decimal integer option within [min, max].
  base::StatusOr<int64_t> GetInt(const std::string& name, int64_t fallback, int64_t min,
                                 int64_t max) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
};

// ParseInt parses a whole decimal string into [min, max], naming |what| on error.
base::StatusOr<int64_t> ParseInt(const std::string& text, const std::string& what, int64_t min,
                                 int64_t max);

// ParseDate parses a calendar date, YYYY-MM-DD (1970-01-01 to 9999-12-31,
// and only days that exist: no 2026-02-31), into the UTC second that day
// starts, naming |what| on error.
base::StatusOr<int64_t> ParseDate(const std::string& text, const std::string& what);

// SetProgramName sets the prefix of Fail's messages (default "openen").
void SetProgramName(const char* name);

// Fail prints "<program>: <message>" on stderr and returns |code|.
int Fail(const std::string& message, int code = kExitUsage);

}  // namespace openen::cli

#endif  // OPENEN_CLI_ARGS_H_
