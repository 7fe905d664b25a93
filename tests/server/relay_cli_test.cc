// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen-relay, run as a separate process with the real clock.

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "openen/crypto/hash.h"
#include "openen/v1/relay.grpc.pb.h"
#include "openen/v1/verification.grpc.pb.h"
#include "openen/wire/signed.h"
#include "relay_fixture.h"
#include "subprocess.h"

namespace openen::relay {
namespace {

using openen::testing::Process;
using openen::testing::ReadFile;
using openen::testing::Run;
using openen::testing::RunResult;
using openen::testing::TempDir;

TEST_CASE("keygen writes a private PEM and prints the SPKI phones pin", "[relay][cli]") {
  TempDir dir;
  RunResult r = Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")});
  REQUIRE(r.exit_code == 0);
  auto pub = crypto::EcdsaP256PublicKey::FromSpkiBase64(r.out.substr(0, r.out.size() - 1));
  REQUIRE(pub.ok());
  auto key = crypto::EcdsaP256PrivateKey::FromPem(ReadFile(dir.Sub("export.pem")));
  REQUIRE(key.ok());
  CHECK(key->PublicKey().ToSpkiBase64() == pub->ToSpkiBase64());
  struct stat st;
  REQUIRE(stat(dir.Sub("export.pem").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")}).exit_code == 2);
}

TEST_CASE("the relay binary accepts a publish and writes a verifiable export", "[relay][cli][e2e]") {
  testing::RelayFixture f;  // for its certificate key and certificates
  f.clock.Set(std::time(nullptr));
  TempDir dir;
  RunResult keygen = Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")});
  REQUIRE(keygen.exit_code == 0);
  const std::string spki = keygen.out.substr(0, keygen.out.size() - 1);
  std::ofstream(dir.Sub("certificate.pub"))
      << "# the verifier's certificate key\n"
      << base::Base64Encode(f.authority.PublicKey().bytes()) << "\n";

  Process relay({OPENEN_RELAY, "--data-dir", dir.Sub("data"), "--export-dir", dir.Sub("export"),
                 "--certificate-key", dir.Sub("certificate.pub"), "--signing-key", dir.Sub("export.pem"),
                 "--listen", "127.0.0.1:0", "--batch-period", "1", "--min-batch-keys", "5",
                 "--maintenance-interval", "1", "--region", "IE"});
  const int port = relay.ListeningPort();
  const std::string log = relay.stderr_text();

  // Keys from the last three days, relative to the real clock.
  const auto keys = testing::RelayFixture::DailyKeys(
      3, crypto::RollingStart(crypto::EnIntervalNumber(std::time(nullptr))));
  base::Bytes secret(32, 0x44);
  const auto req = testing::RelayFixture::Request(keys, f.Certificate(keys, secret), secret);
  auto relay_api = openen::v1::Relay::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  openen::v1::PublishResponse resp;
  REQUIRE(relay_api->Publish(&ctx, req, &resp).ok());
  CHECK(resp.accepted() == 3);

  std::string index;
  for (int i = 0; i < 100 && index.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    index = ReadFile(dir.Sub("export/index.txt"));
  }
  REQUIRE_FALSE(index.empty());
  const std::string name = index.substr(0, index.find('\n'));
  RunResult inspect = Run({OPENEN_CLI, "export", "inspect", dir.Sub("export/" + name), "--public-key", spki, "--json"});
  CHECK(inspect.exit_code == 0);
  CHECK(inspect.out.find("\"region\": \"IE\"") != std::string::npos);
  CHECK(inspect.out.find("\"signature\": \"valid\"") != std::string::npos);
  for (const auto& k : keys)
    CHECK(inspect.out.find(base::HexEncode(k.key_data)) != std::string::npos);

  CHECK(relay.Stop(SIGTERM) == 0);
  const std::string& logs = relay.stderr_text();
  CHECK(logs.find("closed " + name) != std::string::npos);
  CHECK(logs.find("stopped") != std::string::npos);
  for (const auto& k : keys) CHECK(logs.find(base::HexEncode(k.key_data)) == std::string::npos);
  CHECK(logs.find("ipv4:") == std::string::npos);
}

TEST_CASE("sign-config makes the file the relay serves through GetConfig", "[relay][cli][config]") {
  TempDir dir;
  // The procedure of docs/relay.md: an offline configuration key, apart
  // from the verifier's certificate key.
  RunResult vkey = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("config.key")});
  REQUIRE(vkey.exit_code == 0);
  std::ofstream(dir.Sub("config.pub")) << vkey.out;
  RunResult ckey = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("certificate.key")});
  REQUIRE(ckey.exit_code == 0);
  std::ofstream(dir.Sub("certificate.pub")) << ckey.out;
  REQUIRE(Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")}).exit_code == 0);
  std::ofstream(dir.Sub("config.txtpb")) << "expires_at: 1900000000\nserial: 3\nretention_days: 10\n"
                                         << "risk { attenuation_thresholds_db: [30, 50, 70] }\n";
  RunResult signed_config = Run({OPENEN_VERIFIER, "sign-config", "--signing-key", dir.Sub("config.key"),
                                 "--in", dir.Sub("config.txtpb"), "--out", dir.Sub("config.bin")});
  REQUIRE(signed_config.exit_code == 0);
  CHECK(signed_config.out == "signed configuration serial 3, expires 2030-03-17T17:46:40Z\n");

  std::ofstream(dir.Sub("bad.txtpb")) << "expires_at: 1900000000\nretention_days: 15\n";
  RunResult too_long = Run({OPENEN_VERIFIER, "sign-config", "--signing-key", dir.Sub("config.key"), "--in",
                            dir.Sub("bad.txtpb"), "--out", dir.Sub("bad.bin")});
  CHECK(too_long.exit_code == 2);
  CHECK(too_long.err == "openen-verifier: " + dir.Sub("bad.txtpb") + ": retention_days is 15, at most 14\n");
  std::ofstream(dir.Sub("junk.txtpb")) << "no_such_field: 1\n";
  CHECK(Run({OPENEN_VERIFIER, "sign-config", "--signing-key", dir.Sub("config.key"), "--in",
             dir.Sub("junk.txtpb"), "--out", dir.Sub("junk.bin")})
            .exit_code == 2);

  Process relay({OPENEN_RELAY, "--data-dir", dir.Sub("data"), "--export-dir", dir.Sub("export"),
                 "--certificate-key", dir.Sub("certificate.pub"), "--signing-key", dir.Sub("export.pem"),
                 "--listen", "127.0.0.1:0", "--config", dir.Sub("config.bin"), "--config-key", dir.Sub("config.pub")});
  const int port = relay.ListeningPort();
  auto relay_api = openen::v1::Relay::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  openen::v1::GetConfigResponse resp;
  REQUIRE(relay_api->GetConfig(&ctx, {}, &resp).ok());
  auto authority = crypto::Ed25519PublicKey::FromBytes(
      *base::Base64Decode(vkey.out.substr(0, vkey.out.size() - 1)));
  openen::v1::RelayConfig config;
  REQUIRE(wire::OpenEnvelope(resp.config(), wire::kRelayConfigContext, {*authority}, &config).ok());
  CHECK(config.serial() == 3);
  CHECK(config.retention_days() == 10);
  CHECK(config.risk().attenuation_thresholds_db_size() == 3);
  CHECK(relay.Stop() == 0);

  // A configuration signed by someone else, or by the certificate key,
  // keeps the relay from starting.
  REQUIRE(Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("other.key")}).exit_code == 0);
  for (const char* signer : {"other.key", "certificate.key"}) {
    REQUIRE(Run({OPENEN_VERIFIER, "sign-config", "--signing-key", dir.Sub(signer), "--in",
                 dir.Sub("config.txtpb"), "--out", dir.Sub("forged.bin")})
                .exit_code == 0);
    RunResult refused = Run({OPENEN_RELAY, "--data-dir", dir.Sub("data"), "--export-dir", dir.Sub("export"),
                             "--certificate-key", dir.Sub("certificate.pub"), "--signing-key", dir.Sub("export.pem"),
                             "--listen", "127.0.0.1:0", "--config", dir.Sub("forged.bin"), "--config-key",
                             dir.Sub("config.pub")});
    CHECK(refused.exit_code == 1);
    CHECK(refused.err == "openen-relay: configuration: signature verification failed\n");
  }
  // A configuration needs its keys; one key file for two roles is refused.
  RunResult keyless = Run({OPENEN_RELAY, "--data-dir", dir.Sub("data"), "--export-dir", dir.Sub("export"),
                           "--certificate-key", dir.Sub("certificate.pub"), "--signing-key", dir.Sub("export.pem"),
                           "--config", dir.Sub("config.bin")});
  CHECK(keyless.exit_code == 2);
  CHECK(keyless.err.find("--config and --config-key go together") != std::string::npos);
  RunResult shared = Run({OPENEN_RELAY, "--data-dir", dir.Sub("data"), "--export-dir", dir.Sub("export"),
                          "--certificate-key", dir.Sub("config.pub"), "--signing-key", dir.Sub("export.pem"),
                          "--config", dir.Sub("config.bin"), "--config-key", dir.Sub("config.pub")});
  CHECK(shared.exit_code == 1);
  CHECK(shared.err == "openen-relay: one key is given as both a certificate key and a configuration key; "
                      "each role needs its own key\n");
}

TEST_CASE("with --tls-cert and --tls-key the relay speaks only TLS", "[relay][cli][tls]") {
  TempDir dir;
  RunResult cert = Run({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir.Sub("tls.key"), "-out",
                        dir.Sub("tls.crt"), "-days", "1", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost"});
  REQUIRE(cert.exit_code == 0);
  RunResult vkey = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("certificate.key")});
  std::ofstream(dir.Sub("certificate.pub")) << vkey.out;
  REQUIRE(Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")}).exit_code == 0);
  Process relay({OPENEN_RELAY, "--data-dir", dir.Sub("data"), "--export-dir", dir.Sub("export"),
                 "--certificate-key", dir.Sub("certificate.pub"), "--signing-key", dir.Sub("export.pem"),
                 "--listen", "127.0.0.1:0", "--tls-cert", dir.Sub("tls.crt"), "--tls-key", dir.Sub("tls.key")});
  const std::string addr = "127.0.0.1:" + std::to_string(relay.ListeningPort());

  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(dir.Sub("tls.crt"));
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  auto tls = openen::v1::Relay::NewStub(grpc::CreateCustomChannel(addr, grpc::SslCredentials(ssl), args));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  openen::v1::ListBatchesResponse list;
  CHECK(tls->ListBatches(&ctx, {}, &list).ok());

  auto plain = openen::v1::Relay::NewStub(grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  grpc::ClientContext plain_ctx;
  plain_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  CHECK_FALSE(plain->ListBatches(&plain_ctx, {}, &list).ok());
  CHECK(relay.Stop() == 0);
}

TEST_CASE("the relay's first lines name its export key and warn when no order can count",
          "[relay][cli]") {
  TempDir dir;
  for (const char* role : {"certificate", "decommission"}) {
    RunResult key = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub(std::string(role) + ".key")});
    REQUIRE(key.exit_code == 0);
    std::ofstream(dir.Sub(std::string(role) + ".pub")) << key.out;
  }
  REQUIRE(Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")}).exit_code == 0);
  const std::string warning =
      "openen-relay: no --decommission-key given: no decommission order will be accepted\n";
  for (bool orders_count : {false, true}) {
    INFO("with --decommission-key: " << orders_count);
    std::vector<std::string> argv = {OPENEN_RELAY,
                                     "--data-dir",
                                     dir.Sub("data"),
                                     "--export-dir",
                                     dir.Sub("export"),
                                     "--certificate-key",
                                     dir.Sub("certificate.pub"),
                                     "--signing-key",
                                     dir.Sub("export.pem"),
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--signing-key-id",
                                     "ie",
                                     "--signing-key-version",
                                     "v7"};
    if (orders_count) argv.insert(argv.end(), {"--decommission-key", dir.Sub("decommission.pub")});
    Process relay(argv);
    const int port = relay.ListeningPort();
    CHECK(relay.Stop() == 0);
    const std::string& log = relay.stderr_text();
    CHECK(log.find("openen-relay: listening on 127.0.0.1:" + std::to_string(port) +
                   ", exports signed by ie-v7\n") != std::string::npos);
    CHECK((log.find(warning) != std::string::npos) == !orders_count);
  }
}

TEST_CASE("decommission commands switch off a running relay", "[relay][cli][decommission]") {
  TempDir dir;
  // The procedure of docs/decommissioning.md: an offline decommission key,
  // apart from the verifier's certificate key.
  RunResult vkey = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("decommission.key")});
  REQUIRE(vkey.exit_code == 0);
  std::ofstream(dir.Sub("decommission.pub")) << vkey.out;
  RunResult ckey = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("certificate.key")});
  REQUIRE(ckey.exit_code == 0);
  std::ofstream(dir.Sub("certificate.pub")) << ckey.out;
  REQUIRE(Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")}).exit_code == 0);
  const int64_t now = std::time(nullptr);
  RunResult made = Run({OPENEN_VERIFIER, "decommission-order", "--signing-key", dir.Sub("decommission.key"), "--effective",
                        std::to_string(now), "--sequence", "7", "--out", dir.Sub("order.bin")});
  REQUIRE(made.exit_code == 0);
  CHECK(made.out.rfind("decommission order 7, effective ", 0) == 0);
  CHECK(Run({OPENEN_VERIFIER, "decommission-order", "--signing-key", dir.Sub("decommission.key"), "--effective", "-5",
             "--out", dir.Sub("x.bin")})
            .exit_code == 2);

  Process relay({OPENEN_RELAY, "--data-dir", dir.Sub("data"), "--export-dir", dir.Sub("export"),
                 "--certificate-key", dir.Sub("certificate.pub"), "--decommission-key", dir.Sub("decommission.pub"),
                 "--signing-key", dir.Sub("export.pem"), "--listen", "127.0.0.1:0", "--maintenance-interval", "1"});
  const int port = relay.ListeningPort();

  // An order from another key, or from the online certificate key, is
  // refused and installs nothing; so is the retired --authority-key.
  REQUIRE(Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("other.key")}).exit_code == 0);
  for (const char* signer : {"other.key", "certificate.key"}) {
    REQUIRE(Run({OPENEN_VERIFIER, "decommission-order", "--signing-key", dir.Sub(signer), "--effective",
                 std::to_string(now), "--out", dir.Sub("forged.bin")})
                .exit_code == 0);
    RunResult forged = Run({OPENEN_RELAY, "decommission", "--order", dir.Sub("forged.bin"), "--data-dir",
                            dir.Sub("data"), "--decommission-key", dir.Sub("decommission.pub")});
    CHECK(forged.exit_code == 2);
    CHECK(forged.err == "openen-relay: " + dir.Sub("forged.bin") + ": signature verification failed\n");
  }
  RunResult retired = Run({OPENEN_RELAY, "decommission", "--order", dir.Sub("order.bin"), "--data-dir",
                           dir.Sub("data"), "--authority-key", dir.Sub("decommission.pub")});
  CHECK(retired.exit_code == 2);
  CHECK(retired.err.find("--authority-key is gone") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.Sub("data/decommission-order.bin")));

  RunResult installed = Run({OPENEN_RELAY, "decommission", "--order", dir.Sub("order.bin"), "--data-dir",
                             dir.Sub("data"), "--decommission-key", dir.Sub("decommission.pub")});
  REQUIRE(installed.exit_code == 0);
  REQUIRE(relay.WaitForStderr("decommissioned"));
  CHECK(std::filesystem::exists(dir.Sub("export/decommission.bin")));
  CHECK_FALSE(std::filesystem::exists(dir.Sub("export/index.txt")));

  auto relay_api = openen::v1::Relay::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  openen::v1::PublishRequest req;
  req.add_keys()->set_key_data(std::string(16, 'k'));
  openen::v1::PublishResponse resp;
  grpc::Status st = relay_api->Publish(&ctx, req, &resp);
  CHECK(st.error_code() == grpc::FAILED_PRECONDITION);
  CHECK(st.error_message() == "decommissioned");
  grpc::ClientContext config_ctx;
  openen::v1::GetConfigResponse config;
  REQUIRE(relay_api->GetConfig(&config_ctx, {}, &config).ok());
  CHECK(config.has_decommission_order());
  CHECK_FALSE(config.has_config());
  CHECK(relay.Stop() == 0);
}

// Forms returns |secret| as it might be written: raw, hex in both cases,
// base64 standard and URL-safe (without the padding, which depends on what
// follows).
std::vector<std::pair<std::string, std::string>> Forms(const std::string& name,
                                                       base::ByteView secret) {
  std::string hex = base::HexEncode(secret), upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string b64 = base::Base64Encode(secret);
  b64 = b64.substr(0, b64.find('='));
  std::string url = b64;
  for (char& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return {{name + " raw", std::string(base::AsChars(secret))},
          {name + " hex", hex},
          {name + " HEX", upper},
          {name + " base64", b64},
          {name + " base64url", url}};
}

// LocalPortsTo returns the local ports of this process's TCP connections to
// 127.0.0.1:|port|: the peer address a server sees for it.
std::vector<int> LocalPortsTo(int port) {
  // gRPC may connect from an IPv6 socket (to ::ffff:127.0.0.1).
  auto port_of = [](const sockaddr_storage& a) {
    if (a.ss_family == AF_INET) return static_cast<int>(ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port));
    if (a.ss_family == AF_INET6) return static_cast<int>(ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port));
    return -1;
  };
  std::vector<int> ports;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    const int n = std::stoi(fd.path().filename().string());
    sockaddr_storage peer{}, local{};
    socklen_t len = sizeof(peer);
    if (getpeername(n, reinterpret_cast<sockaddr*>(&peer), &len) != 0 || port_of(peer) != port) continue;
    len = sizeof(local);
    if (getsockname(n, reinterpret_cast<sockaddr*>(&local), &len) == 0) ports.push_back(port_of(local));
  }
  return ports;
}

TEST_CASE("the relay and verifier binaries log and store no peer address, key or secret, on any path",
          "[relay][verifier][cli][privacy]") {
  TempDir dir;
  RunResult vkey = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("authority.key")});
  REQUIRE(vkey.exit_code == 0);
  std::ofstream(dir.Sub("authority.pub")) << vkey.out;
  REQUIRE(Run({OPENEN_VERIFIER, "integration", "add", "tracing", "--staff-dir", dir.Sub("staff"),
               "--out", dir.Sub("issue.key")})
              .exit_code == 0);
  REQUIRE(Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("export.pem")}).exit_code == 0);
  Process verifier({OPENEN_VERIFIER, "--data-dir", dir.Sub("verifier"), "--signing-key",
                    dir.Sub("authority.key"), "--staff-dir", dir.Sub("staff"), "--listen",
                    "127.0.0.1:0", "--maintenance-interval", "1"});
  Process relay({OPENEN_RELAY, "--data-dir", dir.Sub("data"), "--export-dir", dir.Sub("export"),
                 "--certificate-key", dir.Sub("authority.pub"), "--signing-key", dir.Sub("export.pem"),
                 "--listen", "127.0.0.1:0", "--batch-period", "1", "--min-batch-keys", "5",
                 "--maintenance-interval", "1"});
  const int relay_port = relay.ListeningPort();
  const int verifier_port = verifier.ListeningPort();
  auto vchannel = grpc::CreateChannel("127.0.0.1:" + std::to_string(verifier_port), grpc::InsecureChannelCredentials());
  auto rchannel = grpc::CreateChannel("127.0.0.1:" + std::to_string(relay_port), grpc::InsecureChannelCredentials());
  auto verification = openen::v1::Verification::NewStub(vchannel);
  auto relay_api = openen::v1::Relay::NewStub(rchannel);
  std::string api_key = ReadFile(dir.Sub("issue.key"));
  api_key.pop_back();                                        // the newline
  std::vector<std::pair<std::string, std::string>> secrets;  // searched in logs and directories
  std::vector<std::pair<std::string, std::string>> published;  // keys: searched in logs
  std::string refusals;  // every error message the servers sent back: searched too
  auto note = [&](const grpc::Status& s) {
    if (!s.ok()) refusals += s.error_message() + "\n";
    return s.error_code();
  };

  // Issue, then the error paths: wrong code, oversized code, wrong token,
  // short HMAC; then the success path; chaff in between.
  openen::v1::IssueCodeResponse codes;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + api_key);
    openen::v1::IssueCodeRequest req;
    req.set_test_type(openen::v1::CONFIRMED_TEST);
    REQUIRE(verification->IssueCode(&ctx, req, &codes).ok());
  }
  auto exchange = [&](const std::string& code, bool chaff, openen::v1::ExchangeCodeResponse* out) {
    grpc::ClientContext ctx;
    openen::v1::ExchangeCodeRequest req;
    req.set_code(code);
    req.set_chaff(chaff);
    return note(verification->ExchangeCode(&ctx, req, out));
  };
  auto certify = [&](const std::string& token, const std::string& hmac, bool chaff, openen::v1::CertifyResponse* out) {
    grpc::ClientContext ctx;
    openen::v1::CertifyRequest req;
    req.set_token(token);
    req.set_key_hmac(hmac);
    req.set_chaff(chaff);
    return note(verification->Certify(&ctx, req, out));
  };
  openen::v1::ExchangeCodeResponse token;
  const std::string wrong_code = "4821 7730 1956 0482";
  CHECK(exchange(wrong_code, false, &token) == grpc::NOT_FOUND);
  CHECK(exchange(std::string(70 * 1024, '7'), false, &token) == grpc::RESOURCE_EXHAUSTED);
  CHECK(exchange(codes.long_code() + "x", false, &token) == grpc::NOT_FOUND);
  CHECK(exchange(wrong_code, true, &token) == grpc::OK);
  const std::string chaff_token = token.token();
  REQUIRE(exchange(codes.short_code(), false, &token) == grpc::OK);

  const uint32_t today = crypto::RollingStart(crypto::EnIntervalNumber(std::time(nullptr)));
  std::vector<SubmittedKey> keys;
  openen::v1::PublishRequest publish;
  std::vector<crypto::TekHmacEntry> entries;
  for (uint32_t d = 1; d <= 3; ++d) {
    SubmittedKey k{base::Bytes(16), today - 144 * d, 144, 0};
    crypto::RandomBytes(k.key_data);
    keys.push_back(k);
    entries.push_back({k.key_data, k.rolling_start_interval_number, 144, 0});
    auto* out = publish.add_keys();
    out->set_key_data(std::string(base::AsChars(k.key_data)));
    out->set_rolling_start_interval_number(k.rolling_start_interval_number);
    out->set_rolling_period(144);
    for (auto& f : Forms("TEK " + std::to_string(d), k.key_data)) published.push_back(f);
  }
  base::Bytes hmac_secret(32);
  crypto::RandomBytes(hmac_secret);
  const crypto::Sha256Digest key_hmac = crypto::TekHmac(hmac_secret, entries, crypto::TekHmacForm::kWithTransmissionRisk);
  openen::v1::CertifyResponse cert;
  CHECK(certify("f00d" + token.token().substr(4), std::string(base::AsChars(key_hmac)), false,
                &cert) == grpc::NOT_FOUND);
  CHECK(certify(token.token(), std::string(31, 'h'), false, &cert) == grpc::INVALID_ARGUMENT);
  CHECK(certify(chaff_token, std::string(base::AsChars(key_hmac)), true, &cert) == grpc::OK);
  REQUIRE(certify(token.token(), std::string(base::AsChars(key_hmac)), false, &cert) == grpc::OK);

  auto send = [&](const openen::v1::PublishRequest& req) {
    grpc::ClientContext ctx;
    openen::v1::PublishResponse resp;
    return note(relay_api->Publish(&ctx, req, &resp));
  };
  // Bytes that do not decode, holding the secrets: a publish cut short, a
  // code that is not UTF-8.
  auto send_bytes = [&](grpc::Channel* channel, const char* method, const std::string& bytes) {
    grpc::ClientContext ctx;
    grpc::Slice slice(bytes);
    grpc::ByteBuffer req(&slice, 1), resp;
    const grpc::internal::RpcMethod rpc(method, grpc::internal::RpcMethod::NORMAL_RPC);
    return note(grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel, rpc, &ctx, req, &resp));
  };
  *publish.mutable_certificate() = cert.certificate();
  openen::v1::PublishRequest bad = publish;  // a wrong HMAC secret
  bad.set_hmac_secret(std::string(32, 'w'));
  CHECK(send(bad) == grpc::UNAUTHENTICATED);
  openen::v1::PublishRequest malformed;  // no keys
  malformed.set_hmac_secret(std::string(base::AsChars(hmac_secret)));
  CHECK(send(malformed) == grpc::INVALID_ARGUMENT);
  openen::v1::PublishRequest chaff = publish;
  chaff.set_hmac_secret(std::string(base::AsChars(hmac_secret)));
  chaff.set_chaff(true);
  CHECK(send(chaff) == grpc::OK);
  publish.set_hmac_secret(std::string(base::AsChars(hmac_secret)));
  const std::string whole = publish.SerializeAsString();
  CHECK(send_bytes(rchannel.get(), "/openen.v1.Relay/Publish", whole.substr(0, whole.size() - 1)) ==
        grpc::INVALID_ARGUMENT);
  openen::v1::ExchangeCodeRequest not_utf8;
  not_utf8.set_code(codes.long_code() + "\xff");
  CHECK(send_bytes(vchannel.get(), "/openen.v1.Verification/ExchangeCode",
                   not_utf8.SerializeAsString()) == grpc::INVALID_ARGUMENT);
  REQUIRE(send(publish) == grpc::OK);
  CHECK(send(publish) == grpc::OK);  // the identical request again: a retry, its first reply
  openen::v1::PublishRequest other = publish;  // another request under the used certificate
  other.mutable_keys()->RemoveLast();
  CHECK(send(other) == grpc::UNAUTHENTICATED);

  std::string index;
  for (int i = 0; i < 100 && index.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    index = ReadFile(dir.Sub("export/index.txt"));
  }
  REQUIRE_FALSE(index.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // one more maintenance: purged
  std::vector<int> ports = LocalPortsTo(verifier_port);
  for (int p : LocalPortsTo(relay_port)) ports.push_back(p);
  REQUIRE_FALSE(ports.empty());
  CHECK(relay.Stop(SIGTERM) == 0);
  CHECK(verifier.Stop(SIGTERM) == 0);

  for (const auto& [what, value] :
       std::vector<std::pair<std::string, std::string>>{{"short code", codes.short_code()},
                                                        {"long code", codes.long_code()},
                                                        {"token", token.token()},
                                                        {"chaff token", chaff_token},
                                                        {"API key", api_key}}) {
    for (auto& f : Forms(what, base::AsBytes(value))) secrets.push_back(f);
  }
  secrets.push_back({"short code, grouped", codes.short_code().substr(0, 4) + " " + codes.short_code().substr(4, 4)});
  secrets.push_back({"wrong code", wrong_code});
  secrets.push_back({"wrong code digits", "4821773019560482"});
  const base::Bytes token_raw = *base::HexDecode(token.token());
  for (auto& f : Forms("token bytes", token_raw)) secrets.push_back(f);
  for (auto& f : Forms("HMAC secret", hmac_secret)) secrets.push_back(f);
  for (auto& f : Forms("key HMAC", key_hmac)) secrets.push_back(f);
  for (auto& f : Forms("certificate payload", base::AsBytes(cert.certificate().payload())))
    secrets.push_back(f);
  for (auto& f : Forms("certificate signature", base::AsBytes(cert.certificate().signature())))
    secrets.push_back(f);
  std::vector<std::pair<std::string, std::string>> addresses = {
      {"ipv4: prefix", "ipv4:"}, {"ipv6: prefix", "ipv6:"}, {"::1", "::1"}, {"[::1]", "[::1]"},
      {"127.0.0.1 binary", std::string("\x7f\x00\x00\x01", 4)},
      {"127.0.0.1 binary LE", std::string("\x01\x00\x00\x7f", 4)},
      {"127.0.0.1 hex", "7f000001"}};
  for (int p : ports) {
    const std::string be{static_cast<char>(p >> 8), static_cast<char>(p & 0xff)};
    addresses.push_back({"port " + std::to_string(p) + " text", ":" + std::to_string(p)});
    addresses.push_back({"peer " + std::to_string(p) + " sockaddr", be + std::string("\x7f\x00\x00\x01", 4)});
    addresses.push_back({"peer " + std::to_string(p) + " reversed", std::string("\x7f\x00\x00\x01", 4) + be});
  }

  // Where to look: every line both servers printed and every error they
  // sent back, every file they keep.
  const std::string logs = verifier.stderr_text() + relay.stderr_text() + refusals;
  CHECK(refusals.find("not valid UTF-8") != std::string::npos);
  // The only address a log may name is the server's own listening one.
  size_t own = 0, any = 0;
  for (size_t at = logs.find("listening on 127.0.0.1:"); at != std::string::npos;
       at = logs.find("listening on 127.0.0.1:", at + 1)) {
    ++own;
  }
  for (size_t at = logs.find("127.0.0.1"); at != std::string::npos; at = logs.find("127.0.0.1", at + 1)) ++any;
  CHECK(own == 2);
  CHECK(any == own);
  auto search = [&](const std::vector<std::pair<std::string, std::string>>& needles, bool files) {
    for (const auto& [what, needle] : needles) {
      INFO(what);
      CHECK(logs.find(needle) == std::string::npos);
      if (!files) continue;
      for (const char* sub : {"verifier", "data", "export"}) {
        auto hits = openen::testing::FilesContaining(dir.Sub(sub), base::AsBytes(needle));
        std::string names;
        for (const auto& h : hits) names += h + " ";
        INFO(names);
        CHECK(hits.empty());
      }
    }
  };
  search(secrets, true);
  search(addresses, true);
  search(published, false);  // published keys belong in the exports, never in a log
  // The search can see: the logs do name what they should.
  CHECK(logs.find("issued a code pair") != std::string::npos);
  CHECK(logs.find("closed batch-") != std::string::npos);
}

TEST_CASE("openen-relay refuses missing and unreadable files with exit 2", "[relay][cli]") {
  TempDir dir;
  RunResult missing = Run({OPENEN_RELAY, "--data-dir", dir.Sub("d")});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err ==
        "openen-relay: --data-dir, --export-dir, --certificate-key and --signing-key are required (see --help)\n");
  RunResult retired = Run({OPENEN_RELAY, "--data-dir", dir.Sub("d"), "--export-dir", dir.Sub("e"),
                           "--authority-key", dir.Sub("none.pub"), "--signing-key", dir.Sub("none.pem")});
  CHECK(retired.exit_code == 2);
  CHECK(retired.err ==
        "openen-relay: --authority-key is gone: keys have roles now; give the certificate keys with "
        "--certificate-key, the configuration keys with --config-key and the decommission keys with "
        "--decommission-key (see --help)\n");
  RunResult unreadable = Run({OPENEN_RELAY, "--data-dir", dir.Sub("d"), "--export-dir", dir.Sub("e"),
                              "--certificate-key", dir.Sub("none.pub"), "--signing-key", dir.Sub("none.pem")});
  CHECK(unreadable.exit_code == 2);
  CHECK(openen::testing::CountLines(unreadable.err) == 1);
  CHECK(unreadable.err.find("cannot read " + dir.Sub("none.pub")) != std::string::npos);

  REQUIRE(Run({OPENEN_RELAY, "keygen", "--out", dir.Sub("k.pem")}).exit_code == 0);
  std::ofstream(dir.Sub("empty.pub")) << "# no keys here\n";
  RunResult no_keys = Run({OPENEN_RELAY, "--data-dir", dir.Sub("d"), "--export-dir", dir.Sub("e"),
                           "--certificate-key", dir.Sub("empty.pub"), "--signing-key", dir.Sub("k.pem")});
  CHECK(no_keys.exit_code == 2);
  CHECK(no_keys.err == "openen-relay: " + dir.Sub("empty.pub") + " holds no public key\n");
  std::ofstream(dir.Sub("a.pub")) << base::Base64Encode(
                                         crypto::Ed25519PrivateKey::Generate().PublicKey().bytes())
                                  << "\n";
  RunResult bad_pem = Run({OPENEN_RELAY, "--data-dir", dir.Sub("d"), "--export-dir", dir.Sub("e"),
                           "--certificate-key", dir.Sub("a.pub"), "--signing-key", dir.Sub("a.pub")});
  CHECK(bad_pem.exit_code == 2);
  CHECK(bad_pem.err == "openen-relay: " + dir.Sub("a.pub") + ": not a PEM private key\n");
  RunResult period = Run({OPENEN_RELAY, "--data-dir", dir.Sub("d"), "--export-dir", dir.Sub("e"),
                          "--certificate-key", dir.Sub("a.pub"), "--signing-key", dir.Sub("k.pem"),
                          "--batch-period", "0"});
  CHECK(period.exit_code == 2);
  CHECK(period.err == "openen-relay: --batch-period must be in 1..86400, got 0\n");
  CHECK(Run({OPENEN_RELAY, "--help"}).out.find("--min-batch-keys") != std::string::npos);
}

}  // namespace
}  // namespace openen::relay
