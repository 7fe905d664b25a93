// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "pages.h"

#include <ctime>

namespace openen::console::pages {
namespace {

std::string Hidden(std::string_view name, std::string_view value) {
  return "<input type=\"hidden\" name=\"" + Escape(name) + "\" value=\"" + Escape(value) + "\">";
}

std::string Minutes(int64_t seconds) {
  if (seconds >= 3600 && seconds % 3600 == 0) {
    const int64_t hours = seconds / 3600;
    return std::to_string(hours) + (hours == 1 ? " hour" : " hours");
  }
  const int64_t minutes = (seconds + 59) / 60;
  return std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes");
}

std::string Format(int64_t t, const char* format) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char out[40];
  std::strftime(out, sizeof(out), format, &tm);
  return out;
}

}  // namespace

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string UtcTime(int64_t t) { return Format(t, "%Y-%m-%d %H:%M UTC"); }
std::string UtcDate(int64_t t) { return Format(t, "%Y-%m-%d"); }

std::string Text(std::string_view kind, std::string_view text) {
  return "<p class=\"" + Escape(kind) + "\">" + Escape(text) + "</p>";
}

std::string Layout(std::string_view title, std::string_view heading,
                   const std::optional<Viewer>& viewer, std::string_view body) {
  std::string html =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      Escape(heading) + " - " + Escape(title) +
      "</title><link rel=\"stylesheet\" href=\"/console.css\"></head><body><header>"
      "<span class=\"title\">" +
      Escape(title) + "</span>";
  if (viewer) {
    html += "<a href=\"/issue\">Issue a code</a>";
    if (viewer->admin) {
      html +=
          "<a href=\"/statistics\">Statistics</a><a href=\"/staff\">Staff</a>"
          "<a href=\"/integrations\">Integrations</a>";
    }
    html += "<a href=\"/account\" id=\"account\">" + Escape(viewer->name) +
            "</a><form method=\"post\" action=\"/logout\">" + Hidden("csrf", viewer->csrf) +
            "<button type=\"submit\" id=\"logout\">Log out</button></form>";
  }
  html += "</header><main><h1>" + Escape(heading) + "</h1>";
  html += body;
  html += "</main></body></html>\n";
  return html;
}

std::string Login(std::string_view login_csrf, std::string_view error) {
  std::string body;
  if (!error.empty()) body += Text("error", error);
  body += "<form method=\"post\" action=\"/login\">" + Hidden("login_csrf", login_csrf) +
          "<label for=\"name\">Name</label>"
          "<input id=\"name\" name=\"name\" autocomplete=\"username\" required maxlength=\"64\" "
          "autofocus>"
          "<label for=\"password\">Password</label>"
          "<input id=\"password\" name=\"password\" type=\"password\" "
          "autocomplete=\"current-password\" required maxlength=\"128\">"
          "<label for=\"otp\">One-time password</label>"
          "<input id=\"otp\" name=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\" "
          "pattern=\"[0-9]{6}\" maxlength=\"6\" required>"
          "<p class=\"hint\">The six digits your authenticator app shows now.</p>"
          "<button class=\"primary\" type=\"submit\" id=\"log-in\">Log in</button></form>";
  return body;
}

std::string Account(const Viewer& viewer, std::string_view notice) {
  std::string body(notice);
  if (viewer.must_change_password) {
    body += Text("notice", "Your password was set by an admin. Choose your own before you go on.");
  }
  body += "<form method=\"post\" action=\"/account\">" + Hidden("csrf", viewer.csrf) +
          "<input type=\"hidden\" name=\"name\" autocomplete=\"username\" value=\"" +
          Escape(viewer.name) +
          "\"><label for=\"current-password\">Current password</label>"
          "<input id=\"current-password\" name=\"current\" type=\"password\" "
          "autocomplete=\"current-password\" required maxlength=\"128\">"
          "<label for=\"new-password\">New password</label>"
          "<input id=\"new-password\" name=\"next\" type=\"password\" "
          "autocomplete=\"new-password\" required minlength=\"12\" maxlength=\"128\">"
          "<label for=\"repeat-password\">New password again</label>"
          "<input id=\"repeat-password\" name=\"repeat\" type=\"password\" "
          "autocomplete=\"new-password\" required minlength=\"12\" maxlength=\"128\">"
          "<p class=\"hint\">12 to 128 characters. A passphrase of several words is easier to "
          "remember and harder to guess.</p>"
          "<button class=\"primary\" type=\"submit\" id=\"change-password\">Change password"
          "</button></form>";
  return body;
}

std::string IssueForm(const Viewer& viewer, std::string_view today, std::string_view error) {
  std::string body;
  if (!error.empty()) body += Text("error", error);
  body +=
      "<p class=\"hint\">For a person whose test is positive. The console does not ask who "
      "they are, and keeps nothing that would tell.</p>"
      "<form method=\"post\" action=\"/issue\">" +
      Hidden("csrf", viewer.csrf) +
      "<label for=\"test-type\">Test type</label><select id=\"test-type\" name=\"test_type\">"
      "<option value=\"confirmed\">Confirmed test</option>"
      "<option value=\"likely\">Likely (clinical diagnosis)</option>"
      "<option value=\"self-report\">Self-report</option></select>"
      "<label for=\"test-date\">Test date</label>"
      "<input id=\"test-date\" name=\"test_date\" type=\"date\" required max=\"" +
      Escape(today) +
      "\">"
      "<label for=\"onset\">Symptom onset (if any)</label>"
      "<input id=\"onset\" name=\"onset\" type=\"date\" max=\"" +
      Escape(today) +
      "\">"
      "<p class=\"hint\">Without an onset, the test date stands in for it.</p>"
      "<label><input id=\"share\" name=\"share_with_peers\" type=\"checkbox\" value=\"yes\"> "
      "The person agrees that their keys also go to the health authorities of other regions "
      "that we exchange keys with</label>"
      "<button class=\"primary\" type=\"submit\" id=\"issue\">Issue a code</button></form>";
  return body;
}

std::string Issued(const verifier::IssuedCodes& codes, std::string_view link, int64_t now) {
  return "<p>Read this code out to the person:</p><p class=\"code\" id=\"short-code\">" +
         Escape(verifier::GroupForReading(codes.short_code)) + "</p><p>Valid for " +
         Minutes(codes.short_code_expires_at - now) + ", until " +
         Escape(UtcTime(codes.short_code_expires_at)) +
         ".</p><p>Or send them this link, which opens the app:</p><p><a id=\"long-code-link\" "
         "href=\"" +
         Escape(link) + "\">" + Escape(link) + "</a></p><p>Valid for " +
         Minutes(codes.long_code_expires_at - now) + ", until " +
         Escape(UtcTime(codes.long_code_expires_at)) + ".</p><p id=\"consent\">" +
         (codes.share_with_peers
              ? "Recorded: the person agreed that their keys are also offered to the health "
                "authorities of other regions that we exchange keys with."
              : "Recorded: no consent to share. Their keys are not offered to the health "
                "authorities of other regions.") +
         "</p><p><a href=\"/issue\">Issue another code</a></p>";
}

std::string Statistics(const std::vector<DailyTotals>& totals,
                       const std::vector<DailyIssued>& days) {
  std::string body =
      "<p class=\"hint\">Days are UTC days. Nothing here says who a code was for, or which "
      "code was used: only how many.</p><h2>Codes per day</h2><table id=\"totals\"><tr>"
      "<th>Day</th><th>Issued</th><th>Used</th><th>Expired unused</th></tr>";
  for (const DailyTotals& t : totals) {
    body += "<tr><td>" + Escape(UtcDate(t.day * 86400)) + "</td><td>" + std::to_string(t.issued) +
            "</td><td>" + std::to_string(t.used) + "</td><td>" + std::to_string(t.expired) +
            "</td></tr>";
  }
  body +=
      "</table><h2>Issued by</h2><table id=\"issued\"><tr><th>Day</th><th>Member or "
      "integration</th><th>Codes</th></tr>";
  for (const DailyIssued& d : days) {
    body += "<tr><td>" + Escape(UtcDate(d.day * 86400)) + "</td><td>" + Escape(d.name) +
            (d.integration ? " (integration)" : "") + "</td><td>" + std::to_string(d.codes) +
            "</td></tr>";
  }
  body += "</table>";
  return body;
}

std::string IntegrationList(const Viewer& viewer, const std::vector<Integration>& integrations,
                            std::string_view notice) {
  std::string body(notice);
  body +=
      "<p class=\"hint\">The authority's own systems (a lab's, a case system's) issue codes "
      "with the verifier's IssueCode call and an API key of their own.</p>"
      "<table id=\"integrations\"><tr><th>Name</th><th>Codes a day</th><th>State</th><th></th>"
      "</tr>";
  for (const Integration& i : integrations) {
    const std::string form_start = "<form method=\"post\" action=\"/integrations/update\">" +
                                   Hidden("csrf", viewer.csrf) + Hidden("name", i.name);
    body += "<tr><td>" + Escape(i.name) + "</td><td>" + form_start +
            "<input name=\"daily_limit\" type=\"number\" min=\"0\" max=\"" +
            std::to_string(kMaxDailyLimit) + "\" value=\"" + std::to_string(i.daily_limit) +
            "\" size=\"6\"><button name=\"action\" value=\"limit\">Set</button></form></td><td>" +
            (i.disabled ? "disabled" : "enabled") + "</td><td>" + form_start +
            (i.disabled ? "<button name=\"action\" value=\"enable\">Enable</button>"
                        : "<button name=\"action\" value=\"disable\">Disable</button>") +
            "<button name=\"action\" value=\"remove\">Remove</button></form></td></tr>";
  }
  body += "</table><h2>Add an integration</h2><form method=\"post\" action=\"/integrations/add\">" +
          Hidden("csrf", viewer.csrf) +
          "<label for=\"new-integration\">Name</label><input id=\"new-integration\" name=\"name\" "
          "required maxlength=\"64\" pattern=\"[a-z0-9][a-z0-9._@-]*\">"
          "<label for=\"new-integration-limit\">Codes a day</label><input "
          "id=\"new-integration-limit\" name=\"daily_limit\" type=\"number\" min=\"0\" "
          "value=\"1000\"><p class=\"hint\">The console shows the new API key once: put it in "
          "the system's configuration.</p>"
          "<button class=\"primary\" type=\"submit\" id=\"add-integration\">Add</button></form>";
  return body;
}

std::string StaffList(const Viewer& viewer, const std::vector<StaffMember>& members, int64_t now,
                      std::string_view notice) {
  std::string body(notice);
  body +=
      "<table id=\"staff\"><tr><th>Name</th><th>Role</th><th>Codes a day</th><th>State</th>"
      "<th></th></tr>";
  for (const StaffMember& m : members) {
    const std::string form_start = "<form method=\"post\" action=\"/staff/update\">" +
                                   Hidden("csrf", viewer.csrf) + Hidden("name", m.name);
    std::string state = m.disabled ? "disabled" : "enabled";
    if (m.locked_until > now) state += ", locked until " + UtcTime(m.locked_until);
    if (m.wrong_passwords > 0) {
      state += ", " + std::to_string(m.wrong_passwords) + " wrong passwords since the last login";
    }
    body +=
        "<tr><td>" + Escape(m.name) + "</td><td>" + std::string(RoleName(m.role)) + "</td><td>" +
        form_start + "<input name=\"daily_limit\" type=\"number\" min=\"0\" max=\"" +
        std::to_string(kMaxDailyLimit) + "\" value=\"" + std::to_string(m.daily_limit) +
        "\" size=\"6\"><button name=\"action\" value=\"limit\">Set</button></form></td><td>" +
        Escape(state) + "</td><td>" + form_start +
        (m.disabled ? "<button name=\"action\" value=\"enable\">Enable</button>"
                    : "<button name=\"action\" value=\"disable\">Disable</button>") +
        (m.locked_until > now ? "<button name=\"action\" value=\"unlock\">Unlock</button>" : "") +
        "<button name=\"action\" value=\"second-factor\">New second factor</button>"
        "</form></td></tr>";
  }
  body += "</table><h2>Add a member</h2><form method=\"post\" action=\"/staff/add\">" +
          Hidden("csrf", viewer.csrf) +
          "<label for=\"new-name\">Name</label><input id=\"new-name\" name=\"name\" required "
          "maxlength=\"64\" pattern=\"[a-z0-9][a-z0-9._@-]*\">"
          "<label for=\"new-role\">Role</label><select id=\"new-role\" name=\"role\">"
          "<option value=\"caseworker\">Case worker</option><option value=\"admin\">Admin</option>"
          "</select><label for=\"new-limit\">Codes a day</label><input id=\"new-limit\" "
          "name=\"daily_limit\" type=\"number\" min=\"0\" value=\"50\">"
          "<p class=\"hint\">The console makes a first password and a second factor, shown once: "
          "hand them to the new member.</p>"
          "<button class=\"primary\" type=\"submit\" id=\"add-member\">Add</button></form>";
  return body;
}

}  // namespace openen::console::pages
