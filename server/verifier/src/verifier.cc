// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/verifier/verifier.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>

#include "openen/base/coding.h"
#include "openen/base/fault.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/server/log.h"
#include "openen/store/db.h"
#include "openen/wire/signed.h"

namespace openen::verifier {
namespace {

// Record layout (version 2), little-endian:
//   code:  'c' || HMAC(code)   -> 2 | test_type | onset u32 | expires i64 | flags |
//                                 sibling HMAC[32]
//   token: 't' || HMAC(token)  -> 2 | test_type | onset u32 | expires i64 | flags
//   index: 'x' || BE64(expires) || 'c'|'t' || HMAC[32] -> ""
// flags: 1 = the person consented to sharing with peers. Version 1 records
// (written before consent existed) lack the flags byte: no consent.
// The index lets Maintain find expired records without scanning them all.
constexpr uint8_t kRecordVersion = 2;
constexpr uint8_t kRecordVersionWithoutFlags = 1;
constexpr uint8_t kShareWithPeers = 1;
constexpr char kCodePrefix = 'c';
constexpr char kTokenPrefix = 't';
constexpr char kIndexPrefix = 'x';
constexpr size_t kHashSize = crypto::kSha256Size;

struct Record {
  openen::v1::ReportType test_type = openen::v1::REPORT_TYPE_UNSPECIFIED;
  uint32_t onset = 0;
  int64_t expires_at = 0;
  crypto::Sha256Digest sibling{};  // codes only: the other code of the pair
  bool has_sibling = false;
  bool share_with_peers = false;
};

std::string RecordKey(char prefix, const crypto::Sha256Digest& hash) {
  std::string k(1, prefix);
  k.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return k;
}

std::string IndexKey(int64_t expires_at, char prefix, const crypto::Sha256Digest& hash) {
  std::string k(1, kIndexPrefix);
  base::PutFixedBE<8>(&k, static_cast<uint64_t>(expires_at));
  k.push_back(prefix);
  k.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return k;
}

std::string EncodeRecord(const Record& r) {
  std::string v;
  v.push_back(static_cast<char>(kRecordVersion));
  v.push_back(static_cast<char>(r.test_type));
  base::PutFixedLE<4>(&v, r.onset);
  base::PutFixedLE<8>(&v, static_cast<uint64_t>(r.expires_at));
  v.push_back(static_cast<char>(r.share_with_peers ? kShareWithPeers : 0));
  if (r.has_sibling) v.append(reinterpret_cast<const char*>(r.sibling.data()), r.sibling.size());
  return v;
}

base::StatusOr<Record> DecodeRecord(std::string_view v) {
  const size_t fixed = !v.empty() && v[0] == kRecordVersionWithoutFlags ? 14 : 15;
  if ((v.size() != fixed && v.size() != fixed + kHashSize) ||
      (v[0] != kRecordVersion && v[0] != kRecordVersionWithoutFlags)) {
    return base::DataLossError("corrupt verifier record (" + std::to_string(v.size()) + " bytes)");
  }
  Record r;
  r.test_type = static_cast<openen::v1::ReportType>(static_cast<uint8_t>(v[1]));
  r.onset = static_cast<uint32_t>(base::GetFixedLE<4>(v.data() + 2));
  r.expires_at = static_cast<int64_t>(base::GetFixedLE<8>(v.data() + 6));
  if (fixed == 15) r.share_with_peers = (static_cast<uint8_t>(v[14]) & kShareWithPeers) != 0;
  if (v.size() == fixed + kHashSize) {
    std::memcpy(r.sibling.data(), v.data() + fixed, kHashSize);
    r.has_sibling = true;
  }
  return r;
}

constexpr size_t kTokenBytes = 32;

crypto::Sha256Digest RandomHash() {
  crypto::Sha256Digest d;
  crypto::RandomBytes(d);
  return d;
}

base::Status InvalidCode() { return base::NotFoundError("invalid or expired code"); }
base::Status InvalidToken() { return base::NotFoundError("invalid or expired token"); }

}  // namespace

std::string NormalizeCode(std::string_view code) {
  std::string out;
  out.reserve(code.size());
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::string GroupForReading(std::string_view code) {
  std::string out;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back(' ');
    out.push_back(code[i]);
  }
  return out;
}

std::string RandomShortCode(int digits) {
  std::string s;
  for (int i = 0; i < digits; ++i) s.push_back(static_cast<char>('0' + crypto::RandomUniform(10)));
  return s;
}

std::string RandomLongCode() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < kLongCodeLength; ++i) s.push_back(kAlphabet[crypto::RandomUniform(36)]);
  return s;
}

base::Status ValidateOptions(const VerifierOptions& o) {
  if (o.issuer.empty() || o.issuer.size() > 64)
    return base::InvalidArgumentError("issuer must be 1..64 bytes");
  if (o.audience.empty() || o.audience.size() > 64) {
    return base::InvalidArgumentError("audience must be 1..64 bytes");
  }
  if (o.short_code_digits < kMinShortCodeDigits || o.short_code_digits > kMaxShortCodeDigits) {
    return base::InvalidArgumentError(
        "short code digits must be " + std::to_string(kMinShortCodeDigits) + ".." +
        std::to_string(kMaxShortCodeDigits) + ", got " + std::to_string(o.short_code_digits));
  }
  if (o.short_code_ttl_seconds <= 0 || o.long_code_ttl_seconds <= 0 || o.token_ttl_seconds <= 0 ||
      o.certificate_ttl_seconds <= 0) {
    return base::InvalidArgumentError("lifetimes must be positive");
  }
  if (o.max_onset_age_days < 0)
    return base::InvalidArgumentError("max onset age must not be negative");
  return base::Status::Ok();
}

store::Schema Verifier::Schema() {
  static constexpr store::RecordKind kKinds[] = {
      {"verifier.code", {&kCodePrefix, 1}},
      {"verifier.token", {&kTokenPrefix, 1}},
      {"verifier.expiry_index", {&kIndexPrefix, 1}},
  };
  static const auto* all =
      new std::vector<store::RecordKind>(store::Join({kKinds, store::ReservedSchema()}));
  return *all;
}

base::StatusOr<std::unique_ptr<Verifier>> Verifier::Open(
    const std::string& data_dir, crypto::Ed25519PrivateKey signing_key, VerifierOptions options,
    const base::Clock* clock, const std::vector<crypto::Ed25519PrivateKey>& previous_signing_keys) {
  OPENEN_RETURN_IF_ERROR(ValidateOptions(options));
  std::vector<const crypto::Ed25519PrivateKey*> keys = {&signing_key};
  for (const auto& k : previous_signing_keys) {
    if (k.PublicKey() == signing_key.PublicKey()) {
      return base::InvalidArgumentError(
          "the previous signing key is the current one: give the key used before the rotation");
    }
    keys.push_back(&k);
  }
  // The online keys must not also switch the system off (DESIGN.md promise 7).
  for (const auto& k : options.decommission_keys) {
    for (const crypto::Ed25519PrivateKey* online : keys) {
      if (k == online->PublicKey()) {
        return base::InvalidArgumentError(
            std::string(online == keys.front() ? "the" : "a previous") +
            " certificate signing key is also given as a decommission key; orders need the "
            "offline key");
      }
    }
  }
  std::vector<crypto::SecretBytes> lookup_keys;
  for (const crypto::Ed25519PrivateKey* k : keys) {
    OPENEN_ASSIGN_OR_RETURN(crypto::SecretBytes lookup_key,
                            crypto::HkdfSha256(k->seed().Reveal(), {},
                                               base::AsBytes("openen verifier lookup key v1"), 32));
    lookup_keys.push_back(std::move(lookup_key));
  }
  OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db, store::OpenPrivateDb(data_dir));
  std::unique_ptr<Verifier> v(new Verifier(std::move(db), data_dir, std::move(signing_key),
                                           std::move(lookup_keys), std::move(options), clock));
  if (base::Status s = v->decommission_.Refresh(); !s.ok()) {
    server::Log("verifier", "ignoring the installed decommission order: %s", s.ToString().c_str());
  }
  return v;
}

Verifier::Verifier(std::unique_ptr<rocksdb::DB> db, const std::string& data_dir,
                   crypto::Ed25519PrivateKey signing_key,
                   std::vector<crypto::SecretBytes> lookup_keys, VerifierOptions options,
                   const base::Clock* clock)
    : db_(std::move(db)),
      signing_key_(std::move(signing_key)),
      lookup_keys_(std::move(lookup_keys)),
      chaff_key_(crypto::Ed25519PrivateKey::Generate()),
      options_(std::move(options)),
      clock_(clock),
      decommission_(data_dir, options_.decommission_keys) {}

Verifier::~Verifier() {
  // What no maintenance pass told yet (the console may have issued codes
  // after the last one) goes to the tally, which outlives the verifier.
  if (options_.tally == nullptr) return;
  for (const auto& [day, counts] : untold_) {
    if (counts.issued + counts.used + counts.expired > 0) options_.tally->AddCounts(day, counts);
  }
}

base::Status Verifier::Health() const {
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  return store::ProbeWrite(db_.get());
}

crypto::Sha256Digest Verifier::Lookup(std::string_view secret) const {
  return crypto::HmacSha256(lookup_keys_.front().Reveal(), base::AsBytes(secret));
}

base::StatusOr<std::optional<crypto::Sha256Digest>> Verifier::Find(char prefix,
                                                                   std::string_view secret,
                                                                   std::string* value) const {
  std::optional<crypto::Sha256Digest> found;
  std::string got_value;
  for (const crypto::SecretBytes& key : lookup_keys_) {
    const crypto::Sha256Digest hash = crypto::HmacSha256(key.Reveal(), base::AsBytes(secret));
    const rocksdb::Status got = db_->Get({}, RecordKey(prefix, hash), &got_value);
    if (got.IsNotFound()) continue;
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(got, "read a code or token"));
    if (!found) {
      found = hash;
      if (value) *value = got_value;
    }
  }
  return found;
}

base::StatusOr<IssuedCodes> Verifier::IssueCode(openen::v1::ReportType test_type, uint32_t onset,
                                                bool share_with_peers) {
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  if (test_type != openen::v1::CONFIRMED_TEST &&
      test_type != openen::v1::CONFIRMED_CLINICAL_DIAGNOSIS &&
      test_type != openen::v1::SELF_REPORT) {
    return base::InvalidArgumentError(
        "test_type must be CONFIRMED_TEST, CONFIRMED_CLINICAL_DIAGNOSIS or SELF_REPORT");
  }
  const int64_t now = clock_->NowSeconds();
  if (onset != 0) {
    const uint32_t today = crypto::RollingStart(crypto::EnIntervalNumber(now));
    const uint32_t oldest =
        today - std::min<uint32_t>(today, options_.max_onset_age_days * crypto::kTekRollingPeriod);
    if (onset % crypto::kTekRollingPeriod != 0) {
      return base::InvalidArgumentError("symptom_onset_interval " + std::to_string(onset) +
                                        " is not the start of a day (a multiple of 144)");
    }
    if (onset > today) {
      return base::InvalidArgumentError("symptom_onset_interval " + std::to_string(onset) +
                                        " is in the future");
    }
    if (onset < oldest) {
      return base::InvalidArgumentError("symptom_onset_interval " + std::to_string(onset) +
                                        " is more than " +
                                        std::to_string(options_.max_onset_age_days) + " days ago");
    }
  }

  std::lock_guard<std::mutex> lock(mu_);
  if (decommissioned())
    return base::FailedPreconditionError("decommissioned");  // again, under the lock
  IssuedCodes out;
  crypto::Sha256Digest short_hash, long_hash;
  // Draw until neither code collides with a live one (1 in 10^digits / live codes).
  for (int attempt = 0;; ++attempt) {
    if (attempt == 100) return base::ResourceExhaustedError("cannot find an unused code");
    out.short_code = RandomShortCode(options_.short_code_digits);
    out.long_code = RandomLongCode();
    short_hash = Lookup(out.short_code);
    long_hash = Lookup(out.long_code);
    // Live under any key: a code issued before a rotation is live too.
    OPENEN_ASSIGN_OR_RETURN(auto short_taken, Find(kCodePrefix, out.short_code, nullptr));
    OPENEN_ASSIGN_OR_RETURN(auto long_taken, Find(kCodePrefix, out.long_code, nullptr));
    if (!short_taken && !long_taken) break;
  }
  out.short_code_expires_at = now + options_.short_code_ttl_seconds;
  out.long_code_expires_at = now + options_.long_code_ttl_seconds;

  Record short_record{test_type, onset, out.short_code_expires_at,
                      long_hash, true,  share_with_peers};
  Record long_record{test_type,  onset, out.long_code_expires_at,
                     short_hash, true,  share_with_peers};
  out.share_with_peers = short_record.share_with_peers;
  rocksdb::WriteBatch batch;
  batch.Put(RecordKey(kCodePrefix, short_hash), EncodeRecord(short_record));
  batch.Put(IndexKey(short_record.expires_at, kCodePrefix, short_hash), "");
  batch.Put(RecordKey(kCodePrefix, long_hash), EncodeRecord(long_record));
  batch.Put(IndexKey(long_record.expires_at, kCodePrefix, long_hash), "");
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "store code"));
  // A crash before the reply leaves codes nobody was given; they expire.
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("verifier.issue.stored"));
  server::Count(options_.metrics, "codes_issued_total", "code pairs issued");
  ++CountsOf(now).issued;
  return out;
}

base::StatusOr<IssuedToken> Verifier::ExchangeCode(std::string_view code) {
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  const int64_t now = clock_->NowSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  if (decommissioned())
    return base::FailedPreconditionError("decommissioned");  // again, under the lock
  std::string value;
  OPENEN_ASSIGN_OR_RETURN(std::optional<crypto::Sha256Digest> found,
                          Find(kCodePrefix, NormalizeCode(code), &value));
  if (!found) {
    ++wrong_codes_;
    server::Count(options_.metrics, "wrong_codes_total",
                  "exchanges of a wrong, used or expired code (guessing shows here)");
    return InvalidCode();
  }
  const crypto::Sha256Digest hash = *found;
  OPENEN_ASSIGN_OR_RETURN(Record code_record, DecodeRecord(value));
  if (now >= code_record.expires_at) {
    ++wrong_codes_;
    server::Count(options_.metrics, "wrong_codes_total",
                  "exchanges of a wrong, used or expired code (guessing shows here)");
    return InvalidCode();  // Maintain deletes it
  }

  IssuedToken token;
  base::Bytes raw(kTokenBytes);
  crypto::RandomBytes(raw);
  token.token = base::HexEncode(raw);
  token.expires_at = now + options_.token_ttl_seconds;
  token.test_type = code_record.test_type;
  token.symptom_onset_interval = code_record.onset;
  token.share_with_peers = code_record.share_with_peers;
  const crypto::Sha256Digest token_hash = Lookup(token.token);

  // Burn the code and its sibling, store the token: one synced batch.
  // ChaffToken mirrors every step below.
  rocksdb::WriteBatch batch;
  batch.Delete(RecordKey(kCodePrefix, hash));
  batch.Delete(IndexKey(code_record.expires_at, kCodePrefix, hash));
  std::string sibling_value;
  if (db_->Get({}, RecordKey(kCodePrefix, code_record.sibling), &sibling_value).ok()) {
    auto sibling = DecodeRecord(sibling_value);
    batch.Delete(RecordKey(kCodePrefix, code_record.sibling));
    if (sibling.ok()) batch.Delete(IndexKey(sibling->expires_at, kCodePrefix, code_record.sibling));
  }
  Record token_record{token.test_type, token.symptom_onset_interval, token.expires_at, {},
                      false,           token.share_with_peers};
  batch.Put(RecordKey(kTokenPrefix, token_hash), EncodeRecord(token_record));
  batch.Put(IndexKey(token.expires_at, kTokenPrefix, token_hash), "");
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "burn code"));
  purge_.Mark();
  // The code is burnt before the token leaves: a crash before the reply
  // costs the person a new code, and never lets one code count twice.
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("verifier.exchange.burned"));
  server::Count(options_.metrics, "codes_used_total", "codes exchanged for a token");
  ++CountsOf(now).used;
  return token;
}

base::StatusOr<openen::v1::SignedEnvelope> Verifier::Certify(std::string_view token,
                                                             base::ByteView key_hmac) {
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  if (key_hmac.size() != crypto::kSha256Size) {
    return base::InvalidArgumentError("key_hmac is " + std::to_string(key_hmac.size()) +
                                      " bytes, want 32");
  }
  const int64_t now = clock_->NowSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  if (decommissioned())
    return base::FailedPreconditionError("decommissioned");  // again, under the lock
  std::string value;
  OPENEN_ASSIGN_OR_RETURN(std::optional<crypto::Sha256Digest> found,
                          Find(kTokenPrefix, token, &value));
  if (!found) return InvalidToken();
  const crypto::Sha256Digest hash = *found;
  OPENEN_ASSIGN_OR_RETURN(Record record, DecodeRecord(value));
  if (now >= record.expires_at) return InvalidToken();

  // ChaffCertificate mirrors every step below.
  rocksdb::WriteBatch batch;
  batch.Delete(RecordKey(kTokenPrefix, hash));
  batch.Delete(IndexKey(record.expires_at, kTokenPrefix, hash));
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "burn token"));
  purge_.Mark();
  // Burnt (synced) before the certificate is signed: a crash from here on
  // loses this certificate and never yields a second one.
  OPENEN_RETURN_IF_ERROR(base::FaultPoint("verifier.certify.burned"));

  openen::v1::Certificate cert;
  cert.set_report_type(record.test_type);
  cert.set_symptom_onset_interval(record.onset);
  cert.set_share_with_peers(record.share_with_peers);
  cert.set_key_hmac(std::string(base::AsChars(key_hmac)));
  cert.set_issuer(options_.issuer);
  cert.set_audience(options_.audience);
  cert.set_expires_at(now + options_.certificate_ttl_seconds);
  base::Bytes nonce(16);
  crypto::RandomBytes(nonce);
  cert.set_nonce(std::string(base::AsChars(nonce)));
  server::Count(options_.metrics, "certificates_total", "certificates signed");
  return wire::SignEnvelope(wire::kCertificateContext, cert, signing_key_);
}

IssuedToken Verifier::MakeChaffToken(int64_t now) const {
  IssuedToken t;
  base::Bytes raw(kTokenBytes);
  crypto::RandomBytes(raw);
  t.token = base::HexEncode(raw);
  t.expires_at = now + options_.token_ttl_seconds;
  t.test_type = openen::v1::CONFIRMED_TEST;
  return t;
}

openen::v1::SignedEnvelope Verifier::MakeChaffCertificate(int64_t now) const {
  openen::v1::Certificate cert;
  cert.set_report_type(openen::v1::CONFIRMED_TEST);
  // A random HMAC of the real one's size: a chaff certificate repeats
  // nothing the phone sent.
  base::Bytes random_hmac(crypto::kSha256Size);
  crypto::RandomBytes(random_hmac);
  cert.set_key_hmac(std::string(base::AsChars(random_hmac)));
  cert.set_issuer(options_.issuer);
  cert.set_audience(options_.audience);
  cert.set_expires_at(now + options_.certificate_ttl_seconds);
  base::Bytes nonce(16);
  crypto::RandomBytes(nonce);
  cert.set_nonce(std::string(base::AsChars(nonce)));
  // Signed (the same work) by a key nobody trusts, named as the real one.
  openen::v1::SignedEnvelope env = wire::SignEnvelope(wire::kCertificateContext, cert, chaff_key_);
  env.set_signer_public_key(std::string(base::AsChars(signing_key_.PublicKey().bytes())));
  return env;
}

base::StatusOr<IssuedToken> Verifier::ChaffTokenReply() const {
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  return MakeChaffToken(clock_->NowSeconds());
}

base::StatusOr<openen::v1::SignedEnvelope> Verifier::ChaffCertificateReply(
    base::ByteView key_hmac) const {
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  if (key_hmac.size() != crypto::kSha256Size) {
    return base::InvalidArgumentError("key_hmac is " + std::to_string(key_hmac.size()) +
                                      " bytes, want 32");
  }
  return MakeChaffCertificate(clock_->NowSeconds());
}

base::StatusOr<IssuedToken> Verifier::ChaffToken(std::string_view code) {
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  const int64_t now = clock_->NowSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  // The lookups of a real exchange: the code, then its sibling. Whatever they
  // find is left alone (a chaff code that hits a live one burns nothing).
  std::string ignored;
  OPENEN_RETURN_IF_ERROR(Find(kCodePrefix, NormalizeCode(code), &ignored).status());
  db_->Get({}, RecordKey(kCodePrefix, RandomHash()), &ignored).PermitUncheckedError();

  const IssuedToken t = MakeChaffToken(now);
  const crypto::Sha256Digest token_hash = Lookup(t.token);

  // The real batch's shape on keys that name nothing (random hashes), and
  // the token written and deleted in the same batch: nothing is kept.
  rocksdb::WriteBatch batch;
  for (int i = 0; i < 2; ++i) {
    const crypto::Sha256Digest h = RandomHash();
    batch.Delete(RecordKey(kCodePrefix, h));
    batch.Delete(IndexKey(now + options_.short_code_ttl_seconds, kCodePrefix, h));
  }
  Record token_record{t.test_type, 0, t.expires_at, {}, false};
  store::PutTransient(&batch, RecordKey(kTokenPrefix, token_hash), EncodeRecord(token_record));
  store::PutTransient(&batch, IndexKey(t.expires_at, kTokenPrefix, token_hash), "");
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "chaff"));
  purge_.Mark();
  return t;
}

base::StatusOr<openen::v1::SignedEnvelope> Verifier::ChaffCertificate(std::string_view token,
                                                                      base::ByteView key_hmac) {
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  if (key_hmac.size() != crypto::kSha256Size) {
    return base::InvalidArgumentError("key_hmac is " + std::to_string(key_hmac.size()) +
                                      " bytes, want 32");
  }
  const int64_t now = clock_->NowSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  if (decommissioned()) return base::FailedPreconditionError("decommissioned");
  std::string ignored;
  OPENEN_RETURN_IF_ERROR(Find(kTokenPrefix, token, &ignored).status());

  rocksdb::WriteBatch batch;
  const crypto::Sha256Digest h = RandomHash();
  batch.Delete(RecordKey(kTokenPrefix, h));
  batch.Delete(IndexKey(now + options_.token_ttl_seconds, kTokenPrefix, h));
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "chaff"));
  purge_.Mark();

  return MakeChaffCertificate(now);
}

base::StatusOr<size_t> Verifier::Maintain() {
  const int64_t now = clock_->NowSeconds();
  size_t expired = 0;
  uint32_t pairs_expired = 0;
  std::map<int64_t, CodeCounts> untold;
  if (base::Status s = decommission_.Refresh(); !s.ok()) {
    // A damaged order file must not stop expiry.
    server::Log("verifier", "ignoring the installed decommission order: %s", s.ToString().c_str());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (decommission_.EffectiveAt(now) && !decommission_applied_) {
      rocksdb::WriteBatch all;
      store::DeleteEverything(&all);
      // The order stays installed (synced when installed): a crash after
      // this write, or before it, is finished by the next pass after a
      // restart, and until then every request is refused.
      OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &all, "decommission"));
      OPENEN_RETURN_IF_ERROR(base::FaultPoint("verifier.decommission.erased"));
      decommission_applied_ = true;
      purge_.Mark();
      server::Log("verifier", "decommissioned: deleted every code and token");
    }
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
    const std::string end = IndexKey(now + 1, '\0', crypto::Sha256Digest{});
    for (it->Seek(std::string(1, kIndexPrefix)); it->Valid() && it->key().compare(end) < 0;
         it->Next()) {
      rocksdb::Slice k = it->key();
      if (k.size() != 1 + 8 + 1 + kHashSize) continue;
      char kind = k[9];
      crypto::Sha256Digest hash;
      std::memcpy(hash.data(), k.data() + 10, kHashSize);
      if (kind == kCodePrefix && LastOfPair(hash, now)) ++pairs_expired;
      batch.Delete(k);
      batch.Delete(RecordKey(kind, hash));
      ++expired;
    }
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(it->status(), "scan expiry index"));
    if (expired > 0) {
      OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "expire"));
      purge_.Mark();
      CountsOf(now).expired += pairs_expired;  // only once they are gone
    }
    untold.swap(untold_);
    // Today's entry exists before the day's first code: counting one is an
    // increment, never an allocation that chaff would not make.
    untold_[now / crypto::kDaySeconds];
  }
  if (options_.tally != nullptr) {
    for (const auto& [day, counts] : untold) {
      if (counts.issued + counts.used + counts.expired > 0) options_.tally->AddCounts(day, counts);
    }
  }
  OPENEN_RETURN_IF_ERROR(purge_.RunIfDue(db_.get()));
  if (expired > 0) server::Log("verifier", "expired %zu codes and tokens", expired);
  server::Count(options_.metrics, "records_expired_total", "codes and tokens deleted unused", {},
                static_cast<double>(expired));
  const uint64_t wrong = wrong_codes_.load();
  uint64_t wrong_since = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wrong_since = wrong - wrong_codes_logged_;
    wrong_codes_logged_ = wrong;
  }
  if (wrong_since > 0) {
    server::Log("verifier",
                "%llu wrong codes since the last maintenance (none refused a valid code)",
                static_cast<unsigned long long>(wrong_since));
  }
  return expired;
}

bool Verifier::LastOfPair(const crypto::Sha256Digest& hash, int64_t now) const {
  std::string value, sibling_value;
  if (!db_->Get({}, RecordKey(kCodePrefix, hash), &value).ok()) return false;
  const base::StatusOr<Record> record = DecodeRecord(value);
  if (!record.ok()) return false;
  if (!db_->Get({}, RecordKey(kCodePrefix, record->sibling), &sibling_value).ok()) return true;
  const base::StatusOr<Record> sibling = DecodeRecord(sibling_value);
  // Both expiring in this pass: the pair counts once, for the greater hash.
  return sibling.ok() && now >= sibling->expires_at && record->sibling < hash;
}

CodeCounts& Verifier::CountsOf(int64_t now) { return untold_[now / crypto::kDaySeconds]; }

size_t Verifier::LiveRecords() const {
  size_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    char p = it->key()[0];
    if (p == kCodePrefix || p == kTokenPrefix) ++n;
  }
  return n;
}

}  // namespace openen::verifier
