// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The console over real HTTP on loopback (cpp-httplib's client): logging in
// with a password and a one-time password, issuing a code that the verifier
// then exchanges, the admins' pages closed to case workers, forms without
// the session's CSRF token or from another origin refused, logging out. The
// browser test drives the same pages in Chromium.

#include <httplib.h>
#include <liboath/oath.h>
#include <sodium.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <regex>
#include <string>

#include "openen/base/clock.h"
#include "openen/console/console.h"
#include "openen/console/staff.h"
#include "openen/console/totp.h"
#include "openen/crypto/ed25519.h"
#include "openen/verifier/verifier.h"
#include "test_util.h"

namespace openen::console {
namespace {

using openen::testing::TempDir;

crypto::SecretBytes Secret(const std::string& s) {
  return crypto::SecretBytes(base::ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// The value of |name|="..." in |html|.
std::string FormValue(const std::string& html, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex("name=\"" + name + "\" value=\"([^\"]*)\"")))
    return "";
  return m[1];
}

// A browser's cookie jar for one site, as far as the console needs.
struct Browser {
  const int port;
  httplib::Client client;
  std::map<std::string, std::string> cookies;
  explicit Browser(int p) : port(p), client("127.0.0.1", p) {}

  httplib::Headers Headers(bool post) const {
    httplib::Headers h;
    std::string jar;
    for (const auto& [k, v] : cookies) jar += (jar.empty() ? "" : "; ") + k + "=" + v;
    if (!jar.empty()) h.emplace("Cookie", jar);
    if (post) h.emplace("Origin", "http://127.0.0.1:" + std::to_string(port));
    return h;
  }
  void Keep(const httplib::Result& r) {
    for (const auto& [k, v] : r->headers) {
      if (k != "Set-Cookie") continue;
      const size_t eq = v.find('='), end = v.find(';');
      const std::string value = v.substr(eq + 1, end - eq - 1);
      if (v.find("Max-Age=0") != std::string::npos || value.empty()) {
        cookies.erase(v.substr(0, eq));
      } else {
        cookies[v.substr(0, eq)] = value;
      }
    }
  }
  httplib::Result Get(const std::string& path) {
    httplib::Result r = client.Get(path.c_str(), Headers(false));
    REQUIRE(r);
    Keep(r);
    return r;
  }
  httplib::Result Post(const std::string& path, const httplib::Params& form) {
    httplib::Result r = client.Post(path.c_str(), Headers(true), form);
    REQUIRE(r);
    Keep(r);
    return r;
  }
  // LogIn logs in through the form; the status of the answer.
  int LogIn(const std::string& name, const std::string& password, const std::string& otp) {
    const std::string csrf = FormValue(Get("/login")->body, "login_csrf");
    return Post("/login",
                {{"login_csrf", csrf}, {"name", name}, {"password", password}, {"otp", otp}})
        ->status;
  }
};

struct ConsoleFixture {
  TempDir dir;
  base::FakeClock clock{1795000000};
  std::unique_ptr<Staff> staff;
  std::unique_ptr<verifier::Verifier> verifier;
  std::unique_ptr<Console> console;
  crypto::SecretBytes admin_totp, ann_totp;

  ConsoleFixture() {
    StaffOptions options;
    options.password_passes = crypto_pwhash_OPSLIMIT_MIN;
    options.password_bytes = crypto_pwhash_MEMLIMIT_MIN;
    auto s = Staff::Open(dir.Sub("staff"), options, &clock);
    REQUIRE(s.ok());
    staff = std::move(*s);
    verifier::VerifierOptions verifier_options;
    verifier_options.tally = staff.get();  // as openen-verifier runs them
    auto v = verifier::Verifier::Open(dir.Sub("verifier"), crypto::Ed25519PrivateKey::Generate(),
                                      verifier_options, &clock);
    REQUIRE(v.ok());
    verifier = std::move(*v);
    admin_totp = std::move(*staff->Add("root", Role::kAdmin, Secret("the admin's password"), 0));
    ann_totp = std::move(*staff->Add("ann", Role::kCaseWorker, Secret("ann's long password"), 2));
    ConsoleOptions o;
    o.listen = "127.0.0.1:0";
    o.code_link = "https://health.example/v";
    auto c = Console::Start(o, verifier.get(), staff.get(), &clock);
    REQUIRE(c.ok());
    console = std::move(*c);
  }
  std::string Otp(const crypto::SecretBytes& secret) {
    clock.Advance(kTotpStepSeconds);  // each login a fresh step
    return TotpCode(secret, clock.NowSeconds());
  }
};

TEST_CASE(
    "console over HTTP - a case worker logs in, issues a code the verifier takes, and logs out",
    "[console][http]") {
  ConsoleFixture f;
  Browser ann(f.console->port());
  CHECK(ann.Get("/issue")->status == 303);  // to the login page
  httplib::Result login = ann.Get("/login");
  CHECK(login->get_header_value("Content-Security-Policy").find("default-src 'none'") !=
        std::string::npos);
  CHECK(login->body.find("<script") == std::string::npos);
  CHECK(ann.LogIn("ann", "ann's wrong password", f.Otp(f.ann_totp)) == 401);
  CHECK(ann.LogIn("ann", "ann's long password", f.Otp(f.ann_totp)) == 303);
  const std::string session = ann.cookies["openen_console"];
  CHECK(session.size() == 43);
  httplib::Result form = ann.Get("/issue");
  REQUIRE(form->status == 200);
  const std::string csrf = FormValue(form->body, "csrf");
  REQUIRE(csrf.size() == 43);

  // Issue: the short code and the link, nothing else.
  const std::string today = "2026-11-18";
  httplib::Result issued =
      ann.Post("/issue", {{"csrf", csrf}, {"test_type", "confirmed"}, {"test_date", today}});
  REQUIRE(issued->status == 200);
  std::smatch m;
  REQUIRE(std::regex_search(issued->body, m, std::regex("id=\"short-code\">([0-9 ]+)<")));
  const std::string short_code = m[1];
  REQUIRE(std::regex_search(issued->body, m,
                            std::regex("href=\"https://health.example/v\\?c=([a-z0-9]{25})\"")));
  // The verifier takes the code, once.
  auto token = f.verifier->ExchangeCode(short_code);
  REQUIRE(token.ok());
  CHECK(token->test_type == openen::v1::CONFIRMED_TEST);
  // Unticked, no consent to share is recorded, and the page says so.
  CHECK_FALSE(token->share_with_peers);
  CHECK(issued->body.find("Recorded: no consent to share.") != std::string::npos);
  CHECK_FALSE(f.verifier->ExchangeCode(short_code).ok());
  CHECK(f.staff->IssuedPerDay().at(0).codes == 1);

  // Ticked: the consent goes with the code into the token, and is shown.
  httplib::Result shared = ann.Post(
      "/issue",
      {{"csrf", csrf}, {"test_type", "likely"}, {"test_date", today}, {"share_with_peers", "yes"}});
  REQUIRE(shared->status == 200);
  CHECK(shared->body.find("the person agreed that their keys are also offered") !=
        std::string::npos);
  REQUIRE(std::regex_search(shared->body, m, std::regex("id=\"short-code\">([0-9 ]+)<")));
  auto shared_token = f.verifier->ExchangeCode(m[1].str());
  REQUIRE(shared_token.ok());
  CHECK(shared_token->share_with_peers);

  // The daily limit (2), then no more.
  httplib::Result limited =
      ann.Post("/issue", {{"csrf", csrf}, {"test_type", "confirmed"}, {"test_date", today}});
  CHECK(limited->status == 429);
  CHECK(limited->body.find("daily limit of 2 codes reached") != std::string::npos);
  // Bad input: a clear answer, nothing issued.
  CHECK(
      ann.Post("/issue", {{"csrf", csrf}, {"test_type", "confirmed"}, {"test_date", "18/11/2026"}})
          ->status == 400);

  // A case worker cannot reach the admins' pages.
  CHECK(ann.Get("/staff")->status == 403);
  CHECK(ann.Get("/statistics")->status == 403);
  CHECK(ann.Post("/staff/update", {{"csrf", csrf}, {"name", "root"}, {"action", "disable"}})
            ->status == 403);
  CHECK_FALSE(f.staff->Get("root")->disabled);

  // Log out: the session is gone, for this cookie too.
  CHECK(ann.Post("/logout", {{"csrf", csrf}})->status == 303);
  CHECK(f.console->sessions() == 0);
  Browser replay(f.console->port());
  replay.cookies["openen_console"] = session;
  CHECK(replay.Get("/issue")->status == 303);
}

TEST_CASE("console over HTTP - forms without the session's token or from another site are refused",
          "[console][http][csrf]") {
  ConsoleFixture f;
  Browser root(f.console->port());
  REQUIRE(root.LogIn("root", "the admin's password", f.Otp(f.admin_totp)) == 303);
  const std::string csrf = FormValue(root.Get("/staff")->body, "csrf");
  REQUIRE_FALSE(csrf.empty());
  // Another site's form: the browser sends the cookie (were it not
  // SameSite) but not the token; or the token leaked but the Origin is not ours.
  CHECK(root.Post("/staff/update", {{"name", "ann"}, {"action", "disable"}})->status == 403);
  CHECK(root.Post("/staff/update",
                  {{"csrf", "x" + csrf.substr(1)}, {"name", "ann"}, {"action", "disable"}})
            ->status == 403);
  httplib::Headers cross = root.Headers(false);
  cross.emplace("Origin", "https://evil.example");
  httplib::Result r =
      root.client.Post("/staff/update", cross,
                       httplib::Params{{"csrf", csrf}, {"name", "ann"}, {"action", "disable"}});
  REQUIRE(r);
  CHECK(r->status == 403);
  CHECK_FALSE(f.staff->Get("ann")->disabled);
  // The same form from the console itself works.
  CHECK(root.Post("/staff/update", {{"csrf", csrf}, {"name", "ann"}, {"action", "disable"}})
            ->status == 200);
  CHECK(f.staff->Get("ann")->disabled);
  // A login form from elsewhere (no login cookie) is refused too.
  Browser other(f.console->port());
  CHECK(other
            .Post("/login", {{"login_csrf", "forged"},
                             {"name", "root"},
                             {"password", "the admin's password"},
                             {"otp", f.Otp(f.admin_totp)}})
            ->status == 403);
}

TEST_CASE("console over HTTP - admins add members, whose first password and second factor work",
          "[console][http]") {
  ConsoleFixture f;
  Browser root(f.console->port());
  REQUIRE(root.LogIn("root", "the admin's password", f.Otp(f.admin_totp)) == 303);
  const std::string csrf = FormValue(root.Get("/staff")->body, "csrf");
  httplib::Result added =
      root.Post("/staff/add",
                {{"csrf", csrf}, {"name", "bob"}, {"role", "caseworker"}, {"daily_limit", "7"}});
  REQUIRE(added->status == 200);
  std::smatch m;
  REQUIRE(std::regex_search(added->body, m, std::regex("id=\"first-password\">([a-z0-9]{20})<")));
  const std::string first_password = m[1];
  REQUIRE(std::regex_search(added->body, m, std::regex("id=\"totp-secret\">([A-Z2-7]{32})<")));
  CHECK(f.staff->Get("bob")->daily_limit == 7);
  const std::string base32 = m[1];
  char* raw = nullptr;
  size_t raw_len = 0;
  REQUIRE(oath_base32_decode(base32.data(), base32.size(), &raw, &raw_len) == OATH_OK);
  const crypto::SecretBytes bob_totp(
      base::ByteView(reinterpret_cast<const uint8_t*>(raw), raw_len));
  std::free(raw);
  CHECK(f.staff->Get("bob")->daily_limit == 7);
  // Bob logs in with what the page showed, and must choose his own password
  // before anything else.
  Browser bob(f.console->port());
  CHECK(bob.LogIn("bob", first_password, f.Otp(bob_totp)) == 303);
  httplib::Result to_account = bob.Get("/issue");
  CHECK(to_account->status == 303);
  CHECK(to_account->get_header_value("Location") == "/account");
  httplib::Result account = bob.Get("/account");
  REQUIRE(account->status == 200);
  CHECK(account->body.find("Your password was set by an admin.") != std::string::npos);
  const std::string bob_csrf = FormValue(account->body, "csrf");
  CHECK(bob.Post("/account", {{"csrf", bob_csrf},
                              {"current", "not the first password"},
                              {"next", "bob's own passphrase"},
                              {"repeat", "bob's own passphrase"}})
            ->status == 401);
  CHECK(bob.Post("/account", {{"csrf", bob_csrf},
                              {"current", first_password},
                              {"next", "bob's own passphrase"},
                              {"repeat", "bob's other passphrase"}})
            ->status == 400);
  CHECK(bob.Post("/account", {{"csrf", bob_csrf},
                              {"current", first_password},
                              {"next", first_password},
                              {"repeat", first_password}})
            ->status == 400);
  CHECK(bob.Get("/issue")->status == 303);  // still the first password
  httplib::Result changed = bob.Post("/account", {{"csrf", bob_csrf},
                                                  {"current", first_password},
                                                  {"next", "bob's own passphrase"},
                                                  {"repeat", "bob's own passphrase"}});
  CHECK(changed->status == 303);
  CHECK(changed->get_header_value("Location") == "/issue");
  CHECK(bob.Get("/issue")->status == 200);
  CHECK_FALSE(f.staff->Get("bob")->must_change_password);
  CHECK(f.staff->Get("bob")->wrong_passwords == 1);
  CHECK(f.console->sessions() == 2);
  // A new second factor logs him out.
  CHECK(root.Post("/staff/update", {{"csrf", csrf}, {"name", "bob"}, {"action", "second-factor"}})
            ->status == 200);
  CHECK(bob.Get("/issue")->status == 303);
  CHECK(root.Get("/statistics")->status == 200);
}

TEST_CASE(
    "console over HTTP - admins add an integration whose key issues codes, and see the totals",
    "[console][http]") {
  ConsoleFixture f;
  Browser root(f.console->port());
  REQUIRE(root.LogIn("root", "the admin's password", f.Otp(f.admin_totp)) == 303);
  const std::string csrf = FormValue(root.Get("/integrations")->body, "csrf");
  httplib::Result added =
      root.Post("/integrations/add", {{"csrf", csrf}, {"name", "lab"}, {"daily_limit", "1"}});
  REQUIRE(added->status == 200);
  std::smatch m;
  REQUIRE(std::regex_search(added->body, m, std::regex("id=\"api-key\">(oen_[0-9a-f]{64})<")));
  const std::string key = m[1];
  // Shown once: neither the list nor the store holds it.
  CHECK(root.Get("/integrations")->body.find(key) == std::string::npos);
  CHECK(openen::testing::FilesContaining(f.dir.Sub("staff"), base::AsBytes(key)).empty());
  CHECK(openen::testing::FilesContaining(f.dir.Sub("staff"), base::AsBytes(key.substr(4, 32)))
            .empty());
  CHECK(f.staff->TakeIssueByKey(key).ok());
  CHECK(f.staff->TakeIssueByKey(key).status().code() == base::StatusCode::kResourceExhausted);
  CHECK(root.Post("/integrations/update", {{"csrf", csrf}, {"name", "lab"}, {"action", "remove"}})
            ->status == 200);
  CHECK(f.staff->TakeIssueByKey(key).status().code() == base::StatusCode::kUnauthenticated);

  // A code issued in the console and used: the totals move, per day.
  const std::string issue_csrf = FormValue(root.Get("/issue")->body, "csrf");
  REQUIRE(f.staff->SetDailyLimit("root", 5).ok());
  httplib::Result issued = root.Post(
      "/issue", {{"csrf", issue_csrf}, {"test_type", "confirmed"}, {"test_date", "2026-11-18"}});
  REQUIRE(issued->status == 200);
  REQUIRE(std::regex_search(issued->body, m, std::regex("id=\"short-code\">([0-9 ]+)<")));
  REQUIRE(f.verifier->ExchangeCode(std::string(m[1])).ok());
  CHECK(root.Get("/statistics")->body.find("<tr><td>2026-11-18</td><td>1</td>") ==
        std::string::npos);
  REQUIRE(f.verifier->Maintain().ok());  // the verifier tells its counts here
  const std::string stats = root.Get("/statistics")->body;
  CHECK(stats.find("<tr><td>2026-11-18</td><td>1</td><td>1</td><td>0</td></tr>") !=
        std::string::npos);
  CHECK(stats.find("<td>root</td><td>1</td>") != std::string::npos);
  CHECK(stats.find("<td>lab (integration)</td><td>1</td>") != std::string::npos);
}

TEST_CASE(
    "console over HTTP - bodies of unknown size, forms in the address and days that do not exist "
    "are refused",
    "[console][http]") {
  ConsoleFixture f;
  Browser ann(f.console->port());
  REQUIRE(ann.LogIn("ann", "ann's long password", f.Otp(f.ann_totp)) == 303);
  const std::string csrf = FormValue(ann.Get("/issue")->body, "csrf");
  // A chunked body: refused before it is read.
  httplib::Result chunked = ann.client.Post(
      "/issue", ann.Headers(true),
      [&](size_t, httplib::DataSink& sink) {
        const std::string form = "csrf=" + csrf + "&test_type=confirmed&test_date=2026-11-18";
        sink.write(form.data(), form.size());
        sink.done();
        return true;
      },
      "application/x-www-form-urlencoded");
  // The console answers 411 and closes the connection with the body
  // unread; the kernel may reset it before the client reads the answer.
  // Either way the form is refused (nothing is issued: checked below).
  if (chunked) {
    CHECK(chunked->status == 411);
  } else {
    CHECK(chunked.error() != httplib::Error::Connection);
  }
  // The form in the address.
  httplib::Result in_url =
      ann.client.Post(("/issue?csrf=" + csrf + "&test_type=confirmed&test_date=2026-11-18").c_str(),
                      ann.Headers(true), "", "application/x-www-form-urlencoded");
  REQUIRE(in_url);
  CHECK(in_url->status == 400);
  CHECK(ann.client.Delete("/issue", ann.Headers(true))->status == 405);
  // A GET with a body (never read: it would be taken for the next request).
  httplib::Request get_with_body;
  get_with_body.method = "GET";
  get_with_body.path = "/issue";
  get_with_body.headers = ann.Headers(false);
  get_with_body.body = "GET /issue HTTP/1.1\r\nHost: x\r\n\r\n";
  get_with_body.headers.emplace("Content-Type", "text/plain");
  httplib::Result smuggled = ann.client.send(get_with_body);
  if (smuggled) {
    CHECK(smuggled->status == 400);
    CHECK(smuggled->get_header_value("Connection") == "close");
  } else {
    CHECK(smuggled.error() != httplib::Error::Connection);  // reset, as above
  }
  // February has no 31st (the C library would read it as March 3rd).
  httplib::Result no_day =
      ann.Post("/issue", {{"csrf", csrf}, {"test_type", "confirmed"}, {"test_date", "2026-02-31"}});
  CHECK(no_day->status == 400);
  CHECK(no_day->body.find("The test date must be a date, YYYY-MM-DD") != std::string::npos);
  CHECK(f.staff->IssuedPerDay().empty());
  CHECK(f.verifier->LiveRecords() == 0);
  // The console still answers.
  CHECK(ann.Get("/issue")->status == 200);
}

TEST_CASE("console over HTTP - behind a TLS proxy forms come from its origin with __Host- cookies",
          "[console][http][csrf]") {
  TempDir dir;
  base::FakeClock clock{1795000000};
  StaffOptions options;
  options.password_passes = crypto_pwhash_OPSLIMIT_MIN;
  options.password_bytes = crypto_pwhash_MEMLIMIT_MIN;
  auto staff = Staff::Open(dir.Sub("staff"), options, &clock);
  REQUIRE(staff.ok());
  auto totp = (*staff)->Add("root", Role::kAdmin, Secret("the admin's password"), 0);
  REQUIRE(totp.ok());
  auto verifier = verifier::Verifier::Open(dir.Sub("verifier"),
                                           crypto::Ed25519PrivateKey::Generate(), {}, &clock);
  REQUIRE(verifier.ok());
  ConsoleOptions o;
  o.listen = "127.0.0.1:0";
  o.code_link = "https://health.example/v";
  for (const char* bad : {"http://console.example", "https://console.example/path",
                          "https://user@console.example", "https://"}) {
    o.origin = bad;
    INFO(bad);
    CHECK(Console::Start(o, verifier->get(), staff->get(), &clock).status().code() ==
          base::StatusCode::kInvalidArgument);
  }
  o.origin = "https://Console.Example:443";  // as browsers send it: https://console.example
  auto console = Console::Start(o, verifier->get(), staff->get(), &clock);
  REQUIRE(console.ok());
  httplib::Client client("127.0.0.1", (*console)->port());
  httplib::Result login = client.Get("/login");
  REQUIRE(login);
  CHECK(login->get_header_value("Strict-Transport-Security") == "max-age=31536000");
  const std::string cookie = login->get_header_value("Set-Cookie");
  CHECK(cookie.rfind("__Host-openen_console_login=", 0) == 0);
  CHECK(cookie.find("; Secure") != std::string::npos);
  CHECK(cookie.find("; Path=/") != std::string::npos);
  const std::string jar = cookie.substr(0, cookie.find(';'));
  const httplib::Params form = {{"login_csrf", FormValue(login->body, "login_csrf")},
                                {"name", "root"},
                                {"password", "the admin's password"},
                                {"otp", TotpCode(*totp, clock.NowSeconds())}};
  // The listener's own origin is not the console's any more.
  httplib::Result direct = client.Post(
      "/login",
      {{"Cookie", jar}, {"Origin", "http://127.0.0.1:" + std::to_string((*console)->port())}},
      form);
  REQUIRE(direct);
  CHECK(direct->status == 403);
  httplib::Result proxied =
      client.Post("/login", {{"Cookie", jar}, {"Origin", "https://console.example"}}, form);
  REQUIRE(proxied);
  CHECK(proxied->status == 303);
  CHECK(proxied->get_header_value("Set-Cookie").rfind("__Host-openen_console=", 0) == 0);
}

}  // namespace
}  // namespace openen::console
