// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen-verifier: the health authority's verification service.

#include <google/protobuf/text_format.h>

#include <cstdio>
#include <ctime>

#include "openen/base/clock.h"
#include "openen/base/file.h"
#include "openen/cli/args.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/rpc/status.h"
#include "openen/server/decommission.h"
#include "openen/server/grpc_server.h"
#include "openen/server/key_files.h"
#include "openen/server/log.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/relay.pb.h"
#include "openen/verifier/service.h"
#include "openen/verifier/verifier.h"
#include "openen/wire/signed.h"

namespace openen::verifier {
namespace {

using cli::Args;
using cli::Fail;
using cli::kExitFailure;
using cli::kExitOk;
using cli::kExitUsage;

constexpr char kUsage[] =
    "usage:\n"
    "  openen-verifier --data-dir DIR --signing-key FILE --admin-key-file FILE\n"
    "                  [--decommission-key FILE] [--listen 127.0.0.1:PORT] [--issuer NAME]\n"
    "                  [--audience NAME] [--tls-cert FILE --tls-key FILE] [--short-code-digits N]\n"
    "                  [--maintenance-interval SECONDS]\n"
    "  openen-verifier keygen --out FILE\n"
    "  openen-verifier admin-key --out FILE\n"
    "  openen-verifier sign-config --signing-key CONFIG.key --in CONFIG.txtpb --out FILE\n"
    "  openen-verifier decommission-order --signing-key DECOMMISSION.key --effective UNIX_TIME\n"
    "                  [--sequence N] [--issuer NAME] --out FILE\n"
    "  openen-verifier decommission --order FILE --data-dir DIR --decommission-key FILE\n"
    "  openen-verifier issue --server HOST:PORT --admin-key-file FILE\n"
    "                  --test-type confirmed|likely|self-report [--onset YYYY-MM-DD]\n"
    "                  [--tls-ca FILE] [--json]\n"
    "\n"
    "Serves the verification API: contact tracers issue one-time codes (IssueCode, with\n"
    "the admin API key), the app exchanges a code for a token and the token for a\n"
    "certificate bound to the HMAC of its keys. Stores only keyed hashes of live codes and\n"
    "tokens in DIR (RocksDB), deleted when used or expired; never a name, number or address.\n"
    "\n"
    "Keys have roles, each its own Ed25519 key from 'keygen': the certificate key (online,\n"
    "this server's --signing-key), the configuration key and the decommission key (both\n"
    "offline: sign with them on another machine). No key may serve two roles.\n"
    "\n"
    "  --data-dir DIR        the database directory (created if missing)\n"
    "  --signing-key FILE    the certificate key: the Ed25519 key that signs certificates\n"
    "  --admin-key-file FILE the API key contact tracers present (from 'admin-key')\n"
    "  --decommission-key FILE  the offline decommission keys' public halves (base64 lines):\n"
    "                        only orders signed by them count; without it none does\n"
    "  --listen ADDR         where to serve gRPC (default 127.0.0.1:8081; port 0 picks one)\n"
    "  --issuer, --audience  names written into certificates (defaults openen-verifier,\n"
    "                        openen-relay); the relay checks the audience\n"
    "  --tls-cert, --tls-key serve TLS with this PEM certificate and key\n"
    "  --short-code-digits N length of short codes, 12..20 (default 16), read out in\n"
    "                        groups of 4; spaces and dashes in entered codes are ignored.\n"
    "                        There is no lockout: guessing is bounded by the code space\n"
    "                        (see docs/verifier.md before lowering it). Long codes are 25\n"
    "                        characters of [a-z0-9] (129 bits)\n"
    "  --maintenance-interval SECONDS  how often expired records are deleted and deletions\n"
    "                        made physical (default 10)\n"
    "\n"
    "keygen writes a new Ed25519 key (mode 0600) and prints its public half (base64): the line\n"
    "that relays, verifiers and apps trust for that key's role. admin-key writes a new random\n"
    "admin API key (mode 0600). issue asks a running verifier for a code pair and prints it:\n"
    "what a contact tracer runs.\n"
    "sign-config signs a relay configuration (openen.v1.RelayConfig in protobuf text format)\n"
    "with the offline configuration key, for 'openen-relay --config'.\n"
    "decommission-order signs the order that switches the system off at UNIX_TIME with the\n"
    "offline decommission key; give it to every relay and verifier with their 'decommission'\n"
    "command. decommission installs a verified order in DIR: from its time the verifier\n"
    "refuses codes, tokens and certificates and deletes what it holds. The order must be\n"
    "signed by a key in --decommission-key, never by the certificate key.\n";

constexpr char kAuthorityKeyGone[] =
    "--authority-key is gone: keys have roles now; give the offline decommission keys with "
    "--decommission-key (see --help)";

int Keygen(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {"out"}, {});
  if (!args.ok()) return Fail(args.status().message());
  auto out = args->Get("out");
  if (!out) return Fail("keygen needs --out FILE");
  if (server::FileExists(*out)) return Fail(*out + " exists; refusing to overwrite a key");
  crypto::Ed25519PrivateKey key = crypto::Ed25519PrivateKey::Generate();
  if (base::Status s = server::WriteEd25519PrivateKey(*out, key); !s.ok()) return Fail(s.message(), kExitFailure);
  std::printf("%s\n", base::Base64Encode(key.PublicKey().bytes()).c_str());
  return kExitOk;
}

int AdminKey(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {"out"}, {});
  if (!args.ok()) return Fail(args.status().message());
  auto out = args->Get("out");
  if (!out) return Fail("admin-key needs --out FILE");
  if (server::FileExists(*out)) return Fail(*out + " exists; refusing to overwrite a key");
  base::Bytes raw(32);
  crypto::RandomBytes(raw);
  std::string text = base::HexEncode(raw) + "\n";
  crypto::Wipe(raw);
  base::Status s = base::WriteFileAtomically(*out, text, /*secret=*/true);
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), text.size()));
  if (!s.ok()) return Fail(s.message(), kExitFailure);
  return kExitOk;
}

base::StatusOr<crypto::SecretBytes> ReadAdminKey(const std::string& path) {
  OPENEN_ASSIGN_OR_RETURN(std::string text, base::ReadFile(path, base::kMaxSmallFileBytes));
  std::string key = base::Trim(text);
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), text.size()));
  if (key.size() < 16) return base::InvalidArgumentError(path + ": admin API key is shorter than 16 characters");
  crypto::SecretBytes secret(base::AsBytes(key));
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(key.data()), key.size()));
  return secret;
}

base::StatusOr<uint32_t> ParseOnsetDate(const std::string& date) {
  std::tm tm{};
  const char* end = strptime(date.c_str(), "%Y-%m-%d", &tm);
  if (end == nullptr || *end != '\0') return base::InvalidArgumentError("--onset must be YYYY-MM-DD, got '" + date + "'");
  int64_t seconds = timegm(&tm);
  if (seconds < 0) return base::InvalidArgumentError("--onset is before 1970");
  return crypto::RollingStart(crypto::EnIntervalNumber(seconds));
}

std::string Utc(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int SignConfig(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {"signing-key", "in", "out"}, {});
  if (!args.ok()) return Fail(args.status().message());
  auto key_file = args->Get("signing-key");
  auto in = args->Get("in");
  auto out = args->Get("out");
  if (!key_file || !in || !out) return Fail("sign-config needs --signing-key, --in and --out");
  auto key = server::ReadEd25519PrivateKey(*key_file);
  if (!key.ok()) return Fail(key.status().message());
  auto text = base::ReadFile(*in, base::kMaxSmallFileBytes);
  if (!text.ok()) return Fail(text.status().message());
  openen::v1::RelayConfig config;
  if (!google::protobuf::TextFormat::ParseFromString(*text, &config)) {
    return Fail(*in + ": not a valid openen.v1.RelayConfig in text format");
  }
  if (config.retention_days() > 14) {
    return Fail(*in + ": retention_days is " + std::to_string(config.retention_days()) + ", at most 14");
  }
  if (config.expires_at() <= 0) return Fail(*in + ": expires_at must be set");
  openen::v1::SignedEnvelope env = wire::SignEnvelope(wire::kRelayConfigContext, config, *key);
  if (base::Status s = base::WriteFileAtomically(*out, env.SerializeAsString(), false); !s.ok()) {
    return Fail(s.message(), kExitFailure);
  }
  std::printf("signed configuration serial %llu, expires %s\n",
              static_cast<unsigned long long>(config.serial()), Utc(config.expires_at()).c_str());
  return kExitOk;
}

int DecommissionOrder(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {"signing-key", "effective", "sequence", "issuer", "out"}, {});
  if (!args.ok()) return Fail(args.status().message());
  auto key_file = args->Get("signing-key");
  auto effective_text = args->Get("effective");
  auto out = args->Get("out");
  if (!key_file || !effective_text || !out) {
    return Fail("decommission-order needs --signing-key, --effective and --out");
  }
  auto effective = cli::ParseInt(*effective_text, "--effective", 0, INT64_MAX);
  auto sequence = args->GetInt("sequence", 1, 1, INT64_MAX);
  if (!effective.ok()) return Fail(effective.status().message());
  if (!sequence.ok()) return Fail(sequence.status().message());
  auto key = server::ReadEd25519PrivateKey(*key_file);
  if (!key.ok()) return Fail(key.status().message());
  openen::v1::DecommissionOrder order;
  order.set_effective_at(*effective);
  order.set_sequence(static_cast<uint64_t>(*sequence));
  order.set_issuer(args->Get("issuer").value_or("health authority"));
  auto env = wire::SignEnvelope(wire::kDecommissionOrderContext, order, *key);
  if (base::Status s = base::WriteFileAtomically(*out, env.SerializeAsString(), false); !s.ok()) {
    return Fail(s.message(), kExitFailure);
  }
  std::printf("decommission order %llu, effective %s\n", static_cast<unsigned long long>(order.sequence()),
              Utc(order.effective_at()).c_str());
  return kExitOk;
}

int Decommission(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {"order", "data-dir", "decommission-key", "authority-key"}, {});
  if (!args.ok()) return Fail(args.status().message());
  if (args->Has("authority-key")) return Fail(kAuthorityKeyGone);
  auto order = args->Get("order");
  auto data_dir = args->Get("data-dir");
  auto trusted = args->Get("decommission-key");
  if (!order || !data_dir || !trusted) return Fail("decommission needs --order, --data-dir and --decommission-key");
  auto keys = server::ReadEd25519PublicKeys(*trusted);
  if (!keys.ok()) return Fail(keys.status().message());
  return server::RunInstallCommand(*order, *data_dir, *keys);
}

int Issue(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {"server", "admin-key-file", "test-type", "onset", "tls-ca"},
                          {"json"});
  if (!args.ok()) return Fail(args.status().message());
  auto server_addr = args->Get("server");
  auto key_file = args->Get("admin-key-file");
  auto type_text = args->Get("test-type");
  if (!server_addr || !key_file || !type_text) {
    return Fail("issue needs --server, --admin-key-file and --test-type");
  }
  openen::v1::IssueCodeRequest request;
  if (*type_text == "confirmed") {
    request.set_test_type(openen::v1::CONFIRMED_TEST);
  } else if (*type_text == "likely") {
    request.set_test_type(openen::v1::CONFIRMED_CLINICAL_DIAGNOSIS);
  } else if (*type_text == "self-report") {
    request.set_test_type(openen::v1::SELF_REPORT);
  } else {
    return Fail("--test-type must be confirmed, likely or self-report, got '" + *type_text + "'");
  }
  if (auto onset = args->Get("onset")) {
    auto interval = ParseOnsetDate(*onset);
    if (!interval.ok()) return Fail(interval.status().message());
    request.set_symptom_onset_interval(*interval);
  }
  auto admin_key = ReadAdminKey(*key_file);
  if (!admin_key.ok()) return Fail(admin_key.status().message());

  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (auto ca = args->Get("tls-ca")) {
    auto pem = base::ReadFile(*ca, base::kMaxSmallFileBytes);
    if (!pem.ok()) return Fail(pem.status().message());
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = *pem;
    creds = grpc::SslCredentials(ssl);
  }
  auto stub = openen::v1::Verification::NewStub(grpc::CreateChannel(*server_addr, creds));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  ctx.AddMetadata("authorization", "Bearer " + std::string(base::AsChars(admin_key->Reveal())));
  openen::v1::IssueCodeResponse response;
  grpc::Status status = stub->IssueCode(&ctx, request, &response);
  if (!status.ok()) return Fail(rpc::FromGrpcStatus(status).ToString(), kExitFailure);
  if (args->Has("json")) {
    std::printf("{\"short_code\": \"%s\", \"short_code_expires_at\": %lld, \"long_code\": \"%s\", "
                "\"long_code_expires_at\": %lld}\n",
                response.short_code().c_str(),
                static_cast<long long>(response.short_code_expires_at()),
                response.long_code().c_str(), static_cast<long long>(response.long_code_expires_at()));
  } else {
    std::printf("short code: %s  (read it out; valid until %s)\nlong code:  %s  (send as a link; valid until %s)\n",
                GroupForReading(response.short_code()).c_str(), Utc(response.short_code_expires_at()).c_str(),
                response.long_code().c_str(), Utc(response.long_code_expires_at()).c_str());
  }
  return kExitOk;
}

int Serve(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 1,
                          {"data-dir", "listen", "signing-key", "admin-key-file", "issuer", "audience",
                           "tls-cert", "tls-key", "short-code-digits",
                           "maintenance-interval", "decommission-key", "authority-key"},
                          {"help"});
  if (!args.ok()) return Fail(args.status().message());
  if (args->Has("help")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (!args->positional().empty()) return Fail("unknown command '" + args->positional()[0] + "'");
  if (args->Has("authority-key")) return Fail(kAuthorityKeyGone);
  auto data_dir = args->Get("data-dir");
  auto key_file = args->Get("signing-key");
  auto admin_file = args->Get("admin-key-file");
  if (!data_dir || !key_file || !admin_file) {
    return Fail("--data-dir, --signing-key and --admin-key-file are required (see --help)");
  }
  VerifierOptions options;
  if (auto v = args->Get("issuer")) options.issuer = *v;
  if (auto v = args->Get("audience")) options.audience = *v;
  auto digits = args->GetInt("short-code-digits", options.short_code_digits, kMinShortCodeDigits,
                             kMaxShortCodeDigits);
  auto interval = args->GetInt("maintenance-interval", 10, 1, 86400);
  for (const auto* s : {&digits, &interval}) {
    if (!s->ok()) return Fail(s->status().message());
  }
  options.short_code_digits = static_cast<int>(*digits);

  if (auto path = args->Get("decommission-key")) {
    auto keys = server::ReadEd25519PublicKeys(*path);
    if (!keys.ok()) return Fail(keys.status().message());
    options.decommission_keys = *keys;
  }
  auto signing_key = server::ReadEd25519PrivateKey(*key_file);
  if (!signing_key.ok()) return Fail(signing_key.status().message());
  auto admin_key = ReadAdminKey(*admin_file);
  if (!admin_key.ok()) return Fail(admin_key.status().message());

  server::BlockShutdownSignals();
  base::SystemClock clock;
  auto verifier = Verifier::Open(*data_dir, std::move(*signing_key), options, &clock);
  if (!verifier.ok()) return Fail(verifier.status().message(), kExitFailure);
  server::WorkerPool pool(4);
  VerificationService service(verifier->get(), std::move(*admin_key), &pool);
  server::EndpointOptions endpoint;
  endpoint.listen = args->Get("listen").value_or("127.0.0.1:8081");
  endpoint.tls_cert_file = args->Get("tls-cert");
  endpoint.tls_key_file = args->Get("tls-key");
  auto running = server::StartServer(endpoint, {&service});
  if (!running.ok()) return Fail(running.status().message(), kExitFailure);
  const std::string host = endpoint.listen.substr(0, endpoint.listen.rfind(':'));
  server::Log("openen-verifier", "listening on %s:%d, certificates signed by %s", host.c_str(),
              running->port, base::Base64Encode((*verifier)->public_key().bytes()).c_str());
  if (options.decommission_keys.empty()) {
    server::Log("openen-verifier", "no --decommission-key given: no decommission order will be accepted");
  }

  return server::ServeUntilSignal("openen-verifier", running->server.get(), *interval,
                                  [&] { return (*verifier)->Maintain().status(); });
}

}  // namespace
}  // namespace openen::verifier

int main(int argc, char** argv) {
  using namespace openen;
  cli::SetProgramName("openen-verifier");
  if (base::Status s = crypto::Init(); !s.ok()) return cli::Fail(s.message(), cli::kExitFailure);
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "keygen") return verifier::Keygen(argc, argv);
  if (cmd == "admin-key") return verifier::AdminKey(argc, argv);
  if (cmd == "issue") return verifier::Issue(argc, argv);
  if (cmd == "sign-config") return verifier::SignConfig(argc, argv);
  if (cmd == "decommission-order") return verifier::DecommissionOrder(argc, argv);
  if (cmd == "decommission") return verifier::Decommission(argc, argv);
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(verifier::kUsage, stdout);
    return cli::kExitOk;
  }
  return verifier::Serve(argc, argv);
}
