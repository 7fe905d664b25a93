// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen-verifier staff` and `integration`: the console's accounts and the
// integrations' API keys from the command line, on the staff directory of a
// verifier that is not running (the first admin is made this way; later,
// admins also manage both in the console).

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
  "  openen-verifier staff list|issued|totals --staff-dir DIR\n"                                 \
  "  openen-verifier staff password|second-factor NAME --staff-dir DIR\n"                        \
  "  openen-verifier staff set NAME --staff-dir DIR [--role R] [--daily-limit N]\n"              \
  "                  [--disable | --enable] [--unlock]\n"
#define OPENEN_INTEGRATION_USAGE                                                          \
  "  openen-verifier integration add NAME --staff-dir DIR [--daily-limit N] --out FILE\n" \
  "  openen-verifier integration list --staff-dir DIR\n"                                  \
  "  openen-verifier integration set NAME --staff-dir DIR [--daily-limit N]\n"            \
  "                  [--disable | --enable]\n"                                            \
  "  openen-verifier integration remove NAME --staff-dir DIR\n"
extern const std::set<std::string> kStaffOptions;
extern const std::set<std::string> kStaffFlags;
extern const std::set<std::string> kIntegrationOptions;
extern const std::set<std::string> kIntegrationFlags;

// StaffCommand runs `staff ACTION [NAME]` (add, list, password,
// second-factor, set, issued). Passwords are read from standard input, one
// line (without echo on a terminal); second-factor secrets are printed as
// otpauth:// URIs and base32 for the member's authenticator app.
cli::Outcome StaffCommand(const cli::Args& args);

// IntegrationCommand runs `integration ACTION [NAME]` (add, list, set,
// remove): the API keys the authority's own systems issue codes with
// (IssueCode). add writes the new key to --out (mode 0600) and never prints
// it; only its hash is kept.
cli::Outcome IntegrationCommand(const cli::Args& args);

}  // namespace openen::console

#endif  // OPENEN_CONSOLE_STAFF_COMMAND_H_
