// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The console's staff accounts: roles, limits, disabling; logging in with a
// password (Argon2id) and a one-time password; the lock after failed logins,
// for one account only; daily issuing limits and their counts' retention.

#include <liboath/oath.h>
#include <sodium.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "openen/base/bytes.h"
#include "openen/base/clock.h"
#include "openen/console/staff.h"
#include "openen/console/totp.h"
#include "subprocess.h"
#include "test_util.h"

namespace openen::console {
namespace {

using openen::testing::FilesContaining;
using openen::testing::Run;
using openen::testing::RunResult;
using openen::testing::TempDir;

constexpr int64_t kNow = 1795000000;

crypto::SecretBytes Secret(const std::string& s) {
  return crypto::SecretBytes(base::ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// Cheap Argon2id for tests: the cost does not change what is checked.
StaffOptions TestOptions() {
  StaffOptions o;
  o.password_passes = crypto_pwhash_OPSLIMIT_MIN;
  o.password_bytes = crypto_pwhash_MEMLIMIT_MIN;
  return o;
}

struct StaffFixture {
  TempDir dir;
  base::FakeClock clock{kNow};
  std::unique_ptr<Staff> staff;
  explicit StaffFixture(StaffOptions options = TestOptions()) {
    auto s = Staff::Open(dir.Sub("staff"), options, &clock);
    REQUIRE(s.ok());
    staff = std::move(*s);
  }
};

TEST_CASE("staff accounts - roles, limits, disabling, and always one enabled admin",
          "[console][staff]") {
  StaffFixture f;
  REQUIRE(f.staff->Add("admin", Role::kAdmin, Secret("correct horse battery"), 0).ok());
  REQUIRE(
      f.staff->Add("ann.o-brien@hse", Role::kCaseWorker, Secret("ann's long password"), 20).ok());
  CHECK(f.staff->Add("admin", Role::kCaseWorker, Secret("another password"), 1).status().code() ==
        base::StatusCode::kAlreadyExists);
  for (const std::string& bad :
       std::vector<std::string>{"", "Ann", "-ann", "ann smith", "ann/x", std::string(65, 'a')}) {
    INFO(bad);
    CHECK(f.staff->Add(bad, Role::kCaseWorker, Secret("a long password"), 1).status().code() ==
          base::StatusCode::kInvalidArgument);
  }
  CHECK(f.staff->Add("bob", Role::kCaseWorker, Secret("short"), 1).status().code() ==
        base::StatusCode::kInvalidArgument);
  CHECK(f.staff->Add("bob", Role::kCaseWorker, Secret(std::string(129, 'p')), 1).status().code() ==
        base::StatusCode::kInvalidArgument);
  CHECK(f.staff->Add("bob", Role::kCaseWorker, Secret("a long password"), kMaxDailyLimit + 1)
            .status()
            .code() == base::StatusCode::kInvalidArgument);

  const std::vector<StaffMember> members = f.staff->List();
  REQUIRE(members.size() == 2);
  CHECK(members[0].name == "admin");
  CHECK(members[0].role == Role::kAdmin);
  CHECK(members[1].name == "ann.o-brien@hse");
  CHECK(members[1].daily_limit == 20);
  CHECK(members[1].created_at == kNow);

  // The last enabled admin can be neither disabled nor demoted.
  CHECK(f.staff->SetDisabled("admin", true).code() == base::StatusCode::kFailedPrecondition);
  CHECK(f.staff->SetRole("admin", Role::kCaseWorker).code() ==
        base::StatusCode::kFailedPrecondition);
  REQUIRE(f.staff->SetRole("ann.o-brien@hse", Role::kAdmin).ok());
  CHECK(f.staff->SetDisabled("admin", true).ok());
  CHECK(f.staff->Get("admin")->disabled);
  CHECK(f.staff->SetDisabled("admin", false).ok());
  CHECK(f.staff->SetDailyLimit("ann.o-brien@hse", 5).ok());
  CHECK(f.staff->Get("ann.o-brien@hse")->daily_limit == 5);
  CHECK(f.staff->SetDailyLimit("nobody", 5).code() == base::StatusCode::kNotFound);
}

TEST_CASE("a login needs the password and a fresh one-time password - every failure alike",
          "[console][staff]") {
  StaffFixture f;
  auto secret = f.staff->Add("ann", Role::kCaseWorker, Secret("ann's long password"), 20);
  REQUIRE(secret.ok());
  const std::string wrong_message = "wrong name, password or one-time password";
  const auto expect_wrong = [&](const base::StatusOr<StaffMember>& r) {
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == base::StatusCode::kUnauthenticated);
    CHECK(r.status().message() == wrong_message);
  };
  const std::string otp = TotpCode(*secret, kNow);
  expect_wrong(f.staff->LogIn("ann", Secret("ann's wrong password"), otp));
  expect_wrong(
      f.staff->LogIn("ann", Secret("ann's long password"), "000000" == otp ? "111111" : "000000"));
  expect_wrong(f.staff->LogIn("nobody", Secret("ann's long password"), otp));
  expect_wrong(f.staff->LogIn("Not A Name", Secret("ann's long password"), otp));
  auto in = f.staff->LogIn("ann", Secret("ann's long password"), otp);
  REQUIRE(in.ok());
  CHECK(in->name == "ann");
  CHECK(in->role == Role::kCaseWorker);
  // The same one-time password again: used.
  expect_wrong(f.staff->LogIn("ann", Secret("ann's long password"), otp));
  // The next one counts.
  f.clock.Advance(kTotpStepSeconds);
  CHECK(
      f.staff->LogIn("ann", Secret("ann's long password"), TotpCode(*secret, f.clock.NowSeconds()))
          .ok());

  // A new second factor replaces the old one.
  auto renewed = f.staff->ResetSecondFactor("ann");
  REQUIRE(renewed.ok());
  f.clock.Advance(kTotpStepSeconds);
  expect_wrong(f.staff->LogIn("ann", Secret("ann's long password"),
                              TotpCode(*secret, f.clock.NowSeconds())));
  CHECK(
      f.staff->LogIn("ann", Secret("ann's long password"), TotpCode(*renewed, f.clock.NowSeconds()))
          .ok());
  // A new password replaces the old one.
  REQUIRE(f.staff->SetPassword("ann", Secret("ann's new password")).ok());
  f.clock.Advance(kTotpStepSeconds);
  expect_wrong(f.staff->LogIn("ann", Secret("ann's long password"),
                              TotpCode(*renewed, f.clock.NowSeconds())));
  CHECK(
      f.staff->LogIn("ann", Secret("ann's new password"), TotpCode(*renewed, f.clock.NowSeconds()))
          .ok());

  // Disabled: only the one who knows the password learns it.
  REQUIRE(f.staff->SetDisabled("ann", true).ok());
  f.clock.Advance(kTotpStepSeconds);
  expect_wrong(f.staff->LogIn("ann", Secret("ann's long password"),
                              TotpCode(*renewed, f.clock.NowSeconds())));
  f.clock.Advance(kTotpStepSeconds);
  auto disabled =
      f.staff->LogIn("ann", Secret("ann's new password"), TotpCode(*renewed, f.clock.NowSeconds()));
  CHECK(disabled.status().code() == base::StatusCode::kPermissionDenied);
  CHECK(disabled.status().message() == "account disabled");
}

TEST_CASE("wrong one-time passwords lock that account for a while - wrong passwords lock nothing",
          "[console][staff]") {
  StaffFixture f;
  auto ann = f.staff->Add("ann", Role::kCaseWorker, Secret("ann's long password"), 20);
  auto bob = f.staff->Add("bob", Role::kCaseWorker, Secret("bob's long password"), 20);
  REQUIRE(ann.ok());
  REQUIRE(bob.ok());
  const StaffOptions options = TestOptions();
  const std::string wrong_otp = TotpCode(*ann, kNow) == "123456" ? "654321" : "123456";
  // Anyone can guess passwords: that locks nothing (or anyone could lock
  // everyone out), and is counted for the admins.
  for (int i = 0; i < 3 * options.max_failures; ++i) {
    CHECK(
        f.staff->LogIn("ann", Secret("a guess " + std::to_string(i)), wrong_otp).status().code() ==
        base::StatusCode::kUnauthenticated);
  }
  CHECK(f.staff->Get("ann")->locked_until == 0);
  CHECK(f.staff->Get("ann")->wrong_passwords == 15);
  // Wrong one-time passwords after the right password lock the account.
  for (int i = 0; i < options.max_failures; ++i) {
    CHECK(f.staff->LogIn("ann", Secret("ann's long password"), wrong_otp).status().code() ==
          base::StatusCode::kUnauthenticated);
  }
  CHECK(f.staff->Get("ann")->locked_until == kNow + options.lockout_seconds);
  // While locked, whoever lacks either factor is told nothing new ...
  CHECK(f.staff->LogIn("ann", Secret("another guess"), TotpCode(*ann, kNow)).status().code() ==
        base::StatusCode::kUnauthenticated);
  CHECK(f.staff->LogIn("ann", Secret("ann's long password"), wrong_otp).status().code() ==
        base::StatusCode::kUnauthenticated);
  // ... and ann, with both, is told why.
  auto locked = f.staff->LogIn("ann", Secret("ann's long password"), TotpCode(*ann, kNow));
  CHECK(locked.status().code() == base::StatusCode::kPermissionDenied);
  CHECK_THAT(locked.status().message(), Catch::StartsWith("account locked until 2026-11-18"));
  // Bob is not affected.
  CHECK(f.staff->LogIn("bob", Secret("bob's long password"), TotpCode(*bob, kNow)).ok());
  // The lock ends by itself ...
  f.clock.Advance(options.lockout_seconds);
  CHECK(f.staff->LogIn("ann", Secret("ann's long password"), TotpCode(*ann, f.clock.NowSeconds()))
            .ok());
  CHECK(f.staff->Get("ann")->wrong_passwords == 0);
  // ... or an admin lifts it.
  for (int i = 0; i < options.max_failures; ++i) {
    (void)f.staff->LogIn("ann", Secret("ann's long password"), wrong_otp);
  }
  f.clock.Advance(kTotpStepSeconds);
  CHECK(f.staff->LogIn("ann", Secret("ann's long password"), TotpCode(*ann, f.clock.NowSeconds()))
            .status()
            .code() == base::StatusCode::kPermissionDenied);
  REQUIRE(f.staff->Unlock("ann").ok());
  f.clock.Advance(kTotpStepSeconds);
  CHECK(f.staff->LogIn("ann", Secret("ann's long password"), TotpCode(*ann, f.clock.NowSeconds()))
            .ok());
}

TEST_CASE("daily issuing limits count per member per UTC day - old counts are deleted",
          "[console][staff]") {
  StaffOptions options = TestOptions();
  options.statistics_days = 3;
  StaffFixture f(options);
  REQUIRE(f.staff->Add("ann", Role::kCaseWorker, Secret("ann's long password"), 2).ok());
  REQUIRE(f.staff->Add("bob", Role::kCaseWorker, Secret("bob's long password"), 1).ok());
  CHECK(f.staff->TakeIssue("ann").ok());
  CHECK(f.staff->TakeIssue("ann").ok());
  const base::Status third = f.staff->TakeIssue("ann");
  CHECK(third.code() == base::StatusCode::kResourceExhausted);
  CHECK(third.message() == "daily limit of 2 codes reached; an admin can raise it");
  CHECK(f.staff->TakeIssue("bob").ok());
  CHECK(f.staff->TakeIssue("nobody").code() == base::StatusCode::kNotFound);
  const int64_t today = kNow / 86400;
  // The next UTC day starts a new count.
  f.clock.Set((today + 1) * 86400);
  CHECK(f.staff->TakeIssue("ann").ok());
  REQUIRE(f.staff->SetDisabled("bob", true).ok());
  CHECK(f.staff->TakeIssue("bob").code() == base::StatusCode::kPermissionDenied);

  std::vector<DailyIssued> days = f.staff->IssuedPerDay();
  REQUIRE(days.size() == 3);
  CHECK((days[0].day == today + 1 && days[0].name == "ann" && days[0].codes == 1));
  CHECK((days[1].day == today && days[1].name == "ann" && days[1].codes == 2));
  CHECK((days[2].day == today && days[2].name == "bob" && days[2].codes == 1));

  // Kept statistics_days (3): the first day goes on the fourth.
  f.clock.Set((today + 2) * 86400);
  REQUIRE(f.staff->Maintain().ok());
  CHECK(f.staff->IssuedPerDay().size() == 3);
  f.clock.Set((today + 3) * 86400);
  REQUIRE(f.staff->Maintain().ok());
  days = f.staff->IssuedPerDay();
  REQUIRE(days.size() == 1);
  CHECK(days[0].day == today + 1);
}

TEST_CASE("the staff store holds Argon2id hashes - no password in any encoding",
          "[console][staff]") {
  StaffFixture f;
  const std::string password = "ann's long password";
  REQUIRE(f.staff->Add("ann", Role::kCaseWorker, Secret(password), 2).ok());
  REQUIRE(f.staff->SetPassword("ann", Secret("ann's next password")).ok());
  f.staff.reset();  // everything on disk
  const base::ByteView raw(reinterpret_cast<const uint8_t*>(password.data()), password.size());
  for (const std::string& form : {password, base::HexEncode(raw), base::Base64Encode(raw)}) {
    INFO(form);
    CHECK(
        FilesContaining(f.dir.Sub("staff"),
                        base::ByteView(reinterpret_cast<const uint8_t*>(form.data()), form.size()))
            .empty());
  }
  const std::string argon = "$argon2id$";
  CHECK_FALSE(
      FilesContaining(f.dir.Sub("staff"),
                      base::ByteView(reinterpret_cast<const uint8_t*>(argon.data()), argon.size()))
          .empty());
}

// StaffCli runs `openen-verifier staff ARGS...` with |input| on its standard input.
RunResult StaffCli(const std::string& input, const std::vector<std::string>& args) {
  std::string command = "printf '%s\\n' \"$0\" | \"$@\"";
  std::vector<std::string> argv = {"/bin/sh", "-c", command, input, OPENEN_VERIFIER, "staff"};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

TEST_CASE(
    "staff accounts from the command line - the password from standard input, the second factor "
    "printed",
    "[console][staff][cli]") {
  TempDir dir;
  const std::string staff_dir = dir.Sub("staff");
  RunResult added = StaffCli("the admin's password",
                             {"add", "root", "--staff-dir", staff_dir, "--role", "admin"});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  CHECK_THAT(added.out, Catch::StartsWith("added root (admin, 0 codes a day)\n"));
  // The base32 line is the secret the authenticator app gets.
  const std::string base32 = added.out.substr(added.out.rfind("\n  ") + 3, 32);
  char* raw = nullptr;
  size_t raw_len = 0;
  REQUIRE(oath_base32_decode(base32.data(), base32.size(), &raw, &raw_len) == OATH_OK);
  const crypto::SecretBytes secret(base::ByteView(reinterpret_cast<const uint8_t*>(raw), raw_len));
  std::free(raw);
  CHECK_THAT(added.out, Catch::Contains("otpauth://totp/OpenEN%20console:root?secret=" + base32));
  RunResult ann = StaffCli("ann's long password", {"add", "ann", "--staff-dir", staff_dir, "--role",
                                                   "caseworker", "--daily-limit", "30"});
  REQUIRE(ann.exit_code == 0);
  CHECK(StaffCli("short", {"add", "bob", "--staff-dir", staff_dir, "--role", "caseworker"})
            .exit_code == 1);
  CHECK(StaffCli("", {"add", "bob", "--staff-dir", staff_dir, "--role", "boss"}).exit_code == 2);
  RunResult set =
      StaffCli("", {"set", "ann", "--staff-dir", staff_dir, "--daily-limit", "5", "--disable"});
  CHECK(set.out == "ann: caseworker, 5 codes a day, disabled\n");
  RunResult last_admin = StaffCli("", {"set", "root", "--staff-dir", staff_dir, "--disable"});
  CHECK(last_admin.exit_code == 1);
  CHECK_THAT(last_admin.err, Catch::Contains("that would leave no enabled admin"));
  RunResult list = StaffCli("", {"list", "--staff-dir", staff_dir});
  CHECK_THAT(list.out,
             Catch::Contains("ann                              caseworker        5  disabled"));
  CHECK_THAT(list.out,
             Catch::Contains("root                             admin             0  enabled"));
  // No password reaches the output.
  CHECK(added.out.find("the admin's password") == std::string::npos);

  // What the command made, the console's login takes.
  base::SystemClock clock;
  auto staff = Staff::Open(staff_dir, TestOptions(), &clock);
  REQUIRE(staff.ok());
  CHECK((*staff)
            ->LogIn("root", Secret("the admin's password"), TotpCode(secret, clock.NowSeconds()))
            .ok());
}

TEST_CASE("a member changes their own password - the current one checked and guessing bounded",
          "[console][staff]") {
  StaffFixture f;
  REQUIRE(f.staff->Add("root", Role::kAdmin, Secret("the admin's password"), 0).ok());
  REQUIRE(f.staff->Add("ann", Role::kCaseWorker, Secret("a first password"), 5, true).ok());
  CHECK(f.staff->Get("ann")->must_change_password);
  CHECK(f.staff->ChangePassword("ann", Secret("a first password"), Secret("a first password"))
            .code() == base::StatusCode::kInvalidArgument);
  CHECK(f.staff->ChangePassword("ann", Secret("a first password"), Secret("short")).code() ==
        base::StatusCode::kInvalidArgument);
  REQUIRE(
      f.staff->ChangePassword("ann", Secret("a first password"), Secret("ann's own words")).ok());
  CHECK_FALSE(f.staff->Get("ann")->must_change_password);
  // From a session, guessing ends after max_failures (5) wrong passwords.
  for (int i = 1; i < 5; ++i) {
    CHECK(f.staff
              ->ChangePassword("ann", Secret("guess number " + std::to_string(i)),
                               Secret("taken over at last"))
              .code() == base::StatusCode::kUnauthenticated);
  }
  CHECK(f.staff->ChangePassword("ann", Secret("guess number 5"), Secret("taken over at last"))
            .code() == base::StatusCode::kPermissionDenied);
  CHECK(f.staff->Get("ann")->wrong_passwords == 5);
  // An operator's reset: the member must choose their own again.
  REQUIRE(f.staff->SetPassword("ann", Secret("reset by the operator")).ok());
  CHECK(f.staff->Get("ann")->must_change_password);
}

TEST_CASE("integrations - at most 64, each key finds its own, names by the rules",
          "[console][staff]") {
  StaffFixture f;
  std::vector<std::string> keys;
  for (size_t i = 0; i < kMaxIntegrations; ++i) {
    auto key = f.staff->AddIntegration("system-" + std::to_string(i), 3);
    REQUIRE(key.ok());
    keys.emplace_back(base::AsChars(key->Reveal()));
  }
  CHECK(f.staff->AddIntegration("one-too-many", 3).status().code() ==
        base::StatusCode::kResourceExhausted);
  CHECK(f.staff->AddIntegration("system-0", 3).status().code() == base::StatusCode::kAlreadyExists);
  CHECK(f.staff->AddIntegration("Bad Name", 3).status().code() ==
        base::StatusCode::kInvalidArgument);
  CHECK(f.staff->AddIntegration("limit", kMaxDailyLimit + 1).status().code() ==
        base::StatusCode::kInvalidArgument);
  CHECK(f.staff->Integrations().size() == kMaxIntegrations);
  for (size_t i : {size_t{0}, size_t{17}, kMaxIntegrations - 1}) {
    auto who = f.staff->TakeIssueByKey(keys[i]);
    REQUIRE(who.ok());
    CHECK(*who == "system-" + std::to_string(i));
  }
  // Removing one makes room.
  REQUIRE(f.staff->RemoveIntegration("system-17").ok());
  CHECK(f.staff->TakeIssueByKey(keys[17]).status().code() == base::StatusCode::kUnauthenticated);
  CHECK(f.staff->AddIntegration("one-too-many", 3).ok());
}

}  // namespace
}  // namespace openen::console
