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

#ifndef OPENEN_SERVER_VERIFIER_VERIFIER_H_
#define OPENEN_SERVER_VERIFIER_VERIFIER_H_

#include <rocksdb/db.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/decommission.h"
#include "openen/crypto/bytes.h"
#include "openen/crypto/ed25519.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/secret.h"
#include "openen/crypto/status.h"
#include "openen/v1/signed.pb.h"
#include "openen/v1/verification.pb.h"

namespace openen::verifier {

struct VerifierOptions {
  std::string issuer = "openen-verifier";
  std::string audience = "openen-relay";
  int short_code_digits = 8;
  int64_t short_code_ttl_seconds = 15 * 60;
  int64_t long_code_ttl_seconds = 24 * 3600;
  int64_t token_ttl_seconds = 24 * 3600;
  int64_t certificate_ttl_seconds = 15 * 60;
  // Symptom onset may be at most this many days before the day of issue.
  int max_onset_age_days = 28;
  // Wrong codes allowed per minute across all callers (a token bucket with
  // this capacity, refilled evenly). Past it every exchange is refused with
  // RESOURCE_EXHAUSTED until it refills: brute force is bounded at the price
  // of a temporary refusal for everyone, and no caller address is kept.
  int max_failed_exchanges_per_minute = 60;
  // Keys whose decommission orders count, besides the verifier's own.
  std::vector<crypto::Ed25519PublicKey> decommission_keys;
};

// Validate checks option ranges (issuer and audience 1..64 bytes, 6..10
// digits, positive lifetimes).
Status ValidateOptions(const VerifierOptions& options);

struct IssuedCodes {
  std::string short_code;
  std::string long_code;
  int64_t short_code_expires_at = 0;
  int64_t long_code_expires_at = 0;
};

struct IssuedToken {
  std::string token;
  int64_t expires_at = 0;
  openen::v1::ReportType test_type = openen::v1::REPORT_TYPE_UNSPECIFIED;
  uint32_t symptom_onset_interval = 0;
};

class Verifier {
 public:
  // Open opens (creating) the store in |data_dir|. Codes and tokens are
  // stored under HMAC-SHA256 with a key derived from |signing_key|, which
  // lives outside the data directory: a copy of the directory alone cannot
  // be searched for an 8-digit code.
  static StatusOr<std::unique_ptr<Verifier>> Open(const std::string& data_dir,
                                                  crypto::Ed25519PrivateKey signing_key,
                                                  VerifierOptions options,
                                                  const server::Clock* clock);
  ~Verifier();

  const crypto::Ed25519PublicKey& public_key() const { return signing_key_.PublicKey(); }

  // IssueCode stores a new short/long code pair. INVALID_ARGUMENT for an
  // unspecified test type or an onset that is not the start of a day, in the
  // future, or older than max_onset_age_days. Durable when it returns.
  StatusOr<IssuedCodes> IssueCode(openen::v1::ReportType test_type,
                                  uint32_t symptom_onset_interval);

  // ExchangeCode burns a valid code (and its sibling) and stores a token.
  // Wrong, used and expired codes all return NOT_FOUND "invalid or expired
  // code"; RESOURCE_EXHAUSTED while the failure budget is spent.
  StatusOr<IssuedToken> ExchangeCode(std::string_view code);

  // Certify burns a token and returns a signed certificate for |key_hmac|
  // (32 bytes, else INVALID_ARGUMENT, without burning the token). Wrong,
  // used and expired tokens return NOT_FOUND "invalid or expired token".
  StatusOr<openen::v1::SignedEnvelope> Certify(std::string_view token, ByteView key_hmac);

  // Chaff answers: the same shapes and sizes as real ones, valid nowhere,
  // after a synced write of nothing (a real answer's latency includes one).
  StatusOr<IssuedToken> ChaffToken();
  StatusOr<openen::v1::SignedEnvelope> ChaffCertificate();

  // Maintain deletes expired codes and tokens, then, if anything was deleted
  // since the last call, makes the deletions physical (store::PurgeDeleted).
  // Returns how many records expired. Call periodically, off request paths.
  StatusOr<size_t> Maintain();

  // LiveRecords counts stored codes and tokens (for tests and monitoring).
  size_t LiveRecords() const;

  // From the effective time of an installed decommission order (see
  // server::DecommissionState) every call fails with FAILED_PRECONDITION
  // "decommissioned", and Maintain deletes every code and token.
  bool decommissioned() const { return decommission_.EffectiveAt(clock_->NowSeconds()); }

 private:
  Verifier(std::unique_ptr<rocksdb::DB> db, const std::string& data_dir, crypto::Ed25519PrivateKey signing_key,
           crypto::SecretBytes lookup_key, VerifierOptions options, const server::Clock* clock);

  crypto::Sha256Digest Lookup(std::string_view secret) const;
  bool TakeFailureBudget(int64_t now);  // false when spent; requires mu_
  bool FailureBudgetSpent(int64_t now);
  Status SyncedNothing();

  std::unique_ptr<rocksdb::DB> db_;
  const crypto::Ed25519PrivateKey signing_key_;
  const crypto::SecretBytes lookup_key_;
  const VerifierOptions options_;
  const server::Clock* clock_;

  mutable std::mutex mu_;  // serialises read-check-delete of codes and tokens
  double failure_tokens_;
  int64_t failure_refilled_at_;
  bool deleted_since_purge_ = false;
  server::DecommissionState decommission_;
  bool decommission_applied_ = false;  // guarded by mu_
};

}  // namespace openen::verifier

#endif  // OPENEN_SERVER_VERIFIER_VERIFIER_H_
