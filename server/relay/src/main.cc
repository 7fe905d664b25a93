// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen-relay: the key relay.

#include <set>
#include <sstream>

#include "openen/base/file.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/crypto/secret.h"
#include "openen/relay/importer.h"
#include "openen/relay/relay.h"
#include "openen/relay/service.h"
#include "openen/server/grpc_server.h"
#include "openen/server/key_files.h"
#include "openen/server/log.h"
#include "openen/server/metrics.h"
#include "openen/server/program.h"

namespace openen::relay {
namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  openen-relay --data-dir DIR --export-dir DIR --certificate-key FILE --signing-key FILE\n"
    "               [--decommission-key FILE] [--log-key FILE [--witness-key FILE]]\n"
    "               [--config FILE --config-key FILE]\n"
    "               [--listen 127.0.0.1:PORT] [--batch-period SECONDS] [--min-batch-keys N]\n"
    "               [--tls-cert FILE --tls-key FILE] [--region CODE]\n"
    "               [--audience NAME] [--signing-key-id ID] [--signing-key-version V]\n"
    "               [--next-signing-key FILE --next-signing-key-version V]\n"
    "               [--maintenance-interval SECONDS] [--take-over | --standby] [--log-json]\n"
    "               [--metrics-listen 127.0.0.1:PORT] [--import-sources FILE] [--peer-feed]\n"
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
    "  --log-key FILE           the transparency log's signing key (from 'openen log keygen'),\n"
    "                           a role of its own: every batch, configuration and order served\n"
    "                           is logged under <export-dir>/log/ (docs/transparency.md).\n"
    "                           Without it there is no log, and phones that require one refuse\n"
    "                           this relay's batches\n"
    "  --witness-key FILE       the witnesses' keys (vkeys, one per line, from 'openen log keygen\n"
    "                           --witness'): their cosignatures of the current checkpoint, from\n"
    "                           files put in <data-dir>/cosignatures/ ('openen log witness "
    "--out'),\n"
    "                           are published with it\n"
    "  --config FILE            the authority-signed configuration (a SignedEnvelope) to serve\n"
    "  --config-key FILE        the authority's offline configuration keys (required with\n"
    "                           --config): configuration only\n"
    "  --listen ADDR            where to serve gRPC (default 127.0.0.1:8080; port 0 picks one)\n"
    "  --batch-period SECONDS   how often a batch closes (default 3600)\n"
    "  --min-batch-keys N       pad each batch with random keys to the smallest N x 2^k that "
    "holds\n"
    "                           its keys, + a random 0..100 (default 1000); 0: no buckets\n"
    "  --tls-cert, --tls-key    serve TLS with this PEM certificate and key\n"
    "  --region CODE            the region written into exports (default ZZ)\n"
    "  --audience NAME          the audience certificates must name (default openen-relay)\n"
    "  --signing-key-id ID, --signing-key-version V\n"
    "                           how phones look up the export key (default openen, v1)\n"
    "  --next-signing-key FILE, --next-signing-key-version V\n"
    "                           while rotating the export key: the next key (from 'keygen')\n"
    "                           signs every batch too, as <id>-V, so that apps that pin\n"
    "                           either key verify them (docs/operations.md, Rotation)\n"
    "  --maintenance-interval SECONDS  how often due batches close and expired data is deleted\n"
    "                           (default 60)\n"
    "  --take-over              adopt an export directory another relay with the same keys\n"
    "                           wrote (a relay restored empty, a standby): its log and batches\n"
    "                           are checked and continued. Without it, a relay refuses another\n"
    "                           relay's export directory\n"
    "  --log-json               log one JSON object per line (time, component, message)\n"
    "  --metrics-listen ADDR    serve Prometheus metrics at http://ADDR/metrics, a loopback\n"
    "                           address (127.0.0.1:PORT): counts only (docs/operations.md)\n"
    "  --import-sources FILE    other authorities' export directories to follow (federation,\n"
    "                           docs/federation.md): one source per line, '#' starts a comment:\n"
    "                             NAME REGION LOCATION KEY-NAME PUBLIC-KEY [index=PATH] [ca=FILE]\n"
    "                           NAME names its progress, log lines and metrics ([a-z0-9-]),\n"
    "                           REGION the region its files name and its keys keep, LOCATION\n"
    "                           its export directory: an https:// URL or a local directory,\n"
    "                           KEY-NAME its export key's '<id>-<version>' and PUBLIC-KEY that\n"
    "                           key (base64 SubjectPublicKeyInfo). index= is the listing's path\n"
    "                           below LOCATION (default index.txt), ca= a PEM file of the CAs\n"
    "                           to trust for an https:// LOCATION (default: the system's).\n"
    "                           Each maintenance pass imports its new files, verified under\n"
    "                           that key; their keys go out in this relay's batches, one batch\n"
    "                           per region\n"
    "  --peer-feed              offer other authorities a feed of the keys whose uploaders\n"
    "                           consented to sharing (the certificate's share_with_peers, set\n"
    "                           by the case worker): they go in batches of their own, listed\n"
    "                           in <export-dir>/peers.txt and signed for peers too (the key\n"
    "                           name <id>-<version>-peers): peers follow it with\n"
    "                           index=peers.txt, pinning that name\n"
    "  --standby                wait while another relay writes --export-dir (it holds\n"
    "                           <export-dir>/.openen-relay), then take over and serve: start it\n"
    "                           beside the active relay, with the same keys and export\n"
    "                           directory and its own data directory (docs/operations.md)\n"
    "\n"
    "keygen writes a new export signing key (mode 0600) and prints its public key as base64\n"
    "SubjectPublicKeyInfo: register that with the phones' platform or pin it in the app.\n"
    "decommission verifies the health authority's signed order (from 'openen-verifier\n"
    "decommission-order') and installs it in DIR; a running relay picks it up at its next\n"
    "maintenance pass. From the order's effective time it refuses every publish, deletes every\n"
    "key, batch and export file, and serves only the order (GetConfig, decommission.bin).\n";

constexpr char kAuthorityKeyGone[] =
    "--authority-key is gone: keys have roles now; give the certificate keys with "
    "--certificate-key, "
    "the configuration keys with --config-key and the decommission keys with --decommission-key "
    "(see --help)";

// WriteExportKey is keygen: a new export signing key in |out|, and the line
// to print, its public key as base64 SubjectPublicKeyInfo.
base::StatusOr<std::string> WriteExportKey(const std::string& out) {
  OPENEN_ASSIGN_OR_RETURN(crypto::EcdsaP256PrivateKey key, crypto::EcdsaP256PrivateKey::Generate());
  OPENEN_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
  base::Status s = base::WriteFileAtomically(out, pem, /*secret=*/true);
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(pem.data()), pem.size()));
  OPENEN_RETURN_IF_ERROR(s);
  return key.PublicKey().ToSpkiBase64() + "\n";
}

// ReadExportKey reads an export signing key (PEM) from |path|.
base::StatusOr<crypto::EcdsaP256PrivateKey> ReadExportKey(const std::string& path) {
  OPENEN_ASSIGN_OR_RETURN(std::string pem, base::ReadFile(path, base::kMaxSmallFileBytes));
  auto key = crypto::EcdsaP256PrivateKey::FromPem(pem);
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(pem.data()), pem.size()));
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

// RelayServer is what openen-relay serves: the relay and its gRPC service.
class RelayServer final : public server::Component {
 public:
  RelayServer(std::string data_dir, std::string export_dir, RelayOptions options,
              std::vector<crypto::Ed25519PublicKey> certificate_keys,
              crypto::EcdsaP256PrivateKey signing_key,
              std::optional<openen::v1::SignedEnvelope> config, std::vector<ImportSource> sources)
      : data_dir_(std::move(data_dir)),
        export_dir_(std::move(export_dir)),
        options_(std::move(options)),
        certificate_keys_(std::move(certificate_keys)),
        signing_key_(std::move(signing_key)),
        config_(std::move(config)),
        sources_(std::move(sources)) {}

  base::Status Open(const base::Clock* clock, server::WorkerPool* pool,
                    server::Metrics* metrics) override {
    RelayOptions options = options_;
    options.metrics = metrics;
    OPENEN_ASSIGN_OR_RETURN(
        relay_,
        Relay::Open(data_dir_, export_dir_, std::move(options), std::move(certificate_keys_),
                    std::move(*signing_key_), std::move(config_), clock));
    clock_ = clock;
    metrics_ = metrics;
    service_ = std::make_unique<RelayService>(relay_.get(), pool, metrics);
    // The progress of sources no longer configured goes.
    std::set<std::string> names;
    for (const ImportSource& source : sources_) names.insert(source.name);
    OPENEN_RETURN_IF_ERROR(relay_->ForgetImportsExcept(names));
    if (!options_.log_key) {
      server::Log("relay",
                  "no --log-key: no transparency log; phones that require one refuse "
                  "this relay's batches");
    }
    return base::Status::Ok();
  }
  std::vector<grpc::Service*> Services() override { return {service_.get()}; }
  // Maintain closes and expires batches (and applies a decommission order),
  // then imports from each source: a source that stops is logged and tried
  // again at the next pass; its import error never fails the pass, and
  // FollowLimits bounds how long it holds the next close.
  base::Status Maintain() override {
    OPENEN_RETURN_IF_ERROR(relay_->Maintain());
    if (stopping_.cancelled()) return base::Status::Ok();  // the last pass imports nothing
    for (const ImportSource& source : sources_)
      CountImport(source, FollowSource(*relay_, source, clock_->NowSeconds(), stopping_));
    return base::Status::Ok();
  }
  // Stop ends an import's download in flight; the last pass imports nothing.
  void Stop() override { stopping_.Cancel(); }
  base::Status Health() override { return relay_->Health(); }
  // CountImport adds a pass's report to the source's metrics (labelled with
  // its configured name: a fixed set).
  void CountImport(const ImportSource& source, const FollowReport& r) {
    if (metrics_ == nullptr) return;
    const auto count = [&](const char* name, const char* help, size_t n,
                           prometheus::Labels labels = {}) {
      labels.emplace("source", source.name);
      server::Count(metrics_, name, help, labels, static_cast<double>(n));
    };
    count("import_files_total", "files imported from a source", r.files_imported);
    const char* skipped_help =
        "files of a source passed over: rolled back or repeated, or of another region";
    count("import_files_skipped_total", skipped_help, r.files_rolled_back,
          {{"reason", "rolled_back"}});
    count("import_files_skipped_total", skipped_help, r.files_other_region,
          {{"reason", "other_region"}});
    const char* keys_help = "keys of a source's files: imported, already held here, or refused";
    count("import_keys_total", keys_help, r.keys_imported, {{"outcome", "imported"}});
    count("import_keys_total", keys_help, r.keys_already_held, {{"outcome", "already_held"}});
    count("import_keys_total", keys_help, r.keys_refused, {{"outcome", "refused"}});
    if (!r.stopped.ok() && r.stopped.code() != base::StatusCode::kCancelled) {
      count("import_stops_total",
            "passes that stopped early on a source (down, malformed, unverifiable)", 1,
            {{"code", std::string(base::StatusCodeName(r.stopped.code()))}});
    }
  }

  std::vector<std::string> HealthNames() const override {
    return {openen::v1::Relay::service_full_name()};
  }
  std::string Description() const override {
    std::string by = options_.signing_key_id + "-" + options_.signing_key_version;
    if (options_.next_signing_key)
      by += " and " + options_.signing_key_id + "-" + options_.next_signing_key_version;
    return "exports signed by " + by;
  }

 private:
  // What Open opens the relay with.
  const std::string data_dir_;
  const std::string export_dir_;
  const RelayOptions options_;
  std::vector<crypto::Ed25519PublicKey> certificate_keys_;
  std::optional<crypto::EcdsaP256PrivateKey> signing_key_;
  std::optional<openen::v1::SignedEnvelope> config_;
  const std::vector<ImportSource> sources_;
  const base::Clock* clock_ = nullptr;
  server::Metrics* metrics_ = nullptr;
  base::Cancellation stopping_;
  // What it opened (the service uses the relay, so it goes first).
  std::unique_ptr<Relay> relay_;
  std::unique_ptr<RelayService> service_;
};

// ReadImportSources reads --import-sources: one source per line, NAME REGION
// LOCATION KEY-NAME PUBLIC-KEY, then options index=PATH and ca=FILE; blank
// lines and '#' comments are skipped.
base::StatusOr<std::vector<ImportSource>> ReadImportSources(const std::string& path,
                                                            const std::string& own_region) {
  OPENEN_ASSIGN_OR_RETURN(std::string text, base::ReadFile(path, base::kMaxSmallFileBytes));
  std::vector<ImportSource> sources;
  std::istringstream lines(text);
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    const std::string where = path + ":" + std::to_string(number);
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    if (f.empty()) continue;
    if (f.size() < 5) {
      return base::InvalidArgumentError(
          where + ": want NAME REGION LOCATION KEY-NAME PUBLIC-KEY [index=PATH] [ca=FILE]");
    }
    auto key = crypto::EcdsaP256PublicKey::FromSpkiBase64(f[4]);
    if (!key.ok()) return key.status().WithContext(where + ": PUBLIC-KEY");
    ImportSource source;
    source.name = f[0];
    source.region = f[1];
    source.location = f[2];
    source.keys = {{f[3], *key}};
    std::set<std::string> seen;
    for (size_t i = 5; i < f.size(); ++i) {
      const size_t eq = f[i].find('=');
      const std::string option = f[i].substr(0, eq);
      if (eq == std::string::npos || (option != "index" && option != "ca"))
        return base::InvalidArgumentError(where + ": an option is index=PATH or ca=FILE");
      if (!seen.insert(option).second)
        return base::InvalidArgumentError(where + ": " + option + "= given twice");
      (option == "index" ? source.index : source.ca_file) = f[i].substr(eq + 1);
    }
    OPENEN_RETURN_IF_ERROR(ValidateSource(source).WithContext(where));
    if (source.region == own_region) {
      return base::InvalidArgumentError(where + ": the region is this relay's own (" + own_region +
                                        ")");
    }
    for (const ImportSource& other : sources) {
      if (other.name == source.name)
        return base::InvalidArgumentError(where + ": a second source named " + source.name);
    }
    sources.push_back(std::move(source));
  }
  return sources;
}

// LoadRelay is openen-relay's Program::load: its own serve options and files.
base::StatusOr<std::unique_ptr<server::Component>> LoadRelay(const cli::Args& args,
                                                             const server::ServeOptions& serve) {
  if (args.Has("config") != args.Has("config-key")) {
    return base::InvalidArgumentError(
        "--config and --config-key go together: the relay serves a configuration only if it "
        "verifies under the "
        "configuration keys");
  }
  RelayOptions options;
  OPENEN_ASSIGN_OR_RETURN(options.batch_period_seconds,
                          args.GetInt("batch-period", 3600, 1, crypto::kDaySeconds));
  OPENEN_ASSIGN_OR_RETURN(int64_t min_keys, args.GetInt("min-batch-keys", 1000, 0, 10'000'000));
  options.min_batch_keys = static_cast<size_t>(min_keys);
  if (auto v = args.Get("region")) options.region = *v;
  if (auto v = args.Get("audience")) options.audience = *v;
  if (auto v = args.Get("signing-key-id")) options.signing_key_id = *v;
  if (auto v = args.Get("signing-key-version")) options.signing_key_version = *v;
  options.decommission_keys = serve.decommission_keys;
  options.take_over = args.Has("take-over") || args.Has("standby");
  options.peer_feed = args.Has("peer-feed");
  if (args.Has("standby")) {
    options.wait_for_export_dir = [logged = false, dir = *args.Get("export-dir")]() mutable {
      if (!logged) {
        server::Log("relay", "standby: waiting for the relay that writes %s to stop", dir.c_str());
        logged = true;
      }
      return server::ShutdownSignalWithin(200) == 0;
    };
  }

  OPENEN_ASSIGN_OR_RETURN(auto certificate_keys,
                          server::ReadEd25519PublicKeys(*args.Get("certificate-key")));
  if (auto path = args.Get("config-key")) {
    OPENEN_ASSIGN_OR_RETURN(options.config_keys, server::ReadEd25519PublicKeys(*path));
  }
  OPENEN_ASSIGN_OR_RETURN(crypto::EcdsaP256PrivateKey signing_key,
                          ReadExportKey(*args.Get("signing-key")));
  if (args.Has("next-signing-key") != args.Has("next-signing-key-version")) {
    return base::InvalidArgumentError(
        "--next-signing-key and --next-signing-key-version go together");
  }
  if (auto path = args.Get("next-signing-key")) {
    OPENEN_ASSIGN_OR_RETURN(crypto::EcdsaP256PrivateKey next, ReadExportKey(*path));
    options.next_signing_key = std::make_shared<const crypto::EcdsaP256PrivateKey>(std::move(next));
    options.next_signing_key_version = *args.Get("next-signing-key-version");
  }
  if (auto path = args.Get("log-key")) {
    OPENEN_ASSIGN_OR_RETURN(std::string text, base::ReadFile(*path, base::kMaxSmallFileBytes));
    std::string trimmed = base::Trim(text);
    auto signer = wire::NoteSigner::Parse(trimmed);
    crypto::Wipe(&text);
    crypto::Wipe(&trimmed);
    if (!signer.ok()) return signer.status().WithContext(*path);
    if (signer->public_key().type() != wire::NoteKey::Type::kEd25519) {
      return base::InvalidArgumentError(*path + ": a witness key cannot sign the log");
    }
    options.log_key = std::make_shared<const wire::NoteSigner>(std::move(*signer));
  }
  if (auto path = args.Get("witness-key")) {
    if (!options.log_key) return base::InvalidArgumentError("--witness-key needs --log-key");
    OPENEN_ASSIGN_OR_RETURN(std::string text, base::ReadFile(*path, base::kMaxSmallFileBytes));
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (base::Trim(line).empty()) continue;
      auto key = wire::NoteKey::Parse(base::Trim(line));
      if (!key.ok() || key->type() != wire::NoteKey::Type::kCosignature) {
        crypto::Wipe(&line);  // never echoed: it may be a private key given by mistake
        crypto::Wipe(&text);
        return base::InvalidArgumentError(*path +
                                          ": a line is not a witness (cosignature/v1) vkey");
      }
      options.witness_keys.push_back(*key);
    }
  }
  std::optional<openen::v1::SignedEnvelope> config;
  if (auto path = args.Get("config")) {
    OPENEN_ASSIGN_OR_RETURN(std::string bytes, base::ReadFile(*path, base::kMaxSmallFileBytes));
    config.emplace();
    if (!config->ParseFromString(bytes))
      return base::InvalidArgumentError(*path + ": not a signed configuration");
  }
  std::vector<ImportSource> sources;
  if (auto path = args.Get("import-sources")) {
    OPENEN_ASSIGN_OR_RETURN(sources, ReadImportSources(*path, options.region));
  }
  std::unique_ptr<server::Component> relay = std::make_unique<RelayServer>(
      serve.data_dir, *args.Get("export-dir"), std::move(options), std::move(certificate_keys),
      std::move(signing_key), std::move(config), std::move(sources));
  return relay;
}

}  // namespace
}  // namespace openen::relay

int main(int argc, char** argv) {
  using namespace openen;
  const server::Program program{
      .name = "openen-relay",
      .usage = relay::kUsage,
      .default_listen = "127.0.0.1:8080",
      .default_maintenance_interval_seconds = 60,
      .serve_options = {"export-dir", "certificate-key", "signing-key", "batch-period",
                        "min-batch-keys", "config", "config-key", "log-key", "witness-key",
                        "region", "audience", "signing-key-id", "signing-key-version",
                        "next-signing-key", "next-signing-key-version", "import-sources"},
      .required_serve_options = {"export-dir", "certificate-key", "signing-key"},
      .serve_flags = {"take-over", "standby", "peer-feed"},
      .authority_key_gone = relay::kAuthorityKeyGone,
      .commands = {server::KeyCommand("keygen", relay::WriteExportKey)},
      .load = relay::LoadRelay,
  };
  return server::RunProgram(program, argc, argv);
}
