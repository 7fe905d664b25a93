// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The key rotations of docs/operations.md, run as documented: the scripts
// in scripts/ops/ with the real binaries, restarted between the steps as
// the page says. A code issued before the certificate key rotation is still
// good after it; during the export key rotation apps pinning either key
// verify every batch.

#include <catch2/catch.hpp>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "openen/client/upload.h"
#include "openen/crypto/hash.h"
#include "openen/rpc/call.h"
#include "openen/v1/verification.pb.h"
#include "openen/wire/export.h"
#include "relay_fixture.h"
#include "relay_process.h"
#include "subprocess.h"

namespace openen::relay {
namespace {

using openen::testing::Process;
using openen::testing::ReadFile;
using openen::testing::Run;
using openen::testing::RunResult;
using openen::testing::TempDir;
using testing::RelayFixture;
using testing::RelayProcess;

std::string Script(const std::string& name) { return std::string(OPENEN_OPS_SCRIPTS) + "/" + name; }

using testing::Chomp;

// VerifierProcess starts openen-verifier with the keys in |keys| and waits
// until it listens.
struct VerifierProcess {
  std::unique_ptr<Process> process;
  int port = 0;
  VerifierProcess(const TempDir& dir, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {OPENEN_VERIFIER,
                                     "--data-dir",
                                     dir.Sub("verifier-data"),
                                     "--signing-key",
                                     dir.Sub("vkeys/certificate.key"),
                                     "--staff-dir",
                                     dir.Sub("staff"),
                                     "--listen",
                                     "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process = std::make_unique<Process>(argv);
    port = process->ListeningPort();
  }
  std::string Address() const { return "127.0.0.1:" + std::to_string(port); }
};

// Upload is what a phone does with a code: exchange it, certify its keys,
// publish them. Returns the number of keys the relay accepted.
uint32_t Upload(const VerifierProcess& verifier, const RelayProcess& relay,
                const std::string& code) {
  auto vchannel = grpc::CreateChannel(verifier.Address(), grpc::InsecureChannelCredentials());
  openen::v1::ExchangeCodeRequest exchange;
  exchange.set_code(code);
  openen::v1::ExchangeCodeResponse token;
  {
    grpc::ClientContext ctx;
    grpc::Status s =
        rpc::UnaryCall(vchannel.get(), client::kExchangeCodeMethod, &ctx, exchange, &token);
    INFO(s.error_message());
    REQUIRE(s.ok());
  }
  const auto keys = RelayFixture::DailyKeys(
      3, crypto::RollingStart(crypto::EnIntervalNumber(std::time(nullptr))));
  std::vector<crypto::TekHmacEntry> entries;
  for (const auto& k : keys)
    entries.push_back(
        {k.key_data, k.rolling_start_interval_number, k.rolling_period, k.transmission_risk});
  base::Bytes secret(32, 0x31);
  const auto mac = crypto::TekHmac(secret, entries, crypto::TekHmacForm::kWithTransmissionRisk);
  openen::v1::CertifyRequest certify;
  certify.set_token(token.token());
  certify.set_key_hmac(std::string(base::AsChars(mac)));
  openen::v1::CertifyResponse cert;
  {
    grpc::ClientContext ctx;
    REQUIRE(rpc::UnaryCall(vchannel.get(), client::kCertifyMethod, &ctx, certify, &cert).ok());
  }
  auto rchannel = grpc::CreateChannel("127.0.0.1:" + std::to_string(relay.port),
                                      grpc::InsecureChannelCredentials());
  openen::v1::PublishResponse published;
  grpc::ClientContext ctx;
  grpc::Status s =
      rpc::UnaryCall(rchannel.get(), client::kPublishMethod, &ctx,
                     RelayFixture::Request(keys, cert.certificate(), secret), &published);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return published.accepted();
}

// NewestBatch opens the newest batch listed in |exports|.
wire::ExportFile NewestBatch(const std::string& exports) {
  const std::string index = ReadFile(exports + "/index.txt");
  REQUIRE(index.size() > 1);
  const size_t start = index.rfind('\n', index.size() - 2);
  const std::string name = index.substr(start == std::string::npos ? 0 : start + 1);
  auto file = wire::ExportFile::Parse(base::ToBytes(ReadFile(exports + "/" + Chomp(name))));
  REQUIRE(file.ok());
  return std::move(*file);
}

wire::TrustedExportKeys Pin(const std::string& line) {  // "openen-v2 <spki>"
  const size_t space = line.find(' ');
  return {
      {line.substr(0, space), *crypto::EcdsaP256PublicKey::FromSpkiBase64(line.substr(space + 1))}};
}

TEST_CASE("the documented key rotations break nothing live - the scripts with the real binaries",
          "[relay][verifier][rotation][e2e]") {
  RelayFixture f;  // its certificate key signs the test's own uploads
  f.clock.Set(std::time(nullptr));
  TempDir dir;
  std::filesystem::create_directory(dir.Sub("vkeys"));
  RunResult certificate =
      Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("vkeys/certificate.key")});
  REQUIRE(certificate.exit_code == 0);
  const std::string old_public = Chomp(certificate.out);
  std::ofstream(dir.Sub("vkeys/certificate.pub")) << certificate.out;
  // The relay's --certificate-key file.
  std::ofstream(dir.Sub("certificate.pub"))
      << certificate.out << base::Base64Encode(f.authority.PublicKey().bytes()) << "\n";
  REQUIRE(Run({OPENEN_VERIFIER, "integration", "add", "tracing", "--staff-dir", dir.Sub("staff"),
               "--out", dir.Sub("issue.key")})
              .exit_code == 0);
  RunResult export_v1 = Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")});
  REQUIRE(export_v1.exit_code == 0);
  const std::string pin_v1 = "openen-v1 " + Chomp(export_v1.out);
  REQUIRE(Run({OPENEN_CLI, "log", "keygen", "--name", "openen.example/log", "--out",
               dir.Sub("log.key")})
              .exit_code == 0);
  const std::string exports = dir.Sub("relay-export");

  auto verifier = std::make_unique<VerifierProcess>(dir, std::vector<std::string>{});
  auto relay = std::make_unique<RelayProcess>(dir, "relay");
  RunResult issued =
      Run({OPENEN_VERIFIER, "issue", "--server", verifier->Address(), "--api-key-file",
           dir.Sub("issue.key"), "--test-type", "confirmed", "--json"});
  REQUIRE(issued.exit_code == 0);
  const size_t at = issued.out.find("\"long_code\": \"") + 14;
  const std::string live_code = issued.out.substr(at, issued.out.find('"', at) - at);

  // The certificate key.
  const std::string rotate = Script("rotate-certificate-key.sh");
  const std::string env_verifier = std::string("OPENEN_VERIFIER=") + OPENEN_VERIFIER;
  RunResult made = Run({"/usr/bin/env", env_verifier, "bash", rotate, "new", dir.Sub("vkeys")});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  const std::string new_public = Chomp(made.out);
  REQUIRE(Run({"/bin/bash", rotate, "trust", dir.Sub("certificate.pub"), new_public}).exit_code ==
          0);
  CHECK(relay->process->Stop(SIGTERM) == 0);
  relay = std::make_unique<RelayProcess>(dir, "relay");
  REQUIRE(Run({"/bin/bash", rotate, "switch", dir.Sub("vkeys")}).exit_code == 0);
  CHECK(verifier->process->Stop(SIGTERM) == 0);
  verifier = std::make_unique<VerifierProcess>(
      dir, std::vector<std::string>{"--previous-signing-key",
                                    dir.Sub("vkeys/certificate-previous.key")});
  CHECK_THAT(verifier->process->stderr_text(),
             Catch::Contains("certificates signed by " + new_public));
  CHECK(Upload(*verifier, *relay, live_code) == 3);  // issued before the rotation
  RunResult early = Run({"/bin/bash", rotate, "finish", dir.Sub("vkeys")});
  CHECK(early.exit_code == 1);
  CHECK_THAT(early.err, Catch::Contains("may live"));
  REQUIRE(Run({"/bin/bash", rotate, "untrust", dir.Sub("certificate.pub"), old_public}).exit_code ==
          0);
  CHECK(ReadFile(dir.Sub("certificate.pub")).find(old_public) == std::string::npos);
  REQUIRE(Run({"/bin/bash", rotate, "finish", dir.Sub("vkeys"), "--force"}).exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(dir.Sub("vkeys/certificate-previous.key")));
  CHECK(verifier->process->Stop(SIGTERM) == 0);
  verifier = std::make_unique<VerifierProcess>(dir, std::vector<std::string>{});
  CHECK(relay->process->Stop(SIGTERM) == 0);
  relay = std::make_unique<RelayProcess>(dir, "relay");
  issued = Run({OPENEN_VERIFIER, "issue", "--server", verifier->Address(), "--api-key-file",
                dir.Sub("issue.key"), "--test-type", "confirmed", "--json"});
  REQUIRE(issued.exit_code == 0);
  const size_t at2 = issued.out.find("\"long_code\": \"") + 14;
  CHECK(Upload(*verifier, *relay, issued.out.substr(at2, issued.out.find('"', at2) - at2)) == 3);

  // The export key: both keys sign while apps move to the new one.
  const std::string rotate_export = Script("rotate-export-key.sh");
  const std::string env_relay = std::string("OPENEN_RELAY=") + OPENEN_RELAY;
  RunResult next = Run({"/usr/bin/env", env_relay, "bash", rotate_export, "new", dir.path(), "v2"});
  INFO(next.err);
  REQUIRE(next.exit_code == 0);
  const std::string pin_v2 = Chomp(next.out);
  REQUIRE(pin_v2.rfind("openen-v2 ", 0) == 0);
  CHECK(relay->process->Stop(SIGTERM) == 0);
  relay = std::make_unique<RelayProcess>(
      dir, "relay",
      std::vector<std::string>{"--next-signing-key", dir.Sub("export-v2.pem"),
                               "--next-signing-key-version", "v2"});
  CHECK_THAT(relay->process->stderr_text(),
             Catch::Contains("exports signed by openen-v1 and openen-v2"));
  relay->PublishAndRelease(f);
  {
    const wire::ExportFile both = NewestBatch(exports);
    CHECK(both.Verify(Pin(pin_v1)).ok());  // today's app
    CHECK(both.Verify(Pin(pin_v2)).ok());  // the next release
  }
  REQUIRE(Run({"/bin/bash", rotate_export, "switch", dir.path(), "v2"}).exit_code == 0);
  CHECK(relay->process->Stop(SIGTERM) == 0);
  relay = std::make_unique<RelayProcess>(dir, "relay",
                                         std::vector<std::string>{"--signing-key-version", "v2"});
  relay->PublishAndRelease(f);
  const wire::ExportFile after = NewestBatch(exports);
  CHECK(after.Verify(Pin(pin_v2)).ok());
  CHECK_FALSE(after.Verify(Pin(pin_v1)).ok());
  CHECK(relay->process->Stop(SIGTERM) == 0);
  CHECK(verifier->process->Stop(SIGTERM) == 0);
}

}  // namespace
}  // namespace openen::relay
