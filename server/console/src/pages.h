// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The console's pages: HTML made on the server, with no script at all. Every
// value from outside goes through Escape.

#ifndef OPENEN_CONSOLE_PAGES_H_
#define OPENEN_CONSOLE_PAGES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openen/console/staff.h"
#include "openen/verifier/verifier.h"

namespace openen::console::pages {

// Escape makes |s| safe in HTML text and in quoted attribute values.
std::string Escape(std::string_view s);

// Who is logged in, for the page header (its logout form carries |csrf|).
struct Viewer {
  std::string name;
  bool admin = false;
  std::string csrf;
  bool must_change_password = false;
};

// Layout wraps |body| in the page: the title, the header with the links the
// viewer may follow (none before login), the heading.
std::string Layout(std::string_view title, std::string_view heading,
                   const std::optional<Viewer>& viewer, std::string_view body);

// Login is the login form; |error| (text) is shown above it when not empty.
std::string Login(std::string_view login_csrf, std::string_view error);

// Account is the form a member changes their own password with; |notice|
// (HTML) is shown first.
std::string Account(const Viewer& viewer, std::string_view notice);

// IssueForm asks for the test type, the test date, the symptom onset
// (dates up to |today|, YYYY-MM-DD) and the person's consent to sharing
// with other authorities.
std::string IssueForm(const Viewer& viewer, std::string_view today, std::string_view error);

// Issued shows the code pair: the short code to read out, the long code as
// the link |link|, until when each is valid, and whether the person's
// consent to sharing was recorded. Nothing else.
std::string Issued(const verifier::IssuedCodes& codes, std::string_view link, int64_t now);

// Statistics: the codes issued, used and expired per day, and the codes each
// member and integration issued per day (newest first).
std::string Statistics(const std::vector<DailyTotals>& totals,
                       const std::vector<DailyIssued>& days);

// IntegrationList is the admins' page of integrations (never a key), with
// the form that adds one. |notice| (HTML) is shown first.
std::string IntegrationList(const Viewer& viewer, const std::vector<Integration>& integrations,
                            std::string_view notice);

// StaffList is the admins' page: every member with the changes an admin can
// make, and the form that adds one. |notice| (HTML) is shown first.
std::string StaffList(const Viewer& viewer, const std::vector<StaffMember>& members, int64_t now,
                      std::string_view notice);

// Text is a paragraph of |text| in class |kind| ("error", "notice").
std::string Text(std::string_view kind, std::string_view text);

// UtcTime is "YYYY-MM-DD HH:MM UTC"; UtcDate "YYYY-MM-DD".
std::string UtcTime(int64_t t);
std::string UtcDate(int64_t t);

}  // namespace openen::console::pages

#endif  // OPENEN_CONSOLE_PAGES_H_
