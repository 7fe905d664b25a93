// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Writes what the C API test needs:
// - DIR/exports: one signed batch holding the official GAEN v1.2 test key (TEK
//   75c734c6..., rolling start 2642976) among random keys, index.txt, and
//   key.txt with the export public key;
// - DIR/decommissioned: a store that a real decommission order erased (made
//   with the C++ library), with its keystore file;
// - DIR/roles: the public halves of a configuration key and a decommission
//   key (config.hex, decommission.hex), and a configuration (config-ROLE.bin)
//   and a directory announcing a decommission order (order-ROLE/) signed by
//   each of the certificate, configuration, decommission and an unknown key.
// - DIR/exports/log: its transparency log, as openen-relay publishes it
//   (one entry), with log.vkey beside key.txt; and DIR/exports-forked: the
//   same batch under another log of the same key (two entries, the batch
//   second), a relay showing one phone another world.
// Usage: c_api_fixture DIR

#include <filesystem>
#include <fstream>

#include "openen/client/client.h"
#include "openen/crypto/random.h"
#include "openen/v1/relay.pb.h"
#include "openen/wire/export.h"
#include "openen/wire/signed.h"
#include "openen/wire/tlog.h"

namespace {

// WriteLog publishes |entries| under |dir|/log as openen-relay does (one
// partial tile: at most 255 entries), signed by |key|.
void WriteLog(const std::string& dir, const openen::wire::NoteSigner& key,
              const std::vector<std::string>& entries) {
  using namespace openen;
  std::filesystem::create_directories(dir + "/log/tile/0/000.p");
  std::filesystem::create_directories(dir + "/log/tile/entries/000.p");
  std::vector<crypto::MerkleHash> leaves;
  std::string tile;
  for (const std::string& e : entries) {
    leaves.push_back(crypto::MerkleLeafHash(base::AsBytes(e)));
    tile += base::AsChars(leaves.back());
  }
  const std::string width = std::to_string(entries.size());
  std::ofstream(dir + "/log/tile/0/000.p/" + width, std::ios::binary) << tile;
  std::ofstream(dir + "/log/tile/entries/000.p/" + width, std::ios::binary)
      << base::AsChars(wire::EncodeEntryBundle(entries));
  wire::Checkpoint head{key.public_key().name(),
                        entries.size(),
                        *crypto::MerkleRoot(leaves, leaves.size()),
                        {"time 1585872000"}};
  wire::SignedNote note{head.Format(), {}};
  note.signatures.push_back(key.Sign(note.text));
  std::ofstream(dir + "/log/checkpoint", std::ios::binary) << note.Format();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace openen;
  if (argc != 2) return 2;
  const std::string root = argv[1];
  const std::string dir = root + "/exports";
  std::filesystem::create_directories(dir);
  wire::ExportBatch batch;
  batch.header.region = "ZZ";
  batch.header.start_timestamp = 1585785600;
  batch.header.end_timestamp = 1585785600 + 86400;
  wire::ExportKey vector_key;
  vector_key.key_data = *base::HexDecode("75c734c6dd1a782de7a965da5eb93125");
  vector_key.rolling_start_interval_number = 2642976;
  vector_key.rolling_period = 144;
  vector_key.report_type = wire::ReportType::kConfirmedTest;
  batch.keys.push_back(vector_key);
  for (int i = 0; i < 200; ++i) {
    wire::ExportKey k = vector_key;
    crypto::RandomBytes(k.key_data);
    batch.keys.push_back(k);
  }
  auto signer = crypto::EcdsaP256PrivateKey::Generate();
  auto zip = wire::WriteExportZip(batch, {{{"v1", "fixture", ""}, &*signer}});
  if (!zip.ok()) return 1;
  std::ofstream(dir + "/batch-1585872000.zip", std::ios::binary)
      .write(reinterpret_cast<const char*>(zip->data()), static_cast<std::streamsize>(zip->size()));
  std::ofstream(dir + "/index.txt") << "batch-1585872000.zip\n";
  std::ofstream(dir + "/key.txt") << signer->PublicKey().ToSpkiBase64();
  {
    const wire::NoteSigner log_key =
        wire::NoteSigner::Generate("fixture.example/log", wire::NoteKey::Type::kEd25519);
    wire::LogEntry entry{
        wire::LogEntry::Kind::kBatch, "batch-1585872000.zip", batch.header.start_timestamp,
        batch.header.end_timestamp,   batch.keys.size(),      4102444800,
        crypto::Sha256(*zip)};
    const std::string forked = root + "/exports-forked";
    std::filesystem::create_directories(forked);
    std::filesystem::copy(dir, forked, std::filesystem::copy_options::recursive);
    WriteLog(dir, log_key, {entry.Encode()});
    const wire::LogEntry other{wire::LogEntry::Kind::kConfig, "", 0, 0, 0, 0, crypto::Sha256(*zip)};
    WriteLog(forked, log_key, {other.Encode(), entry.Encode()});
    std::ofstream(dir + "/log.vkey") << log_key.public_key().Encode();
  }

  // A store erased by the health authority's order.
  auto authority = crypto::Ed25519PrivateKey::Generate();
  const std::string source = root + "/order";
  std::filesystem::create_directories(source);
  std::ofstream(source + "/index.txt") << "";
  openen::v1::DecommissionOrder order;
  order.set_effective_at(1);
  order.set_sequence(1);
  std::ofstream(source + "/decommission.bin", std::ios::binary)
      << wire::SignEnvelope(wire::kDecommissionOrderContext, order, authority).SerializeAsString();
  base::SystemClock clock;
  auto keystore = client::FileKeyStore::OpenOrCreate(root + "/decommissioned.key");
  client::ClientOptions options;
  options.store_dir = root + "/decommissioned";
  options.decommission_keys = {authority.PublicKey()};
  auto phone = client::Client::Open(options, keystore->get(), &clock);
  if (!phone.ok() || !(*phone)->CurrentAdvertisement().ok()) return 1;
  client::DirectorySource orders(source);
  auto synced = (*phone)->Sync(orders);
  if (synced.status().reason() != client::kDecommissionedReason) return 1;

  // Objects signed by each role's key, for the C API's column of the roles matrix.
  const std::string roles = root + "/roles";
  std::filesystem::create_directories(roles);
  const std::pair<const char*, crypto::Ed25519PrivateKey> signers[] = {
      {"certificate", crypto::Ed25519PrivateKey::Generate()},
      {"configuration", crypto::Ed25519PrivateKey::Generate()},
      {"decommission", crypto::Ed25519PrivateKey::Generate()},
      {"unknown", crypto::Ed25519PrivateKey::Generate()}};
  std::ofstream(roles + "/config.hex") << base::HexEncode(signers[1].second.PublicKey().bytes());
  std::ofstream(roles + "/decommission.hex")
      << base::HexEncode(signers[2].second.PublicKey().bytes());
  for (const auto& [role, key] : signers) {
    openen::v1::RelayConfig config;
    config.set_serial(1);
    config.set_expires_at(4000000000);
    config.set_retention_days(7);
    std::ofstream(roles + "/config-" + role + ".bin", std::ios::binary)
        << wire::SignEnvelope(wire::kRelayConfigContext, config, key).SerializeAsString();
    const std::string announced = roles + "/order-" + role;
    std::filesystem::create_directories(announced);
    std::ofstream(announced + "/index.txt") << "";
    std::ofstream(announced + "/decommission.bin", std::ios::binary)
        << wire::SignEnvelope(wire::kDecommissionOrderContext, order, key).SerializeAsString();
  }
  return 0;
}
