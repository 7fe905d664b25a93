// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/console/staff_command.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "openen/base/clock.h"
#include "openen/base/file.h"
#include "openen/console/staff.h"
#include "openen/console/totp.h"
#include "pages.h"

namespace openen::console {

const std::set<std::string> kStaffOptions = {"staff-dir", "role", "daily-limit", "issuer"};
const std::set<std::string> kStaffFlags = {"disable", "enable", "unlock"};
const std::set<std::string> kIntegrationOptions = {"staff-dir", "daily-limit", "out"};
const std::set<std::string> kIntegrationFlags = {"disable", "enable"};

namespace {

using cli::Args;
using cli::Outcome;

// ReadPassword reads one line from standard input, without echo when it is
// a terminal.
base::StatusOr<crypto::SecretBytes> ReadPassword(const char* prompt) {
  const bool tty = isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "%s", prompt);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  crypto::SecretBytes password(
      base::ByteView(reinterpret_cast<const uint8_t*>(line.data()), line.size()));
  std::fill(line.begin(), line.end(), '\0');
  if (!got) return base::InvalidArgumentError("no password on standard input");
  return password;
}

void PrintSecondFactor(const crypto::SecretBytes& secret, const std::string& issuer,
                       const std::string& name) {
  std::printf("second factor, for the authenticator app (as a QR code or typed):\n  %s\n  %s\n",
              TotpUri(secret, issuer, name).c_str(), Base32(secret).c_str());
}

base::StatusOr<uint32_t> DailyLimit(const Args& args, uint32_t fallback) {
  OPENEN_ASSIGN_OR_RETURN(int64_t limit, args.GetInt("daily-limit", fallback, 0, kMaxDailyLimit));
  return static_cast<uint32_t>(limit);
}

}  // namespace

Outcome StaffCommand(const Args& args) {
  const std::vector<std::string>& words = args.positional();
  const auto dir = args.Get("staff-dir");
  if (words.empty() || !dir) {
    return base::InvalidArgumentError("usage:\n" OPENEN_STAFF_USAGE);
  }
  const std::string& action = words[0];
  const bool named =
      action == "add" || action == "password" || action == "second-factor" || action == "set";
  if (!named && action != "list" && action != "issued" && action != "totals") {
    return base::InvalidArgumentError("unknown staff action '" + action +
                                      "'; usage:\n" OPENEN_STAFF_USAGE);
  }
  if (words.size() != (named ? 2u : 1u)) {
    return base::InvalidArgumentError("staff " + action +
                                      (named ? " takes one NAME" : " takes no NAME"));
  }
  const std::string name = named ? words[1] : "";
  const std::string issuer = args.Get("issuer").value_or("OpenEN console");
  base::SystemClock clock;
  base::StatusOr<std::unique_ptr<Staff>> opened = Staff::Open(*dir, StaffOptions(), &clock);
  if (!opened.ok()) return Outcome(opened.status(), cli::kExitFailure);
  Staff& staff = **opened;

  if (action == "add") {
    const auto role_text = args.Get("role");
    if (!role_text) return base::InvalidArgumentError("staff add needs --role caseworker|admin");
    OPENEN_ASSIGN_OR_RETURN(Role role, ParseRole(*role_text));
    OPENEN_ASSIGN_OR_RETURN(uint32_t limit, DailyLimit(args, role == Role::kAdmin ? 0 : 50));
    OPENEN_ASSIGN_OR_RETURN(crypto::SecretBytes password, ReadPassword("password: "));
    auto secret = staff.Add(name, role, password, limit);
    if (!secret.ok()) return Outcome(secret.status(), cli::kExitFailure);
    std::printf("added %s (%s, %u codes a day)\n", name.c_str(),
                std::string(RoleName(role)).c_str(), limit);
    PrintSecondFactor(*secret, issuer, name);
    return {};
  }
  if (action == "password") {
    OPENEN_ASSIGN_OR_RETURN(crypto::SecretBytes password, ReadPassword("new password: "));
    if (base::Status s = staff.SetPassword(name, password); !s.ok()) {
      return Outcome(s, cli::kExitFailure);
    }
    std::printf("new password set for %s\n", name.c_str());
    return {};
  }
  if (action == "second-factor") {
    auto secret = staff.ResetSecondFactor(name);
    if (!secret.ok()) return Outcome(secret.status(), cli::kExitFailure);
    std::printf("new second factor for %s; the old one no longer works\n", name.c_str());
    PrintSecondFactor(*secret, issuer, name);
    return {};
  }
  if (action == "set") {
    if (args.Has("disable") && args.Has("enable")) {
      return base::InvalidArgumentError("--disable and --enable together");
    }
    auto found = staff.Get(name);
    if (!found.ok()) return Outcome(found.status(), cli::kExitFailure);
    StaffMember member = *found;
    base::Status s = base::Status::Ok();
    if (auto role_text = args.Get("role"); role_text && s.ok()) {
      OPENEN_ASSIGN_OR_RETURN(Role role, ParseRole(*role_text));
      s = staff.SetRole(name, role);
    }
    if (args.Has("daily-limit") && s.ok()) {
      OPENEN_ASSIGN_OR_RETURN(uint32_t limit, DailyLimit(args, member.daily_limit));
      s = staff.SetDailyLimit(name, limit);
    }
    if (args.Has("disable") && s.ok()) s = staff.SetDisabled(name, true);
    if (args.Has("enable") && s.ok()) s = staff.SetDisabled(name, false);
    if (args.Has("unlock") && s.ok()) s = staff.Unlock(name);
    if (!s.ok()) return Outcome(s, cli::kExitFailure);
    found = staff.Get(name);
    if (!found.ok()) return Outcome(found.status(), cli::kExitFailure);
    member = *found;
    std::printf("%s: %s, %u codes a day%s\n", name.c_str(),
                std::string(RoleName(member.role)).c_str(), member.daily_limit,
                member.disabled ? ", disabled" : "");
    return {};
  }
  if (action == "list") {
    std::printf("%-32s %-10s %8s  %s\n", "name", "role", "per day", "state");
    for (const StaffMember& m : staff.List()) {
      std::string state = m.disabled ? "disabled" : "enabled";
      if (m.locked_until > clock.NowSeconds())
        state += ", locked until " + pages::UtcTime(m.locked_until);
      std::printf("%-32s %-10s %8u  %s\n", m.name.c_str(), std::string(RoleName(m.role)).c_str(),
                  m.daily_limit, state.c_str());
    }
    return {};
  }
  if (action == "totals") {
    std::printf("%-10s %8s %8s %8s\n", "day", "issued", "used", "expired");
    for (const DailyTotals& t : staff.Totals()) {
      std::printf("%-10s %8u %8u %8u\n", pages::UtcDate(t.day * 86400).c_str(), t.issued, t.used,
                  t.expired);
    }
    return {};
  }
  // issued
  std::printf("%-10s %-32s %s\n", "day", "name", "codes");
  for (const DailyIssued& d : staff.IssuedPerDay()) {
    const std::string day = pages::UtcDate(d.day * 86400);
    const std::string name = d.integration ? d.name + " (integration)" : d.name;
    std::printf("%-10s %-32s %u\n", day.c_str(), name.c_str(), d.codes);
  }
  return {};
}

Outcome IntegrationCommand(const Args& args) {
  const std::vector<std::string>& words = args.positional();
  const auto dir = args.Get("staff-dir");
  if (words.empty() || !dir) return base::InvalidArgumentError("usage:\n" OPENEN_INTEGRATION_USAGE);
  const std::string& action = words[0];
  const bool named = action == "add" || action == "set" || action == "remove";
  if (!named && action != "list") {
    return base::InvalidArgumentError("unknown integration action '" + action +
                                      "'; usage:\n" OPENEN_INTEGRATION_USAGE);
  }
  if (words.size() != (named ? 2u : 1u)) {
    return base::InvalidArgumentError("integration " + action +
                                      (named ? " takes one NAME" : " takes no NAME"));
  }
  const auto out = args.Get("out");
  if (action == "add" && !out)
    return base::InvalidArgumentError("integration add needs --out FILE");
  if (action == "add" && std::filesystem::exists(*out)) {
    return base::InvalidArgumentError(*out + " exists; refusing to overwrite a key");
  }
  if (args.Has("disable") && args.Has("enable")) {
    return base::InvalidArgumentError("--disable and --enable together");
  }
  const std::string name = named ? words[1] : "";
  base::SystemClock clock;
  base::StatusOr<std::unique_ptr<Staff>> opened = Staff::Open(*dir, StaffOptions(), &clock);
  if (!opened.ok()) return Outcome(opened.status(), cli::kExitFailure);
  Staff& staff = **opened;

  if (action == "add") {
    OPENEN_ASSIGN_OR_RETURN(uint32_t limit, DailyLimit(args, 1000));
    auto key = staff.AddIntegration(name, limit);
    if (!key.ok()) return Outcome(key.status(), cli::kExitFailure);
    std::string text(base::AsChars(key->Reveal()));
    text += "\n";
    base::Status written = base::WriteFileAtomically(*out, text, /*secret=*/true);
    crypto::Wipe(&text);
    if (!written.ok()) {
      // A key nobody holds is no use: take it back.
      (void)staff.RemoveIntegration(name);
      return Outcome(written, cli::kExitFailure);
    }
    std::printf("added integration %s (%u codes a day); its API key is in %s\n", name.c_str(),
                limit, out->c_str());
    return {};
  }
  if (action == "set") {
    base::Status s = base::Status::Ok();
    if (args.Has("daily-limit")) {
      OPENEN_ASSIGN_OR_RETURN(uint32_t limit, DailyLimit(args, 0));
      s = staff.SetIntegrationLimit(name, limit);
    }
    if (args.Has("disable") && s.ok()) s = staff.SetIntegrationDisabled(name, true);
    if (args.Has("enable") && s.ok()) s = staff.SetIntegrationDisabled(name, false);
    if (!s.ok()) return Outcome(s, cli::kExitFailure);
  }
  if (action == "remove") {
    if (base::Status s = staff.RemoveIntegration(name); !s.ok()) {
      return Outcome(s, cli::kExitFailure);
    }
    // What the removal deleted is made physical before the command ends.
    if (base::Status s = staff.Maintain(); !s.ok()) return Outcome(s, cli::kExitFailure);
    std::printf("removed integration %s; its key no longer works\n", name.c_str());
    return {};
  }
  std::printf("%-32s %8s  %s\n", "name", "per day", "state");
  for (const Integration& i : staff.Integrations()) {
    if (action == "set" && i.name != name) continue;
    std::printf("%-32s %8u  %s\n", i.name.c_str(), i.daily_limit,
                i.disabled ? "disabled" : "enabled");
  }
  return {};
}

}  // namespace openen::console
