// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen-relay: the key relay.

#include <cstdio>

#include "openen/base/clock.h"
#include "openen/base/file.h"
#include "openen/cli/args.h"
#include "openen/crypto/random.h"
#include "openen/relay/relay.h"
#include "openen/relay/service.h"
#include "openen/server/decommission.h"
#include "openen/server/grpc_server.h"
#include "openen/server/key_files.h"
#include "openen/server/log.h"
#include "openen/server/worker_pool.h"

namespace openen::relay {
namespace {

using cli::Args;
using cli::Fail;
using cli::kExitFailure;
using cli::kExitOk;

constexpr char kUsage[] =
    "usage:\n"
    "  openen-relay --data-dir DIR --export-dir DIR --certificate-key FILE --signing-key FILE\n"
    "               [--decommission-key FILE] [--config FILE --config-key FILE]\n"
    "               [--listen 127.0.0.1:PORT] [--batch-period SECONDS] [--min-batch-keys N]\n"
    "               [--tls-cert FILE --tls-key FILE] [--region CODE]\n"
    "               [--audience NAME] [--signing-key-id ID] [--signing-key-version V]\n"
    "               [--maintenance-interval SECONDS]\n"
    "  openen-relay keygen --out FILE\n"
    "  openen-relay decommission --order FILE --data-dir DIR --decommission-key FILE\n"
    "\n"
    "Accepts diagnosis keys that carry a valid authority certificate and republishes them as\n"
    "signed GAEN export batches. Stores keys only under the batch that will release them: no\n"
    "arrival time, no caller address, no upload id. Never logs a key or an address.\n"
    "\n"
    "Keys have roles: each FILE below holds Ed25519 public keys (base64, one per line, as\n"
    "'openen-verifier keygen' prints them) and each kind of signed object counts only under its\n"
    "own role's keys. A key given for two roles is refused.\n"
    "\n"
    "  --data-dir DIR           the database directory (RocksDB, created if missing)\n"
    "  --export-dir DIR         where batch-<time>.zip files and index.txt are written; serve it\n"
    "                           with any static web server, CDN or object store\n"
    "  --certificate-key FILE   the verifiers' online certificate keys: certificates only\n"
    "  --signing-key FILE       the ECDSA P-256 key (PEM) that signs exports (from 'keygen')\n"
    "  --decommission-key FILE  the authority's offline decommission keys: decommission orders\n"
    "                           only; without it no order is ever accepted. Give the same file\n"
    "                           to 'decommission --decommission-key'\n"
    "  --config FILE            the authority-signed configuration (a SignedEnvelope) to serve\n"
    "  --config-key FILE        the authority's offline configuration keys (required with\n"
    "                           --config): configuration only\n"
    "  --listen ADDR            where to serve gRPC (default 127.0.0.1:8080; port 0 picks one)\n"
    "  --batch-period SECONDS   how often a batch closes (default 3600)\n"
    "  --min-batch-keys N       pad each batch with random keys to the smallest N x 2^k that holds\n"
    "                           its keys, + a random 0..100 (default 1000); 0: no buckets\n"
    "  --tls-cert, --tls-key    serve TLS with this PEM certificate and key\n"
    "  --region CODE            the region written into exports (default ZZ)\n"
    "  --audience NAME          the audience certificates must name (default openen-relay)\n"
    "  --signing-key-id ID, --signing-key-version V\n"
    "                           how phones look up the export key (default openen, v1)\n"
    "  --maintenance-interval SECONDS  how often due batches close and expired data is deleted\n"
    "                           (default 60)\n"
    "\n"
    "keygen writes a new export signing key (mode 0600) and prints its public key as base64\n"
    "SubjectPublicKeyInfo: register that with the phones' platform or pin it in the app.\n"
    "decommission verifies the health authority's signed order (from 'openen-verifier\n"
    "decommission-order') and installs it in DIR; a running relay picks it up at its next\n"
    "maintenance pass. From the order's effective time it refuses every publish, deletes every\n"
    "key, batch and export file, and serves only the order (GetConfig, decommission.bin).\n";

// --authority-key named one list trusted for certificates, configuration and
// orders; it was split by role, and silently mapping it to one role would
// hide that the others are no longer trusted.
constexpr char kAuthorityKeyGone[] =
    "--authority-key is gone: keys have roles now; give the certificate keys with --certificate-key, "
    "the configuration keys with --config-key and the decommission keys with --decommission-key (see --help)";

int Keygen(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 2, {"out"}, {});
  if (!args.ok()) return Fail(args.status().message());
  auto out = args->Get("out");
  if (!out) return Fail("keygen needs --out FILE");
  if (server::FileExists(*out)) return Fail(*out + " exists; refusing to overwrite a key");
  auto key = crypto::EcdsaP256PrivateKey::Generate();
  if (!key.ok()) return Fail(key.status().message(), kExitFailure);
  auto pem = key->ToPem();
  if (!pem.ok()) return Fail(pem.status().message(), kExitFailure);
  base::Status s = base::WriteFileAtomically(*out, *pem, /*secret=*/true);
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(pem->data()), pem->size()));
  if (!s.ok()) return Fail(s.message(), kExitFailure);
  std::printf("%s\n", key->PublicKey().ToSpkiBase64().c_str());
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

int Serve(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 1,
                          {"data-dir", "export-dir", "listen", "certificate-key", "signing-key",
                           "batch-period", "min-batch-keys", "config", "config-key", "tls-cert", "tls-key",
                           "region", "audience", "signing-key-id", "signing-key-version",
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
  auto export_dir = args->Get("export-dir");
  auto certificate_file = args->Get("certificate-key");
  auto signing_file = args->Get("signing-key");
  if (!data_dir || !export_dir || !certificate_file || !signing_file) {
    return Fail("--data-dir, --export-dir, --certificate-key and --signing-key are required (see --help)");
  }
  if (args->Has("config") != args->Has("config-key")) {
    return Fail("--config and --config-key go together: the relay serves a configuration only if it "
                "verifies under the configuration keys");
  }
  RelayOptions options;
  auto period = args->GetInt("batch-period", 3600, 1, 86400);
  auto min_keys = args->GetInt("min-batch-keys", 1000, 0, 10'000'000);
  auto interval = args->GetInt("maintenance-interval", 60, 1, 86400);
  for (const auto* s : {&period, &min_keys, &interval}) {
    if (!s->ok()) return Fail(s->status().message());
  }
  options.batch_period_seconds = *period;
  options.min_batch_keys = static_cast<size_t>(*min_keys);
  if (auto v = args->Get("region")) options.region = *v;
  if (auto v = args->Get("audience")) options.audience = *v;
  if (auto v = args->Get("signing-key-id")) options.signing_key_id = *v;
  if (auto v = args->Get("signing-key-version")) options.signing_key_version = *v;

  auto certificate_keys = server::ReadEd25519PublicKeys(*certificate_file);
  if (!certificate_keys.ok()) return Fail(certificate_keys.status().message());
  if (auto path = args->Get("config-key")) {
    auto keys = server::ReadEd25519PublicKeys(*path);
    if (!keys.ok()) return Fail(keys.status().message());
    options.config_keys = *keys;
  }
  if (auto path = args->Get("decommission-key")) {
    auto keys = server::ReadEd25519PublicKeys(*path);
    if (!keys.ok()) return Fail(keys.status().message());
    options.decommission_keys = *keys;
  }
  auto pem = base::ReadFile(*signing_file, base::kMaxSmallFileBytes);
  if (!pem.ok()) return Fail(pem.status().message());
  auto signing_key = crypto::EcdsaP256PrivateKey::FromPem(*pem);
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(pem->data()), pem->size()));
  if (!signing_key.ok()) return Fail(*signing_file + ": " + signing_key.status().message());
  std::optional<openen::v1::SignedEnvelope> config;
  if (auto path = args->Get("config")) {
    auto bytes = base::ReadFile(*path, base::kMaxSmallFileBytes);
    if (!bytes.ok()) return Fail(bytes.status().message());
    config.emplace();
    if (!config->ParseFromString(*bytes)) return Fail(*path + ": not a signed configuration");
  }

  server::BlockShutdownSignals();
  base::SystemClock clock;
  auto relay = Relay::Open(*data_dir, *export_dir, options, std::move(*certificate_keys),
                           std::move(*signing_key), std::move(config), &clock);
  if (!relay.ok()) return Fail(relay.status().message(), kExitFailure);
  server::WorkerPool pool(4);
  RelayService service(relay->get(), &pool);
  server::EndpointOptions endpoint;
  endpoint.listen = args->Get("listen").value_or("127.0.0.1:8080");
  endpoint.tls_cert_file = args->Get("tls-cert");
  endpoint.tls_key_file = args->Get("tls-key");
  auto running = server::StartServer(endpoint, {&service});
  if (!running.ok()) return Fail(running.status().message(), kExitFailure);
  const std::string host = endpoint.listen.substr(0, endpoint.listen.rfind(':'));
  server::Log("openen-relay", "listening on %s:%d, exports signed by %s-%s", host.c_str(), running->port,
              options.signing_key_id.c_str(), options.signing_key_version.c_str());
  if (options.decommission_keys.empty()) {
    server::Log("openen-relay", "no --decommission-key given: no decommission order will be accepted");
  }
  return server::ServeUntilSignal("openen-relay", running->server.get(), *interval,
                                  [&] { return (*relay)->Maintain(); });
}

}  // namespace
}  // namespace openen::relay

int main(int argc, char** argv) {
  using namespace openen;
  cli::SetProgramName("openen-relay");
  if (base::Status s = crypto::Init(); !s.ok()) return cli::Fail(s.message(), cli::kExitFailure);
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "keygen") return relay::Keygen(argc, argv);
  if (cmd == "decommission") return relay::Decommission(argc, argv);
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(relay::kUsage, stdout);
    return cli::kExitOk;
  }
  return relay::Serve(argc, argv);
}
