// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Honest health, with the real binaries and `openen health`: per service,
// NOT_SERVING while the store cannot be written (a fault injected in the
// store's write probe) and once decommissioned; every command's --help;
// JSON log lines.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

#include "openen/base/fault.h"
#include "relay_fixture.h"
#include "relay_process.h"
#include "subprocess.h"

namespace openen::relay {
namespace {

using openen::testing::Process;
using openen::testing::Run;
using openen::testing::RunResult;
using openen::testing::TempDir;
using testing::RelayProcess;

RunResult Health(const std::string& address, const std::vector<std::string>& options = {}) {
  std::vector<std::string> argv = {OPENEN_CLI, "health"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(address);
  return Run(argv);
}

TEST_CASE(
    "health is per service and honest - NOT_SERVING while the store cannot be written and once "
    "decommissioned",
    "[relay][verifier][health][e2e]") {
  TempDir dir;
  testing::MakeRelayKeys(dir, {testing::MakeVerifierKeys(dir)});
  RunResult decommission = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("decommission.key")});
  REQUIRE(decommission.exit_code == 0);
  std::ofstream(dir.Sub("decommission.pub")) << decommission.out;

  // The second probe of the relay's store (its first maintenance pass) fails.
  if (base::kFaultInjection) setenv("OPENEN_FAULT", "store.probe=error@2", 1);
  RelayProcess relay(
      dir, "relay",
      {"--decommission-key", dir.Sub("decommission.pub"), "--maintenance-interval", "2"});
  unsetenv("OPENEN_FAULT");
  const std::string address = "127.0.0.1:" + std::to_string(relay.port);
  if (base::kFaultInjection) {
    REQUIRE(relay.process->WaitForStderr("health: NOT_SERVING (the store cannot be written"));
    RunResult down = Health(address);
    CHECK(down.exit_code == 1);
    CHECK(down.out == "NOT_SERVING\n");
    REQUIRE(relay.process->WaitForStderr("health: SERVING"));
  }
  RunResult up = Health(address);
  CHECK(up.exit_code == 0);
  CHECK(up.out == "SERVING\n");
  CHECK(Health("grpc://" + address, {"--service", "openen.v1.Relay"}).exit_code == 0);
  RunResult unknown = Health(address, {"--service", "openen.v1.Verification"});
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.err, Catch::Contains("no service named 'openen.v1.Verification'"));
  RunResult nobody = Health("127.0.0.1:1", {"--timeout", "1"});
  CHECK(nobody.exit_code == 1);
  CHECK_THAT(nobody.err, Catch::Contains("no answer"));
  CHECK(Health(address, {"--timeout", "0"}).exit_code == 2);

  // Decommissioned: NOT_SERVING, for the server and its service.
  REQUIRE(Run({OPENEN_VERIFIER, "decommission-order", "--signing-key", dir.Sub("decommission.key"),
               "--effective", std::to_string(std::time(nullptr)), "--out", dir.Sub("order.bin")})
              .exit_code == 0);
  REQUIRE(Run({OPENEN_RELAY, "decommission", "--order", dir.Sub("order.bin"), "--data-dir",
               relay.data, "--decommission-key", dir.Sub("decommission.pub")})
              .exit_code == 0);
  REQUIRE(relay.process->WaitForStderr("health: NOT_SERVING (decommissioned)"));
  for (const std::vector<std::string>& service :
       {std::vector<std::string>{}, std::vector<std::string>{"--service", "openen.v1.Relay"}}) {
    RunResult off = Health(address, service);
    CHECK(off.exit_code == 1);
    CHECK(off.out == "NOT_SERVING\n");
  }
  CHECK(relay.process->Stop(SIGTERM) == 0);

  // The verifier answers for its own service.
  Process verifier({OPENEN_VERIFIER, "--data-dir", dir.Sub("verifier-data"), "--signing-key",
                    dir.Sub("certificate.key"), "--staff-dir", dir.Sub("staff"), "--listen",
                    "127.0.0.1:0"});
  const std::string verifier_address = "127.0.0.1:" + std::to_string(verifier.ListeningPort());
  CHECK(Health(verifier_address, {"--service", "openen.v1.Verification"}).exit_code == 0);
  CHECK(Health(verifier_address, {"--service", "openen.v1.Relay"}).exit_code == 1);
  CHECK(verifier.Stop(SIGTERM) == 0);
}

}  // namespace
}  // namespace openen::relay

namespace openen::relay {
namespace {

TEST_CASE("every command of the three programs answers --help with its usage",
          "[relay][verifier][cli]") {
  const std::vector<std::vector<std::string>> commands = {
      {OPENEN_RELAY},
      {OPENEN_RELAY, "keygen"},
      {OPENEN_RELAY, "decommission"},
      {OPENEN_VERIFIER},
      {OPENEN_VERIFIER, "keygen"},
      {OPENEN_VERIFIER, "integration"},
      {OPENEN_VERIFIER, "sign-config"},
      {OPENEN_VERIFIER, "decommission-order"},
      {OPENEN_VERIFIER, "decommission"},
      {OPENEN_VERIFIER, "issue"},
      {OPENEN_VERIFIER, "staff"},
      {OPENEN_CLI},
      {OPENEN_CLI, "keys", "derive"},
      {OPENEN_CLI, "export", "inspect"},
      {OPENEN_CLI, "simulate"},
      {OPENEN_CLI, "log", "keygen"},
      {OPENEN_CLI, "log", "verify"},
      {OPENEN_CLI, "log", "compare"},
      {OPENEN_CLI, "log", "witness"},
      {OPENEN_CLI, "health"},
  };
  for (std::vector<std::string> argv : commands) {
    argv.push_back("--help");
    const openen::testing::RunResult r = openen::testing::Run(argv);
    INFO(argv[0] << " " << (argv.size() > 2 ? argv[1] : "") << ": " << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("usage"));
  }
}

}  // namespace
}  // namespace openen::relay

namespace openen::relay {
namespace {

TEST_CASE("with --log-json every log line is one JSON object, with no key in any encoding",
          "[relay][cli][log]") {
  testing::RelayFixture f;
  f.clock.Set(std::time(nullptr));
  TempDir dir;
  testing::MakeRelayKeys(dir, {base::Base64Encode(f.authority.PublicKey().bytes())});
  RelayProcess relay(dir, "relay", {"--log-json"});
  const auto keys = relay.PublishAndRelease(f);
  REQUIRE(relay.process->Stop(SIGTERM) == 0);
  const std::string& log = relay.process->stderr_text();
  size_t lines = 0;
  for (size_t from = 0, nl; (nl = log.find('\n', from)) != std::string::npos; from = nl + 1) {
    const std::string line = log.substr(from, nl - from);
    INFO(line);
    const auto object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE(object.is_object());
    CHECK(object.size() == 3);
    CHECK(object["time"].get<std::string>().size() == 20);
    CHECK(object["component"].is_string());
    CHECK(object["message"].is_string());
    ++lines;
  }
  CHECK(lines >= 4);  // listening, closed, signal, stopped
  CHECK_THAT(log, Catch::Contains("\"message\": \"closed batch-"));
  for (const auto& k : keys) {
    for (const std::string& form : {base::HexEncode(k.key_data), base::Base64Encode(k.key_data),
                                    std::string(base::AsChars(k.key_data))}) {
      CHECK(log.find(form) == std::string::npos);
    }
  }
}

}  // namespace
}  // namespace openen::relay
