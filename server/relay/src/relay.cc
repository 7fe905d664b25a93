// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/relay/relay.h"

#include <dirent.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string_view>

#include "openen/base/coding.h"
#include "openen/base/fault.h"
#include "openen/base/file.h"
#include "openen/crypto/aead.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/crypto/secret.h"
#include "openen/server/log.h"
#include "openen/store/db.h"
#include "openen/wire/signed.h"

namespace openen::relay {
namespace {

// Store layout:
//   'k' || BE64(release time) || key_data[16] -> pending key (EncodeKeyRecord, or
//                                                EncodeImportedKeyRecord with its origin)
//   'b' || BE64(close time)                   -> BE64(expires at) || BatchInfo
//   'u' || SHA-256(certificate payload)       -> UsedRecord: BE64(certificate
//                                                expiry, rounded up to a batch
//                                                boundary), then (version 1) the
//                                                request digest and the sealed reply
//   'd' || KeyDigest(key_data)                -> BE64(release time while pending,
//                                                then the close time of its batch)
//   'f' || file name                          -> "": a batch file being written
//                                                (before the file) or removed
//                                                (with its record's deletion):
//                                                deleted once done; at start,
//                                                the file goes unless recorded
//   'i'                                       -> this relay's id (16 random
//                                                bytes): whose export directory
//   'm' || source name                        -> BE64(end timestamp) || file
//                                                name: how far the relay
//                                                imported from that source
//   'p' || BE64(close time)                   -> "": the batch of that close
//                                                holds keys whose uploaders
//                                                consented to sharing: listed
//                                                in peers.txt (the peer feed);
//                                                deleted with the batch
// The 'd' index lets a publish refuse a key the relay holds or released: it
// holds a digest, not the key, and a batch time, no arrival time; one
// upload's entries are independent records (their write-ahead log goes with
// the next purge, as the pending keys' does). It is deleted with the batch.
constexpr char kPendingPrefix = 'k';
constexpr char kBatchPrefix = 'b';
constexpr char kUsedPrefix = 'u';
constexpr char kIndexPrefix = 'd';
constexpr char kFilePrefix = 'f';
constexpr char kIdKey[] = "i";
constexpr char kMarkPrefix = 'm';
constexpr char kPeerBatchPrefix = 'p';
constexpr size_t kMaxSourceNameSize = 64;
constexpr uint8_t kKeyRecordVersion = 3;
constexpr size_t kKeyRecordSize = 11;
constexpr uint8_t kKeyRecordVersionWithoutFlags = 1;  // before consent existed
constexpr uint8_t kForPeers = 1;

std::string Be64(int64_t v) {
  std::string s;
  base::PutFixedBE<8>(&s, static_cast<uint64_t>(v));
  return s;
}
int64_t ReadBe64(const char* p) { return static_cast<int64_t>(base::GetFixedBE<8>(p)); }

std::string TimeKey(char prefix, int64_t t) { return std::string(1, prefix) + Be64(t); }
std::string FileKey(const std::string& name) { return std::string(1, kFilePrefix) + name; }
std::string MarkKey(const std::string& source) { return std::string(1, kMarkPrefix) + source; }

// UnknownFilesError is Open's refusal when the export directory holds
// batch files this relay did not write (|unknown|, at least one).
base::Status UnknownFilesError(const std::string& export_dir,
                               const std::vector<std::string>& unknown) {
  return base::FailedPreconditionError(
      "the export directory " + export_dir + " holds " + std::to_string(unknown.size()) +
      " batch file(s) this relay did not write, such as " + unknown.front() +
      ": it would not list them, and could overwrite them, so it does not start. Move them "
      "out of the directory; or, if another relay with the same keys wrote them, start with "
      "--take-over to adopt them");
}

// MissingBatchesError is Open's refusal when released batches' files are
// missing or damaged: |problems| names them.
base::Status MissingBatchesError(const std::vector<std::string>& problems,
                                 const std::string& export_dir) {
  constexpr size_t kNamed = 3;
  std::string message = std::to_string(problems.size()) +
                        " released batch(es) are recorded but their file is missing or "
                        "different, so the relay does not start: ";
  for (size_t i = 0; i < problems.size() && i < kNamed; ++i) {
    message += (i ? "; " : "") + problems[i];
  }
  if (problems.size() > kNamed)
    message += "; and " + std::to_string(problems.size() - kNamed) + " more";
  message += ". A released batch's keys exist nowhere else: copy each file back into " +
             export_dir +
             " from a mirror or CDN that serves this directory (check it with sha256sum against "
             "the digest above), then start the relay again";
  return base::DataLossError(message);
}

std::string PendingKey(int64_t release, const std::array<uint8_t, 16>& key_data) {
  std::string k = TimeKey(kPendingPrefix, release);
  k.append(reinterpret_cast<const char*>(key_data.data()), key_data.size());
  return k;
}

// IndexKey is 'd' || the first 16 bytes of SHA-256(label || key_data).
std::string IndexKey(base::ByteView key_data) {
  base::Bytes labelled = base::ToBytes("openen-relay key index");
  labelled.insert(labelled.end(), key_data.begin(), key_data.end());
  const crypto::Sha256Digest digest = crypto::Sha256(labelled);
  std::string k(1, kIndexPrefix);
  k.append(reinterpret_cast<const char*>(digest.data()), 16);
  return k;
}

std::string EncodeKeyRecord(const AcceptedKey& k, bool for_peers) {
  std::string v;
  v.push_back(static_cast<char>(kKeyRecordVersion));
  base::PutFixedLE<4>(&v, k.rolling_start_interval_number);
  v.push_back(static_cast<char>(k.rolling_period));
  v.push_back(static_cast<char>(k.transmission_risk));
  v.push_back(static_cast<char>(k.report_type));
  v.push_back(k.days_since_onset_of_symptoms ? 1 : 0);
  v.push_back(static_cast<char>(static_cast<int8_t>(k.days_since_onset_of_symptoms.value_or(0))));
  v.push_back(static_cast<char>(for_peers ? kForPeers : 0));
  return v;
}

// A pending key's record:
//   version 3 (a key published here):
//     0x03 || LE32(start) || period || risk || report type || has onset ||
//     days since onset (int8) || flags (1: for the peer feed: its uploader
//     consented to sharing and the relay offers a peer feed)
//   version 1: version 3 without the flags byte (written before consent)
//   version 2 (a key imported from a peer; its fields as the peer released
//   them, each optional one with a presence bit):
//     0x02 || LE32(start) || period || flags (1 risk, 2 report type, 4 days
//     since onset, 8 period) || risk || report type || days since onset
//     (int8) || origin length (1..16) || origin region
constexpr uint8_t kImportedKeyRecordVersion = 2;
constexpr size_t kImportedKeyRecordFixedSize = 11;  // before the origin

std::string EncodeImportedKeyRecord(const wire::ExportKey& k, const std::string& origin) {
  std::string v;
  v.push_back(static_cast<char>(kImportedKeyRecordVersion));
  base::PutFixedLE<4>(&v, static_cast<uint32_t>(k.rolling_start_interval_number));
  v.push_back(static_cast<char>(k.RollingPeriod()));
  v.push_back(static_cast<char>((k.transmission_risk_level ? 1 : 0) | (k.report_type ? 2 : 0) |
                                (k.days_since_onset_of_symptoms ? 4 : 0) |
                                (k.rolling_period ? 8 : 0)));
  v.push_back(static_cast<char>(k.transmission_risk_level.value_or(0)));
  v.push_back(static_cast<char>(k.report_type.value_or(wire::ReportType::kUnknown)));
  v.push_back(static_cast<char>(static_cast<int8_t>(k.days_since_onset_of_symptoms.value_or(0))));
  v.push_back(static_cast<char>(origin.size()));
  v += origin;
  return v;
}

// PendingRecord is a decoded pending key: its origin is empty for a key
// published here.
struct PendingRecord {
  wire::ExportKey key;
  std::string origin;
  bool for_peers = false;
};

base::StatusOr<PendingRecord> DecodeKeyRecord(rocksdb::Slice key, rocksdb::Slice v) {
  const base::Status corrupt = base::DataLossError("corrupt pending key record");
  if (key.size() != 1 + 8 + 16 || v.empty()) return corrupt;
  PendingRecord r;
  wire::ExportKey& k = r.key;
  k.key_data.assign(key.data() + 9, key.data() + 25);
  if ((v[0] == kKeyRecordVersion && v.size() == kKeyRecordSize) ||
      (v[0] == kKeyRecordVersionWithoutFlags && v.size() == kKeyRecordSize - 1)) {
    k.rolling_start_interval_number = static_cast<int32_t>(base::GetFixedLE<4>(v.data() + 1));
    k.rolling_period = static_cast<uint8_t>(v[5]);
    k.transmission_risk_level = static_cast<uint8_t>(v[6]);
    k.report_type = static_cast<wire::ReportType>(static_cast<uint8_t>(v[7]));
    if (v[8]) k.days_since_onset_of_symptoms = static_cast<int8_t>(v[9]);
    r.for_peers = v.size() == kKeyRecordSize && (static_cast<uint8_t>(v[10]) & kForPeers) != 0;
    return r;
  }
  if (v[0] != kImportedKeyRecordVersion || v.size() < kImportedKeyRecordFixedSize + 1 ||
      v.size() != kImportedKeyRecordFixedSize + static_cast<uint8_t>(v[10])) {
    return corrupt;
  }
  const uint8_t flags = static_cast<uint8_t>(v[6]);
  k.rolling_start_interval_number = static_cast<int32_t>(base::GetFixedLE<4>(v.data() + 1));
  if (flags & 8) k.rolling_period = static_cast<uint8_t>(v[5]);
  if (flags & 1) k.transmission_risk_level = static_cast<uint8_t>(v[7]);
  if (flags & 2) k.report_type = static_cast<wire::ReportType>(static_cast<uint8_t>(v[8]));
  if (flags & 4) k.days_since_onset_of_symptoms = static_cast<int8_t>(v[9]);
  r.origin.assign(v.data() + kImportedKeyRecordFixedSize, v.size() - kImportedKeyRecordFixedSize);
  return r;
}

// UsedRecord is the value of a 'u' record: what the relay keeps of a
// certificate's publish until the certificate expires, so that the same
// request sent again after a lost reply gets the same reply, and any other
// request under the certificate is refused.
//   version 0 (8 bytes, written before retries existed):
//     BE64(expiry)                      used; no digest, so no retry
//   version 1:
//     BE64(expiry) || 0x01 || digest[32] || sealed reply
// The expiry comes first in every version, so expiry needs no decoding.
// The digest is RequestDigest's and the reply is sealed (XChaCha20-Poly1305)
// under ReplyKey, both keyed with the phone's HMAC secret, which the relay
// does not keep: without it nobody can tell from the record which keys came
// with the certificate, nor read the reply, whose rejection reasons name
// interval numbers and days since onset. The reply inside:
//   BE32(accepted) || count[1] || count x (BE32(index) || BE16(length) || reason)
struct UsedRecord {
  int64_t expiry = 0;
  std::optional<crypto::Sha256Digest> digest;  // absent: version 0
  std::string sealed_reply;
};
constexpr uint8_t kUsedRecordVersion = 1;
// A reason is a short sentence of ApplyKeyRules' or Publish's; longer
// ones are cut (the reply of a retry may then be shorter, never unbounded).
constexpr size_t kMaxStoredReason = 512;

// ReplyKey is the key a publish's reply is sealed under in its used record.
base::StatusOr<crypto::Aead> ReplyKey(base::ByteView hmac_secret) {
  OPENEN_ASSIGN_OR_RETURN(
      crypto::SecretBytes key,
      crypto::HkdfSha256(hmac_secret, {}, base::AsBytes("openen-relay publish reply v1"), 32));
  return crypto::Aead::Create(key);
}

base::StatusOr<std::string> EncodeUsedRecord(int64_t expiry, const crypto::Sha256Digest& digest,
                                             const PublishResult& reply,
                                             base::ByteView hmac_secret) {
  std::string plain;
  base::PutFixedBE<4>(&plain, reply.accepted);
  // At most kMaxKeysPerPublish rejections: one per submitted key.
  plain.push_back(static_cast<char>(reply.rejected.size()));
  for (const KeyRejection& r : reply.rejected) {
    const size_t n = std::min(r.reason.size(), kMaxStoredReason);
    base::PutFixedBE<4>(&plain, r.index);
    base::PutFixedBE<2>(&plain, n);
    plain.append(r.reason, 0, n);
  }
  OPENEN_ASSIGN_OR_RETURN(crypto::Aead aead, ReplyKey(hmac_secret));
  std::string v = Be64(expiry);
  v.push_back(static_cast<char>(kUsedRecordVersion));
  v.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  v += base::AsChars(aead.Seal(base::AsBytes(plain), digest));
  return v;
}

// DecodeUsedRecord reads either version. DATA_LOSS for anything else: the
// caller treats such a record as used with no digest (the safe reading).
base::StatusOr<UsedRecord> DecodeUsedRecord(std::string_view v) {
  UsedRecord r;
  if (v.size() < 8)
    return base::DataLossError("used-certificate record of " + std::to_string(v.size()) + " bytes");
  r.expiry = ReadBe64(v.data());
  if (v.size() == 8) return r;
  constexpr size_t kFixed = 8 + 1 + crypto::kSha256Size;
  if (v.size() < kFixed || static_cast<uint8_t>(v[8]) != kUsedRecordVersion) {
    return base::DataLossError("corrupt used-certificate record");
  }
  crypto::Sha256Digest digest;
  std::memcpy(digest.data(), v.data() + 9, digest.size());
  r.digest = digest;
  r.sealed_reply.assign(v.data() + kFixed, v.size() - kFixed);
  return r;
}

// OpenReply opens a used record's reply with the retrying request's secret.
base::StatusOr<PublishResult> OpenReply(const UsedRecord& used, base::ByteView hmac_secret) {
  OPENEN_ASSIGN_OR_RETURN(crypto::Aead aead, ReplyKey(hmac_secret));
  OPENEN_ASSIGN_OR_RETURN(base::Bytes plain,
                          aead.Open(base::AsBytes(used.sealed_reply), *used.digest));
  auto corrupt = [] { return base::DataLossError("corrupt used-certificate reply"); };
  const std::string_view v = base::AsChars(plain);
  if (v.size() < 5) return corrupt();
  PublishResult reply;
  reply.accepted = static_cast<uint32_t>(base::GetFixedBE<4>(v.data()));
  const size_t count = static_cast<uint8_t>(v[4]);
  size_t at = 5;
  for (size_t i = 0; i < count; ++i) {
    if (v.size() - at < 6) return corrupt();
    KeyRejection rejection;
    rejection.index = static_cast<uint32_t>(base::GetFixedBE<4>(v.data() + at));
    const size_t n = base::GetFixedBE<2>(v.data() + at + 4);
    at += 6;
    if (v.size() - at < n) return corrupt();
    rejection.reason.assign(v.data() + at, n);
    at += n;
    reply.rejected.push_back(std::move(rejection));
  }
  if (at != v.size()) return corrupt();
  return reply;
}

// RequestDigest binds a publish request exactly: HMAC-SHA256 keyed with the
// phone's HMAC secret over a label and every submitted key's fields, in
// request order, each field with its length or at a fixed size. The same
// request sent again gives the same digest; any change to a key, its order,
// or the secret gives another. Only someone holding the secret can compute
// it, so the stored digest cannot be matched against released keys.
crypto::Sha256Digest RequestDigest(const std::vector<SubmittedKey>& keys,
                                   base::ByteView hmac_secret) {
  std::string message = "openen-relay publish request v1";
  message.push_back(static_cast<char>(keys.size()));
  for (const SubmittedKey& k : keys) {
    base::PutFixedBE<2>(&message, std::min<size_t>(k.key_data.size(), 0xffff));
    message.append(base::AsChars(k.key_data).substr(0, 0xffff));
    base::PutFixedBE<4>(&message, k.rolling_start_interval_number);
    base::PutFixedBE<4>(&message, k.rolling_period);
    base::PutFixedBE<4>(&message, static_cast<uint32_t>(k.transmission_risk));
  }
  const crypto::Sha256Digest digest = crypto::HmacSha256(hmac_secret, base::AsBytes(message));
  crypto::Wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(message.data()), message.size()));
  return digest;
}

// PositionOf returns the first position of |key_data| in |keys|: the index
// ApplyKeyRules gave the key it accepted (a later copy is a duplicate).
uint32_t PositionOf(const std::vector<SubmittedKey>& keys,
                    const std::array<uint8_t, 16>& key_data) {
  uint32_t position = 0;
  while (position < keys.size() &&
         !std::equal(keys[position].key_data.begin(), keys[position].key_data.end(),
                     key_data.begin(), key_data.end())) {
    ++position;
  }
  return position;
}

int64_t KeyEndSeconds(const wire::ExportKey& k) {
  return crypto::KeyValidity{static_cast<uint32_t>(k.rolling_start_interval_number),
                             static_cast<uint32_t>(k.RollingPeriod())}
      .EndSeconds();
}

}  // namespace

base::Status ValidateOptions(const RelayOptions& o) {
  if (o.audience.empty()) return base::InvalidArgumentError("audience must not be empty");
  if (o.region.empty() || o.region.size() > 16)
    return base::InvalidArgumentError("region must be 1..16 bytes");
  if (o.batch_period_seconds < 1 || o.batch_period_seconds > crypto::kDaySeconds) {
    return base::InvalidArgumentError("batch period must be 1..86400 seconds, got " +
                                      std::to_string(o.batch_period_seconds));
  }
  if (o.max_batch_keys < 1 || o.max_batch_keys > wire::kMaxExportKeys) {
    return base::InvalidArgumentError("max batch keys must be 1.." +
                                      std::to_string(wire::kMaxExportKeys) + ", got " +
                                      std::to_string(o.max_batch_keys));
  }
  if (o.min_batch_keys + o.batch_jitter_keys >= o.max_batch_keys) {
    return base::InvalidArgumentError(
        "min batch keys + jitter (" + std::to_string(o.min_batch_keys) + " + " +
        std::to_string(o.batch_jitter_keys) + ") must be below max batch keys (" +
        std::to_string(o.max_batch_keys) + ")");
  }
  if (o.retention_days < 1 || o.retention_days > kMaxRetentionDays) {
    return base::InvalidArgumentError("retention must be 1.." + std::to_string(kMaxRetentionDays) +
                                      " days, got " + std::to_string(o.retention_days));
  }
  if (o.signing_key_id.empty() || o.signing_key_version.empty()) {
    return base::InvalidArgumentError("signing key id and version must not be empty");
  }
  if (o.next_signing_key &&
      (o.next_signing_key_version.empty() || o.next_signing_key_version == o.signing_key_version)) {
    return base::InvalidArgumentError("the next signing key needs a version of its own (not " +
                                      o.signing_key_version + ")");
  }
  for (const std::string* version : {&o.signing_key_version, &o.next_signing_key_version}) {
    if (IsPeerFeedVersion(*version)) {
      return base::InvalidArgumentError("a signing key version must not end in " +
                                        std::string(kPeerFeedVersionSuffix) +
                                        " (the peer feed's signatures are named so): " + *version);
    }
  }
  return base::Status::Ok();
}

namespace {

// CheckRolesDistinct refuses a key trusted for two roles: an online
// certificate key that also counted for orders or configuration would let
// whoever holds the verifier host switch phones off or reconfigure them.
base::Status CheckRolesDistinct(const std::vector<crypto::Ed25519PublicKey>& certificate_keys,
                                const RelayOptions& o) {
  const std::pair<const char*, const std::vector<crypto::Ed25519PublicKey>*> roles[] = {
      {"certificate", &certificate_keys},
      {"configuration", &o.config_keys},
      {"decommission", &o.decommission_keys}};
  if (o.log_key) {
    for (const auto& [role, keys] : roles) {
      for (const auto& k : *keys) {
        if (std::ranges::equal(k.bytes(), o.log_key->public_key().key().bytes())) {
          return base::InvalidArgumentError(std::string("the log key is also given as a ") + role +
                                            " key; each role needs its own key");
        }
      }
    }
  }
  for (size_t i = 0; i < 3; ++i) {
    for (size_t j = i + 1; j < 3; ++j) {
      for (const auto& a : *roles[i].second) {
        for (const auto& b : *roles[j].second) {
          if (a == b) {
            return base::InvalidArgumentError(std::string("one key is given as both a ") +
                                              roles[i].first + " key and a " + roles[j].first +
                                              " key; each role needs its own key");
          }
        }
      }
    }
  }
  return base::Status::Ok();
}

}  // namespace

store::Schema Relay::Schema() {
  static constexpr store::RecordKind kKinds[] = {
      // clang-format off
      {"relay.pending_key", {&kPendingPrefix, 1}},
      {"relay.batch", {&kBatchPrefix, 1}},
      {"relay.import_mark", {&kMarkPrefix, 1}},
      {"relay.peer_batch", {&kPeerBatchPrefix, 1}},
      {"relay.used_certificate", {&kUsedPrefix, 1}},
      {"relay.key_index", {&kIndexPrefix, 1}},
      {"relay.file_mark", {&kFilePrefix, 1}},
      {"relay.id", kIdKey, true},
      // clang-format on
  };
  static const auto* all = new std::vector<store::RecordKind>(
      store::Join({kKinds, TransparencyLog::Schema(), store::ReservedSchema()}));
  return *all;
}

base::StatusOr<std::unique_ptr<Relay>> Relay::Open(
    const std::string& data_dir, const std::string& export_dir, RelayOptions options,
    std::vector<crypto::Ed25519PublicKey> certificate_keys, crypto::EcdsaP256PrivateKey signing_key,
    std::optional<openen::v1::SignedEnvelope> config, const base::Clock* clock) {
  OPENEN_RETURN_IF_ERROR(ValidateOptions(options));
  if (certificate_keys.empty())
    return base::InvalidArgumentError("at least one certificate key is required");
  OPENEN_RETURN_IF_ERROR(CheckRolesDistinct(certificate_keys, options));
  if (config) {
    if (options.config_keys.empty()) {
      return base::InvalidArgumentError(
          "a configuration needs the configuration keys that sign it");
    }
    openen::v1::RelayConfig parsed;
    base::Status s =
        wire::OpenEnvelope(*config, wire::kRelayConfigContext, options.config_keys, &parsed);
    if (!s.ok()) return s.WithContext("configuration");
  }
  OPENEN_ASSIGN_OR_RETURN(ExportDirectory exports,
                          ExportDirectory::Open(export_dir, options.wait_for_export_dir));
  OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db, store::OpenPrivateDb(data_dir));
  std::unique_ptr<Relay> relay(new Relay(std::move(db), data_dir, std::move(exports),
                                         std::move(options), std::move(certificate_keys),
                                         std::move(signing_key), std::move(config), clock));
  if (base::Status s = relay->decommission_.Refresh(); !s.ok()) {
    server::Log("relay", "ignoring the installed decommission order: %s", s.ToString().c_str());
  }
  if (!relay->options_.witness_keys.empty()) {
    // Where witnesses' cosigned checkpoints are put for Maintain.
    const std::string cosignatures = data_dir + "/cosignatures";
    if (::mkdir(cosignatures.c_str(), 0700) != 0 && errno != EEXIST) {
      return base::UnavailableError("cannot create " + cosignatures + ": " + std::strerror(errno));
    }
  }
  if (relay->options_.log_key) {
    OPENEN_ASSIGN_OR_RETURN(TransparencyLog log,
                            TransparencyLog::Load(relay->db_.get(), relay->options_.log_key));
    relay->log_.emplace(std::move(log));
  }
  // A directory that serves an order (another relay's, which this one is
  // taking over, or its own) is switched off: the order is installed here
  // too, or the relay does not start.
  const std::string served_order = export_dir + "/decommission.bin";
  if (!relay->decommission_.Order() && base::FileExists(served_order)) {
    base::StatusOr<int64_t> installed =
        server::InstallDecommissionOrder(served_order, data_dir, relay->options_.decommission_keys);
    if (!installed.ok()) {
      return base::FailedPreconditionError(
          "the export directory " + export_dir +
          " serves a decommission order that this relay cannot install (" +
          installed.status().message() +
          "): start it with the --decommission-key that signed it, or not on this directory");
    }
    OPENEN_RETURN_IF_ERROR(relay->decommission_.Refresh());
  }
  if (relay->decommissioned()) {
    // Already switched off: apply it again, publish nothing else.
    std::lock_guard<std::mutex> lock(relay->batch_mu_);
    OPENEN_RETURN_IF_ERROR(relay->ApplyDecommission());
    return relay;
  }
  std::lock_guard<std::mutex> lock(relay->batch_mu_);
  OPENEN_RETURN_IF_ERROR(relay->ClaimExportDirectory());
  if (relay->log_) relay->logged_up_to_ = -1;  // nothing is listed until the log is published
  if (relay->config_) {
    OPENEN_RETURN_IF_ERROR(relay->LogAnnouncement(wire::LogEntry::Kind::kConfig, *relay->config_));
  }
  OPENEN_RETURN_IF_ERROR(relay->WriteIndex());
  // The configuration goes beside index.txt, so static mirrors carry it too.
  OPENEN_RETURN_IF_ERROR(relay->exports_.SetConfig(relay->config_));
  return relay;
}

Relay::Relay(std::unique_ptr<rocksdb::DB> db, std::string data_dir, ExportDirectory exports,
             RelayOptions options, std::vector<crypto::Ed25519PublicKey> certificate_keys,
             crypto::EcdsaP256PrivateKey signing_key,
             std::optional<openen::v1::SignedEnvelope> config, const base::Clock* clock)
    : db_(std::move(db)),
      data_dir_(data_dir),
      exports_(std::move(exports)),
      options_(std::move(options)),
      certificate_keys_(std::move(certificate_keys)),
      signing_key_(std::move(signing_key)),
      export_public_key_(signing_key_.PublicKey()),
      config_(std::move(config)),
      clock_(clock),
      decommission_(std::move(data_dir), options_.decommission_keys) {}

Relay::~Relay() = default;

base::Status Relay::CheckCertificate(const openen::v1::SignedEnvelope& envelope,
                                     const std::vector<SubmittedKey>& keys,
                                     base::ByteView hmac_secret,
                                     openen::v1::Certificate* cert) const {
  if (!wire::OpenEnvelope(envelope, wire::kCertificateContext, certificate_keys_, cert).ok()) {
    return base::UnauthenticatedError("certificate signature verification failed");
  }
  if (cert->audience() != options_.audience) {
    return base::UnauthenticatedError("certificate audience is '" + cert->audience() + "', want '" +
                                      options_.audience + "'");
  }
  if (clock_->NowSeconds() >= cert->expires_at())
    return base::UnauthenticatedError("certificate expired");
  std::vector<crypto::TekHmacEntry> entries;
  entries.reserve(keys.size());
  for (const SubmittedKey& k : keys) {
    entries.push_back(
        {k.key_data, k.rolling_start_interval_number, k.rolling_period, k.transmission_risk});
  }
  // Phones compute the HMAC in either of the two forms GAEN servers accept.
  bool match = false;
  for (auto form : {crypto::TekHmacForm::kWithTransmissionRisk,
                    crypto::TekHmacForm::kWithoutTransmissionRisk}) {
    crypto::Sha256Digest mac = crypto::TekHmac(hmac_secret, entries, form);
    match |= crypto::ConstantTimeEqual(mac, base::AsBytes(cert->key_hmac()));
  }
  if (!match) return base::UnauthenticatedError("key HMAC does not match the certificate");
  return base::Status::Ok();
}

base::Status Relay::CheckPublishShape(size_t key_count, size_t hmac_secret_bytes) const {
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  if (key_count == 0 || key_count > kMaxKeysPerPublish) {
    return base::InvalidArgumentError("publish has " + std::to_string(key_count) +
                                      " keys, want 1..30");
  }
  if (hmac_secret_bytes < 16 || hmac_secret_bytes > 64) {
    return base::InvalidArgumentError("hmac_secret is " + std::to_string(hmac_secret_bytes) +
                                      " bytes, want 16..64");
  }
  return base::Status::Ok();
}

base::StatusOr<PublishResult> Relay::ChaffReply(size_t key_count, size_t hmac_secret_bytes) const {
  OPENEN_RETURN_IF_ERROR(CheckPublishShape(key_count, hmac_secret_bytes));
  return PublishResult{static_cast<uint32_t>(key_count), {}};
}

base::StatusOr<PublishResult> Relay::Publish(const std::vector<SubmittedKey>& keys,
                                             const openen::v1::SignedEnvelope& certificate,
                                             base::ByteView hmac_secret, bool chaff) {
  base::StatusOr<PublishResult> result = PublishUncounted(keys, certificate, hmac_secret, chaff);
  if (chaff || options_.metrics == nullptr) return result;
  server::Metrics* m = options_.metrics;
  server::Count(
      m, "publishes_total", "real publishes answered, by result",
      {{"result", std::string(result.ok() ? "OK" : base::StatusCodeName(result.status().code()))}});
  if (!result.ok()) return result;
  server::Count(m, "keys_accepted_total", "keys accepted from real publishes", {},
                result->accepted);
  for (const KeyRejection& r : result->rejected) {
    server::Count(m, "keys_rejected_total", "keys refused from real publishes, by reason",
                  {{"reason", r.kind}});
  }
  return result;
}

base::StatusOr<PublishResult> Relay::PublishUncounted(const std::vector<SubmittedKey>& keys,
                                                      const openen::v1::SignedEnvelope& certificate,
                                                      base::ByteView hmac_secret, bool chaff) {
  OPENEN_RETURN_IF_ERROR(CheckPublishShape(keys.size(), hmac_secret.size()));
  const int64_t now = clock_->NowSeconds();
  openen::v1::Certificate cert;
  base::Status cert_status = CheckCertificate(certificate, keys, hmac_secret, &cert);
  // Chaff's certificate verifies under no key; its fields still shape the
  // key rules as a real one's do.
  if (chaff && !cert_status.ok() && !cert.ParseFromString(certificate.payload())) cert.Clear();
  PublishContext context{now, static_cast<wire::ReportType>(cert.report_type()),
                         cert.symptom_onset_interval()};
  PublishResult result;
  std::vector<AcceptedKey> accepted = ApplyKeyRules(keys, context, &result.rejected);
  if (!chaff) OPENEN_RETURN_IF_ERROR(cert_status);

  // A chaff publish from here on takes the real one's path, locks, lookups and
  // two synced writes, on records that are written and deleted in the same
  // batch: nothing is kept, and chaff reports every key accepted.
  const crypto::Sha256Digest cert_id = crypto::Sha256(base::AsBytes(certificate.payload()));
  const crypto::Sha256Digest request_digest = RequestDigest(keys, hmac_secret);
  std::string used_key(1, kUsedPrefix);
  used_key.append(reinterpret_cast<const char*>(cert_id.data()), cert_id.size());
  std::lock_guard<std::mutex> lock(publish_mu_);
  // A certificate already used: the same request again (its reply was lost,
  // or the relay stopped between its two writes) is a retry, answered with
  // the first reply, storing what the first attempt did not get to store.
  // Any other request under it is refused. A record from before retries
  // existed, or one that does not decode, has no digest: refused.
  std::string used_value;
  bool retry = false;
  if (db_->Get({}, used_key, &used_value).ok() && !chaff) {
    base::StatusOr<UsedRecord> used = DecodeUsedRecord(used_value);
    if (!used.ok()) server::Log("relay", "%s", used.status().ToString().c_str());
    if (!used.ok() || !used->digest || !crypto::ConstantTimeEqual(*used->digest, request_digest)) {
      return base::UnauthenticatedError("certificate already used");
    }
    base::StatusOr<PublishResult> reply = OpenReply(*used, hmac_secret);
    if (!reply.ok()) {
      server::Log("relay", "%s", reply.status().ToString().c_str());
      return base::UnauthenticatedError("certificate already used");
    }
    retry = true;
    result = std::move(*reply);
  }

  const int64_t p = options_.batch_period_seconds;
  std::shared_lock<std::shared_mutex> release_lock(release_mu_);
  // Checked again under the lock that decommissioning takes exclusively.
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");

  // What to write for each key ApplyKeyRules accepted. A key the relay
  // holds or has released is not published again: the same person
  // uploading twice (a re-test, two codes) would otherwise make phones count
  // the same contact twice. On a retry the index also tells which keys the
  // first attempt stored; a key the first reply refused is not stored, and
  // neither is one whose batch could already have expired (its 'd' entry
  // gone with it, so its absence would prove nothing): such a key is past
  // retention, and no phone still holds what it would match.
  std::set<uint32_t> refused_before;
  for (const KeyRejection& r : result.rejected) refused_before.insert(r.index);
  const int64_t retention = static_cast<int64_t>(options_.retention_days) * crypto::kDaySeconds;
  struct Planned {
    const AcceptedKey* key;
    std::string index_key;
    bool store;  // false: a retry's key already stored, written as chaff is
  };
  std::vector<Planned> plan;
  std::string ignored;
  for (const AcceptedKey& k : accepted) {
    const uint32_t position = PositionOf(keys, k.key_data);
    std::string index_key = IndexKey(k.key_data);
    if (retry && (refused_before.count(position) || k.EndSeconds() + retention <= now)) {
      plan.push_back({&k, std::move(index_key), false});
      continue;
    }
    if (!retry && k.EndSeconds() + retention <= now) {
      // Its batch would be deleted at the next pass: kept no longer than
      // retention allows, and not half-released to the phones that synced.
      result.rejected.push_back({position, "key is past this relay's retention", "past retention"});
      continue;
    }
    const bool held = db_->Get({}, index_key, &ignored).ok();
    if (retry) {
      plan.push_back({&k, std::move(index_key), !held});
    } else if (held) {
      result.rejected.push_back({position, "key was already published", "already published"});
    } else {
      plan.push_back({&k, std::move(index_key), true});
      ++result.accepted;
    }
  }
  std::sort(result.rejected.begin(), result.rejected.end(),
            [](const KeyRejection& a, const KeyRejection& b) { return a.index < b.index; });

  // The used mark, in a write of its own (no record groups it with the
  // keys), keeps the certificate's expiry rounded up to a batch boundary
  // (nothing in the store is finer in time than a batch), the request's
  // digest and the reply. Written before the keys, so that a crash in
  // between loses no more than a retry restores, and never lets the
  // certificate publish other keys. A retry writes a mark of the same size
  // under a random name instead, as chaff does: it costs the same sync.
  rocksdb::WriteBatch mark;
  const int64_t expires_at =
      std::clamp<int64_t>(cert.expires_at(), 0, INT64_MAX / 2);  // chaff: any value
  OPENEN_ASSIGN_OR_RETURN(
      const std::string used_record,
      EncodeUsedRecord((expires_at + p - 1) / p * p, request_digest, result, hmac_secret));
  // Chaff writes and deletes records under random names, so that it can
  // neither un-burn a certificate nor delete a pending key or its index.
  auto chaff_name = [](std::string name, size_t from) {
    crypto::RandomBytes(
        std::span<uint8_t>(reinterpret_cast<uint8_t*>(name.data()) + from, name.size() - from));
    return name;
  };
  if (chaff || retry) {
    store::PutTransient(&mark, chaff_name(used_key, 1), used_record);
  } else {
    mark.Put(used_key, used_record);
  }
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &mark, "mark certificate used"));
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.publish.marked"));

  // Offered to peers only when the relay has a peer feed and the person
  // consented (the certificate says so).
  const bool for_peers = options_.peer_feed && cert.share_with_peers();
  rocksdb::WriteBatch batch;
  for (const Planned& planned : plan) {
    const AcceptedKey& k = *planned.key;
    // Released by the first batch that closes after the key stops being
    // valid (the embargo) and after now, and after any close under way.
    const int64_t ready = std::max(now, k.EndSeconds());
    int64_t release = (ready / p + 1) * p;
    if (release <= closing_up_to_) release = (closing_up_to_ / p + 1) * p;
    const std::string when = Be64(release);
    if (chaff || !planned.store) {
      store::PutTransient(&batch, chaff_name(PendingKey(release, k.key_data), 9),
                          EncodeKeyRecord(k, for_peers));
      store::PutTransient(&batch, chaff_name(planned.index_key, 1), when);
    } else {
      batch.Put(PendingKey(release, k.key_data), EncodeKeyRecord(k, for_peers));
      batch.Put(planned.index_key, when);
    }
  }
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "store keys"));
  // After the commit: an error here is a reply lost on its way back.
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.publish.stored"));
  if (chaff) return PublishResult{static_cast<uint32_t>(keys.size()), {}};
  purge_.Mark();
  return result;
}

base::StatusOr<ImportResult> Relay::ImportKeys(const std::string& origin,
                                               std::span<const wire::ExportKey> keys,
                                               const std::string& source,
                                               const std::optional<ImportMark>& mark) {
  if (origin.empty() || origin.size() > 16 || origin == options_.region) {
    return base::InvalidArgumentError("an import's origin must be 1..16 bytes and not " +
                                      options_.region + ", this relay's own region");
  }
  // The same locks as Publish, in its order: a key arriving both ways at
  // once is checked against the index and written under one of them.
  std::lock_guard<std::mutex> lock(publish_mu_);
  const int64_t now = clock_->NowSeconds();
  ImportResult result;
  const int64_t p = options_.batch_period_seconds;
  const int64_t retention = static_cast<int64_t>(options_.retention_days) * crypto::kDaySeconds;
  std::shared_lock<std::shared_mutex> release_lock(release_mu_);
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  rocksdb::WriteBatch batch;
  std::set<std::string> in_this_call;
  std::string ignored;
  for (size_t i = 0; i < keys.size(); ++i) {
    const wire::ExportKey& k = keys[i];
    std::optional<KeyRejection> r = CheckImportedKey(k, now);
    // A key whose retention has run out here could come back after its
    // batch and index entry are gone: it is not taken.
    if (!r && KeyEndSeconds(k) + retention <= now)
      r = KeyRejection{0, "key is past this relay's retention", "past retention"};
    if (r) {
      r->index = static_cast<uint32_t>(i);
      result.rejected.push_back(std::move(*r));
      continue;
    }
    std::string index_key = IndexKey(k.key_data);
    if (!in_this_call.insert(index_key).second || db_->Get({}, index_key, &ignored).ok()) {
      ++result.already_held;
      continue;
    }
    // Released as a published key is: after its validity ends, after now,
    // after any close under way.
    const int64_t ready = std::max(now, KeyEndSeconds(k));
    int64_t release = (ready / p + 1) * p;
    if (release <= closing_up_to_) release = (closing_up_to_ / p + 1) * p;
    std::array<uint8_t, 16> key_data;
    std::copy(k.key_data.begin(), k.key_data.end(), key_data.begin());
    batch.Put(PendingKey(release, key_data), EncodeImportedKeyRecord(k, origin));
    batch.Put(index_key, Be64(release));
    ++result.imported;
  }
  if (mark) {
    if (source.empty() || source.size() > kMaxSourceNameSize)
      return base::InvalidArgumentError("an import mark needs a source name of 1..64 bytes");
    batch.Put(MarkKey(source), Be64(static_cast<int64_t>(mark->end_timestamp)) + mark->file);
  } else if (result.imported == 0) {
    return result;
  }
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "store imported keys"));
  purge_.Mark();
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.import.stored"));
  return result;
}

base::Status Relay::ForgetImportsExcept(const std::set<std::string>& sources) {
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string prefix(1, kMarkPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!sources.count(it->key().ToString().substr(1))) batch.Delete(it->key());
  }
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "scan import marks"));
  if (batch.Count() == 0) return base::Status::Ok();
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "forget import marks"));
  purge_.Mark();
  return base::Status::Ok();
}

base::StatusOr<std::optional<ImportMark>> Relay::LastImport(const std::string& source) const {
  std::string value;
  rocksdb::Status st = db_->Get({}, MarkKey(source), &value);
  if (st.IsNotFound()) return std::optional<ImportMark>();
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(st, "read an import mark"));
  if (value.size() < 8) return base::DataLossError("corrupt import mark of " + source);
  return std::optional<ImportMark>(
      ImportMark{value.substr(8), static_cast<uint64_t>(ReadBe64(value.data()))});
}

namespace {
// BucketFor is the size a batch of |real| keys is padded to before jitter:
// the smallest min_batch_keys x 2^k that holds them, at most max - jitter.
size_t BucketFor(size_t real, const RelayOptions& o) {
  const size_t top = o.max_batch_keys - o.batch_jitter_keys;
  if (o.min_batch_keys == 0) return std::min(real, top);
  size_t bucket = o.min_batch_keys;
  while (bucket < real && bucket < top) bucket *= 2;
  return std::min(bucket, top);
}
}  // namespace

base::Status Relay::CloseBatch(int64_t close_time, int64_t last_closed) {
  const auto started = std::chrono::steady_clock::now();
  {
    std::unique_lock<std::shared_mutex> lock(release_mu_);
    closing_up_to_ = std::max(closing_up_to_, close_time);
  }
  // Due keys, oldest release first (the order deferred keys are kept in).
  struct Due {
    std::string store_key;
    PendingRecord record;
  };
  std::vector<Due> due;
  const std::string begin(1, kPendingPrefix);
  const std::string end = TimeKey(kPendingPrefix, close_time + 1);
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
    for (it->Seek(begin); it->Valid() && it->key().compare(end) < 0; it->Next()) {
      auto record = DecodeKeyRecord(it->key(), it->value());
      if (!record.ok()) {
        server::Log("relay", "skipping a corrupt pending key record");
        continue;
      }
      due.push_back({it->key().ToString(), std::move(*record)});
    }
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "read pending keys"));
  }
  if (due.empty()) return base::Status::Ok();

  // Keys keep their region: each origin's keys (this relay's own under
  // options_.region) go in batches of their own, whose header names it. No
  // file may exceed max_batch_keys (readers refuse more than
  // wire::kMaxExportKeys): an origin's keys are split into parts of at most
  // max_batch_keys - jitter real keys. All parts close at distinct times
  // close_time - (parts - 1) .. close_time, after the last batch; keys
  // beyond what those times hold wait for the next close.
  const size_t part_keys = options_.max_batch_keys - options_.batch_jitter_keys;
  uint64_t slots = static_cast<uint64_t>(close_time - last_closed);  // >= 1
  // Local keys for the peer feed go in batches of their own too, which
  // peers.txt lists.
  std::map<std::pair<std::string, bool>, std::vector<wire::ExportKey>> by_origin;
  std::vector<const std::string*> taken_keys;
  size_t deferred = 0;
  for (Due& d : due) {
    std::vector<wire::ExportKey>& of_origin =
        by_origin[{d.record.origin.empty() ? options_.region : d.record.origin,
                   options_.peer_feed && d.record.for_peers}];
    if (of_origin.size() % part_keys == 0) {  // the key starts a part
      if (slots == 0) {
        ++deferred;
        continue;
      }
      --slots;
    }
    taken_keys.push_back(&d.store_key);
    of_origin.push_back(std::move(d.record.key));
  }
  const size_t taken = taken_keys.size();
  rocksdb::WriteBatch wb;
  if (deferred == 0) {
    wb.DeleteRange(begin, end);
  } else {
    for (const std::string* k : taken_keys) wb.Delete(*k);
    server::Log("relay", "deferred %zu keys to the next close: more batches are due than times",
                deferred);
  }
  taken_keys.clear();
  due.clear();

  // Pending records always hold 16-byte keys (DecodeKeyRecord checks).
  auto cmp = [](const wire::ExportKey& a, const wire::ExportKey& b) {
    return std::memcmp(a.key_data.data(), b.key_data.data(), 16);
  };
  struct Part {
    const std::string* origin;
    bool for_peers;
    std::vector<wire::ExportKey> keys;
  };
  std::vector<Part> all_parts;
  for (auto& [group, keys] : by_origin) {
    std::sort(keys.begin(), keys.end(),
              [&](const auto& a, const auto& b) { return cmp(a, b) < 0; });
    keys.erase(std::unique(keys.begin(), keys.end(),
                           [&](const auto& a, const auto& b) { return cmp(a, b) == 0; }),
               keys.end());
    // Shuffled (CSPRNG) before splitting: sorted parts would each hold their
    // real keys in a narrow key range, among padding spread over all of it.
    // Each file is sorted again when written (wire::WriteExportZip).
    for (size_t i = keys.size(); i > 1; --i) {
      std::swap(keys[i - 1], keys[crypto::RandomUniform(static_cast<uint32_t>(i))]);
    }
    for (size_t at = 0; at < keys.size(); at += part_keys) {
      all_parts.push_back(
          {&group.first, group.second,
           std::vector<wire::ExportKey>(
               keys.begin() + static_cast<std::ptrdiff_t>(at),
               keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), at + part_keys)))});
    }
  }

  const size_t parts = all_parts.size();
  std::vector<std::string> names;
  std::vector<wire::LogEntry> logged;
  for (size_t part = 0; part < parts; ++part) {
    const int64_t t = close_time - static_cast<int64_t>(parts - 1 - part);
    std::vector<wire::ExportKey> batch_keys = std::move(all_parts[part].keys);
    int64_t newest_end = 0;
    const std::string when = Be64(t);
    for (const auto& k : batch_keys) {
      newest_end = std::max(newest_end, KeyEndSeconds(k));
      wb.Put(IndexKey(k.key_data), when);  // now names the batch that holds it
    }

    // Pad to a bucket (min_batch_keys doubled until the real keys fit) plus
    // a random 0..jitter, so that the size tells at most the bucket. Each
    // padding key is a random key with the other fields of a random real
    // key: no field value that real keys lack, no longer lifetime.
    const size_t real = batch_keys.size();
    const size_t target =
        BucketFor(real, options_) +
        crypto::RandomUniform(static_cast<uint32_t>(options_.batch_jitter_keys + 1));
    while (batch_keys.size() < target) {
      wire::ExportKey pad = batch_keys[crypto::RandomUniform(static_cast<uint32_t>(real))];
      crypto::RandomBytes(pad.key_data);
      batch_keys.push_back(std::move(pad));
    }
    const size_t total = batch_keys.size();

    wire::ExportBatch batch;
    batch.header.start_timestamp = static_cast<uint64_t>(t - options_.batch_period_seconds);
    batch.header.end_timestamp = static_cast<uint64_t>(t);
    batch.header.region = *all_parts[part].origin;
    batch.keys = std::move(batch_keys);
    std::vector<wire::ExportSigner> signers = {
        {{options_.signing_key_version, options_.signing_key_id, ""}, &signing_key_}};
    if (options_.next_signing_key) {
      signers.push_back({{options_.next_signing_key_version, options_.signing_key_id, ""},
                         options_.next_signing_key.get()});
    }
    if (all_parts[part].for_peers) {  // and each key signs it for peers
      for (size_t i = 0, n = signers.size(); i < n; ++i) {
        wire::ExportSigner twin = signers[i];
        twin.info.verification_key_version += kPeerFeedVersionSuffix;
        signers.push_back(std::move(twin));
      }
    }
    OPENEN_ASSIGN_OR_RETURN(base::Bytes zip, wire::WriteExportZip(std::move(batch), signers));

    // The file is noted ('f') before it is written, and durable (data and
    // directory entry synced) before the record that deletes its keys from
    // the pending set and the note: a crash in between leaves a noted file
    // without a record (removed at the next start) and the keys still
    // pending, released by the next close.
    const std::string name = BatchFileName(t);
    rocksdb::WriteBatch writing;
    writing.Put(FileKey(name), "");
    OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &writing, "note a batch file"));
    wb.Delete(FileKey(name));
    OPENEN_RETURN_IF_ERROR(exports_.WriteBatch(name, zip));
    OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.close.file_written"));

    openen::v1::BatchInfo info;
    info.set_name(name);
    info.set_start_timestamp(static_cast<uint64_t>(t - options_.batch_period_seconds));
    info.set_end_timestamp(static_cast<uint64_t>(t));
    info.set_key_count(static_cast<uint32_t>(total));
    info.set_size(zip.size());
    crypto::Sha256Digest digest = crypto::Sha256(zip);
    info.set_sha256(std::string(base::AsChars(digest)));
    std::string record = Be64(newest_end + options_.retention_days * crypto::kDaySeconds);
    record += info.SerializeAsString();
    wb.Put(TimeKey(kBatchPrefix, t), record);
    if (all_parts[part].for_peers) wb.Put(TimeKey(kPeerBatchPrefix, t), "");
    logged.push_back(
        {wire::LogEntry::Kind::kBatch, name, info.start_timestamp(), info.end_timestamp(), total,
         static_cast<uint64_t>(newest_end + options_.retention_days * crypto::kDaySeconds),
         digest});
    names.push_back(name + " (" + std::to_string(total) + " keys)");
  }

  // The batches enter the log in the write that records them.
  const int64_t now = clock_->NowSeconds();
  if (log_) log_->Append(logged, now, &wb);
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &wb, "record batch"));
  if (log_) log_->Appended(logged, now);
  purge_.Mark();
  index_stale_ = true;
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.close.recorded"));
  OPENEN_RETURN_IF_ERROR(WriteIndex());
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.close.indexed"));
  for (const std::string& n : names) server::Log("relay", "closed %s", n.c_str());
  if (server::Metrics* m = options_.metrics) {
    server::Count(m, "batches_total", "batches closed", {}, static_cast<double>(names.size()));
    server::Count(m, "keys_released_total", "real keys released in batches (padding not counted)",
                  {}, static_cast<double>(taken));
    m->Histogram("batch_close_seconds", "how long closing the due keys into batches took",
                 {0.01, 0.1, 0.5, 1, 5, 30})
        .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  return base::Status::Ok();
}

base::StatusOr<std::vector<std::string>> Relay::UnrecordExpired(int64_t now,
                                                                rocksdb::WriteBatch* wb) const {
  std::vector<std::string> files;
  std::set<std::string> times;  // BE64 close times
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
    const std::string prefix(1, kBatchPrefix);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (it->key().size() != 9 || it->value().size() < 8) continue;
      if (ReadBe64(it->value().data()) > now) continue;
      const std::string file = BatchFileName(ReadBe64(it->key().data() + 1));
      wb->Delete(it->key());
      wb->Delete(std::string(1, kPeerBatchPrefix) + it->key().ToString().substr(1));
      wb->Put(FileKey(file), "");  // the file goes once this is written
      times.insert(it->key().ToString().substr(1));
      files.push_back(file);
    }
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "scan batches"));
  }
  if (files.empty()) return files;
  // The key index entries that name an expired batch go with it.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string prefix(1, kIndexPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (times.count(it->value().ToString())) wb->Delete(it->key());
  }
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "scan key index"));
  return files;
}

base::Status Relay::ExpireBatches(int64_t now) {
  rocksdb::WriteBatch wb, done;
  OPENEN_ASSIGN_OR_RETURN(std::vector<std::string> expired, UnrecordExpired(now, &wb));
  if (expired.empty()) return base::Status::Ok();
  for (const std::string& file : expired) done.Delete(FileKey(file));
  // Unlist first, then delete the files: a crash in between leaves noted
  // files without a record, which the next pass or start removes. The removals are synced
  // so that a power cut brings back no expired batch (14 days, then gone).
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &wb, "expire batches"));
  index_stale_ = true;
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.expire.unrecorded"));
  OPENEN_RETURN_IF_ERROR(WriteIndex());
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.expire.indexed"));
  for (const std::string& file : expired) OPENEN_RETURN_IF_ERROR(exports_.RemoveBatch(file));
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.expire.removed"));
  OPENEN_RETURN_IF_ERROR(exports_.Sync());
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(db_->Write({}, &done), "expire batches"));
  purge_.Mark();
  server::Log("relay", "expired %zu batches", expired.size());
  return base::Status::Ok();
}

base::Status Relay::ExpireCertificates(int64_t now) {
  rocksdb::WriteBatch wb;
  size_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string prefix(1, kUsedPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    // Every version of the record starts with its expiry.
    if (it->value().size() >= 8 && ReadBe64(it->value().data()) <= now) {
      wb.Delete(it->key());
      ++n;
    }
  }
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "scan certificates"));
  if (n == 0) return base::Status::Ok();
  purge_.Mark();
  return store::WriteSynced(db_.get(), &wb, "expire certificates");
}

base::Status Relay::ApplyDecommission() {
  // No publish is between its check and its write while this runs.
  std::unique_lock<std::shared_mutex> no_publish(release_mu_);
  // Everything goes: pending keys, batch records, used-certificate marks.
  rocksdb::WriteBatch all;
  store::DeleteEverything(&all);
  // The order stays installed (data-dir/decommission-order.bin, synced when
  // installed), so a crash at any step here is finished by the next start,
  // which applies the order again before serving anything.
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &all, "decommission"));
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.decommission.erased"));
  OPENEN_RETURN_IF_ERROR(store::PurgeDeleted(db_.get()));
  OPENEN_RETURN_IF_ERROR(exports_.RemoveAllButOrder());
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.decommission.removed"));
  if (log_) {
    OPENEN_ASSIGN_OR_RETURN(TransparencyLog emptied,
                            TransparencyLog::Load(db_.get(), options_.log_key));
    log_.emplace(std::move(emptied));
  }
  decommission_applied_ = true;
  server::Log("relay", "decommissioned: deleted every key and batch; serving only the order");
  return base::Status::Ok();
}

base::Status Relay::Maintain() {
  const int64_t now = clock_->NowSeconds();
  if (base::Status s = decommission_.Refresh(); !s.ok()) {
    // A damaged order file must not stop batches and expiry.
    server::Log("relay", "ignoring the installed decommission order: %s", s.ToString().c_str());
  }
  if (auto order = decommission_.Order()) {
    // Served in advance, so that phones learn of a future order too; and
    // logged, so that everyone can see it was served.
    std::lock_guard<std::mutex> lock(batch_mu_);
    if (!decommission_applied_) {
      OPENEN_RETURN_IF_ERROR(LogAnnouncement(wire::LogEntry::Kind::kDecommission, *order));
    }
    OPENEN_RETURN_IF_ERROR(exports_.WriteDecommissionOrder(*order));
  }
  if (decommission_.EffectiveAt(now)) {
    std::lock_guard<std::mutex> lock(batch_mu_);
    return decommission_applied_ ? base::Status::Ok() : ApplyDecommission();
  }
  {
    std::lock_guard<std::mutex> lock(batch_mu_);
    const int64_t due = now / options_.batch_period_seconds * options_.batch_period_seconds;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
    it->SeekForPrev(TimeKey(kBatchPrefix, INT64_MAX));
    int64_t last_closed = -1;
    if (it->Valid() && it->key().size() == 9 && it->key()[0] == kBatchPrefix) {
      last_closed = ReadBe64(it->key().data() + 1);
    }
    // A batch closes once per close time; keys that reach an already closed
    // time (a publish racing the close) go out with the next one.
    if (due > last_closed) OPENEN_RETURN_IF_ERROR(CloseBatch(due, last_closed));
    OPENEN_RETURN_IF_ERROR(ExpireBatches(now));
    // A batch recorded or unrecorded by a pass whose index write failed is
    // listed by the next pass, not only by the next close; and the file of
    // a batch unrecorded by a pass that failed before deleting it goes with
    // the next pass, not at the next start (14 days, then gone).
    if (index_stale_) OPENEN_RETURN_IF_ERROR(WriteIndex());
    OPENEN_RETURN_IF_ERROR(RemoveUnrecordedFiles());
    OPENEN_RETURN_IF_ERROR(CollectCosignatures());
  }
  OPENEN_RETURN_IF_ERROR(ExpireCertificates(now));
  return purge_.RunIfDue(db_.get());
}

std::vector<openen::v1::BatchInfo> Relay::ListBatches(const std::string& after,
                                                      size_t limit) const {
  std::vector<openen::v1::BatchInfo> out;
  if (decommissioned()) return out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string prefix(1, kBatchPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && out.size() < limit;
       it->Next()) {
    openen::v1::BatchInfo info;
    if (it->value().size() < 8 ||
        !info.ParseFromArray(it->value().data() + 8, static_cast<int>(it->value().size() - 8))) {
      continue;
    }
    // A batch is listed once its log entry is published: a phone that
    // reads the listing, then the checkpoint, finds it logged.
    if (it->key().size() == 9 && ReadBe64(it->key().data() + 1) > logged_up_to_.load()) break;
    if (info.name() > after) out.push_back(std::move(info));
  }
  return out;
}

base::StatusOr<base::Bytes> Relay::ReadBatch(const std::string& name, uint64_t offset,
                                             size_t max_bytes, uint64_t* total_size) const {
  std::optional<int64_t> t = ParseBatchName(name);
  std::string record;
  if (!t || decommissioned() || !db_->Get({}, TimeKey(kBatchPrefix, *t), &record).ok()) {
    // Echo at most a batch name's length of the caller's input: an 8 KB name
    // must come back as NOT_FOUND, not as an error too large to send.
    constexpr size_t kMaxEcho = 64;
    return base::NotFoundError("no batch named '" + name.substr(0, kMaxEcho) +
                               (name.size() > kMaxEcho ? "...'" : "'"));
  }
  return exports_.ReadBatch(name, offset, max_bytes, total_size);
}

base::StatusOr<std::string> Relay::ReadLogFile(const std::string& path) const {
  constexpr size_t kMaxEcho = 64;
  if (!options_.log_key || decommissioned() || !wire::IsLogPath(path)) {
    return base::NotFoundError("no log file '" + path.substr(0, kMaxEcho) +
                               (path.size() > kMaxEcho ? "...'" : "'"));
  }
  return base::ReadFile(exports_.log_path() + "/" + path, wire::kMaxLogFileBytes, path);
}

base::Status Relay::Health() const {
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  return store::ProbeWrite(db_.get());
}

size_t Relay::PendingKeys() const {
  size_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string prefix(1, kPendingPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++n;
  return n;
}

bool Relay::Recorded(const std::string& batch_name) const {
  std::optional<int64_t> t = ParseBatchName(batch_name);
  std::string ignored;
  return t && db_->Get({}, TimeKey(kBatchPrefix, *t), &ignored).ok();
}

base::Status Relay::RemoveUnrecordedFiles() {
  OPENEN_RETURN_IF_ERROR(exports_.RemoveTemporaries());
  rocksdb::WriteBatch done;
  bool removed = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string prefix(1, kFilePrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string name = it->key().ToString().substr(1);
    if (ParseBatchName(name) && !Recorded(name)) {
      OPENEN_RETURN_IF_ERROR(exports_.RemoveBatch(name));
      removed = true;
    }
    done.Delete(it->key());
  }
  OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "scan noted files"));
  if (removed) OPENEN_RETURN_IF_ERROR(exports_.Sync());
  return done.Count() == 0 ? base::Status::Ok()
                           : store::FromRocksDb(db_->Write({}, &done), "forget noted files");
}

base::Status Relay::ClaimExportDirectory() {
  std::string id;
  if (!db_->Get({}, kIdKey, &id).ok()) {
    id.resize(16);
    crypto::RandomBytes(std::span<uint8_t>(reinterpret_cast<uint8_t*>(id.data()), id.size()));
    rocksdb::WriteBatch wb;
    wb.Put(kIdKey, id);
    OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &wb, "record the relay's id"));
  }
  base::StatusOr<std::optional<std::string>> owner = exports_.Owner();
  if (!owner.ok() && !options_.take_over) return owner.status();
  bool ours = owner.ok() && *owner == id;
  if (owner.ok() && !owner->has_value()) {
    // Unclaimed (new, or written before relays claimed directories): this
    // relay's if it holds no batch file this relay did not write.
    OPENEN_ASSIGN_OR_RETURN(std::vector<std::string> names, exports_.BatchNames());
    std::string noted;
    ours = std::all_of(names.begin(), names.end(), [&](const std::string& name) {
      return Recorded(name) || db_->Get({}, FileKey(name), &noted).ok();
    });
    // And a log published there must be the beginning of this relay's.
    if (ours && log_ && base::FileExists(exports_.log_path() + "/checkpoint")) {
      base::StatusOr<TransparencyLog::Published> published =
          log_->ReadPublished(exports_.log_path());
      ours = published.ok() && published->entries.size() <= log_->size();
      for (size_t i = 0; ours && i < published->entries.size(); ++i) {
        base::StatusOr<std::vector<std::string>> own = log_->Entries(i, i + 1);
        ours = own.ok() && own->front() == published->entries[i].Encode();
      }
    }
  }
  if (!ours) {
    if (!options_.take_over) {
      return base::FailedPreconditionError(
          "the export directory " + exports_.path() +
          " holds another relay's batches (it was written with another data directory than " +
          data_dir_ +
          "): this relay would not list them, and could overwrite them. If that relay is gone "
          "for good (a standby taking over, a relay restored empty), start this one with "
          "--take-over: it adopts the batches and the log that relay published and continues "
          "them (docs/operations.md, Standby relay). Otherwise give it its own --export-dir");
    }
    OPENEN_RETURN_IF_ERROR(TakeOver());
  }
  // A recorded batch is one whose pending keys are gone: its file is the
  // only copy of them. CloseBatch makes the file durable before it writes
  // the record, so no crash or power cut leaves a record without its file;
  // a lost or damaged disk can, and then the relay must not serve an index
  // without a batch that phones may already have half-downloaded, nor one
  // with it.
  OPENEN_RETURN_IF_ERROR(CheckBatchFiles());
  OPENEN_RETURN_IF_ERROR(RemoveUnrecordedFiles());
  OPENEN_ASSIGN_OR_RETURN(std::vector<std::string> names, exports_.BatchNames());
  std::vector<std::string> unknown;
  for (const std::string& name : names) {
    if (!Recorded(name)) unknown.push_back(name);
  }
  if (!unknown.empty()) return UnknownFilesError(exports_.path(), unknown);
  if (!owner.ok() || *owner != id) OPENEN_RETURN_IF_ERROR(exports_.SetOwner(id));
  return base::Status::Ok();
}

base::Status Relay::TakeOver() {
  const int64_t now = clock_->NowSeconds();
  // Records that expired while another relay wrote the directory go, with
  // their files and key index entries, in the write below.
  rocksdb::WriteBatch wb;
  OPENEN_RETURN_IF_ERROR(UnrecordExpired(now, &wb).status());

  // The published log and this relay's own: one must begin the other (this
  // relay's is the longer when a take-over stopped before publishing).
  TransparencyLog::Published published;
  if (log_) {
    OPENEN_ASSIGN_OR_RETURN(published, log_->ReadPublished(exports_.log_path()));
    const uint64_t common = std::min<uint64_t>(log_->size(), published.entries.size());
    OPENEN_ASSIGN_OR_RETURN(std::vector<std::string> own, log_->Entries(0, common));
    for (size_t i = 0; i < own.size(); ++i) {
      if (own[i] != published.entries[i].Encode()) {
        return base::FailedPreconditionError(
            "this relay's transparency log and the one published in " + exports_.log_path() +
            " differ at entry " + std::to_string(i) +
            ": they are not one log, and it cannot take that directory over");
      }
    }
  } else if (base::FileExists(exports_.log_path() + "/checkpoint")) {
    return base::FailedPreconditionError(
        "the export directory " + exports_.path() +
        " has a transparency log: take it over with the log key that signs it (--log-key)");
  }

  const size_t own_size = log_ ? std::min<size_t>(log_->size(), published.entries.size()) : 0;
  std::vector<wire::LogEntry> appended(
      published.entries.begin() + static_cast<std::ptrdiff_t>(own_size), published.entries.end());
  const bool pending = PendingKeys() > 0;
  std::set<std::string> logged;
  std::vector<std::string> problems;
  int64_t last_logged = -1;
  for (const wire::LogEntry& e : published.entries) {
    if (e.kind != wire::LogEntry::Kind::kBatch) continue;
    logged.insert(e.name);
    last_logged = std::max(last_logged, ParseBatchName(e.name).value_or(-1));
    if (Recorded(e.name)) continue;
    const std::string path = exports_.path() + "/" + e.name;
    const bool present = base::FileExists(path);
    if (static_cast<int64_t>(e.expires) <= now) {
      if (present) wb.Put(FileKey(e.name), "");  // expired: removed below
      continue;
    }
    auto file = base::ReadFile(path, wire::kMaxExportFileSize, e.name);
    if (file.ok() && crypto::Sha256(base::AsBytes(*file)) == e.sha256) {
      base::StatusOr<wire::LogEntry> adopted =
          AdoptBatch(e.name, base::ToBytes(*file), static_cast<int64_t>(e.expires), pending, &wb);
      if (adopted.ok()) continue;
      problems.push_back("batch " + e.name + ": " + adopted.status().message());
      continue;
    }
    problems.push_back("batch " + e.name + " (logged with SHA-256 " + base::HexEncode(e.sha256) +
                       "): " + (file.ok() ? "its file is different" : "its file is missing"));
  }
  if (!problems.empty()) return MissingBatchesError(problems, exports_.path());

  // Batch files the other relay wrote and had not logged (or, without a
  // log, listed): adopted if they are this relay's own exports.
  std::map<std::string, std::string> listed;  // name -> hex SHA-256, from index.sha256
  if (!log_) {
    auto digests = base::ReadFile(exports_.path() + "/index.sha256", size_t{16} << 20);
    std::istringstream lines(digests.ok() ? *digests : std::string());
    for (std::string hex, name; lines >> hex >> name;) listed[name] = hex;
  }
  OPENEN_ASSIGN_OR_RETURN(std::vector<std::string> names, exports_.BatchNames());
  std::vector<wire::LogEntry> adopted_now;
  std::vector<std::string> unknown;
  for (const std::string& name : names) {
    if (logged.count(name) || Recorded(name)) continue;
    unknown.push_back(name);                                     // until adopted
    if (log_ && *ParseBatchName(name) <= last_logged) continue;  // not this log's
    auto file = base::ReadFile(exports_.path() + "/" + name, wire::kMaxExportFileSize, name);
    if (!file.ok()) continue;
    auto parsed = wire::ExportFile::Parse(base::ToBytes(*file));
    const bool signed_here =
        parsed.ok() && (parsed->VerifyWithKey(export_public_key_).ok() ||
                        (options_.next_signing_key &&
                         parsed->VerifyWithKey(options_.next_signing_key->PublicKey()).ok()));
    const auto it = listed.find(name);
    const bool listed_here =
        it != listed.end() && it->second == base::HexEncode(crypto::Sha256(base::AsBytes(*file)));
    if (!signed_here && !listed_here) continue;
    base::StatusOr<wire::LogEntry> entry =
        AdoptBatch(name, base::ToBytes(*file), std::nullopt, pending, &wb);
    if (!entry.ok()) continue;
    adopted_now.push_back(std::move(*entry));
    unknown.pop_back();
  }
  // Refused before anything is adopted: nothing to undo.
  if (!unknown.empty()) return UnknownFilesError(exports_.path(), unknown);
  const int64_t time = adopted_now.empty() ? published.time : now;
  appended.insert(appended.end(), adopted_now.begin(), adopted_now.end());
  if (log_ && !appended.empty()) log_->Append(appended, time, &wb);
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &wb, "take over"));
  if (log_ && !appended.empty()) log_->Appended(appended, time);
  // The witnesses' cosignatures of the checkpoint taken over still hold
  // while the log is the same.
  if (log_ && published.note && log_->size() == published.entries.size()) {
    log_->Cosign(*published.note, options_.witness_keys);
  }
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("relay.takeover.written"));
  purge_.Mark();
  index_stale_ = true;
  server::Log("relay",
              "took over the export directory: %zu log entries and %zu unlogged batches adopted",
              appended.size() - adopted_now.size(), adopted_now.size());
  return base::Status::Ok();
}

base::StatusOr<wire::LogEntry> Relay::AdoptBatch(const std::string& name, base::Bytes file,
                                                 std::optional<int64_t> expires, bool pending,
                                                 rocksdb::WriteBatch* wb) {
  const int64_t t = *ParseBatchName(name);
  const crypto::Sha256Digest digest = crypto::Sha256(file);
  const uint64_t size = file.size();
  OPENEN_ASSIGN_OR_RETURN(wire::ExportFile parsed, wire::ExportFile::Parse(std::move(file)));
  const std::string when = Be64(t);
  int64_t newest_end = 0;
  OPENEN_RETURN_IF_ERROR(parsed.ForEachKey([&](const wire::ExportKey& k) {
    newest_end = std::max(newest_end, KeyEndSeconds(k));
    const std::string index = IndexKey(k.key_data);
    std::string release;
    if (pending && db_->Get({}, index, &release).ok() && release.size() == 8) {
      // This relay holds the key pending (from before the other relay took
      // over): it is released already, so it goes.
      std::string pending_key = TimeKey(kPendingPrefix, ReadBe64(release.data()));
      pending_key.append(reinterpret_cast<const char*>(k.key_data.data()), k.key_data.size());
      wb->Delete(pending_key);
    }
    wb->Put(index, when);
    return base::Status::Ok();
  }));
  wire::LogEntry entry{wire::LogEntry::Kind::kBatch,
                       name,
                       parsed.header().start_timestamp,
                       parsed.header().end_timestamp,
                       parsed.key_count(),
                       static_cast<uint64_t>(expires.value_or(
                           newest_end + options_.retention_days * crypto::kDaySeconds)),
                       digest};
  openen::v1::BatchInfo info;
  info.set_name(name);
  info.set_start_timestamp(entry.start);
  info.set_end_timestamp(entry.end);
  info.set_key_count(static_cast<uint32_t>(entry.keys));
  info.set_size(size);
  info.set_sha256(std::string(base::AsChars(digest)));
  wb->Put(TimeKey(kBatchPrefix, t),
          Be64(static_cast<int64_t>(entry.expires)) + info.SerializeAsString());
  // A batch of the other relay's peer feed stays in the feed: its header
  // says so (a file taken over is one signed by this relay's keys, or
  // listed by its hash in the log or in index.sha256).
  const std::vector<wire::SignatureInfo>& infos = parsed.header().signature_infos;
  if (options_.peer_feed && std::any_of(infos.begin(), infos.end(), [&](const auto& info) {
        return info.verification_key_id == options_.signing_key_id &&
               IsPeerFeedVersion(info.verification_key_version);
      })) {
    wb->Put(TimeKey(kPeerBatchPrefix, t), "");
  }
  return entry;
}

base::Status Relay::WriteIndex() {
  // The log first: a reader that reads the listing, then the checkpoint
  // (as phones do) finds every listed batch in the log.
  if (log_) {
    OPENEN_RETURN_IF_ERROR(log_->Publish(exports_.log_path()));
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
    it->SeekForPrev(TimeKey(kBatchPrefix, INT64_MAX));
    const bool any = it->Valid() && it->key().size() == 9 && it->key()[0] == kBatchPrefix;
    logged_up_to_ = any ? ReadBe64(it->key().data() + 1) : -1;
  }
  std::optional<std::set<std::string>> for_peers;
  if (options_.peer_feed) {
    for_peers.emplace();
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
    const std::string prefix(1, kPeerBatchPrefix);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (it->key().size() == 9) for_peers->insert(BatchFileName(ReadBe64(it->key().data() + 1)));
    }
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "scan the peer feed"));
  }
  OPENEN_RETURN_IF_ERROR(exports_.WriteIndex(ListBatches("", SIZE_MAX), for_peers));
  index_stale_ = false;
  return base::Status::Ok();
}

base::Status Relay::CollectCosignatures() {
  if (!log_ || options_.witness_keys.empty()) return base::Status::Ok();
  const std::string dir = data_dir_ + "/cosignatures";
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    }
    ::closedir(d);
  }
  const size_t before = log_->cosignatures();
  size_t now_kept = before;
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    auto text = base::ReadFile(path, wire::kMaxNoteBytes);
    auto note = text.ok() ? wire::SignedNote::Parse(*text) : text.status();
    auto head = note.ok() ? wire::Checkpoint::Parse(note->text) : note.status();
    if (!head.ok() || head->size < log_->size()) {
      // Damaged, or for a log the relay has outgrown: no use any more.
      if (!head.ok())
        server::Log("relay", "removing cosignatures/%s: %s", name.c_str(),
                    head.status().ToString().c_str());
      OPENEN_RETURN_IF_ERROR(base::RemoveFile(path));
      continue;
    }
    now_kept = log_->Cosign(*note, options_.witness_keys);
  }
  if (now_kept == before) return base::Status::Ok();
  server::Log("relay", "the checkpoint of size %llu now carries %zu witness cosignatures",
              static_cast<unsigned long long>(log_->size()), now_kept);
  return WriteIndex();
}

base::Status Relay::LogAnnouncement(wire::LogEntry::Kind kind,
                                    const openen::v1::SignedEnvelope& envelope) {
  if (!log_) return base::Status::Ok();
  wire::LogEntry entry;
  entry.kind = kind;
  entry.sha256 = crypto::Sha256(base::AsBytes(envelope.SerializeAsString()));
  if (log_->LastDigest(kind) == entry.sha256) return base::Status::Ok();
  rocksdb::WriteBatch wb;
  const int64_t now = clock_->NowSeconds();
  log_->Append({entry}, now, &wb);
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &wb, "log an announcement"));
  log_->Appended({entry}, now);
  index_stale_ = true;
  return WriteIndex();
}

base::Status Relay::CheckBatchFiles() const {
  std::vector<std::string> problems;
  for (const openen::v1::BatchInfo& info : ListBatches("", SIZE_MAX)) {
    if (base::Status s = exports_.CheckBatch(info); !s.ok()) {
      problems.push_back("batch " + info.name() + " (" + std::to_string(info.size()) +
                         " bytes, SHA-256 " + base::HexEncode(base::AsBytes(info.sha256())) +
                         "): " + s.message());
    }
  }
  return problems.empty() ? base::Status::Ok() : MissingBatchesError(problems, exports_.path());
}

}  // namespace openen::relay
