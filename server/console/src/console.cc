// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/console/console.h"

#include <httplib.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <semaphore>
#include <vector>

#include "assets.h"
#include "openen/cli/args.h"
#include "openen/console/totp.h"
#include "openen/crypto/interval.h"
#include "openen/crypto/random.h"
#include "openen/server/log.h"
#include "pages.h"

namespace openen::console {
namespace {

// Request bodies: the largest form is a few hundred bytes.
constexpr size_t kMaxBodyBytes = 16 * 1024;
// Connections waiting for a worker; past this, the accepting thread serves
// one itself and accepts nothing meanwhile (the kernel's backlog holds the
// rest): no flood of connections makes the queue grow.
constexpr size_t kMaxQueuedConnections = 64;
constexpr size_t kWorkers = 8;

// BoundedQueue is the console's pool: kWorkers threads and at most
// kMaxQueuedConnections waiting (cpp-httplib's own queue has no bound).
class BoundedQueue final : public httplib::TaskQueue {
 public:
  BoundedQueue() {
    for (size_t i = 0; i < kWorkers; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~BoundedQueue() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopped_ && jobs_.size() < kMaxQueuedConnections) {
        jobs_.push_back(std::move(fn));
        ready_.notify_one();
        return;
      }
    }
    fn();  // full: the caller (the accepting thread) serves it
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    ready_.notify_all();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [this] { return stopped_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopped, and nothing left
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopped_ = false;
  std::vector<std::thread> threads_;
};
// Argon2id holds StaffOptions::password_bytes (64 MiB) per check: at most
// this many run at once, whatever the number of connections.
constexpr std::ptrdiff_t kPasswordChecksAtOnce = 2;

bool Loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost";
}

// The value of cookie |name| in the request, or empty.
std::string Cookie(const httplib::Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  size_t at = 0;
  while (at < header.size()) {
    size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    std::string_view pair(header.data() + at, end - at);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
    at = end + 1;
  }
  return "";
}

}  // namespace

// Handlers answers the console's requests; one instance per console.
class Console::Handlers {
 public:
  explicit Handlers(Console* console) : c_(console) {}

  void Register(httplib::Server& s) {
    s.Get("/console.css", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "max-age=3600");
      res.set_content(kConsoleCss, "text/css; charset=utf-8");
    });
    s.Get("/", [this](const httplib::Request& req, httplib::Response& res) {
      res.set_redirect(Viewer(req) ? "/issue" : "/login", 303);
    });
    s.Get("/login", [this](const auto& req, auto& res) { LoginPage(req, res, "", 200); });
    s.Post("/login", [this](const auto& req, auto& res) { LogIn(req, res); });
    s.Post("/logout", [this](const auto& req, auto& res) { LogOut(req, res); });
    s.Get("/account", [this](const auto& req, auto& res) {
      if (auto v = Require(req, res, false))
        Page(res, 200, "Your password", *v, pages::Account(*v, ""));
    });
    s.Post("/account", [this](const auto& req, auto& res) { ChangePassword(req, res); });
    s.Get("/issue", [this](const auto& req, auto& res) {
      if (auto v = Require(req, res, false)) IssuePage(*v, res, "", 200);
    });
    s.Post("/issue", [this](const auto& req, auto& res) { Issue(req, res); });
    s.Get("/statistics", [this](const auto& req, auto& res) {
      if (auto v = Require(req, res, true)) {
        Page(res, 200, "Statistics", *v,
             pages::Statistics(c_->staff_->Totals(), c_->staff_->IssuedPerDay()));
      }
    });
    s.Get("/integrations", [this](const auto& req, auto& res) {
      if (auto v = Require(req, res, true)) IntegrationPage(*v, res, "", 200);
    });
    s.Post("/integrations/add", [this](const auto& req, auto& res) { AddIntegration(req, res); });
    s.Post("/integrations/update",
           [this](const auto& req, auto& res) { UpdateIntegration(req, res); });
    s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return Screen(req, res) ? httplib::Server::HandlerResponse::Unhandled
                              : httplib::Server::HandlerResponse::Handled;
    });
    s.Get("/staff", [this](const auto& req, auto& res) {
      if (auto v = Require(req, res, true)) StaffPage(*v, res, "", 200);
    });
    s.Post("/staff/add", [this](const auto& req, auto& res) { AddMember(req, res); });
    s.Post("/staff/update", [this](const auto& req, auto& res) { UpdateMember(req, res); });
    s.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
      if (res.status == 404) {
        Page(res, 404, "Not found", std::nullopt, pages::Text("error", "There is no such page."));
      }
    });
    s.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          server::Log("console", "a request failed inside the console");
          res.status = 500;
          res.set_content("The console failed to answer.", "text/plain; charset=utf-8");
        });
  }

 private:
  // Screen refuses, before any body is read, what no console page sends: a
  // body in chunks or compressed (its size unknown until read), a body with
  // a GET or HEAD, a POST without its length or with a query (form fields
  // come in the body only, never in a URL that proxies log); methods other
  // than GET, HEAD (GET's answer without the body) and POST. False when it
  // answered. Every connection serves one request (keep-alive is off), so
  // a refused request's unread body is never read as a next request.
  bool Screen(const httplib::Request& req, httplib::Response& res) {
    std::string refused;
    const bool body =
        req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0";
    if (req.has_header("Transfer-Encoding") || req.has_header("Content-Encoding")) {
      refused = "Bodies in chunks or compressed are not accepted.";
      res.status = 411;
    } else if (req.method != "POST" && body) {
      refused = "Only a form has a body.";
      res.status = 400;
    } else if (req.method == "POST" && !req.has_header("Content-Length")) {
      refused = "A form needs its length.";
      res.status = 411;
    } else if (req.method == "POST" && req.target.find('?') != std::string::npos) {
      refused = "Forms are sent in the body, not the address.";
      res.status = 400;
    } else if (req.method != "GET" && req.method != "POST" && req.method != "HEAD") {
      refused = "Only GET, HEAD and POST.";
      res.status = 405;
    } else {
      return true;
    }
    Secure(res);
    res.set_header("Connection", "close");
    res.set_content(refused, "text/plain; charset=utf-8");
    return false;
  }

  // Headers every page carries: no script, no framing, no caching, no referrer.
  void Secure(httplib::Response& res) const {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                   "frame-ancestors 'none'; base-uri 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    // same-origin, not no-referrer: under no-referrer a browser sends
    // "Origin: null" with the console's own forms, which SameOrigin refuses.
    // Other sites (the code link's) still get no referrer.
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("Cache-Control", "no-store");
    if (Https()) res.set_header("Strict-Transport-Security", "max-age=31536000");
  }

  // Https: browsers reach the console over HTTPS (its own TLS, or a TLS
  // proxy named by ConsoleOptions::origin).
  bool Https() const {
    return !c_->options_.tls_cert.empty() || c_->options_.origin.rfind("https://", 0) == 0;
  }
  // Cookie names: over HTTPS with the __Host- prefix (Secure, this host
  // only, Path=/: no other site of the domain can set or shadow them).
  std::string SessionCookie() const { return Https() ? "__Host-openen_console" : "openen_console"; }
  std::string LoginCookie() const {
    return Https() ? "__Host-openen_console_login" : "openen_console_login";
  }

  void Page(httplib::Response& res, int status, std::string_view heading,
            const std::optional<pages::Viewer>& viewer, std::string_view body) {
    Secure(res);
    res.status = status;
    res.set_content(pages::Layout(c_->options_.title, heading, viewer, body),
                    "text/html; charset=utf-8");
  }

  std::string CookieAttributes() const {
    return std::string("; Path=/; HttpOnly; SameSite=Strict") + (Https() ? "; Secure" : "");
  }

  // CheckingPasswords runs |check| (Argon2id) in one of the
  // kPasswordChecksAtOnce slots, released on any exit.
  template <typename Check>
  auto CheckingPasswords(Check check) {
    password_checks_.acquire();
    struct Release {
      std::counting_semaphore<kPasswordChecksAtOnce>& s;
      ~Release() { s.release(); }
    } release{password_checks_};
    return check();
  }

  // Viewer is the logged-in, enabled member of the request's session.
  std::optional<pages::Viewer> Viewer(const httplib::Request& req) {
    const std::string token = Cookie(req, SessionCookie());
    if (token.empty()) return std::nullopt;
    std::optional<Session> session = c_->sessions_.Find(token);
    if (!session) return std::nullopt;
    base::StatusOr<StaffMember> member = c_->staff_->Get(session->name);
    if (!member.ok() || member->disabled) {
      c_->sessions_.End(token);
      return std::nullopt;
    }
    return pages::Viewer{member->name, member->role == Role::kAdmin, session->csrf,
                         member->must_change_password};
  }

  // Require is the viewer, or answers the request: to the login page
  // without one, 403 for a case worker on an admin page.
  std::optional<pages::Viewer> Require(const httplib::Request& req, httplib::Response& res,
                                       bool admin) {
    std::optional<pages::Viewer> v = Viewer(req);
    if (!v) {
      res.set_redirect("/login", 303);
      return std::nullopt;
    }
    // A password an admin set: the member chooses their own first.
    if (v->must_change_password && req.path != "/account" && req.path != "/logout") {
      res.set_redirect("/account", 303);
      return std::nullopt;
    }
    if (admin && !v->admin) {
      Page(res, 403, "Admins only", v,
           pages::Text("error", "Only an admin can see this page. Ask one if you need it."));
      return std::nullopt;
    }
    return v;
  }

  // SameOrigin: a POST's Origin (browsers send one with every POST) must
  // be this console: ConsoleOptions::origin when set, else this listener
  // under the Host the browser asked for.
  bool SameOrigin(const httplib::Request& req) const {
    if (!req.has_header("Origin")) return true;  // not a browser: no ambient cookie to abuse
    const std::string origin = req.get_header_value("Origin");
    if (!c_->options_.origin.empty()) return origin == c_->options_.origin;
    const std::string scheme = c_->options_.tls_cert.empty() ? "http://" : "https://";
    return origin == scheme + req.get_header_value("Host");
  }

  // Posted is the viewer of a POST whose CSRF token and origin hold, or
  // answers the request.
  std::optional<pages::Viewer> Posted(const httplib::Request& req, httplib::Response& res,
                                      bool admin) {
    std::optional<pages::Viewer> v = Require(req, res, admin);
    if (!v) return std::nullopt;
    if (!SameOrigin(req) || !SameToken(req.get_param_value("csrf"), v->csrf)) {
      server::Log("console", "refused a form without this session's CSRF token");
      Page(res, 403, "Refused", v,
           pages::Text("error",
                       "This form was not sent from this console page, or is out of date. "
                       "Go back, reload the page and try again."));
      return std::nullopt;
    }
    return v;
  }

  void LoginPage(const httplib::Request&, httplib::Response& res, std::string_view error,
                 int status) {
    const std::string login_csrf = RandomToken();
    res.set_header("Set-Cookie", LoginCookie() + "=" + login_csrf + CookieAttributes());
    Page(res, status, "Log in", std::nullopt, pages::Login(login_csrf, error));
  }

  void LogIn(const httplib::Request& req, httplib::Response& res) {
    if (!SameOrigin(req) ||
        !SameToken(req.get_param_value("login_csrf"), Cookie(req, LoginCookie()))) {
      server::Log("console", "refused a login form not sent from the console");
      LoginPage(req, res, "The login form was out of date. Please try again.", 403);
      return;
    }
    const std::string name = req.get_param_value("name");
    const std::string password_text = req.get_param_value("password");
    const crypto::SecretBytes password(base::ByteView(
        reinterpret_cast<const uint8_t*>(password_text.data()), password_text.size()));
    base::StatusOr<StaffMember> member = CheckingPasswords(
        [&] { return c_->staff_->LogIn(name, password, req.get_param_value("otp")); });
    if (!member.ok()) {
      const bool told = member.status().code() == base::StatusCode::kPermissionDenied;
      if (told)
        server::Log("console", "%s could not log in: %s", name.c_str(),
                    member.status().message().c_str());
      LoginPage(req, res,
                told ? member.status().message() : "Wrong name, password or one-time password.",
                told ? 403 : 401);
      return;
    }
    const std::string token = c_->sessions_.Create(member->name);
    server::Log("console", "%s logged in", member->name.c_str());
    res.set_header("Set-Cookie", SessionCookie() + "=" + token + CookieAttributes());
    res.set_redirect(member->must_change_password ? "/account" : "/issue", 303);
  }

  void ChangePassword(const httplib::Request& req, httplib::Response& res) {
    std::optional<pages::Viewer> v = Posted(req, res, false);
    if (!v) return;
    const auto secret = [&](const char* field) {
      const std::string text = req.get_param_value(field);
      return crypto::SecretBytes(
          base::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    };
    const crypto::SecretBytes current = secret("current"), next = secret("next");
    base::Status s = base::InvalidArgumentError("the two new passwords differ");
    if (crypto::ConstantTimeEqual(next.Reveal(), secret("repeat").Reveal())) {
      s = CheckingPasswords([&] { return c_->staff_->ChangePassword(v->name, current, next); });
    }
    if (s.code() == base::StatusCode::kPermissionDenied) {
      // Guessing from a session: it ends, and logging in needs both factors.
      c_->sessions_.EndAllOf(v->name);
      server::Log("console", "%s: too many wrong passwords on the password page; logged out",
                  v->name.c_str());
      LoginPage(req, res, s.message(), 403);
      return;
    }
    if (!s.ok()) {
      Page(res, s.code() == base::StatusCode::kUnauthenticated ? 401 : 400, "Your password", *v,
           pages::Account(*v, pages::Text("error", s.message())));
      return;
    }
    // Every other session of the member ends; this one goes on, renewed.
    c_->sessions_.EndAllOf(v->name);
    const std::string token = c_->sessions_.Create(v->name);
    server::Log("console", "%s changed their password", v->name.c_str());
    res.set_header("Set-Cookie", SessionCookie() + "=" + token + CookieAttributes());
    res.set_redirect("/issue", 303);
  }

  void LogOut(const httplib::Request& req, httplib::Response& res) {
    std::optional<pages::Viewer> v = Posted(req, res, false);
    if (!v) return;
    c_->sessions_.End(Cookie(req, SessionCookie()));
    server::Log("console", "%s logged out", v->name.c_str());
    res.set_header("Set-Cookie", SessionCookie() + "=" + CookieAttributes() + "; Max-Age=0");
    res.set_redirect("/login", 303);
  }

  void IssuePage(const pages::Viewer& v, httplib::Response& res, std::string_view error,
                 int status) {
    Page(res, status, "Issue a code", v,
         pages::IssueForm(v, pages::UtcDate(c_->clock_->NowSeconds()), error));
  }

  void Issue(const httplib::Request& req, httplib::Response& res) {
    std::optional<pages::Viewer> v = Posted(req, res, false);
    if (!v) return;
    const std::string type = req.get_param_value("test_type");
    openen::v1::ReportType report_type = openen::v1::REPORT_TYPE_UNSPECIFIED;
    if (type == "confirmed") report_type = openen::v1::CONFIRMED_TEST;
    if (type == "likely") report_type = openen::v1::CONFIRMED_CLINICAL_DIAGNOSIS;
    if (type == "self-report") report_type = openen::v1::SELF_REPORT;
    if (report_type == openen::v1::REPORT_TYPE_UNSPECIFIED) {
      IssuePage(*v, res, "Choose a test type.", 400);
      return;
    }
    base::StatusOr<int64_t> test_date =
        cli::ParseDate(req.get_param_value("test_date"), "The test date");
    if (!test_date.ok()) {
      IssuePage(*v, res, test_date.status().message(), 400);
      return;
    }
    int64_t onset = *test_date;
    if (const std::string text = req.get_param_value("onset"); !text.empty()) {
      base::StatusOr<int64_t> parsed = cli::ParseDate(text, "The symptom onset");
      if (!parsed.ok()) {
        IssuePage(*v, res, parsed.status().message(), 400);
        return;
      }
      onset = *parsed;
    }
    if (*test_date > c_->clock_->NowSeconds()) {
      IssuePage(*v, res, "The test date is in the future.", 400);
      return;
    }
    if (base::Status s = c_->staff_->TakeIssue(v->name); !s.ok()) {
      IssuePage(*v, res, s.message(), s.code() == base::StatusCode::kResourceExhausted ? 429 : 403);
      return;
    }
    base::StatusOr<verifier::IssuedCodes> codes =
        c_->verifier_->IssueCode(report_type, crypto::RollingStart(crypto::EnIntervalNumber(onset)),
                                 req.get_param_value("share_with_peers") == "yes");
    if (!codes.ok()) {
      IssuePage(*v, res, codes.status().message(),
                codes.status().code() == base::StatusCode::kInvalidArgument ? 400 : 503);
      return;
    }
    server::Log("console", "%s issued a code pair", v->name.c_str());
    Page(res, 200, "Code issued", v,
         pages::Issued(*codes, c_->options_.code_link + "?c=" + codes->long_code,
                       c_->clock_->NowSeconds()));
  }

  void StaffPage(const pages::Viewer& v, httplib::Response& res, std::string_view notice,
                 int status) {
    Page(res, status, "Staff", v,
         pages::StaffList(v, c_->staff_->List(), c_->clock_->NowSeconds(), notice));
  }

  // SecondFactorNotice shows a new secret once, for the member's app.
  std::string SecondFactorNotice(const std::string& name, const crypto::SecretBytes& secret) {
    return "<div class=\"notice\" id=\"second-factor\"><p>Second factor for " +
           pages::Escape(name) +
           ", for their authenticator app (shown once):</p><p><code id=\"totp-secret\">" +
           Base32(secret) + "</code></p><p><code>" +
           pages::Escape(TotpUri(secret, c_->options_.title, name)) + "</code></p></div>";
  }

  void AddMember(const httplib::Request& req, httplib::Response& res) {
    std::optional<pages::Viewer> v = Posted(req, res, true);
    if (!v) return;
    const std::string name = req.get_param_value("name");
    base::StatusOr<Role> role = ParseRole(req.get_param_value("role"));
    base::StatusOr<int64_t> limit =
        cli::ParseInt(req.get_param_value("daily_limit"), "the daily limit", 0, kMaxDailyLimit);
    if (!role.ok() || !limit.ok()) {
      StaffPage(*v, res, pages::Text("error", "Give a role and a daily limit (0 to 100000)."), 400);
      return;
    }
    // A first password of 20 letters and digits (100 bits), shown once.
    static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
    std::string first(20, ' ');
    for (char& ch : first) ch = kAlphabet[crypto::RandomUniform(sizeof(kAlphabet) - 1)];
    const crypto::SecretBytes password(
        base::ByteView(reinterpret_cast<const uint8_t*>(first.data()), first.size()));
    base::StatusOr<crypto::SecretBytes> secret =
        c_->staff_->Add(name, *role, password, static_cast<uint32_t>(*limit),
                        /*must_change_password=*/true);
    if (!secret.ok()) {
      StaffPage(*v, res, pages::Text("error", secret.status().message()), 400);
      return;
    }
    server::Log("console", "%s added %s (%s)", v->name.c_str(), name.c_str(),
                std::string(RoleName(*role)).c_str());
    StaffPage(*v, res,
              "<div class=\"notice\"><p>Added " + pages::Escape(name) +
                  ". First password (shown once): <code id=\"first-password\">" + first +
                  "</code></p></div>" + SecondFactorNotice(name, *secret),
              200);
  }

  void UpdateMember(const httplib::Request& req, httplib::Response& res) {
    std::optional<pages::Viewer> v = Posted(req, res, true);
    if (!v) return;
    const std::string name = req.get_param_value("name");
    const std::string action = req.get_param_value("action");
    base::Status s = base::InvalidArgumentError("unknown change '" + action + "'");
    std::string notice;
    if (action == "disable" || action == "enable") {
      s = c_->staff_->SetDisabled(name, action == "disable");
      if (s.ok() && action == "disable") c_->sessions_.EndAllOf(name);
    } else if (action == "unlock") {
      s = c_->staff_->Unlock(name);
    } else if (action == "limit") {
      base::StatusOr<int64_t> limit =
          cli::ParseInt(req.get_param_value("daily_limit"), "the daily limit", 0, kMaxDailyLimit);
      s = limit.ok() ? c_->staff_->SetDailyLimit(name, static_cast<uint32_t>(*limit))
                     : limit.status();
    } else if (action == "second-factor") {
      base::StatusOr<crypto::SecretBytes> secret = c_->staff_->ResetSecondFactor(name);
      s = secret.status();
      if (secret.ok()) {
        c_->sessions_.EndAllOf(name);
        notice = SecondFactorNotice(name, *secret);
      }
    }
    if (!s.ok()) {
      StaffPage(*v, res, pages::Text("error", s.message()), 400);
      return;
    }
    server::Log("console", "%s changed %s: %s", v->name.c_str(), name.c_str(), action.c_str());
    StaffPage(*v, res, notice.empty() ? pages::Text("notice", "Saved.") : notice, 200);
  }

  void IntegrationPage(const pages::Viewer& v, httplib::Response& res, std::string_view notice,
                       int status) {
    Page(res, status, "Integrations", v,
         pages::IntegrationList(v, c_->staff_->Integrations(), notice));
  }

  void AddIntegration(const httplib::Request& req, httplib::Response& res) {
    std::optional<pages::Viewer> v = Posted(req, res, true);
    if (!v) return;
    const std::string name = req.get_param_value("name");
    base::StatusOr<int64_t> limit =
        cli::ParseInt(req.get_param_value("daily_limit"), "the daily limit", 0, kMaxDailyLimit);
    base::StatusOr<crypto::SecretBytes> key =
        limit.ok() ? c_->staff_->AddIntegration(name, static_cast<uint32_t>(*limit))
                   : base::StatusOr<crypto::SecretBytes>(limit.status());
    if (!key.ok()) {
      IntegrationPage(*v, res, pages::Text("error", key.status().message()), 400);
      return;
    }
    server::Log("console", "%s added integration %s", v->name.c_str(), name.c_str());
    IntegrationPage(*v, res,
                    "<div class=\"notice\"><p>Added " + pages::Escape(name) +
                        ". Its API key (shown once; the console keeps only its hash):</p><p><code "
                        "id=\"api-key\">" +
                        pages::Escape(base::AsChars(key->Reveal())) + "</code></p></div>",
                    200);
  }

  void UpdateIntegration(const httplib::Request& req, httplib::Response& res) {
    std::optional<pages::Viewer> v = Posted(req, res, true);
    if (!v) return;
    const std::string name = req.get_param_value("name");
    const std::string action = req.get_param_value("action");
    base::Status s = base::InvalidArgumentError("unknown change '" + action + "'");
    if (action == "disable" || action == "enable") {
      s = c_->staff_->SetIntegrationDisabled(name, action == "disable");
    } else if (action == "remove") {
      s = c_->staff_->RemoveIntegration(name);
    } else if (action == "limit") {
      base::StatusOr<int64_t> limit =
          cli::ParseInt(req.get_param_value("daily_limit"), "the daily limit", 0, kMaxDailyLimit);
      s = limit.ok() ? c_->staff_->SetIntegrationLimit(name, static_cast<uint32_t>(*limit))
                     : limit.status();
    }
    if (!s.ok()) {
      IntegrationPage(*v, res, pages::Text("error", s.message()), 400);
      return;
    }
    server::Log("console", "%s changed integration %s: %s", v->name.c_str(), name.c_str(),
                action.c_str());
    IntegrationPage(*v, res, pages::Text("notice", "Saved."), 200);
  }

  Console* const c_;
  std::counting_semaphore<kPasswordChecksAtOnce> password_checks_{kPasswordChecksAtOnce};
};

Console::Console(ConsoleOptions options, verifier::Verifier* verifier, Staff* staff,
                 const base::Clock* clock)
    : options_(std::move(options)),
      verifier_(verifier),
      staff_(staff),
      clock_(clock),
      sessions_(clock, options_.sessions) {}

base::StatusOr<std::unique_ptr<Console>> Console::Start(ConsoleOptions options,
                                                        verifier::Verifier* verifier, Staff* staff,
                                                        const base::Clock* clock) {
  const size_t colon = options.listen.rfind(':');
  if (colon == std::string::npos) {
    return base::InvalidArgumentError("--console-listen is HOST:PORT, got '" + options.listen +
                                      "'");
  }
  std::string host = options.listen.substr(0, colon);
  OPENEN_ASSIGN_OR_RETURN(int64_t port, cli::ParseInt(options.listen.substr(colon + 1),
                                                      "--console-listen's port", 0, 65535));
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return base::InvalidArgumentError("--console-tls-cert and --console-tls-key go together");
  }
  if (options.tls_cert.empty() && !Loopback(host)) {
    return base::InvalidArgumentError(
        "the console serves " + host +
        " only with TLS (--console-tls-cert, --console-tls-key); without, on loopback only");
  }
  if (!options.origin.empty()) {
    // As browsers send it: lower case, no default port.
    std::string& origin = options.origin;
    std::transform(origin.begin(), origin.end(), origin.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (origin.size() > 12 && origin.compare(origin.size() - 4, 4, ":443") == 0) {
      origin.resize(origin.size() - 4);
    }
    if (origin.rfind("https://", 0) != 0 || origin.size() <= 8 ||
        origin.find_first_of("/?#@", 8) != std::string::npos) {
      return base::InvalidArgumentError(
          "--console-origin is where browsers reach the console, https://HOST[:PORT] (a TLS "
          "proxy), got '" +
          origin + "'");
    }
    if (!options.tls_cert.empty()) {
      return base::InvalidArgumentError(
          "--console-origin is for a TLS proxy in front; with --console-tls-cert the console "
          "is its own origin");
    }
  }
  if (options.code_link.rfind("https://", 0) != 0 ||
      options.code_link.find('?') != std::string::npos) {
    return base::InvalidArgumentError(
        "--console-code-link is the https:// link long codes are sent as, without a query "
        "(the console adds ?c=CODE)");
  }
  std::unique_ptr<Console> console(new Console(std::move(options), verifier, staff, clock));
  const ConsoleOptions& o = console->options_;
  if (o.tls_cert.empty()) {
    console->server_ = std::make_unique<httplib::Server>();
  } else {
    std::string error;
    auto tls = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
      SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
      if (SSL_CTX_use_certificate_chain_file(&ctx, o.tls_cert.c_str()) != 1) {
        error = "cannot read the console's TLS certificate " + o.tls_cert;
        return false;
      }
      if (SSL_CTX_use_PrivateKey_file(&ctx, o.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
          SSL_CTX_check_private_key(&ctx) != 1) {
        error =
            "cannot read the console's TLS key " + o.tls_key + ", or it is not the certificate's";
        return false;
      }
      return true;
    });
    if (!tls->is_valid()) return base::UnavailableError(error.empty() ? "TLS setup failed" : error);
    console->server_ = std::move(tls);
  }
  httplib::Server& s = *console->server_;
  s.new_task_queue = [] { return new BoundedQueue(); };
  s.set_payload_max_length(kMaxBodyBytes);
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  // One request per connection: nothing of a refused request's body is ever
  // read as another request, whatever a proxy in front reuses.
  s.set_keep_alive_max_count(1);
  console->handlers_ = std::make_unique<Handlers>(console.get());
  console->handlers_->Register(s);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (port == 0) {
    console->port_ = s.bind_to_any_port(host);
    if (console->port_ <= 0)
      return base::UnavailableError("the console cannot listen on " + o.listen);
  } else {
    if (!s.bind_to_port(host, static_cast<int>(port))) {
      return base::UnavailableError("the console cannot listen on " + o.listen);
    }
    console->port_ = static_cast<int>(port);
  }
  auto ended = std::make_shared<std::atomic<bool>>(false);
  console->thread_ = std::thread([&s, ended] {
    if (!s.listen_after_bind()) server::Log("console", "the console stopped listening");
    ended->store(true);
  });
  // Serving when Start returns (a caller's first request must not race it),
  // or the thread ended: then the destructor joins it.
  while (!s.is_running() && !ended->load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!s.is_running()) return base::UnavailableError("the console did not start serving");
  return console;
}

Console::~Console() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace openen::console
