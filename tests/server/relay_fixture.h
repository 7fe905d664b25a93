// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// A relay on a temporary directory with a fake clock, and certificates made
// the way the verifier makes them.

#ifndef OPENEN_TESTS_SERVER_RELAY_FIXTURE_H_
#define OPENEN_TESTS_SERVER_RELAY_FIXTURE_H_

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "openen/base/clock.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/relay/relay.h"
#include "openen/v1/relay.pb.h"
#include "openen/wire/signed.h"
#include "test_util.h"

namespace openen::relay::testing {

// 10:00 UTC on some day; batch closes are on the hour.
constexpr int64_t kNow = 1795000000 / 86400 * 86400 + 10 * 3600;
inline const uint32_t kToday = crypto::RollingStart(crypto::EnIntervalNumber(kNow));

struct RelayFixture {
  openen::testing::TempDir dir;
  base::FakeClock clock{kNow};
  // The three roles' keys (DESIGN.md promise 7): |authority| is the
  // verifier's online certificate key; configuration and decommission orders
  // are signed by their own offline keys, which the relay (unless a test
  // clears options.config_keys or options.decommission_keys) and the phones trust.
  crypto::Ed25519PrivateKey authority = crypto::Ed25519PrivateKey::Generate();
  crypto::Ed25519PrivateKey config_key = crypto::Ed25519PrivateKey::Generate();
  crypto::Ed25519PrivateKey decommission_key = crypto::Ed25519PrivateKey::Generate();
  std::string signing_pem;
  // The transparency log's key, a role of its own.
  std::shared_ptr<const wire::NoteSigner> log_key = std::make_shared<const wire::NoteSigner>(
      wire::NoteSigner::Generate("openen.example/relay-log", wire::NoteKey::Type::kEd25519));
  RelayOptions options;
  std::unique_ptr<Relay> relay;

  explicit RelayFixture(RelayOptions opts = TestOptions(), std::optional<openen::v1::SignedEnvelope> config = {})
      : options(opts) {
    if (options.config_keys.empty()) options.config_keys = {config_key.PublicKey()};
    if (options.decommission_keys.empty()) options.decommission_keys = {decommission_key.PublicKey()};
    if (!options.log_key) options.log_key = log_key;
    signing_pem = *crypto::EcdsaP256PrivateKey::Generate()->ToPem();
    Reopen(config);
  }
  static RelayOptions TestOptions() {
    RelayOptions o;
    o.min_batch_keys = 10;
    o.batch_jitter_keys = 0;
    return o;
  }
  void Reopen(std::optional<openen::v1::SignedEnvelope> config = {}) {
    relay.reset();
    auto r = Relay::Open(dir.Sub("data"), dir.Sub("export"), options, {authority.PublicKey()},
                         *crypto::EcdsaP256PrivateKey::FromPem(signing_pem), config, &clock);
    REQUIRE(r.ok());
    relay = std::move(*r);
  }

  // RawStore closes the relay and opens its store directly, for a test that
  // looks at or rewrites its records.
  std::unique_ptr<rocksdb::DB> RawStore() {
    relay.reset();
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open({}, dir.Sub("data"), &raw).ok());
    return std::unique_ptr<rocksdb::DB>(raw);
  }
  // StoreHolds says whether the store has a record whose key starts with
  // |prefix| (it closes the relay).
  bool StoreHolds(const std::string& prefix) {
    std::unique_ptr<rocksdb::DB> db = RawStore();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
    it->Seek(prefix);
    return it->Valid() && it->key().starts_with(prefix);
  }

  // OpenOther opens another relay on the same keys and export directory,
  // with its own data directory |data| (under dir) and |opts|.
  base::StatusOr<std::unique_ptr<Relay>> OpenOther(const std::string& data, RelayOptions opts) {
    return Relay::Open(dir.Sub(data), dir.Sub("export"), std::move(opts), {authority.PublicKey()},
                       *crypto::EcdsaP256PrivateKey::FromPem(signing_pem), {}, &clock);
  }

  // DailyKeys returns n random keys for the n days before |today| (the
  // fake clock's day unless given).
  static std::vector<SubmittedKey> DailyKeys(int n, uint32_t today = kToday) {
    std::vector<SubmittedKey> keys;
    for (int i = 1; i <= n; ++i) {
      SubmittedKey k{base::Bytes(16), today - 144u * i, 144, 4};
      crypto::RandomBytes(k.key_data);
      keys.push_back(k);
    }
    return keys;
  }

  // Certificate signs a certificate for |keys| under |secret|, as the verifier would.
  openen::v1::SignedEnvelope Certificate(const std::vector<SubmittedKey>& keys,
                                         base::ByteView secret,
                                         std::string audience = "openen-relay", int64_t ttl = 900,
                                         uint32_t onset = 0,
                                         const crypto::Ed25519PrivateKey* signer = nullptr,
                                         bool share_with_peers = false) const {
    std::vector<crypto::TekHmacEntry> entries;
    for (const auto& k : keys) {
      entries.push_back({k.key_data, k.rolling_start_interval_number, k.rolling_period, k.transmission_risk});
    }
    auto mac = crypto::TekHmac(secret, entries, crypto::TekHmacForm::kWithTransmissionRisk);
    openen::v1::Certificate c;
    c.set_report_type(openen::v1::CONFIRMED_TEST);
    c.set_symptom_onset_interval(onset);
    c.set_key_hmac(std::string(base::AsChars(mac)));
    c.set_issuer("openen-verifier");
    c.set_audience(audience);
    c.set_expires_at(clock.NowSeconds() + ttl);
    base::Bytes nonce(16);
    crypto::RandomBytes(nonce);
    c.set_nonce(std::string(base::AsChars(nonce)));
    c.set_share_with_peers(share_with_peers);
    return wire::SignEnvelope(wire::kCertificateContext, c, signer ? *signer : authority);
  }

  // Request is the PublishRequest a phone sends for |keys| under |cert|.
  static openen::v1::PublishRequest Request(const std::vector<SubmittedKey>& keys,
                                            const openen::v1::SignedEnvelope& cert,
                                            base::ByteView secret, bool chaff = false) {
    openen::v1::PublishRequest req;
    for (const auto& k : keys) {
      auto* out = req.add_keys();
      out->set_key_data(std::string(base::AsChars(k.key_data)));
      out->set_rolling_start_interval_number(k.rolling_start_interval_number);
      out->set_rolling_period(k.rolling_period);
      out->set_transmission_risk(k.transmission_risk);
    }
    *req.mutable_certificate() = cert;
    req.set_hmac_secret(std::string(base::AsChars(secret)));
    req.set_chaff(chaff);
    return req;
  }

  // Publish publishes |keys| with a fresh valid certificate (saying that
  // the person consented to sharing with peers when |share_with_peers|).
  base::StatusOr<PublishResult> Publish(const std::vector<SubmittedKey>& keys,
                                        bool share_with_peers = false) {
    base::Bytes secret(32, 0x5e);
    return relay->Publish(
        keys, Certificate(keys, secret, "openen-relay", 900, 0, nullptr, share_with_peers), secret,
        false);
  }

  // Batch opens the released batch |name| from the export directory.
  wire::ExportFile Batch(const std::string& name) const {
    auto file = wire::ExportFile::Parse(
        base::ToBytes(openen::testing::ReadFile(dir.Sub("export/" + name))));
    REQUIRE(file.ok());
    return std::move(*file);
  }
};

// FilesContainingInflated is FilesContaining that also looks inside every
// zip it finds (an export's export.bin is deflated, so its key bytes do not
// appear in the file as they are). A zip that cannot be read counts as a hit.
inline std::vector<std::string> FilesContainingInflated(const std::string& dir,
                                                        base::ByteView needle) {
  std::vector<std::string> hits = openen::testing::FilesContaining(dir, needle);
  const std::string n(base::AsChars(needle));
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string contents = openen::testing::ReadFile(entry.path().string());
    if (contents.compare(0, 4, "PK\x03\x04") != 0) continue;
    auto file = wire::ExportFile::Parse(base::ToBytes(contents));
    if (!file.ok()) {
      hits.push_back(entry.path().string() + " (a zip that cannot be read: " + file.status().message() + ")");
    } else if (std::string(base::AsChars(file->export_bin())).find(n) != std::string::npos) {
      hits.push_back(entry.path().string() + " (inflated)");
    }
  }
  return hits;
}

// IndexDigestTail is the last 12 of the 16 digest bytes that the relay's
// duplicate index stores for |key_data|. A scan looks for the tail, not the
// whole digest: a table file stores a key as the bytes it does not share with
// the key before it, so two digests that begin alike would hide the head of
// the second (a test that then fails about one run in fifty).
inline base::Bytes IndexDigestTail(base::ByteView key_data) {
  base::Bytes labelled = base::ToBytes("openen-relay key index");
  labelled.insert(labelled.end(), key_data.begin(), key_data.end());
  const crypto::Sha256Digest d = crypto::Sha256(labelled);
  return base::Bytes(d.begin() + 4, d.begin() + 16);
}

}  // namespace openen::relay::testing

#endif  // OPENEN_TESTS_SERVER_RELAY_FIXTURE_H_
