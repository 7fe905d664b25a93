// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Staff: the console's accounts, in a RocksDB directory of their own
// (--staff-dir), apart from the verifier's short-lived codes: who may log in,
// as a case worker or an admin, with which password (Argon2id, libsodium) and
// second factor (TOTP), how many codes each may issue a day, and how many
// each issued per day (kept StaffOptions::statistics_days). Nothing about the
// people codes are issued for: the console never asks.

#ifndef OPENEN_CONSOLE_STAFF_H_
#define OPENEN_CONSOLE_STAFF_H_

#include <rocksdb/db.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "openen/base/clock.h"
#include "openen/base/status.h"
#include "openen/crypto/secret.h"
#include "openen/store/db.h"
#include "openen/store/schema.h"
#include "openen/verifier/verifier.h"

namespace openen::console {

enum class Role { kCaseWorker, kAdmin };

// RoleName is "caseworker" or "admin"; ParseRole reads them back
// (INVALID_ARGUMENT for anything else).
std::string_view RoleName(Role role);
base::StatusOr<Role> ParseRole(std::string_view name);

// A staff member as the console shows them (no secret).
struct StaffMember {
  std::string name;
  Role role = Role::kCaseWorker;
  bool disabled = false;
  uint32_t daily_limit = 0;  // codes per UTC day
  int64_t created_at = 0;
  int64_t locked_until = 0;  // 0, or when a lock after failed logins ends
  uint32_t wrong_passwords = 0;  // since the last login
  bool must_change_password = false;  // set by an admin: choose one's own first
};

// An integration as the console shows it (never its key).
struct Integration {
  std::string name;
  bool disabled = false;
  uint32_t daily_limit = 0;  // codes per UTC day
  int64_t created_at = 0;
};

// Codes one member (or integration) issued on one UTC day.
struct DailyIssued {
  int64_t day = 0;  // days since 1970-01-01
  std::string name;
  bool integration = false;
  uint32_t codes = 0;
};

// The verifier's code pairs on one UTC day: issued (by anyone), used (a code
// exchanged for a token) and expired unused.
struct DailyTotals {
  int64_t day = 0;
  uint32_t issued = 0;
  uint32_t used = 0;
  uint32_t expired = 0;
};

struct StaffOptions {
  // Argon2id's cost per password (libsodium's crypto_pwhash_str): passes and
  // bytes. The defaults are libsodium's "interactive" ones (2 passes,
  // 64 MiB): about 0.1 s a login on one core. Hashes keep their own cost, so
  // changing it applies to passwords set afterwards.
  uint64_t password_passes = 2;
  size_t password_bytes = 64u << 20;
  // Wrong one-time passwords after the right password, in a row, that lock
  // an account, and for how long.
  int max_failures = 5;
  int64_t lockout_seconds = 15 * 60;
  // Days the per-member daily counts are kept.
  int statistics_days = 90;
};

// The rules for names and passwords (docs/console.md, Accounts).
inline constexpr size_t kMaxNameBytes = 64;
inline constexpr size_t kMinPasswordBytes = 12;
inline constexpr size_t kMaxPasswordBytes = 128;
inline constexpr uint32_t kMaxDailyLimit = 100000;
// Integrations are few (a lab, a case system): each API key check looks at
// all of them, so that its time does not depend on which key matched.
inline constexpr size_t kMaxIntegrations = 64;

// ValidName: 1..kMaxNameBytes of [a-z0-9._@-], starting with a letter or digit.
bool ValidName(std::string_view name);

// Staff also keeps the verifier's daily totals (as its verifier::CodeTally).
class Staff : public verifier::CodeTally {
 public:
  // Open opens (creating) the store in |dir|.
  static base::StatusOr<std::unique_ptr<Staff>> Open(const std::string& dir, StaffOptions options,
                                                     const base::Clock* clock);
  ~Staff() override;

  // Schema lists every kind of record the staff store holds (with the
  // store library's, store/schema.h).
  static store::Schema Schema();

  // Add makes a member with |password| and returns their new second-factor
  // secret, for their authenticator app (TotpUri). ALREADY_EXISTS for a
  // name taken; INVALID_ARGUMENT for a name, password (kMinPasswordBytes to
  // kMaxPasswordBytes) or limit (0..kMaxDailyLimit) outside the rules.
  // With |must_change_password| (a first password an admin hands over) the
  // member must choose their own at their first login.
  base::StatusOr<crypto::SecretBytes> Add(std::string_view name, Role role,
                                          const crypto::SecretBytes& password, uint32_t daily_limit,
                                          bool must_change_password = false);
  // SetPassword replaces a member's password (an operator's reset: the
  // member must choose their own at the next login); ResetSecondFactor their
  // TOTP secret (returned). Both lift a lock. NOT_FOUND for an unknown name.
  base::Status SetPassword(std::string_view name, const crypto::SecretBytes& password);
  // ChangePassword is a member choosing their own password: |current| must
  // be right (UNAUTHENTICATED "wrong current password", counted as a wrong
  // password; PERMISSION_DENIED once they reach max_failures since the last
  // login: the caller ends the member's sessions), |next| within the rules
  // and not |current| (INVALID_ARGUMENT). ABORTED when the password changed
  // during the check. It clears must_change_password.
  base::Status ChangePassword(std::string_view name, const crypto::SecretBytes& current,
                              const crypto::SecretBytes& next);
  base::StatusOr<crypto::SecretBytes> ResetSecondFactor(std::string_view name);
  base::Status SetRole(std::string_view name, Role role);
  base::Status SetDailyLimit(std::string_view name, uint32_t daily_limit);
  // SetDisabled disables (no login, no issuing) or re-enables a member.
  // FAILED_PRECONDITION when it would leave no enabled admin.
  base::Status SetDisabled(std::string_view name, bool disabled);
  // Unlock lifts a lock after failed logins.
  base::Status Unlock(std::string_view name);

  base::StatusOr<StaffMember> Get(std::string_view name) const;
  std::vector<StaffMember> List() const;

  // LogIn checks a member's password and one-time password. A wrong name,
  // password or one-time password, or one already used, is UNAUTHENTICATED
  // "wrong name, password or one-time password", the same for each, at the
  // same cost (an unknown name's password is checked against a hash of the
  // same cost, and every failure makes one synced write). max_failures wrong
  // one-time passwords in a row after the right password lock the account
  // for lockout_seconds: only someone who has the password can lock it, so
  // no one can lock others out by guessing. Wrong passwords lock nothing;
  // Argon2id slows them and they are counted (StaffMember::wrong_passwords).
  // Only a caller who gives both factors learns that the account is disabled
  // (PERMISSION_DENIED "account disabled") or locked (PERMISSION_DENIED
  // "account locked until <time>"); an admin can Unlock.
  base::StatusOr<StaffMember> LogIn(std::string_view name, const crypto::SecretBytes& password,
                                    std::string_view one_time_password);

  // TakeIssue counts one code issued by |name| today: RESOURCE_EXHAUSTED
  // "daily limit of N codes reached" when it would pass their limit,
  // PERMISSION_DENIED when disabled, NOT_FOUND when unknown. Durable.
  base::Status TakeIssue(std::string_view name);
  // IssuedPerDay lists the kept daily counts, newest day first.
  std::vector<DailyIssued> IssuedPerDay() const;

  // AddIntegration makes an integration and returns its new API key
  // ("oen_" and 64 hex digits), shown once: only its SHA-256 is kept.
  // ALREADY_EXISTS for a name taken, RESOURCE_EXHAUSTED past
  // kMaxIntegrations, INVALID_ARGUMENT for a name or limit outside the
  // rules (as for members).
  base::StatusOr<crypto::SecretBytes> AddIntegration(std::string_view name, uint32_t daily_limit);
  // SetIntegrationDisabled, SetIntegrationLimit and RemoveIntegration (its
  // key stops working; its daily counts stay): NOT_FOUND for an unknown name.
  base::Status SetIntegrationDisabled(std::string_view name, bool disabled);
  base::Status SetIntegrationLimit(std::string_view name, uint32_t daily_limit);
  base::Status RemoveIntegration(std::string_view name);
  std::vector<Integration> Integrations() const;
  // TakeIssueByKey finds the integration whose key is |api_key| (comparing
  // with every one, in constant time), counts one code issued by it today and
  // returns its name: UNAUTHENTICATED for no such key, PERMISSION_DENIED
  // when disabled, RESOURCE_EXHAUSTED at its daily limit. Durable.
  base::StatusOr<std::string> TakeIssueByKey(std::string_view api_key);

  // AddCounts adds to a day's totals (verifier::CodeTally: the verifier's
  // maintenance tells them). A failed write is logged; the counts are lost.
  void AddCounts(int64_t day, const verifier::CodeCounts& counts) override;
  // Totals lists the kept daily totals, newest day first.
  std::vector<DailyTotals> Totals() const;

  // Maintain deletes the daily counts and totals older than statistics_days,
  // physically.
  base::Status Maintain();

 private:
  Staff(std::unique_ptr<rocksdb::DB> db, StaffOptions options, const base::Clock* clock,
        std::string unknown_hash);
  class Record;
  // KeepAnAdmin: FAILED_PRECONDITION unless another enabled admin than the
  // one about to lose the role or be disabled remains. Under mu_.
  base::Status KeepAnAdmin() const;
  // CountIssue counts one code issued by |counted| (a daily key name) today,
  // within |limit|. Under mu_.
  base::Status CountIssue(const std::string& counted, uint32_t limit);

  const StaffOptions options_;
  const base::Clock* const clock_;
  const std::string unknown_hash_;  // checked for unknown names, at the same cost
  std::unique_ptr<rocksdb::DB> db_;
  store::PendingPurge purge_;
  mutable std::mutex mu_;  // every read-modify-write of a record
};

}  // namespace openen::console

#endif  // OPENEN_CONSOLE_STAFF_H_
