// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen-verifier: the health authority's verification service.

#include <google/protobuf/text_format.h>

#include <cstdio>
#include <ctime>
#include <optional>

#include "openen/base/file.h"
#include "openen/console/console.h"
#include "openen/console/staff_command.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/rpc/status.h"
#include "openen/server/key_files.h"
#include "openen/server/log.h"
#include "openen/server/program.h"
#include "openen/v1/relay.pb.h"
#include "openen/verifier/service.h"
#include "openen/verifier/verifier.h"
#include "openen/wire/signed.h"

namespace openen::verifier {
namespace {

using cli::Args;
using cli::kExitFailure;
using cli::Outcome;

constexpr char kUsage[] =
    "usage:\n"
    "  openen-verifier --data-dir DIR --signing-key FILE --staff-dir DIR\n"
    "                  [--decommission-key FILE] [--listen 127.0.0.1:PORT] [--issuer NAME]\n"
    "                  [--audience NAME] [--tls-cert FILE --tls-key FILE] [--short-code-digits N]\n"
    "                  [--maintenance-interval SECONDS] [--previous-signing-key FILE]\n"
    "                  [--log-json] [--metrics-listen 127.0.0.1:PORT]\n"
    "                  [--console-listen HOST:PORT --console-code-link URL\n"
    "                   [--console-tls-cert FILE --console-tls-key FILE | --console-origin URL]\n"
    "                   [--console-title NAME]]\n"
    "  openen-verifier keygen --out FILE\n"
    "  openen-verifier sign-config --signing-key CONFIG.key --in CONFIG.txtpb --out FILE\n"
    "  openen-verifier decommission-order --signing-key DECOMMISSION.key --effective UNIX_TIME\n"
    "                  [--sequence N] [--issuer NAME] --out FILE\n"
    "  openen-verifier decommission --order FILE --data-dir DIR --decommission-key FILE\n"
    "  openen-verifier issue --server HOST:PORT --api-key-file FILE\n"
    "                  --test-type confirmed|likely|self-report [--onset YYYY-MM-DD]\n"
    "                  [--share-with-peers] [--tls-ca FILE] [--json]\n" OPENEN_STAFF_USAGE
        OPENEN_INTEGRATION_USAGE
    "\n"
    "Serves the verification API: case workers issue one-time codes in the console, the\n"
    "authority's systems with IssueCode and an integration's API key; the app exchanges a\n"
    "code for a token and the token for a\n"
    "certificate bound to the HMAC of its keys. Stores only keyed hashes of live codes and\n"
    "tokens in DIR (RocksDB), deleted when used or expired; never a name, number or address.\n"
    "\n"
    "Keys have roles, each its own Ed25519 key from 'keygen': the certificate key (online,\n"
    "this server's --signing-key), the configuration key and the decommission key (both\n"
    "offline: sign with them on another machine). No key may serve two roles.\n"
    "\n"
    "  --data-dir DIR        the database directory (created if missing)\n"
    "  --signing-key FILE    the certificate key: the Ed25519 key that signs certificates\n"
    "  --previous-signing-key FILE  after rotating the certificate key: the key used before.\n"
    "                        It signs nothing; codes and tokens issued under it stay valid\n"
    "                        until they expire (24 hours at most), then drop the option\n"
    "  --staff-dir DIR       the console's accounts, the integrations' API keys and the\n"
    "                        daily statistics (see 'staff' and 'integration' below)\n"
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
    "  --log-json            log one JSON object per line (time, component, message)\n"
    "  --metrics-listen ADDR serve Prometheus metrics at http://ADDR/metrics, a loopback\n"
    "                        address (127.0.0.1:PORT): counts only (docs/operations.md)\n"
    "  --console-listen HOST:PORT  serve the case workers' web console there (docs/console.md):\n"
    "                        loopback only, unless with --console-tls-cert and --console-tls-key\n"
    "  --console-code-link URL  the https:// link long codes are sent as (URL?c=CODE)\n"
    "  --console-origin URL  behind a TLS proxy on this host: https://HOST[:PORT], where\n"
    "                        browsers reach the console (forms must come from there)\n"
    "  --console-title NAME  the name on the console's pages (default OpenEN console)\n"
    "  --maintenance-interval SECONDS  how often expired records are deleted and deletions\n"
    "                        made physical (default 10)\n"
    "\n"
    "keygen writes a new Ed25519 key (mode 0600) and prints its public half (base64): the line\n"
    "that relays, verifiers and apps trust for that key's role. issue asks a running verifier\n"
    "for a code pair with an integration's API key and prints it; --share-with-peers records\n"
    "the person's consent to their keys being offered to the authorities the relay federates\n"
    "with, and the output says what the verifier recorded.\n"
    "sign-config signs a relay configuration (openen.v1.RelayConfig in protobuf text format)\n"
    "with the offline configuration key, for 'openen-relay --config'.\n"
    "decommission-order signs the order that switches the system off at UNIX_TIME with the\n"
    "offline decommission key; give it to every relay and verifier with their 'decommission'\n"
    "command. decommission installs a verified order in DIR: from its time the verifier\n"
    "refuses codes, tokens and certificates and deletes what it holds. The order must be\n"
    "signed by a key in --decommission-key, never by the certificate key.\n"
    "staff manages the case workers' console accounts in DIR (--staff-dir) while the\n"
    "verifier is not running (docs/console.md): add reads the new member's password from\n"
    "standard input and prints their second factor for an authenticator app; list shows the\n"
    "accounts, issued the codes each issued per day, totals the codes issued, used and\n"
    "expired per day; set changes role, daily limit, disables, enables or unlocks.\n"
    "integration manages the API keys of the authority's own systems (a lab's, a case\n"
    "system's), each with its own daily limit: add writes a new key to FILE (mode 0600).\n";

constexpr char kAuthorityKeyGone[] =
    "--authority-key is gone: keys have roles now; give the offline decommission keys with "
    "--decommission-key (see --help)";

// WriteSigningKey is keygen: a new Ed25519 key in |out|, and the line to print,
// its public half as base64.
base::StatusOr<std::string> WriteSigningKey(const std::string& out) {
  crypto::Ed25519PrivateKey key = crypto::Ed25519PrivateKey::Generate();
  OPENEN_RETURN_IF_ERROR(server::WriteEd25519PrivateKey(out, key));
  return base::Base64Encode(key.PublicKey().bytes()) + "\n";
}

// ReadApiKey reads an integration's API key file (from 'integration add').
base::StatusOr<crypto::SecretBytes> ReadApiKey(const std::string& path) {
  OPENEN_ASSIGN_OR_RETURN(std::string text, base::ReadFile(path, base::kMaxSmallFileBytes));
  std::string key = base::Trim(text);
  crypto::Wipe(&text);
  if (key.empty()) return base::InvalidArgumentError(path + ": no API key");
  crypto::SecretBytes secret(base::AsBytes(key));
  crypto::Wipe(&key);
  return secret;
}

base::StatusOr<uint32_t> ParseOnsetDate(const std::string& date) {
  OPENEN_ASSIGN_OR_RETURN(int64_t seconds, cli::ParseDate(date, "--onset"));
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

Outcome SignConfig(const Args& args) {
  auto key_file = args.Get("signing-key");
  auto in = args.Get("in");
  auto out = args.Get("out");
  if (!key_file || !in || !out)
    return base::InvalidArgumentError("sign-config needs --signing-key, --in and --out");
  OPENEN_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, server::ReadEd25519PrivateKey(*key_file));
  OPENEN_ASSIGN_OR_RETURN(std::string text, base::ReadFile(*in, base::kMaxSmallFileBytes));
  openen::v1::RelayConfig config;
  if (!google::protobuf::TextFormat::ParseFromString(text, &config)) {
    return base::InvalidArgumentError(*in + ": not a valid openen.v1.RelayConfig in text format");
  }
  if (config.retention_days() > 14) {
    return base::InvalidArgumentError(*in + ": retention_days is " +
                                      std::to_string(config.retention_days()) + ", at most 14");
  }
  if (config.expires_at() <= 0) return base::InvalidArgumentError(*in + ": expires_at must be set");
  openen::v1::SignedEnvelope env = wire::SignEnvelope(wire::kRelayConfigContext, config, key);
  if (base::Status s = base::WriteFileAtomically(*out, env.SerializeAsString(), false); !s.ok()) {
    return Outcome(s, kExitFailure);
  }
  std::printf("signed configuration serial %llu, expires %s\n",
              static_cast<unsigned long long>(config.serial()), Utc(config.expires_at()).c_str());
  return {};
}

Outcome DecommissionOrder(const Args& args) {
  auto key_file = args.Get("signing-key");
  auto effective_text = args.Get("effective");
  auto out = args.Get("out");
  if (!key_file || !effective_text || !out) {
    return base::InvalidArgumentError(
        "decommission-order needs --signing-key, --effective and --out");
  }
  OPENEN_ASSIGN_OR_RETURN(int64_t effective,
                          cli::ParseInt(*effective_text, "--effective", 0, INT64_MAX));
  OPENEN_ASSIGN_OR_RETURN(int64_t sequence, args.GetInt("sequence", 1, 1, INT64_MAX));
  OPENEN_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, server::ReadEd25519PrivateKey(*key_file));
  openen::v1::DecommissionOrder order;
  order.set_effective_at(effective);
  order.set_sequence(static_cast<uint64_t>(sequence));
  order.set_issuer(args.Get("issuer").value_or("health authority"));
  auto env = wire::SignEnvelope(wire::kDecommissionOrderContext, order, key);
  if (base::Status s = base::WriteFileAtomically(*out, env.SerializeAsString(), false); !s.ok()) {
    return Outcome(s, kExitFailure);
  }
  std::printf("decommission order %llu, effective %s\n",
              static_cast<unsigned long long>(order.sequence()), Utc(order.effective_at()).c_str());
  return {};
}

Outcome Issue(const Args& args) {
  auto server_addr = args.Get("server");
  auto key_file = args.Get("api-key-file");
  auto type_text = args.Get("test-type");
  if (!server_addr || !key_file || !type_text) {
    return base::InvalidArgumentError("issue needs --server, --api-key-file and --test-type");
  }
  openen::v1::IssueCodeRequest request;
  if (*type_text == "confirmed") {
    request.set_test_type(openen::v1::CONFIRMED_TEST);
  } else if (*type_text == "likely") {
    request.set_test_type(openen::v1::CONFIRMED_CLINICAL_DIAGNOSIS);
  } else if (*type_text == "self-report") {
    request.set_test_type(openen::v1::SELF_REPORT);
  } else {
    return base::InvalidArgumentError(
        "--test-type must be confirmed, likely or self-report, got '" + *type_text + "'");
  }
  if (auto onset = args.Get("onset")) {
    OPENEN_ASSIGN_OR_RETURN(uint32_t interval, ParseOnsetDate(*onset));
    request.set_symptom_onset_interval(interval);
  }
  request.set_share_with_peers(args.Has("share-with-peers"));
  OPENEN_ASSIGN_OR_RETURN(crypto::SecretBytes api_key, ReadApiKey(*key_file));

  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (auto ca = args.Get("tls-ca")) {
    OPENEN_ASSIGN_OR_RETURN(std::string pem, base::ReadFile(*ca, base::kMaxSmallFileBytes));
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem;
    creds = grpc::SslCredentials(ssl);
  }
  auto verification = openen::v1::Verification::NewStub(grpc::CreateChannel(*server_addr, creds));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  ctx.AddMetadata("authorization", "Bearer " + std::string(base::AsChars(api_key.Reveal())));
  openen::v1::IssueCodeResponse response;
  if (grpc::Status status = verification->IssueCode(&ctx, request, &response); !status.ok()) {
    // The message names the code the verifier answered with.
    base::Status s = rpc::FromGrpcStatus(status);
    return Outcome(base::Status(s.code(), s.ToString()), kExitFailure);
  }
  if (args.Has("json")) {
    std::printf(
        "{\"short_code\": \"%s\", \"short_code_expires_at\": %lld, \"long_code\": \"%s\", "
        "\"long_code_expires_at\": %lld, \"share_with_peers\": %s}\n",
        response.short_code().c_str(), static_cast<long long>(response.short_code_expires_at()),
        response.long_code().c_str(), static_cast<long long>(response.long_code_expires_at()),
        response.share_with_peers() ? "true" : "false");
  } else {
    std::printf(
        "short code: %s  (read it out; valid until %s)\nlong code:  %s  (send as a link; valid "
        "until %s)\nconsent to share with other authorities: %s\n",
        GroupForReading(response.short_code()).c_str(),
        Utc(response.short_code_expires_at()).c_str(), response.long_code().c_str(),
        Utc(response.long_code_expires_at()).c_str(),
        response.share_with_peers() ? "recorded" : "not given");
  }
  return {};
}

// VerifierServer is what openen-verifier serves: the verifier, its gRPC
// service, the staff (accounts, integrations, statistics) and the console.
class VerifierServer final : public server::Component {
 public:
  VerifierServer(std::string data_dir, crypto::Ed25519PrivateKey signing_key,
                 std::vector<crypto::Ed25519PrivateKey> previous_keys, VerifierOptions options,
                 std::string staff_dir, std::optional<console::ConsoleOptions> console)
      : data_dir_(std::move(data_dir)),
        signing_key_(std::move(signing_key)),
        previous_keys_(std::move(previous_keys)),
        options_(std::move(options)),
        staff_dir_(std::move(staff_dir)),
        console_options_(std::move(console)) {}

  base::Status Open(const base::Clock* clock, server::WorkerPool* pool,
                    server::Metrics* metrics) override {
    OPENEN_ASSIGN_OR_RETURN(staff_, console::Staff::Open(staff_dir_, {}, clock));
    VerifierOptions options = options_;
    options.metrics = metrics;
    options.tally = staff_.get();
    OPENEN_ASSIGN_OR_RETURN(verifier_, Verifier::Open(data_dir_, std::move(*signing_key_),
                                                      std::move(options), clock, previous_keys_));
    previous_keys_.clear();
    service_ = std::make_unique<VerificationService>(
        verifier_.get(),
        [staff = staff_.get()](std::string_view api_key) { return staff->TakeIssueByKey(api_key); },
        pool, metrics);
    if (console_options_) {
      OPENEN_ASSIGN_OR_RETURN(console_, console::Console::Start(*console_options_, verifier_.get(),
                                                                staff_.get(), clock));
      const std::string host =
          console_options_->listen.substr(0, console_options_->listen.rfind(':'));
      server::Log("openen-verifier", "console on %s://%s:%d/",
                  console_options_->tls_cert.empty() ? "http" : "https", host.c_str(),
                  console_->port());
    }
    return base::Status::Ok();
  }
  std::vector<grpc::Service*> Services() override { return {service_.get()}; }
  base::Status Maintain() override {
    // The verifier's deletions run whatever the console's statistics do.
    base::Status verifier = verifier_->Maintain().status();
    base::Status staff = staff_->Maintain();
    return verifier.ok() ? staff : verifier;
  }
  base::Status Health() override { return verifier_->Health(); }
  std::vector<std::string> HealthNames() const override {
    return {openen::v1::Verification::service_full_name()};
  }
  std::string Description() const override {
    return "certificates signed by " + base::Base64Encode(verifier_->public_key().bytes());
  }

 private:
  // What Open opens the verifier with.
  const std::string data_dir_;
  std::optional<crypto::Ed25519PrivateKey> signing_key_;
  std::vector<crypto::Ed25519PrivateKey> previous_keys_;
  const VerifierOptions options_;
  const std::string staff_dir_;
  const std::optional<console::ConsoleOptions> console_options_;
  // What it opened (the service and the console use the verifier and the
  // staff, and the verifier tells the staff its totals, so those go first,
  // the staff before the verifier).
  std::unique_ptr<console::Staff> staff_;
  std::unique_ptr<Verifier> verifier_;
  std::unique_ptr<VerificationService> service_;
  std::unique_ptr<console::Console> console_;
};

// LoadVerifier is openen-verifier's Program::load: its own serve options and files.
base::StatusOr<std::unique_ptr<server::Component>> LoadVerifier(const Args& args,
                                                                const server::ServeOptions& serve) {
  VerifierOptions options;
  if (auto v = args.Get("issuer")) options.issuer = *v;
  if (auto v = args.Get("audience")) options.audience = *v;
  OPENEN_ASSIGN_OR_RETURN(int64_t digits,
                          args.GetInt("short-code-digits", options.short_code_digits,
                                      kMinShortCodeDigits, kMaxShortCodeDigits));
  options.short_code_digits = static_cast<int>(digits);
  options.decommission_keys = serve.decommission_keys;
  OPENEN_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey signing_key,
                          server::ReadEd25519PrivateKey(*args.Get("signing-key")));
  std::vector<crypto::Ed25519PrivateKey> previous_keys;
  if (auto path = args.Get("previous-signing-key")) {
    OPENEN_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, server::ReadEd25519PrivateKey(*path));
    previous_keys.push_back(std::move(key));
  }
  std::optional<console::ConsoleOptions> console;
  if (!args.Get("console-listen")) {
    for (const char* option : {"console-code-link", "console-tls-cert", "console-tls-key",
                               "console-origin", "console-title"}) {
      if (args.Get(option)) {
        return base::InvalidArgumentError(std::string("--") + option + " needs --console-listen");
      }
    }
  }
  if (auto listen = args.Get("console-listen")) {
    if (!args.Get("console-code-link")) {
      return base::InvalidArgumentError("--console-listen needs --console-code-link");
    }
    console.emplace();
    console->listen = *listen;
    console->tls_cert = args.Get("console-tls-cert").value_or("");
    console->tls_key = args.Get("console-tls-key").value_or("");
    console->origin = args.Get("console-origin").value_or("");
    console->code_link = *args.Get("console-code-link");
    if (auto title = args.Get("console-title")) console->title = *title;
  }
  std::unique_ptr<server::Component> verifier = std::make_unique<VerifierServer>(
      serve.data_dir, std::move(signing_key), std::move(previous_keys), std::move(options),
      *args.Get("staff-dir"), std::move(console));
  return verifier;
}

}  // namespace
}  // namespace openen::verifier

int main(int argc, char** argv) {
  using namespace openen;
  const server::Program program{
      .name = "openen-verifier",
      .usage = verifier::kUsage,
      .default_listen = "127.0.0.1:8081",
      .default_maintenance_interval_seconds = 10,
      .serve_options = {"signing-key", "previous-signing-key", "issuer", "audience",
                        "short-code-digits", "staff-dir", "console-listen", "console-tls-cert",
                        "console-tls-key", "console-code-link", "console-title", "console-origin"},
      .required_serve_options = {"signing-key", "staff-dir"},
      .serve_flags = {},
      .authority_key_gone = verifier::kAuthorityKeyGone,
      .commands =
          {
              server::KeyCommand("keygen", verifier::WriteSigningKey),
              {"sign-config", {"signing-key", "in", "out"}, {}, verifier::SignConfig},
              {"decommission-order",
               {"signing-key", "effective", "sequence", "issuer", "out"},
               {},
               verifier::DecommissionOrder},
              {"issue",
               {"server", "api-key-file", "test-type", "onset", "tls-ca"},
               {"json", "share-with-peers"},
               verifier::Issue},
              {"staff", console::kStaffOptions, console::kStaffFlags, console::StaffCommand},
              {"integration", console::kIntegrationOptions, console::kIntegrationFlags,
               console::IntegrationCommand},
          },
      .load = verifier::LoadVerifier,
  };
  return server::RunProgram(program, argc, argv);
}
