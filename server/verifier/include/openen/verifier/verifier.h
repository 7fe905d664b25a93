// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Verifier: the health authority's one-time codes, tokens and key-bound
// certificates, independent of gRPC.
//
// A contact tracer issues a code pair to a diagnosed person (a short code to
// read out, a long code to send as a link). The person's app exchanges either
// code, once, for a token, and the token, once, for a certificate binding the
// TEK HMAC of the keys it will publish. The verifier knows the person but
// never sees keys; it stores no name, phone number or address, only keyed
// hashes of live codes and tokens, deleted when used or expired.

#ifndef OPENEN_VERIFIER_VERIFIER_H_
#define OPENEN_VERIFIER_VERIFIER_H_

#include <rocksdb/db.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "openen/base/bytes.h"
#include "openen/base/clock.h"
#include "openen/base/status.h"
#include "openen/crypto/ed25519.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/secret.h"
#include "openen/server/decommission.h"
#include "openen/server/metrics.h"
#include "openen/store/db.h"
#include "openen/store/schema.h"
#include "openen/v1/signed.pb.h"
#include "openen/v1/verification.pb.h"

namespace openen::verifier {

// The verifier's code pairs on one UTC day: issued, used (a code exchanged
// for a token) and expired unused (counted once, when the pair's last code
// expires).
struct CodeCounts {
  uint32_t issued = 0;
  uint32_t used = 0;
  uint32_t expired = 0;
};

// CodeTally hears how many code pairs the verifier issued, saw used and saw
// expire per UTC day (for the authority's daily totals:
// openen::console::Staff keeps them). Never which code: nothing a tally
// hears links a code to the upload it certified. The verifier counts in
// memory as it goes (an increment, so that a real exchange costs what chaff
// costs) and tells the tally in Maintain, outside its lock: a crash loses
// at most the counts since the last maintenance.
class CodeTally {
 public:
  virtual ~CodeTally() = default;
  // |day| is days since 1970-01-01.
  virtual void AddCounts(int64_t day, const CodeCounts& counts) = 0;
};

struct VerifierOptions {
  // Where the verifier counts for its operator (codes issued, used, wrong,
  // expired; certificates); null: nowhere. Not owned; outlives the verifier.
  server::Metrics* metrics = nullptr;
  // Where the verifier tells its code pairs' fate; null: nowhere. Not owned;
  // outlives the verifier.
  CodeTally* tally = nullptr;
  std::string issuer = "openen-verifier";
  std::string audience = "openen-relay";
  // Digits of the short code read out by a contact tracer (12..20; shown in
  // groups of 4). With no lockout, guessing is bounded by the code space
  // alone: see docs/verifier.md for the numbers behind the default.
  int short_code_digits = 16;
  int64_t short_code_ttl_seconds = 15 * 60;
  int64_t long_code_ttl_seconds = 24 * 3600;
  int64_t token_ttl_seconds = 24 * 3600;
  int64_t certificate_ttl_seconds = 15 * 60;
  // Symptom onset may be at most this many days before the day of issue.
  int max_onset_age_days = 28;
  // The authority's offline keys whose decommission orders count; never the
  // verifier's own (online) signing key, which Open refuses here. Empty: no
  // order is ever accepted.
  std::vector<crypto::Ed25519PublicKey> decommission_keys;
};

// Validate checks option ranges (issuer and audience 1..64 bytes, 12..20
// digits, positive lifetimes).
base::Status ValidateOptions(const VerifierOptions& options);

// The long code: kLongCodeLength characters from [a-z0-9], 25 * log2(36) =
// 129.2 bits, so that guessing one is hopeless at any rate.
inline constexpr int kLongCodeLength = 25;
inline constexpr int kMinShortCodeDigits = 12;
inline constexpr int kMaxShortCodeDigits = 20;

// NormalizeCode returns |code| as stored: spaces and dashes removed and ASCII
// letters lowercased, so that "1234 5678-9012 3456" and a pasted long code in
// capitals are the codes they name. Everything else is kept (and fails).
std::string NormalizeCode(std::string_view code);

// GroupForReading returns |code| in groups of 4 separated by spaces
// ("1234 5678 9012 3456"): how a contact tracer reads a short code out.
std::string GroupForReading(std::string_view code);

// RandomShortCode and RandomLongCode draw codes of the issued formats
// (digits, and kLongCodeLength characters of [a-z0-9]) uniformly.
std::string RandomShortCode(int digits);
std::string RandomLongCode();

struct IssuedCodes {
  std::string short_code;
  std::string long_code;
  int64_t short_code_expires_at = 0;
  int64_t long_code_expires_at = 0;
  bool share_with_peers = false;  // as stored with the codes
};

struct IssuedToken {
  std::string token;
  int64_t expires_at = 0;
  openen::v1::ReportType test_type = openen::v1::REPORT_TYPE_UNSPECIFIED;
  uint32_t symptom_onset_interval = 0;
  bool share_with_peers = false;
};

class Verifier {
 public:
  // Open opens (creating) the store in |data_dir|. Codes and tokens are
  // stored under HMAC-SHA256 with a key derived from |signing_key|, which
  // lives outside the data directory: a copy of the directory alone cannot
  // be searched for a short code. |previous_signing_keys| are the keys it
  // signed with before a rotation: nothing is signed with them, but codes
  // and tokens stored under them are found (every lookup tries every key,
  // so a code's age does not show in the time it takes) until they expire.
  // INVALID_ARGUMENT when a key is also among options.decommission_keys, or
  // a previous key is the current one.
  static base::StatusOr<std::unique_ptr<Verifier>> Open(
      const std::string& data_dir, crypto::Ed25519PrivateKey signing_key, VerifierOptions options,
      const base::Clock* clock,
      const std::vector<crypto::Ed25519PrivateKey>& previous_signing_keys = {});
  ~Verifier();

  // Schema lists every kind of record the verifier's store holds (with the
  // store library's, store/schema.h).
  static store::Schema Schema();

  const crypto::Ed25519PublicKey& public_key() const { return signing_key_.PublicKey(); }

  // IssueCode stores a new short/long code pair. INVALID_ARGUMENT for an
  // unspecified test type or an onset that is not the start of a day, in the
  // future, or older than max_onset_age_days. Durable when it returns.
  // |share_with_peers| (the person's consent to federation) goes with the
  // pair into the token and the certificate.
  base::StatusOr<IssuedCodes> IssueCode(openen::v1::ReportType test_type,
                                        uint32_t symptom_onset_interval,
                                        bool share_with_peers = false);

  // ExchangeCode burns a valid code (and its sibling) and stores a token.
  // |code| is normalized first (NormalizeCode). Wrong, used and expired codes
  // all return NOT_FOUND "invalid or expired code" and are counted
  // (WrongCodes()); there is no lockout: a valid code is never refused
  // because others guessed (the code space bounds guessing instead).
  base::StatusOr<IssuedToken> ExchangeCode(std::string_view code);

  // Certify burns a token and returns a signed certificate for |key_hmac|
  // (32 bytes, else INVALID_ARGUMENT, without burning the token). Wrong,
  // used and expired tokens return NOT_FOUND "invalid or expired token".
  base::StatusOr<openen::v1::SignedEnvelope> Certify(std::string_view token,
                                                     base::ByteView key_hmac);

  // Chaff answers: the same shapes and sizes as real ones, valid nowhere.
  // Each takes the path of a successful real call: the same checks (and
  // errors), the same lock, the same lookups of |code| or |token|, a synced
  // write of the same shape that leaves nothing behind, and for the
  // certificate an Ed25519 signature, made with a throwaway key so that it
  // verifies under no key.
  base::StatusOr<IssuedToken> ChaffToken(std::string_view code);
  base::StatusOr<openen::v1::SignedEnvelope> ChaffCertificate(std::string_view token,
                                                              base::ByteView key_hmac);

  // The same chaff answers made without the lock, the lookups or the write
  // (the signature is still made): for chaff the server has no room for
  // (server/dispatcher.h).
  base::StatusOr<IssuedToken> ChaffTokenReply() const;
  base::StatusOr<openen::v1::SignedEnvelope> ChaffCertificateReply(base::ByteView key_hmac) const;

  // Maintain deletes expired codes and tokens, then, if anything was deleted
  // since the last call, makes the deletions physical (store::PurgeDeleted).
  // Returns how many records expired. Call periodically, off request paths.
  base::StatusOr<size_t> Maintain();

  // Health is OK while the verifier can issue and exchange codes:
  // FAILED_PRECONDITION "decommissioned" from the order's time, UNAVAILABLE
  // when its store cannot be written (store::ProbeWrite).
  base::Status Health() const;

  // LiveRecords counts stored codes and tokens (for tests and monitoring).
  size_t LiveRecords() const;

  // WrongCodes counts exchanges of wrong, used or expired codes since Open
  // (for monitoring a guessing attack; it never refuses anything).
  uint64_t WrongCodes() const { return wrong_codes_.load(); }

  // From the effective time of an installed decommission order signed by one
  // of options.decommission_keys (see server::DecommissionState) every call
  // fails with FAILED_PRECONDITION
  // "decommissioned", and Maintain deletes every code and token.
  bool decommissioned() const { return decommission_.EffectiveAt(clock_->NowSeconds()); }

 private:
  // The chaff answers' contents: a random token; a certificate of random
  // HMAC signed by the throwaway key.
  IssuedToken MakeChaffToken(int64_t now) const;
  openen::v1::SignedEnvelope MakeChaffCertificate(int64_t now) const;

  Verifier(std::unique_ptr<rocksdb::DB> db, const std::string& data_dir,
           crypto::Ed25519PrivateKey signing_key, std::vector<crypto::SecretBytes> lookup_keys,
           VerifierOptions options, const base::Clock* clock);

  // LastOfPair: the code stored under |hash|, expiring at |now|, is the
  // last of its pair to go, unused (its sibling is gone, or goes with it).
  // Under mu_.
  bool LastOfPair(const crypto::Sha256Digest& hash, int64_t now) const;
  // CountsOf is the untold counts of the day of |now|. Under mu_.
  CodeCounts& CountsOf(int64_t now);

  // Lookup is the hash a new code or token is stored under (the current key).
  crypto::Sha256Digest Lookup(std::string_view secret) const;
  // Find looks |secret| up under every lookup key (all of them, always):
  // the hash it is stored under and its record in |value|, or nothing.
  base::StatusOr<std::optional<crypto::Sha256Digest>> Find(char prefix, std::string_view secret,
                                                           std::string* value) const;

  std::unique_ptr<rocksdb::DB> db_;
  const crypto::Ed25519PrivateKey signing_key_;
  // The current key's first, then the previous keys'.
  const std::vector<crypto::SecretBytes> lookup_keys_;
  const crypto::Ed25519PrivateKey chaff_key_;  // throwaway: signs chaff certificates
  const VerifierOptions options_;
  const base::Clock* clock_;

  mutable std::mutex mu_;  // serialises read-check-delete of codes and tokens
  std::atomic<uint64_t> wrong_codes_{0};
  uint64_t wrong_codes_logged_ = 0;  // guarded by mu_
  store::PendingPurge purge_;        // deletions that Maintain makes physical
  std::map<int64_t, CodeCounts> untold_;  // per day, for options_.tally; guarded by mu_
  server::DecommissionState decommission_;
  bool decommission_applied_ = false;  // guarded by mu_
};

}  // namespace openen::verifier

#endif  // OPENEN_VERIFIER_VERIFIER_H_
