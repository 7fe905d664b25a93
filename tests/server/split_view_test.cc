// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// A split view, with the real binaries: a relay whose operator (or whoever
// holds its keys) runs a second relay with the same log and export keys, to
// show one phone another world. A witness that watched the genuine log
// refuses to cosign the other; `openen log compare` reports the fork; a
// phone that requires the witness refuses the other world, and a phone that
// saw the genuine log refuses it as a fork. `openen log verify` refuses a
// listing with a name the log lacks.

#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "client/nginx.h"
#include "openen/client/client.h"
#include "openen/client/platform.h"
#include "openen/client/upload.h"
#include "openen/client_grpc/relay_source.h"
#include "openen/rpc/call.h"
#include "openen/v1/relay.pb.h"
#include "openen/wire/tlog.h"
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
using testing::RelayProcess;

// Keygen runs `openen log keygen` and returns the vkey it prints.
std::string Keygen(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {OPENEN_CLI, "log", "keygen"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = Run(argv);
  REQUIRE(r.exit_code == 0);
  return r.out.substr(0, r.out.size() - 1);
}

TEST_CASE("a split view is caught by the witness, the monitor and the phones - real binaries",
          "[relay][cli][transparency][e2e]") {
  testing::RelayFixture f;  // the verifier's certificate key, and certificates
  f.clock.Set(std::time(nullptr));
  TempDir dir;
  RunResult export_key = Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")});
  REQUIRE(export_key.exit_code == 0);
  const std::string spki = export_key.out.substr(0, export_key.out.size() - 1);
  std::ofstream(dir.Sub("certificate.pub"))
      << base::Base64Encode(f.authority.PublicKey().bytes()) << "\n";
  const std::string log_vkey =
      Keygen({"--name", "openen.example/log", "--out", dir.Sub("log.key")});
  const std::string witness_vkey =
      Keygen({"--name", "dpa.example/witness", "--witness", "--out", dir.Sub("witness.key")});
  std::ofstream(dir.Sub("witness.pub")) << witness_vkey << "\n";

  // A private key given where a vkey belongs is refused without being
  // echoed, in any encoding.
  {
    const std::string secret_line = ReadFile(dir.Sub("witness.key"));
    size_t at = 0;
    for (int plus = 0; plus < 4; ++plus)
      at = secret_line.find('+', at) + 1;  // PRIVATE+KEY+name+id+
    const std::string b64 = secret_line.substr(at, 44);
    const std::string seed_hex =
        base::HexEncode(base::ByteView(*base::Base64Decode(b64)).subspan(1));
    RunResult verify =
        Run({OPENEN_CLI, "log", "verify", "--log-key", dir.Sub("witness.key"), dir.Sub("none")});
    RunResult relay =
        Run({OPENEN_RELAY, "--data-dir", dir.Sub("refused-data"), "--export-dir",
             dir.Sub("refused-export"), "--certificate-key", dir.Sub("certificate.pub"),
             "--signing-key", dir.Sub("export.pem"), "--log-key", dir.Sub("log.key"),
             "--witness-key", dir.Sub("witness.key")});
    for (const RunResult* r : {&verify, &relay}) {
      INFO(r->err);
      CHECK(r->exit_code == 2);
      for (const std::string& secret :
           {secret_line.substr(0, secret_line.size() - 1), b64, seed_hex}) {
        CHECK(r->err.find(secret) == std::string::npos);
        CHECK(r->out.find(secret) == std::string::npos);
      }
    }
    CHECK(verify.err.find("a private key was given where a verifier key (vkey) belongs") !=
          std::string::npos);
  }

  // The genuine relay, and the other world under the same keys.
  RelayProcess genuine(dir, "genuine", {"--witness-key", dir.Sub("witness.pub")});
  RelayProcess other(dir, "other");
  genuine.PublishAndRelease(f);
  other.PublishAndRelease(f);

  // The witness cosigns the genuine log; the relay publishes the cosignature.
  RunResult cosigned = Run({OPENEN_CLI, "log", "witness", "--key", dir.Sub("witness.key"),
                            "--log-key", log_vkey, "--state", dir.Sub("witness.state"), "--out",
                            genuine.data + "/cosignatures/dpa", genuine.exports});
  INFO(cosigned.err);
  REQUIRE(cosigned.exit_code == 0);
  bool published = false;
  for (int i = 0; i < 100 && !published; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    published = ReadFile(genuine.exports + "/log/checkpoint").find("dpa.example/witness") !=
                std::string::npos;
  }
  REQUIRE(published);
  // Asked about the other world, it refuses: it does not extend what it saw.
  RunResult refused =
      Run({OPENEN_CLI, "log", "witness", "--key", dir.Sub("witness.key"), "--log-key", log_vkey,
           "--state", dir.Sub("witness.state"), other.Grpc()});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("will not cosign") != std::string::npos);
  CHECK(refused.err.find("the log forked") != std::string::npos);

  // The monitor: both checkpoints verify, and cannot both be true.
  RunResult compare = Run({OPENEN_CLI, "log", "compare", "--log-key", log_vkey, "--json",
                           genuine.exports, other.Grpc(), genuine.Grpc()});
  CHECK(compare.exit_code == 1);
  CHECK(compare.out.find("\"ok\": false") != std::string::npos);
  CHECK(compare.out.find("cannot both be true") != std::string::npos);
  // The genuine export directory served by a real web server, as a CDN would.
  openen::testing::Pki pki;
  openen::testing::Nginx cdn(genuine.exports, pki);
  RunResult same = Run({OPENEN_CLI, "log", "compare", "--log-key", log_vkey, genuine.exports,
                        genuine.Grpc(), cdn.PlainUrl("/")});
  INFO(same.err);
  CHECK(same.exit_code == 0);
  CHECK(same.out.find("all 3 checkpoints are consistent") != std::string::npos);
  for (const std::string& source : {genuine.Grpc(), cdn.PlainUrl("/")}) {
    RunResult verify =
        Run({OPENEN_CLI, "log", "verify", "--log-key", log_vkey, "--witness-keys", witness_vkey,
             "--quorum", "1", "--state", dir.Sub("monitor.state"), source});
    INFO(verify.err);
    CHECK(verify.exit_code == 0);
    CHECK(verify.out.find("1 witness cosignatures") != std::string::npos);
  }

  // Phones: one requires the witness, one does not but saw the genuine log.
  auto keystore = std::move(*client::FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));
  base::SystemClock clock;
  auto phone = [&](const std::string& name, size_t quorum) {
    client::ClientOptions o;
    o.store_dir = dir.Sub(name);
    o.export_keys = {{"openen-v1", *crypto::EcdsaP256PublicKey::FromSpkiBase64(spki)}};
    o.log = client::LogPolicy{
        *wire::NoteKey::Parse(log_vkey), {*wire::NoteKey::Parse(witness_vkey)}, quorum};
    auto c = client::Client::Open(o, keystore.get(), &clock);
    REQUIRE(c.ok());
    return std::move(*c);
  };
  auto grpc_source = [](const RelayProcess& r) {
    return client_grpc::RelaySource(grpc::CreateChannel("127.0.0.1:" + std::to_string(r.port),
                                                        grpc::InsecureChannelCredentials()));
  };
  auto shown_other = grpc_source(other);
  auto shown_genuine = grpc_source(genuine);
  auto careful = phone("careful", 1);
  auto refused_sync = careful->Sync(shown_other);
  REQUIRE_FALSE(refused_sync.ok());
  CHECK(refused_sync.status().message() ==
        "log/checkpoint: the checkpoint has 0 of the 1 witness cosignatures required");
  REQUIRE(careful->Sync(shown_genuine).ok());
  auto plain = phone("plain", 0);
  REQUIRE(plain->Sync(shown_genuine).ok());
  auto forked = plain->Sync(shown_other);
  REQUIRE_FALSE(forked.ok());
  CHECK(forked.status().reason() == client::kMisbehavingSourceReason);

  // A mirror that lists a copy of a genuine batch under a far-future name.
  const std::string mirror = dir.Sub("mirror");
  std::filesystem::copy(genuine.exports, mirror, std::filesystem::copy_options::recursive);
  const std::string index = ReadFile(mirror + "/index.txt");
  std::filesystem::copy_file(mirror + "/" + index.substr(0, index.find('\n')),
                             mirror + "/batch-9999999999.zip");
  std::ofstream(mirror + "/index.txt", std::ios::app) << "batch-9999999999.zip\n";
  std::filesystem::remove(mirror + "/index.sha256");
  RunResult far = Run({OPENEN_CLI, "log", "verify", "--log-key", log_vkey, "--json", mirror});
  CHECK(far.exit_code == 1);
  CHECK(far.out.find("batch-9999999999.zip is listed but is not in the log") != std::string::npos);

  CHECK(genuine.process->Stop(SIGTERM) == 0);
  CHECK(other.process->Stop(SIGTERM) == 0);
}

}  // namespace
}  // namespace openen::relay
