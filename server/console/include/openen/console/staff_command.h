// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen-verifier staff`: the console's accounts from the command line, on
// the staff directory of a verifier that is not running (the first admin is
// made this way; later, admins also manage accounts in the console).

#ifndef OPENEN_CONSOLE_STAFF_COMMAND_H_
#define OPENEN_CONSOLE_STAFF_COMMAND_H_

#include <set>
#include <string>

#include "openen/cli/args.h"
#include "openen/cli/outcome.h"

namespace openen::console {

// The command's usage lines (a literal, for the program's usage), its
// valued options and its flags.
#define OPENEN_STAFF_USAGE                                                                       \
  "  openen-verifier staff add NAME --staff-dir DIR --role caseworker|admin [--daily-limit N]\n" \
  "  openen-verifier staff list|issued --staff-dir DIR\n"                                        \
  "  openen-verifier staff password|second-factor NAME --staff-dir DIR\n"                        \
  "  openen-verifier staff set NAME --staff-dir DIR [--role R] [--daily-limit N]\n"              \
  "                  [--disable | --enable] [--unlock]\n"
extern const std::set<std::string> kStaffOptions;
extern const std::set<std::string> kStaffFlags;

// StaffCommand runs `staff ACTION [NAME]` (add, list, password,
// second-factor, set, issued). Passwords are read from standard input, one
// line (without echo on a terminal); second-factor secrets are printed as
// otpauth:// URIs and base32 for the member's authenticator app.
cli::Outcome StaffCommand(const cli::Args& args);

}  // namespace openen::console

#endif  // OPENEN_CONSOLE_STAFF_COMMAND_H_
