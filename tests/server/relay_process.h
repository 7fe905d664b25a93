// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// RelayProcess: the openen-relay binary on loopback, with the keys a test
// made in its directory (certificate.pub, export.pem, log.key), batches
// every second.

#ifndef OPENEN_TESTS_SERVER_RELAY_PROCESS_H_
#define OPENEN_TESTS_SERVER_RELAY_PROCESS_H_

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "openen/client/upload.h"
#include "openen/rpc/call.h"
#include "openen/v1/relay.pb.h"
#include "relay_fixture.h"
#include "subprocess.h"

namespace openen::relay::testing {

// Chomp drops the newlines at the end of |s| (a command's one-line output).
inline std::string Chomp(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// The relay's key files, made in a test's directory by the binaries as
// docs/operations.md makes them: export.pem and log.key, and certificate.pub
// trusting each of |certificate_keys| (base64 Ed25519 public keys).
struct RelayKeys {
  std::string export_spki;  // what `openen-relay keygen` printed: phones pin it
  std::string log_vkey;     // what `openen log keygen` printed
};
inline RelayKeys MakeRelayKeys(const openen::testing::TempDir& dir,
                               const std::vector<std::string>& certificate_keys) {
  using openen::testing::Run;
  using openen::testing::RunResult;
  RunResult export_key = Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")});
  REQUIRE(export_key.exit_code == 0);
  RunResult log_key = Run(
      {OPENEN_CLI, "log", "keygen", "--name", "openen.example/log", "--out", dir.Sub("log.key")});
  REQUIRE(log_key.exit_code == 0);
  std::ofstream certificate(dir.Sub("certificate.pub"));
  for (const std::string& key : certificate_keys) certificate << key << "\n";
  return {Chomp(export_key.out), Chomp(log_key.out)};
}

// MakeVerifierKeys makes the verifier's certificate.key, its staff directory
// "staff" and in it an integration whose API key is in issue.key, all in
// |dir|, and returns the certificate key's public half.
inline std::string MakeVerifierKeys(const openen::testing::TempDir& dir) {
  using openen::testing::Run;
  openen::testing::RunResult certificate =
      Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("certificate.key")});
  REQUIRE(certificate.exit_code == 0);
  REQUIRE(Run({OPENEN_VERIFIER, "integration", "add", "tracing", "--staff-dir", dir.Sub("staff"),
               "--out", dir.Sub("issue.key")})
              .exit_code == 0);
  return Chomp(certificate.out);
}

struct RelayProcess {
  std::string data, exports;
  std::unique_ptr<openen::testing::Process> process;
  int port = 0;

  // Starts a relay with the data and export directories <name>-data and
  // <name>-export under |dir|, and waits until it listens.
  RelayProcess(const openen::testing::TempDir& dir, const std::string& name,
               const std::vector<std::string>& extra = {})
      : RelayProcess(dir, dir.Sub(name + "-data"), dir.Sub(name + "-export"), extra) {
    WaitUntilListening();
  }
  // Starts a relay on |data_dir| and |export_dir|; it listens once
  // WaitUntilListening returns.
  RelayProcess(const openen::testing::TempDir& dir, std::string data_dir, std::string export_dir,
               const std::vector<std::string>& extra)
      : data(std::move(data_dir)), exports(std::move(export_dir)) {
    std::vector<std::string> argv = {OPENEN_RELAY,
                                     "--data-dir",
                                     data,
                                     "--export-dir",
                                     exports,
                                     "--certificate-key",
                                     dir.Sub("certificate.pub"),
                                     "--signing-key",
                                     dir.Sub("export.pem"),
                                     "--log-key",
                                     dir.Sub("log.key"),
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--batch-period",
                                     "1",
                                     "--min-batch-keys",
                                     "5",
                                     "--maintenance-interval",
                                     "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process = std::make_unique<openen::testing::Process>(argv);
  }

  void WaitUntilListening(int timeout_ms = 20000) { port = process->ListeningPort(timeout_ms); }
  std::string Grpc() const { return "grpc://127.0.0.1:" + std::to_string(port); }

  // PublishAndRelease sends |n| keys of the last days and waits until
  // index.txt lists one more batch; returns the keys.
  std::vector<SubmittedKey> PublishAndRelease(RelayFixture& f, int n = 3) {
    const auto keys = RelayFixture::DailyKeys(
        n, crypto::RollingStart(crypto::EnIntervalNumber(std::time(nullptr))));
    const size_t listed =
        openen::testing::CountLines(openen::testing::ReadFile(exports + "/index.txt"));
    base::Bytes secret(32, 0x44);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                       grpc::InsecureChannelCredentials());
    grpc::ClientContext ctx;
    openen::v1::PublishResponse resp;
    const auto request = RelayFixture::Request(keys, f.Certificate(keys, secret), secret);
    REQUIRE(rpc::UnaryCall(channel.get(), client::kPublishMethod, &ctx, request, &resp).ok());
    REQUIRE(resp.accepted() == static_cast<uint32_t>(n));
    for (int i = 0; i < 100 && openen::testing::CountLines(
                                   openen::testing::ReadFile(exports + "/index.txt")) == listed;
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(openen::testing::CountLines(openen::testing::ReadFile(exports + "/index.txt")) >
            listed);
    return keys;
  }
};

}  // namespace openen::relay::testing

#endif  // OPENEN_TESTS_SERVER_RELAY_PROCESS_H_
