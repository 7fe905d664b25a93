// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Metrics, scraped over HTTP (libcurl) from the real binaries' loopback
// metrics port: they move with the work, and say nothing about a person;
// their labels carry no value of a key; they are served on loopback only.

#include "openen/server/metrics.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <ctime>
#include <fstream>
#include <set>
#include <thread>

#include "metrics_scrape.h"
#include "openen/base/cancellation.h"
#include "openen/client/upload.h"
#include "openen/crypto/interval.h"
#include "openen/rpc/call.h"
#include "openen/v1/verification.pb.h"
#include "relay_fixture.h"
#include "relay_process.h"
#include "subprocess.h"

namespace openen::relay {
namespace {

using openen::testing::Process;
using openen::testing::Run;
using openen::testing::RunResult;
using openen::testing::TempDir;
using testing::MetricsPort;
using testing::RelayFixture;
using testing::RelayProcess;
using testing::Scrape;
using testing::Value;

TEST_CASE("metrics move with the work over HTTP on a loopback port - counts only",
          "[relay][verifier][metrics][e2e]") {
  RelayFixture f;
  f.clock.Set(std::time(nullptr));
  TempDir dir;
  testing::MakeRelayKeys(
      dir, {testing::MakeVerifierKeys(dir), base::Base64Encode(f.authority.PublicKey().bytes())});

  RelayProcess relay(dir, "relay", {"--metrics-listen", "127.0.0.1:0"});
  const int relay_metrics = MetricsPort(*relay.process);
  std::string text = Scrape(relay_metrics);
  CHECK(Value(text, "openen_relay_serving") == 1);
  CHECK(Value(text, "openen_relay_publishes_total{result=\"OK\"}") == -1);

  const auto keys = relay.PublishAndRelease(f);
  {
    // A certificate no trusted key signed.
    const crypto::Ed25519PrivateKey forger = crypto::Ed25519PrivateKey::Generate();
    const auto forged = RelayFixture::DailyKeys(2);
    base::Bytes secret(32, 0x11);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(relay.port),
                                       grpc::InsecureChannelCredentials());
    grpc::ClientContext ctx;
    openen::v1::PublishResponse response;
    const auto request = RelayFixture::Request(
        forged, f.Certificate(forged, secret, "openen-relay", 900, 0, &forger), secret);
    CHECK(rpc::UnaryCall(channel.get(), client::kPublishMethod, &ctx, request, &response)
              .error_code() == grpc::UNAUTHENTICATED);
  }
  // Wait for a maintenance pass after the publishes.
  for (int i = 0;
       i < 50 && Value(Scrape(relay_metrics), "openen_relay_maintenance_seconds_count") < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  text = Scrape(relay_metrics);
  INFO(text);
  CHECK(Value(text, "openen_relay_publishes_total{result=\"OK\"}") == 1);
  CHECK(Value(text, "openen_relay_publishes_total{result=\"UNAUTHENTICATED\"}") == 1);
  CHECK(Value(text, "openen_relay_keys_accepted_total") == 3);
  CHECK(Value(text, "openen_relay_keys_released_total") == 3);
  CHECK(Value(text, "openen_relay_batches_total") == 1);
  CHECK(Value(text, "openen_relay_batch_close_seconds_count") == 1);
  CHECK(Value(text, "openen_relay_maintenance_seconds_count") >= 3);
  CHECK(Value(text, "openen_relay_store_bytes") > 0);
  // Nothing about a person: no key in any encoding, no address.
  for (const auto& k : keys) {
    for (const std::string& form : {base::HexEncode(k.key_data), base::Base64Encode(k.key_data),
                                    std::string(base::AsChars(k.key_data))}) {
      CHECK(text.find(form) == std::string::npos);
    }
  }
  CHECK(text.find("127.0.0.1") == std::string::npos);
  CHECK(relay.process->Stop(SIGTERM) == 0);

  // The verifier: codes issued, and a wrong one.
  Process verifier({OPENEN_VERIFIER, "--data-dir", dir.Sub("verifier-data"), "--signing-key",
                    dir.Sub("certificate.key"), "--staff-dir", dir.Sub("staff"), "--listen",
                    "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--maintenance-interval",
                    "1"});
  const int verifier_metrics = MetricsPort(verifier);
  const std::string address = "127.0.0.1:" + std::to_string(verifier.ListeningPort());
  RunResult issued = Run({OPENEN_VERIFIER, "issue", "--server", address, "--api-key-file",
                          dir.Sub("issue.key"), "--test-type", "confirmed", "--json"});
  REQUIRE(issued.exit_code == 0);
  {
    auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    grpc::ClientContext ctx;
    openen::v1::ExchangeCodeRequest request;
    request.set_code("4821 7730 1956 0482");
    openen::v1::ExchangeCodeResponse response;
    CHECK(rpc::UnaryCall(channel.get(), client::kExchangeCodeMethod, &ctx, request, &response)
              .error_code() == grpc::NOT_FOUND);
  }
  text = Scrape(verifier_metrics);
  CHECK(Value(text, "openen_verifier_codes_issued_total") == 1);
  CHECK(Value(text, "openen_verifier_wrong_codes_total") == 1);
  CHECK(Value(text, "openen_verifier_serving") == 1);
  CHECK(text.find("4821") == std::string::npos);
  CHECK(verifier.Stop(SIGTERM) == 0);

  // Metrics are for an agent on the host: any other address is refused.
  RunResult wide = Run({OPENEN_VERIFIER, "--data-dir", dir.Sub("other-data"), "--signing-key",
                        dir.Sub("certificate.key"), "--staff-dir", dir.Sub("staff"), "--listen",
                        "127.0.0.1:0", "--metrics-listen", "0.0.0.0:0"});
  CHECK(wide.exit_code == 2);
  CHECK_THAT(wide.err, Catch::Contains("--metrics-listen must be a loopback address"));
}

TEST_CASE(
    "refused keys are counted by the fixed part of the reason - no value of a key reaches a label",
    "[relay][metrics][privacy]") {
  server::Metrics metrics("openen_relay");
  RelayOptions options = RelayFixture::TestOptions();
  options.metrics = &metrics;
  RelayFixture f(options);
  // Each refused for a reason that names a value of the key: a period, a
  // risk, a (negative) day count from the onset of symptoms.
  auto keys = RelayFixture::DailyKeys(4);
  keys[0].rolling_period = 200;
  keys[1].transmission_risk = 9;
  base::Bytes secret(32, 0x22);
  const uint32_t onset = testing::kToday + 20 * crypto::kTekRollingPeriod;  // 20 days ahead
  auto result = f.relay->Publish(keys, f.Certificate(keys, secret, "openen-relay", 900, onset),
                                 secret, false);
  REQUIRE(result.ok());
  REQUIRE(result->rejected.size() == 4);
  const std::string text = metrics.Text();
  INFO(text);
  std::set<std::string> reasons;
  const std::string series = "openen_relay_keys_rejected_total{reason=\"";
  for (size_t at = text.find("\n" + series); at != std::string::npos;
       at = text.find("\n" + series, at + 1)) {
    const size_t start = at + 1 + series.size();
    reasons.insert(text.substr(start, text.find('"', start) - start));
  }
  CHECK(reasons ==
        std::set<std::string>{"rolling_period", "transmission_risk", "days since symptom onset"});
  // Every label value is a fixed kind: no digit of any value.
  for (const std::string& r : reasons) CHECK(r.find_first_of("0123456789-") == std::string::npos);
  CHECK(Value(text, "openen_relay_keys_rejected_total{reason=\"days since symptom onset\"}") == 2);
  CHECK(Value(text, "openen_relay_publishes_total{result=\"OK\"}") == 1);
}

TEST_CASE("metrics listen on loopback only", "[server][metrics]") {
  for (const std::string refused :
       {"0.0.0.0:0", "[::]:0", ":0", "192.0.2.1:0", "example.org:0", "0"}) {
    server::Metrics metrics("openen_test");
    auto port = metrics.Serve(refused);
    INFO(refused);
    CHECK(port.status().code() == base::StatusCode::kInvalidArgument);
  }
  for (const std::string host : {"127.0.0.1", "localhost", "[::1]"}) {
    server::Metrics metrics("openen_test");
    metrics.Counter("calls_total", "calls").Increment();
    auto port = metrics.Serve(host + ":0");
    INFO(host << ": " << port.status().ToString());
    if (host == "[::1]" && !port.ok()) {
      // IPv6's loopback, where this host has one.
      CHECK(port.status().code() == base::StatusCode::kUnavailable);
      continue;
    }
    REQUIRE(port.ok());
    CHECK(Value(Scrape(*port, host), "openen_test_calls_total") == 1);
  }
}

}  // namespace
}  // namespace openen::relay
