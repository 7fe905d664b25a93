// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The server program, written once. openen-relay and openen-verifier are each
// a Program: what is their own (usage text, serve options, how they open what
// they serve, their own commands). RunProgram does everything every server
// does the same way: `--help`, the `decommission` command, the serve options
// every server takes, and serving (shutdown signals blocked, the gRPC endpoint
// with health and reflection, the "listening on" line, the maintenance loop,
// graceful shutdown). A capability added here is added to both servers.

#ifndef OPENEN_SERVER_PROGRAM_H_
#define OPENEN_SERVER_PROGRAM_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "openen/base/clock.h"
#include "openen/base/status.h"
#include "openen/cli/args.h"
#include "openen/cli/outcome.h"
#include "openen/crypto/ed25519.h"
#include "openen/server/metrics.h"
#include "openen/server/worker_pool.h"

namespace openen::server {

// ServeOptions are the serve options every server takes that its component
// uses, read by RunProgram before the program's own.
struct ServeOptions {
  std::string data_dir;  // --data-dir
  // --decommission-key: the authority's offline decommission keys (at least
  // one when given); empty without the option, and then no order counts.
  std::vector<crypto::Ed25519PublicKey> decommission_keys;
};

// Component is what a server program serves, built by its Program::load.
class Component {
 public:
  virtual ~Component() = default;

  // Open opens what the component serves from (its store, its services).
  // RunProgram calls it once, after blocking shutdown signals, so Open may
  // start threads; |clock| and |pool| outlive every use the component makes of
  // them, and the pool is drained before the component is destroyed. An
  // error exits kExitFailure.
  // |metrics| (null without --metrics-listen) outlives the component too.
  virtual base::Status Open(const base::Clock* clock, WorkerPool* pool, Metrics* metrics) = 0;

  // The rest is called only after Open succeeded.
  // Services returns the gRPC services to serve (owned by the component).
  virtual std::vector<grpc::Service*> Services() = 0;
  // Maintain is the periodic maintenance pass (ServeUntilSignal).
  virtual base::Status Maintain() = 0;
  // Stop is called once, from another thread, when a shutdown signal
  // arrives: a pass in flight should end its long steps (a download) soon.
  // A last Maintain follows.
  virtual void Stop() {}
  // Health says whether the component can do its work now: OK, or why
  // not (decommissioned; its store cannot be written). RunProgram asks after
  // Open and after every maintenance pass, and the standard gRPC health
  // service answers NOT_SERVING, for the server ("") and for each of
  // HealthNames, while it is not OK or the last pass failed.
  virtual base::Status Health() = 0;
  // HealthNames are the full names of its gRPC services ("openen.v1.Relay").
  virtual std::vector<std::string> HealthNames() const = 0;
  // Description ends the log line "listening on HOST:PORT, <Description()>":
  // what signs the component's output. No peer address, no secret.
  virtual std::string Description() const = 0;
};

// Command is one of a program's own commands: `<program> NAME [options]`.
struct Command {
  std::string name;
  std::set<std::string> options;  // the options that take a value
  std::set<std::string> flags;    // the options that do not
  // run runs the command on its options, parsed strictly (an unknown option
  // exits kExitUsage before run is called).
  std::function<cli::Outcome(const cli::Args& args)> run;
};

// KeyCommand is the command `NAME --out FILE` that makes a new secret: without
// --out, or when FILE exists (a key is never overwritten), it exits
// kExitUsage; otherwise it calls |write|(FILE), which writes the secret, and
// prints on stdout what |write| returns. An error from |write| exits
// kExitFailure.
Command KeyCommand(std::string name,
                   std::function<base::StatusOr<std::string>(const std::string& out)> write);

// Program is one server program: what is its own. Every string is a literal
// (the name outlives RunProgram as the prefix of error messages).
struct Program {
  const char* name = nullptr;            // "openen-relay": the prefix of its errors and log lines
  const char* usage = nullptr;           // what `--help`, `-h` and `help` print on stdout
  const char* default_listen = nullptr;  // --listen without the option
  int64_t default_maintenance_interval_seconds = 60;
  // Its own serve options, each taking a value, and those of them it requires
  // (named after --data-dir in the error when one is missing).
  std::set<std::string> serve_options;
  std::vector<std::string> required_serve_options;
  // Its own serve flags (options without a value).
  std::set<std::string> serve_flags;
  // The error for --authority-key, in serve and in `decommission`. The option
  // named one key list trusted for every kind of signed object; it was split
  // by role, and silently mapping it to one role would hide that the others
  // are no longer trusted. Each server says which options replace it.
  const char* authority_key_gone = nullptr;
  // Its own commands, besides `decommission` and `help`.
  std::vector<Command> commands;
  // load checks the program's own serve options in |args| (every required one
  // is present) and reads the files they name; an error exits kExitUsage (bad
  // arguments or unreadable input). It returns the component, not yet open.
  std::function<base::StatusOr<std::unique_ptr<Component>>(const cli::Args& args,
                                                           const ServeOptions& serve)>
      load;
};

// RunProgram is a server's main. It sets the program name for errors, runs
// crypto::Init (an error exits kExitFailure), then by argv[1]:
//   --help, -h, help  prints the usage text, exits kExitOk;
//   decommission      `--order FILE --data-dir DIR --decommission-key FILE`:
//                     installs a verified decommission order in DIR
//                     (InstallDecommissionOrder) and prints from when;
//   a command's name  runs that command (with --help or -h anywhere after
//                     it: prints the usage text, exits kExitOk);
//   anything else     serves: parses the common serve options (--data-dir,
//                     --listen, --tls-cert, --tls-key, --maintenance-interval
//                     1..86400, --decommission-key, --log-json, --metrics-listen,
//                     --help) and the program's
//                     own, refuses --authority-key and positional words, then
//                     loads the component, blocks shutdown signals, opens it
//                     with the system clock and a pool of 4 workers (an Open
//                     that returns CANCELLED was stopped by a shutdown signal
//                     while it waited, and exits kExitOk), serves its
//                     services (StartServer) until SIGTERM or SIGINT with its
//                     Maintain every interval (ServeUntilSignal), and reports
//                     its Health to the gRPC health service (a change is
//                     logged); with --metrics-listen it serves Metrics
//                     (<name>_maintenance_seconds, _maintenance_failures_total,
//                     _serving, _store_bytes, and the component's own).
// Returns the process exit code: kExitOk, kExitUsage for bad arguments or
// unreadable input (the message on stderr), kExitFailure when a command ran
// and failed, or when the component cannot be opened or served.
int RunProgram(const Program& program, int argc, char** argv);

}  // namespace openen::server

#endif  // OPENEN_SERVER_PROGRAM_H_
