// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen`: the OpenEN command line.

#include <cstdio>
#include <string>

#include "commands.h"
#include "openen/cli/args.h"
#include "openen/crypto/random.h"

namespace {

constexpr char kUsage[] =
    "usage: openen <command> [options]\n"
    "\n"
    "commands:\n"
    "  keys derive     print the identifiers a Temporary Exposure Key broadcasts\n"
    "  export inspect  print and verify a GAEN key export file\n"
    "  simulate        run a city of phones, a verifier and a relay on this machine\n"
    "  log             verify, compare and witness a relay's transparency log\n"
    "  health          probe a relay's or verifier's health (exit 0 when serving)\n"
    "\n"
    "Run 'openen <command> --help' for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace openen::cli;
  using namespace openen::tools;
  if (argc < 2) return Fail(std::string("missing command\n") + kUsage);
  if (openen::base::Status s = openen::crypto::Init(); !s.ok())
    return Fail(s.message(), kExitFailure);
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "help" || cmd == "-h") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (cmd == "keys") return KeysCommand(argc, argv, 2);
  if (cmd == "export") return ExportCommand(argc, argv, 2);
  if (cmd == "simulate") return SimulateCommand(argc, argv, 2);
  if (cmd == "log") return LogCommand(argc, argv, 2);
  if (cmd == "health") return HealthCommand(argc, argv, 2);
  return Fail("unknown command '" + cmd + "'\n" + kUsage);
}
