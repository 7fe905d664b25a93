// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/console/staff.h"

#include <rocksdb/write_batch.h>
#include <sodium.h>

#include <algorithm>
#include <functional>

#include "openen/base/coding.h"
#include "openen/console/staff.pb.h"
#include "openen/console/totp.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/random.h"
#include "openen/server/log.h"
#include "pages.h"

namespace openen::console {
namespace {

constexpr char kMemberPrefix = 'u';  // 'u' name -> StaffRecord
constexpr char kDailyPrefix = 'd';   // 'd' day (4 bytes, big-endian) name -> count (4 bytes, LE)
constexpr char kIntegrationPrefix = 'i';  // 'i' name -> IntegrationRecord
constexpr char kTotalsPrefix = 't';       // 't' day (4 bytes, BE) -> issued, used, expired (4 LE)
// Marks an integration's name in a daily key ('!' is in no valid name).
constexpr char kIntegrationMark = '!';
constexpr int64_t kDaySeconds = 24 * 3600;
constexpr std::string_view kApiKeyPrefix = "oen_";

std::string IntegrationKey(std::string_view name) {
  std::string k(1, kIntegrationPrefix);
  k.append(name);
  return k;
}

std::string TotalsKey(int64_t day) {
  std::string k(1, kTotalsPrefix);
  base::PutFixedBE<4>(&k, static_cast<uint64_t>(day));
  return k;
}

crypto::Sha256Digest ApiKeyHash(std::string_view api_key) {
  base::Bytes labelled = base::ToBytes("openen console api key");
  labelled.insert(labelled.end(), api_key.begin(), api_key.end());
  return crypto::Sha256(labelled);
}

uint32_t Fixed32At(const char* p) {
  return static_cast<uint32_t>(base::GetFixedLE<4>(reinterpret_cast<const uint8_t*>(p)));
}

// ForEachIntegration calls |f| with each integration's name and record.
base::Status ForEachIntegration(rocksdb::DB* db,
                                const std::function<void(std::string, IntegrationRecord)>& f) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  const std::string prefix(1, kIntegrationPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    IntegrationRecord r;
    if (!r.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
    f(std::string(it->key().ToStringView().substr(1)), std::move(r));
  }
  return store::FromRocksDb(it->status(), "reading the integrations");
}

base::Status CheckName(std::string_view name) {
  if (ValidName(name)) return base::Status::Ok();
  return base::InvalidArgumentError(
      "a name is 1 to 64 of a-z, 0-9, '.', '_', '@' and '-', starting with a letter or digit");
}

std::string MemberKey(std::string_view name) {
  std::string k(1, kMemberPrefix);
  k.append(name);
  return k;
}

std::string DailyKey(int64_t day, std::string_view name) {
  std::string k(1, kDailyPrefix);
  base::PutFixedBE<4>(&k, static_cast<uint64_t>(day));
  k.append(name);
  return k;
}

StaffRecord::Role ToProto(Role role) {
  return role == Role::kAdmin ? StaffRecord::ADMIN : StaffRecord::CASE_WORKER;
}

StaffMember ToMember(std::string_view name, const StaffRecord& r) {
  StaffMember m;
  m.name = std::string(name);
  m.role = r.role() == StaffRecord::ADMIN ? Role::kAdmin : Role::kCaseWorker;
  m.disabled = r.disabled();
  m.daily_limit = r.daily_limit();
  m.created_at = r.created_at();
  m.locked_until = r.locked_until();
  m.wrong_passwords = r.wrong_passwords();
  m.must_change_password = r.must_change_password();
  return m;
}

base::Status CheckPassword(const crypto::SecretBytes& password) {
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return base::InvalidArgumentError("a password has " + std::to_string(kMinPasswordBytes) +
                                      " to " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  return base::Status::Ok();
}

base::Status CheckLimit(uint32_t daily_limit) {
  if (daily_limit > kMaxDailyLimit) {
    return base::InvalidArgumentError("a daily limit is 0.." + std::to_string(kMaxDailyLimit));
  }
  return base::Status::Ok();
}

// HashPassword is |password|'s Argon2id hash string at the given cost.
base::StatusOr<std::string> HashPassword(base::ByteView password, uint64_t passes, size_t bytes) {
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, reinterpret_cast<const char*>(password.data()), password.size(),
                        passes, bytes) != 0) {
    return base::ResourceExhaustedError("not enough memory to hash a password at this cost");
  }
  return std::string(hash);
}

const base::Status& WrongLogIn() {
  static const base::Status wrong =
      base::UnauthenticatedError("wrong name, password or one-time password");
  return wrong;
}

}  // namespace

std::string_view RoleName(Role role) { return role == Role::kAdmin ? "admin" : "caseworker"; }

base::StatusOr<Role> ParseRole(std::string_view name) {
  if (name == "admin") return Role::kAdmin;
  if (name == "caseworker") return Role::kCaseWorker;
  return base::InvalidArgumentError("a role is caseworker or admin, not '" + std::string(name) +
                                    "'");
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '@' && c != '-'))) return false;
  }
  return true;
}

// Record reads and writes one member's record, under mu_.
class Staff::Record {
 public:
  static base::StatusOr<StaffRecord> Read(rocksdb::DB* db, std::string_view name) {
    std::string value;
    const rocksdb::Status s = db->Get({}, MemberKey(name), &value);
    if (s.IsNotFound()) return base::NotFoundError("no staff member '" + std::string(name) + "'");
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(s, "reading a staff member"));
    StaffRecord r;
    if (!r.ParseFromString(value)) return base::DataLossError("a staff record does not decode");
    return r;
  }
  static base::Status Write(rocksdb::DB* db, std::string_view name, const StaffRecord& r) {
    rocksdb::WriteBatch batch;
    batch.Put(MemberKey(name), r.SerializeAsString());
    return store::WriteSynced(db, &batch, "writing a staff member");
  }
  static base::StatusOr<IntegrationRecord> ReadIntegration(rocksdb::DB* db, std::string_view name) {
    std::string value;
    const rocksdb::Status s = db->Get({}, IntegrationKey(name), &value);
    if (s.IsNotFound()) return base::NotFoundError("no integration '" + std::string(name) + "'");
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(s, "reading an integration"));
    IntegrationRecord r;
    if (!r.ParseFromString(value)) return base::DataLossError("an integration does not decode");
    return r;
  }
  static base::Status WriteIntegration(rocksdb::DB* db, std::string_view name,
                                       const IntegrationRecord& r) {
    rocksdb::WriteBatch batch;
    batch.Put(IntegrationKey(name), r.SerializeAsString());
    return store::WriteSynced(db, &batch, "writing an integration");
  }
};

Staff::Staff(std::unique_ptr<rocksdb::DB> db, StaffOptions options, const base::Clock* clock,
             std::string unknown_hash)
    : options_(options),
      clock_(clock),
      unknown_hash_(std::move(unknown_hash)),
      db_(std::move(db)) {}

Staff::~Staff() = default;

store::Schema Staff::Schema() {
  static constexpr store::RecordKind kKinds[] = {
      {"staff.member", {&kMemberPrefix, 1}},
      {"staff.daily_count", {&kDailyPrefix, 1}},
      {"staff.integration", {&kIntegrationPrefix, 1}},
      {"staff.daily_totals", {&kTotalsPrefix, 1}},
  };
  static const auto* all =
      new std::vector<store::RecordKind>(store::Join({kKinds, store::ReservedSchema()}));
  return *all;
}

base::StatusOr<std::unique_ptr<Staff>> Staff::Open(const std::string& dir, StaffOptions options,
                                                   const base::Clock* clock) {
  if (sodium_init() < 0) return base::InternalError("libsodium does not initialise");
  if (options.max_failures < 1 || options.lockout_seconds < 1 || options.statistics_days < 1 ||
      options.password_passes < crypto_pwhash_OPSLIMIT_MIN ||
      options.password_bytes < crypto_pwhash_MEMLIMIT_MIN) {
    return base::InvalidArgumentError("staff options out of range");
  }
  // The hash LogIn checks an unknown name's password against: a password no
  // one has, at the same cost.
  OPENEN_ASSIGN_OR_RETURN(std::string unknown_hash,
                          HashPassword(crypto::SecretBytes::Random(32).Reveal(),
                                       options.password_passes, options.password_bytes));
  OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db, store::OpenPrivateDb(dir));
  return std::unique_ptr<Staff>(new Staff(std::move(db), options, clock, std::move(unknown_hash)));
}

base::StatusOr<crypto::SecretBytes> Staff::Add(std::string_view name, Role role,
                                               const crypto::SecretBytes& password,
                                               uint32_t daily_limit, bool must_change_password) {
  OPENEN_RETURN_IF_ERROR(CheckName(name));
  OPENEN_RETURN_IF_ERROR(CheckPassword(password));
  OPENEN_RETURN_IF_ERROR(CheckLimit(daily_limit));
  OPENEN_ASSIGN_OR_RETURN(
      std::string hash,
      HashPassword(password.Reveal(), options_.password_passes, options_.password_bytes));
  crypto::SecretBytes secret = NewTotpSecret();
  StaffRecord r;
  r.set_role(ToProto(role));
  r.set_password_hash(hash);
  r.set_totp_secret(std::string(base::AsChars(secret.Reveal())));
  r.set_daily_limit(daily_limit);
  r.set_created_at(clock_->NowSeconds());
  r.set_must_change_password(must_change_password);
  std::lock_guard<std::mutex> lock(mu_);
  if (Record::Read(db_.get(), name).ok()) {
    return base::AlreadyExistsError("staff member '" + std::string(name) + "' exists");
  }
  OPENEN_RETURN_IF_ERROR(Record::Write(db_.get(), name, r));
  return secret;
}

base::Status Staff::SetPassword(std::string_view name, const crypto::SecretBytes& password) {
  OPENEN_RETURN_IF_ERROR(CheckPassword(password));
  OPENEN_ASSIGN_OR_RETURN(
      std::string hash,
      HashPassword(password.Reveal(), options_.password_passes, options_.password_bytes));
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
  r.set_password_hash(hash);
  r.set_failures(0);
  r.set_locked_until(0);
  r.set_must_change_password(true);  // someone else chose it
  return Record::Write(db_.get(), name, r);
}

base::Status Staff::ChangePassword(std::string_view name, const crypto::SecretBytes& current,
                                   const crypto::SecretBytes& next) {
  OPENEN_RETURN_IF_ERROR(CheckPassword(next));
  std::string old_hash;
  {
    std::lock_guard<std::mutex> lock(mu_);
    OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
    old_hash = r.password_hash();
  }
  const bool right = current.size() <= kMaxPasswordBytes &&
                     crypto_pwhash_str_verify(
                         old_hash.c_str(), reinterpret_cast<const char*>(current.Reveal().data()),
                         current.size()) == 0;
  OPENEN_ASSIGN_OR_RETURN(std::string hash, HashPassword(next.Reveal(), options_.password_passes,
                                                         options_.password_bytes));
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
  if (r.password_hash() != old_hash) {
    return base::AbortedError("the password changed meanwhile; try again");
  }
  if (!right) {
    // A session holder guessing the password: max_failures guesses, then
    // the sessions end and a login (both factors) is needed again.
    r.set_wrong_passwords(r.wrong_passwords() + 1);
    OPENEN_RETURN_IF_ERROR(Record::Write(db_.get(), name, r));
    if (r.wrong_passwords() >= static_cast<uint32_t>(options_.max_failures)) {
      return base::PermissionDeniedError("too many wrong passwords: log in again");
    }
    return base::UnauthenticatedError("wrong current password");
  }
  if (crypto::ConstantTimeEqual(current.Reveal(), next.Reveal())) {
    return base::InvalidArgumentError("the new password is the current one");
  }
  r.set_password_hash(hash);
  r.set_must_change_password(false);
  return Record::Write(db_.get(), name, r);
}

base::StatusOr<crypto::SecretBytes> Staff::ResetSecondFactor(std::string_view name) {
  crypto::SecretBytes secret = NewTotpSecret();
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
  r.set_totp_secret(std::string(base::AsChars(secret.Reveal())));
  r.set_last_totp_step(0);
  r.set_failures(0);
  r.set_locked_until(0);
  OPENEN_RETURN_IF_ERROR(Record::Write(db_.get(), name, r));
  return secret;
}

base::Status Staff::KeepAnAdmin() const {
  int admins = 0;
  for (const StaffMember& m : List()) admins += m.role == Role::kAdmin && !m.disabled;
  if (admins <= 1) return base::FailedPreconditionError("that would leave no enabled admin");
  return base::Status::Ok();
}

base::Status Staff::SetRole(std::string_view name, Role role) {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
  if (role != Role::kAdmin && r.role() == StaffRecord::ADMIN && !r.disabled()) {
    OPENEN_RETURN_IF_ERROR(KeepAnAdmin());
  }
  r.set_role(ToProto(role));
  return Record::Write(db_.get(), name, r);
}

base::Status Staff::SetDailyLimit(std::string_view name, uint32_t daily_limit) {
  OPENEN_RETURN_IF_ERROR(CheckLimit(daily_limit));
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
  r.set_daily_limit(daily_limit);
  return Record::Write(db_.get(), name, r);
}

base::Status Staff::SetDisabled(std::string_view name, bool disabled) {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
  if (disabled && r.role() == StaffRecord::ADMIN && !r.disabled()) {
    OPENEN_RETURN_IF_ERROR(KeepAnAdmin());
  }
  r.set_disabled(disabled);
  return Record::Write(db_.get(), name, r);
}

base::Status Staff::Unlock(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
  r.set_failures(0);
  r.set_locked_until(0);
  return Record::Write(db_.get(), name, r);
}

base::StatusOr<StaffMember> Staff::Get(std::string_view name) const {
  OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
  return ToMember(name, r);
}

std::vector<StaffMember> Staff::List() const {
  std::vector<StaffMember> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string prefix(1, kMemberPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    StaffRecord r;
    if (!r.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
    out.push_back(ToMember(it->key().ToStringView().substr(1), r));
  }
  return out;
}

base::StatusOr<StaffMember> Staff::LogIn(std::string_view name, const crypto::SecretBytes& password,
                                         std::string_view one_time_password) {
  const int64_t now = clock_->NowSeconds();
  base::StatusOr<StaffRecord> read = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    return ValidName(name) ? Record::Read(db_.get(), name)
                           : base::StatusOr<StaffRecord>(base::NotFoundError("invalid name"));
  }();
  if (!read.ok() && read.status().code() != base::StatusCode::kNotFound) return read.status();
  // An unknown name costs what a known one does.
  const std::string& hash = read.ok() ? read->password_hash() : unknown_hash_;
  const bool password_right =
      password.size() <= kMaxPasswordBytes &&
      crypto_pwhash_str_verify(hash.c_str(),
                               reinterpret_cast<const char*>(password.Reveal().data()),
                               password.size()) == 0;
  std::lock_guard<std::mutex> lock(mu_);
  if (!read.ok()) {
    // The synced write a known name's failure costs, leaving nothing.
    rocksdb::WriteBatch batch;
    store::PutTransient(&batch, MemberKey("\x01unknown"), "");
    OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "a failed login"));
    return WrongLogIn();
  }
  OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
  // A password changed while this one was being checked wins.
  const bool password_ok = password_right && r.password_hash() == read->password_hash();
  base::StatusOr<int64_t> step = base::NotFoundError("wrong one-time password");
  if (password_ok) {
    const std::string& stored = r.totp_secret();
    step = TotpStep(crypto::SecretBytes(base::ByteView(
                        reinterpret_cast<const uint8_t*>(stored.data()), stored.size())),
                    one_time_password, now);
  }
  const bool locked = r.locked_until() > now;
  if (password_ok && step.ok() && *step > r.last_totp_step()) {
    // Both factors: the member may be told why they cannot log in.
    r.set_last_totp_step(*step);
    if (locked || r.disabled()) {
      OPENEN_RETURN_IF_ERROR(Record::Write(db_.get(), name, r));
      if (r.disabled()) return base::PermissionDeniedError("account disabled");
      return base::PermissionDeniedError("account locked until " +
                                         pages::UtcTime(r.locked_until()) +
                                         " after failed logins; an admin can unlock it");
    }
    r.set_failures(0);
    r.set_wrong_passwords(0);
    OPENEN_RETURN_IF_ERROR(Record::Write(db_.get(), name, r));
    return ToMember(name, r);
  }
  // A failure, answered alike whatever failed, and written alike. Only a
  // wrong one-time password after the right password counts towards the
  // lock: a wrong password locks nothing, or anyone could lock anyone out.
  // Wrong passwords are slowed by Argon2id and counted for the admins.
  if (!password_ok) {
    r.set_wrong_passwords(r.wrong_passwords() + 1);
  } else if (!locked) {
    r.set_failures(r.failures() + 1);
    if (r.failures() >= static_cast<uint32_t>(options_.max_failures)) {
      r.set_failures(0);
      r.set_locked_until(now + options_.lockout_seconds);
    }
  }
  OPENEN_RETURN_IF_ERROR(Record::Write(db_.get(), name, r));
  return WrongLogIn();
}

base::Status Staff::TakeIssue(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_ASSIGN_OR_RETURN(StaffRecord r, Record::Read(db_.get(), name));
  if (r.disabled()) return base::PermissionDeniedError("account disabled");
  return CountIssue(std::string(name), r.daily_limit());
}

base::Status Staff::CountIssue(const std::string& counted, uint32_t limit) {
  const std::string key = DailyKey(clock_->NowSeconds() / kDaySeconds, counted);
  std::string value;
  uint32_t count = 0;
  const rocksdb::Status got = db_->Get({}, key, &value);
  if (got.ok() && value.size() == 4) {
    count = Fixed32At(value.data());
  } else if (!got.IsNotFound()) {
    OPENEN_RETURN_IF_ERROR(store::FromRocksDb(got, "reading a daily count"));
  }
  if (count >= limit) {
    return base::ResourceExhaustedError("daily limit of " + std::to_string(limit) +
                                        " codes reached; an admin can raise it");
  }
  std::string next;
  base::PutFixedLE<4>(&next, count + 1);
  rocksdb::WriteBatch batch;
  batch.Put(key, next);
  return store::WriteSynced(db_.get(), &batch, "counting an issued code");
}

base::StatusOr<crypto::SecretBytes> Staff::AddIntegration(std::string_view name,
                                                          uint32_t daily_limit) {
  OPENEN_RETURN_IF_ERROR(CheckName(name));
  OPENEN_RETURN_IF_ERROR(CheckLimit(daily_limit));
  base::Bytes random(32);
  crypto::RandomBytes(random);
  std::string key = std::string(kApiKeyPrefix) + base::HexEncode(random);
  sodium_memzero(random.data(), random.size());
  crypto::SecretBytes api_key(base::AsBytes(key));
  const crypto::Sha256Digest hash = ApiKeyHash(key);
  crypto::Wipe(&key);
  IntegrationRecord r;
  r.set_key_hash(std::string(base::AsChars(hash)));
  r.set_daily_limit(daily_limit);
  r.set_created_at(clock_->NowSeconds());
  std::lock_guard<std::mutex> lock(mu_);
  if (Record::ReadIntegration(db_.get(), name).ok()) {
    return base::AlreadyExistsError("integration '" + std::string(name) + "' exists");
  }
  if (Integrations().size() >= kMaxIntegrations) {
    return base::ResourceExhaustedError("at most " + std::to_string(kMaxIntegrations) +
                                        " integrations");
  }
  OPENEN_RETURN_IF_ERROR(Record::WriteIntegration(db_.get(), name, r));
  return api_key;
}

base::Status Staff::SetIntegrationDisabled(std::string_view name, bool disabled) {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_ASSIGN_OR_RETURN(IntegrationRecord r, Record::ReadIntegration(db_.get(), name));
  r.set_disabled(disabled);
  return Record::WriteIntegration(db_.get(), name, r);
}

base::Status Staff::SetIntegrationLimit(std::string_view name, uint32_t daily_limit) {
  OPENEN_RETURN_IF_ERROR(CheckLimit(daily_limit));
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_ASSIGN_OR_RETURN(IntegrationRecord r, Record::ReadIntegration(db_.get(), name));
  r.set_daily_limit(daily_limit);
  return Record::WriteIntegration(db_.get(), name, r);
}

base::Status Staff::RemoveIntegration(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  OPENEN_RETURN_IF_ERROR(Record::ReadIntegration(db_.get(), name).status());
  rocksdb::WriteBatch batch;
  batch.Delete(IntegrationKey(name));
  OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "removing an integration"));
  purge_.Mark();  // its key's hash goes physically with the next maintenance
  return base::Status::Ok();
}

std::vector<Integration> Staff::Integrations() const {
  std::vector<Integration> out;
  // A store that cannot be read lists what it could read.
  (void)ForEachIntegration(db_.get(), [&](std::string name, IntegrationRecord r) {
    out.push_back({std::move(name), r.disabled(), r.daily_limit(), r.created_at()});
  });
  return out;
}

base::StatusOr<std::string> Staff::TakeIssueByKey(std::string_view api_key) {
  const crypto::Sha256Digest hash = ApiKeyHash(api_key);
  std::lock_guard<std::mutex> lock(mu_);
  std::string found;
  IntegrationRecord match;
  // Every integration's hash is compared, whichever matches.
  OPENEN_RETURN_IF_ERROR(ForEachIntegration(db_.get(), [&](std::string name, IntegrationRecord r) {
    if (crypto::ConstantTimeEqual(base::AsBytes(r.key_hash()), hash)) {
      found = std::move(name);
      match = std::move(r);
    }
  }));
  if (found.empty()) return base::UnauthenticatedError("a valid API key is required");
  if (match.disabled()) {
    return base::PermissionDeniedError("integration '" + found + "' is disabled");
  }
  OPENEN_RETURN_IF_ERROR(CountIssue(kIntegrationMark + found, match.daily_limit()));
  return found;
}

void Staff::AddCounts(int64_t day, const verifier::CodeCounts& counts) {
  const std::string key = TotalsKey(day);
  std::lock_guard<std::mutex> lock(mu_);
  std::string value;
  if (!db_->Get({}, key, &value).ok() || value.size() != 12) value.assign(12, '\0');
  std::string next;
  base::PutFixedLE<4>(&next, Fixed32At(value.data()) + counts.issued);
  base::PutFixedLE<4>(&next, Fixed32At(value.data() + 4) + counts.used);
  base::PutFixedLE<4>(&next, Fixed32At(value.data() + 8) + counts.expired);
  rocksdb::WriteBatch batch;
  batch.Put(key, next);
  if (base::Status s = store::WriteSynced(db_.get(), &batch, "daily totals"); !s.ok()) {
    server::Log("console", "a day's totals were not counted: %s", s.ToString().c_str());
  }
}

std::vector<DailyTotals> Staff::Totals() const {
  std::vector<DailyTotals> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string prefix(1, kTotalsPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != 5 || it->value().size() != 12) continue;
    const char* v = it->value().data();
    out.push_back({static_cast<int64_t>(
                       base::GetFixedBE<4>(reinterpret_cast<const uint8_t*>(it->key().data() + 1))),
                   Fixed32At(v), Fixed32At(v + 4), Fixed32At(v + 8)});
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<DailyIssued> Staff::IssuedPerDay() const {
  std::vector<DailyIssued> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  const std::string prefix(1, kDailyPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const rocksdb::Slice k = it->key();
    if (k.size() < 5 || it->value().size() != 4) continue;
    DailyIssued d;
    d.day =
        static_cast<int64_t>(base::GetFixedBE<4>(reinterpret_cast<const uint8_t*>(k.data() + 1)));
    d.name = std::string(k.data() + 5, k.size() - 5);
    d.integration = !d.name.empty() && d.name[0] == kIntegrationMark;
    if (d.integration) d.name.erase(0, 1);
    d.codes = Fixed32At(it->value().data());
    out.push_back(std::move(d));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const DailyIssued& a, const DailyIssued& b) { return a.day > b.day; });
  return out;
}

base::Status Staff::Maintain() {
  const int64_t oldest_kept = clock_->NowSeconds() / kDaySeconds - options_.statistics_days + 1;
  rocksdb::WriteBatch batch;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
    for (char prefix : {kDailyPrefix, kTotalsPrefix}) {
      std::string end(1, prefix);
      base::PutFixedBE<4>(&end, static_cast<uint64_t>(std::max<int64_t>(oldest_kept, 0)));
      for (it->Seek(std::string(1, prefix)); it->Valid() && it->key().compare(end) < 0;
           it->Next()) {
        batch.Delete(it->key());
      }
    }
  }
  if (batch.Count() > 0) {
    OPENEN_RETURN_IF_ERROR(store::WriteSynced(db_.get(), &batch, "deleting old daily counts"));
    purge_.Mark();
  }
  return purge_.RunIfDue(db_.get());
}

}  // namespace openen::console
