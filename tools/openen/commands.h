// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The subcommands of `openen`. Each takes the full argv and the index of its
// first own argument, and returns the process exit code.

#ifndef OPENEN_TOOLS_OPENEN_COMMANDS_H_
#define OPENEN_TOOLS_OPENEN_COMMANDS_H_

namespace openen::tools {

int KeysCommand(int argc, char** argv, int first);
int ExportCommand(int argc, char** argv, int first);
int SimulateCommand(int argc, char** argv, int first);
int LogCommand(int argc, char** argv, int first);
int HealthCommand(int argc, char** argv, int first);

}  // namespace openen::tools

#endif  // OPENEN_TOOLS_OPENEN_COMMANDS_H_
