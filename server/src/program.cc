// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/server/program.h"

#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string_view>

#include "openen/base/file.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/server/decommission.h"
#include "openen/server/grpc_server.h"
#include "openen/server/key_files.h"
#include "openen/server/log.h"

namespace openen::server {
namespace {

using cli::Args;
using cli::Outcome;

// RequiredError names every required option: "--a, --b and --c are required".
base::Status RequiredError(const std::vector<std::string>& names) {
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) list += i + 1 == names.size() ? " and " : ", ";
    list += "--" + names[i];
  }
  return base::InvalidArgumentError(list + (names.size() == 1 ? " is" : " are") +
                                    " required (see --help)");
}

// DirectoryBytes sums the sizes of the files under |dir|.
uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const uint64_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

Command DecommissionCommand(const Program& program) {
  return {"decommission",
          {"order", "data-dir", "decommission-key", "authority-key"},
          {},
          [&program](const Args& args) -> Outcome {
            if (args.Has("authority-key")) {
              return base::InvalidArgumentError(program.authority_key_gone);
            }
            auto order = args.Get("order");
            auto data_dir = args.Get("data-dir");
            auto trusted = args.Get("decommission-key");
            if (!order || !data_dir || !trusted) {
              return base::InvalidArgumentError(
                  "decommission needs --order, --data-dir and --decommission-key");
            }
            OPENEN_ASSIGN_OR_RETURN(auto keys, ReadEd25519PublicKeys(*trusted));
            OPENEN_ASSIGN_OR_RETURN(int64_t effective,
                                    InstallDecommissionOrder(*order, *data_dir, keys));
            std::printf("decommission order in force from %lld installed in %s\n",
                        static_cast<long long>(effective), data_dir->c_str());
            return {};
          }};
}

Outcome Run(const Program& program, const Command& command, int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
      std::fputs(program.usage, stdout);
      return {};
    }
  }
  OPENEN_ASSIGN_OR_RETURN(Args args, Args::Parse(argc, argv, 2, command.options, command.flags));
  return command.run(args);
}

Outcome Serve(const Program& program, int argc, char** argv) {
  // The serve options every server takes, and the program's own.
  std::set<std::string> valued = {
      "data-dir",         "listen",        "tls-cert",      "tls-key", "maintenance-interval",
      "decommission-key", "authority-key", "metrics-listen"};
  valued.insert(program.serve_options.begin(), program.serve_options.end());
  std::set<std::string> flags = {"help", "log-json"};
  flags.insert(program.serve_flags.begin(), program.serve_flags.end());
  OPENEN_ASSIGN_OR_RETURN(Args args, Args::Parse(argc, argv, 1, valued, flags));
  if (args.Has("help")) {
    std::fputs(program.usage, stdout);
    return {};
  }
  if (!args.positional().empty()) {
    return base::InvalidArgumentError("unknown command '" + args.positional()[0] + "'");
  }
  if (args.Has("authority-key")) return base::InvalidArgumentError(program.authority_key_gone);
  std::vector<std::string> required = {"data-dir"};
  required.insert(required.end(), program.required_serve_options.begin(),
                  program.required_serve_options.end());
  for (const std::string& name : required) {
    if (!args.Has(name)) return RequiredError(required);
  }
  OPENEN_ASSIGN_OR_RETURN(
      int64_t interval,
      args.GetInt("maintenance-interval", program.default_maintenance_interval_seconds, 1,
                  crypto::kDaySeconds));
  if (args.Has("log-json")) SetLogJson(true);
  ServeOptions serve;
  serve.data_dir = *args.Get("data-dir");
  if (auto path = args.Get("decommission-key")) {
    OPENEN_ASSIGN_OR_RETURN(serve.decommission_keys, ReadEd25519PublicKeys(*path));
  }

  // Declared in this order so that they are destroyed in the reverse one: the
  // server stops first, then the pool runs its queued tasks (which use the
  // component), then the component goes, then the clock it reads.
  base::SystemClock clock;
  OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<Component> component, program.load(args, serve));
  BlockShutdownSignals();  // before any thread starts, so that only ServeUntilSignal sees them
  // Metrics first, so that a component can count from its first call.
  std::unique_ptr<Metrics> metrics;
  if (auto listen = args.Get("metrics-listen")) {
    std::string prefix = program.name;
    std::replace(prefix.begin(), prefix.end(), '-', '_');
    metrics = std::make_unique<Metrics>(prefix);
    base::StatusOr<int> port = metrics->Serve(*listen);
    if (!port.ok()) {
      return Outcome(port.status(), port.status().code() == base::StatusCode::kInvalidArgument
                                        ? cli::kExitUsage
                                        : cli::kExitFailure);
    }
    Log(program.name, "metrics on http://%s:%d/metrics",
        listen->substr(0, listen->rfind(':')).c_str(), *port);
  }
  WorkerPool pool(4);
  if (base::Status s = component->Open(&clock, &pool, metrics.get()); !s.ok()) {
    if (s.code() == base::StatusCode::kCancelled) {
      Log(program.name, "stopped: %s", s.message().c_str());
      return {};
    }
    return Outcome(s, cli::kExitFailure);
  }
  EndpointOptions endpoint;
  endpoint.listen = args.Get("listen").value_or(program.default_listen);
  endpoint.tls_cert_file = args.Get("tls-cert");
  endpoint.tls_key_file = args.Get("tls-key");
  auto running = StartServer(endpoint, component->Services());
  if (!running.ok()) return Outcome(running.status(), cli::kExitFailure);
  // Health: SERVING while the component says so and its last pass
  // succeeded; a change is logged (never a peer, never a secret).
  grpc::HealthCheckServiceInterface* health = running->server->GetHealthCheckService();
  std::mutex health_mu;
  std::string reported = "SERVING";
  auto report = [&](const base::Status& maintained) {
    base::Status s = maintained.ok() ? component->Health() : maintained;
    std::lock_guard<std::mutex> lock(health_mu);
    health->SetServingStatus(s.ok());
    if (metrics) {
      metrics->Gauge("serving", "1 while the health service answers SERVING, else 0")
          .Set(s.ok() ? 1 : 0);
      metrics->Gauge("store_bytes", "bytes in the data directory")
          .Set(static_cast<double>(DirectoryBytes(serve.data_dir)));
    }
    const std::string now = s.ok() ? "SERVING" : "NOT_SERVING (" + s.message() + ")";
    if (now != reported) Log(program.name, "health: %s", now.c_str());
    reported = now;
  };
  for (const std::string& name : component->HealthNames()) health->SetServingStatus(name, true);
  report(base::Status::Ok());
  // Logged once health (and its metrics) are reported: what a starting
  // script waits for.
  const std::string host = endpoint.listen.substr(0, endpoint.listen.rfind(':'));
  Log(program.name, "listening on %s:%d, %s", host.c_str(), running->port,
      component->Description().c_str());
  if (serve.decommission_keys.empty()) {
    Log(program.name, "no --decommission-key given: no decommission order will be accepted");
  }
  ServeUntilSignal(
      program.name, running->server.get(), interval,
      [&] {
        const auto start = std::chrono::steady_clock::now();
        base::Status s = component->Maintain();
        if (metrics) {
          metrics
              ->Histogram("maintenance_seconds", "how long each maintenance pass took",
                          {0.01, 0.1, 1, 10, 60})
              .Observe(
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
          if (!s.ok())
            Count(metrics.get(), "maintenance_failures_total", "maintenance passes that failed");
        }
        report(s);
        return s;
      },
      [&component] { component->Stop(); });
  return {};
}

}  // namespace

Command KeyCommand(std::string name,
                   std::function<base::StatusOr<std::string>(const std::string& out)> write) {
  const std::string needs_out = name + " needs --out FILE";
  return {std::move(name),
          {"out"},
          {},
          [needs_out, write = std::move(write)](const Args& args) -> Outcome {
            auto out = args.Get("out");
            if (!out) return base::InvalidArgumentError(needs_out);
            if (base::FileExists(*out)) {
              return base::InvalidArgumentError(*out + " exists; refusing to overwrite a key");
            }
            base::StatusOr<std::string> printed = write(*out);
            if (!printed.ok()) return Outcome(printed.status(), cli::kExitFailure);
            std::fputs(printed->c_str(), stdout);
            return {};
          }};
}

int RunProgram(const Program& program, int argc, char** argv) {
  cli::SetProgramName(program.name);
  if (base::Status s = crypto::Init(); !s.ok()) return Outcome(s, cli::kExitFailure).Exit();
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(program.usage, stdout);
    return cli::kExitOk;
  }
  if (command == "decommission")
    return Run(program, DecommissionCommand(program), argc, argv).Exit();
  for (const Command& c : program.commands) {
    if (command == c.name) return Run(program, c, argc, argv).Exit();
  }
  return Serve(program, argc, argv).Exit();
}

}  // namespace openen::server
