// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// openen-verifier, run as separate processes as an authority would.

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "openen/base/bytes.h"
#include "subprocess.h"
#include "test_util.h"

namespace openen::testing {
namespace {

int Mode(const std::string& path) {
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

TEST_CASE("keygen and integration add write private files and refuse to overwrite",
          "[verifier][cli]") {
  TempDir dir;
  RunResult keygen = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("sign.key")});
  REQUIRE(keygen.exit_code == 0);
  CHECK(base::Base64Decode(keygen.out.substr(0, keygen.out.size() - 1))->size() == 32);
  CHECK(Mode(dir.Sub("sign.key")) == 0600);
  RunResult again = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("sign.key")});
  CHECK(again.exit_code == 2);
  CHECK(again.err == "openen-verifier: " + dir.Sub("sign.key") + " exists; refusing to overwrite a key\n");

  RunResult added = Run({OPENEN_VERIFIER, "integration", "add", "lab", "--staff-dir",
                         dir.Sub("staff"), "--daily-limit", "20", "--out", dir.Sub("issue.key")});
  REQUIRE(added.exit_code == 0);
  CHECK(added.out ==
        "added integration lab (20 codes a day); its API key is in " + dir.Sub("issue.key") + "\n");
  CHECK(Mode(dir.Sub("issue.key")) == 0600);
  const std::string key = ReadFile(dir.Sub("issue.key"));
  CHECK(key.size() == 4 + 64 + 1);
  CHECK(key.rfind("oen_", 0) == 0);
  // The key is in the file only: the staff directory keeps its hash.
  CHECK(FilesContaining(dir.Sub("staff"), base::AsBytes(key.substr(4, 64))).empty());
  CHECK(FilesContaining(dir.Sub("staff"), base::AsBytes(key.substr(20, 32))).empty());
  RunResult taken = Run({OPENEN_VERIFIER, "integration", "add", "lab", "--staff-dir",
                         dir.Sub("staff"), "--out", dir.Sub("other.key")});
  CHECK(taken.exit_code == 1);
  CHECK(taken.err == "openen-verifier: integration 'lab' exists\n");
  RunResult exists = Run({OPENEN_VERIFIER, "integration", "add", "case-system", "--staff-dir",
                          dir.Sub("staff"), "--out", dir.Sub("issue.key")});
  CHECK(exists.exit_code == 2);
  CHECK(exists.err ==
        "openen-verifier: " + dir.Sub("issue.key") + " exists; refusing to overwrite a key\n");
  CHECK(ReadFile(dir.Sub("issue.key")) == key);  // never overwritten
  RunResult listed = Run({OPENEN_VERIFIER, "integration", "list", "--staff-dir", dir.Sub("staff")});
  CHECK(listed.out.find("lab                                    20  enabled") != std::string::npos);
  CHECK(listed.out.find("case-system") == std::string::npos);
  RunResult disabled = Run(
      {OPENEN_VERIFIER, "integration", "set", "lab", "--staff-dir", dir.Sub("staff"), "--disable"});
  CHECK(disabled.out.find("lab                                    20  disabled") !=
        std::string::npos);
  RunResult removed =
      Run({OPENEN_VERIFIER, "integration", "remove", "lab", "--staff-dir", dir.Sub("staff")});
  CHECK(removed.out == "removed integration lab; its key no longer works\n");
}

TEST_CASE("serve, issue as a contact tracer, and stop on SIGTERM", "[verifier][cli]") {
  TempDir dir;
  REQUIRE(Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("sign.key")}).exit_code == 0);
  REQUIRE(Run({OPENEN_VERIFIER, "integration", "add", "tracing", "--staff-dir", dir.Sub("staff"),
               "--out", dir.Sub("issue.key")})
              .exit_code == 0);
  std::ofstream(dir.Sub("other.key")) << "oen_" << std::string(64, '0') << "\n";
  Process server({OPENEN_VERIFIER, "--data-dir", dir.Sub("data"), "--signing-key",
                  dir.Sub("sign.key"), "--staff-dir", dir.Sub("staff"), "--listen", "127.0.0.1:0",
                  "--maintenance-interval", "1"});
  const std::string addr = "127.0.0.1:" + std::to_string(server.ListeningPort());

  RunResult issued = Run({OPENEN_VERIFIER, "issue", "--server", addr, "--api-key-file",
                          dir.Sub("issue.key"), "--test-type", "confirmed", "--json"});
  REQUIRE(issued.exit_code == 0);
  CHECK(issued.out.rfind("{\"short_code\": \"", 0) == 0);
  const std::string short_code = issued.out.substr(16, 16);
  CHECK(short_code.find_first_not_of("0123456789") == std::string::npos);

  RunResult text = Run({OPENEN_VERIFIER, "issue", "--server", addr, "--api-key-file",
                        dir.Sub("issue.key"), "--test-type", "likely", "--onset", "2026-11-20"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.rfind("short code: ", 0) == 0);
  // Read out in groups of four: "1234 5678 9012 3456  (read it out; ...".
  const std::string grouped = text.out.substr(12, 21);
  for (size_t i = 0; i < 19; ++i) CHECK((i % 5 == 4 ? grouped[i] == ' ' : std::isdigit(grouped[i]) != 0));
  CHECK(grouped.substr(19) == "  ");
  // What was recorded of the person's consent to sharing is printed.
  CHECK(issued.out.find("\"share_with_peers\": false}") != std::string::npos);
  CHECK(text.out.find("\nconsent to share with other authorities: not given\n") !=
        std::string::npos);
  RunResult shared = Run({OPENEN_VERIFIER, "issue", "--server", addr, "--api-key-file",
                          dir.Sub("issue.key"), "--test-type", "confirmed", "--share-with-peers"});
  CHECK(shared.exit_code == 0);
  CHECK(shared.out.find("\nconsent to share with other authorities: recorded\n") !=
        std::string::npos);

  RunResult denied = Run({OPENEN_VERIFIER, "issue", "--server", addr, "--api-key-file",
                          dir.Sub("other.key"), "--test-type", "confirmed"});
  CHECK(denied.exit_code == 1);
  CHECK(denied.err == "openen-verifier: UNAUTHENTICATED: a valid API key is required\n");

  RunResult bad_type = Run({OPENEN_VERIFIER, "issue", "--server", addr, "--api-key-file",
                            dir.Sub("issue.key"), "--test-type", "negative"});
  CHECK(bad_type.exit_code == 2);
  RunResult bad_date =
      Run({OPENEN_VERIFIER, "issue", "--server", addr, "--api-key-file", dir.Sub("issue.key"),
           "--test-type", "confirmed", "--onset", "2026-13-01"});
  CHECK(bad_date.exit_code == 2);
  CHECK(bad_date.err == "openen-verifier: --onset must be a date, YYYY-MM-DD, got '2026-13-01'\n");
  RunResult no_such_day =
      Run({OPENEN_VERIFIER, "issue", "--server", addr, "--api-key-file", dir.Sub("issue.key"),
           "--test-type", "confirmed", "--onset", "2026-02-31"});
  CHECK(no_such_day.exit_code == 2);
  CHECK(no_such_day.err ==
        "openen-verifier: --onset must be a date, YYYY-MM-DD, got '2026-02-31'\n");

  CHECK(server.Stop(SIGTERM) == 0);
  CHECK(server.stderr_text().find("stopped") != std::string::npos);
  // Logs hold counts, never a code or the peer's address.
  CHECK(server.stderr_text().find(short_code) == std::string::npos);
  CHECK(server.stderr_text().find("ipv4:") == std::string::npos);
  CHECK(server.stderr_text().find("issued a code pair") != std::string::npos);
}

TEST_CASE("the verifier's first lines name its certificate key and warn when no order can count",
          "[verifier][cli]") {
  TempDir dir;
  RunResult signing = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("sign.key")});
  REQUIRE(signing.exit_code == 0);
  RunResult offline = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("decommission.key")});
  REQUIRE(offline.exit_code == 0);
  std::ofstream(dir.Sub("decommission.pub")) << offline.out;
  REQUIRE(Run({OPENEN_VERIFIER, "integration", "add", "tracing", "--staff-dir", dir.Sub("staff"),
               "--out", dir.Sub("issue.key")})
              .exit_code == 0);
  const std::string warning =
      "openen-verifier: no --decommission-key given: no decommission order will be accepted\n";
  for (bool orders_count : {false, true}) {
    INFO("with --decommission-key: " << orders_count);
    std::vector<std::string> argv = {OPENEN_VERIFIER,  "--data-dir",        dir.Sub("data"),
                                     "--signing-key",  dir.Sub("sign.key"), "--staff-dir",
                                     dir.Sub("staff"), "--listen",          "127.0.0.1:0"};
    if (orders_count) argv.insert(argv.end(), {"--decommission-key", dir.Sub("decommission.pub")});
    Process server(argv);
    const int port = server.ListeningPort();
    CHECK(server.Stop() == 0);
    const std::string& log = server.stderr_text();
    // keygen printed the public half of the certificate key: the line the
    // relays trust, and the one the verifier names.
    CHECK(log.find("openen-verifier: listening on 127.0.0.1:" + std::to_string(port) +
                   ", certificates signed by " + signing.out) != std::string::npos);
    CHECK((log.find(warning) != std::string::npos) == !orders_count);
  }
}

TEST_CASE("a decommissioned verifier issues no more codes", "[verifier][cli][decommission]") {
  TempDir dir;
  // The procedure of docs/decommissioning.md: the order is signed with the
  // offline decommission key, never the verifier's own signing key.
  REQUIRE(Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("sign.key")}).exit_code == 0);
  RunResult offline = Run({OPENEN_VERIFIER, "keygen", "--out", dir.Sub("decommission.key")});
  REQUIRE(offline.exit_code == 0);
  std::ofstream(dir.Sub("decommission.pub")) << offline.out;
  REQUIRE(Run({OPENEN_VERIFIER, "integration", "add", "tracing", "--staff-dir", dir.Sub("staff"),
               "--out", dir.Sub("issue.key")})
              .exit_code == 0);
  Process server({OPENEN_VERIFIER, "--data-dir", dir.Sub("data"), "--signing-key",
                  dir.Sub("sign.key"), "--staff-dir", dir.Sub("staff"), "--decommission-key",
                  dir.Sub("decommission.pub"), "--listen", "127.0.0.1:0", "--maintenance-interval",
                  "1"});
  const std::string addr = "127.0.0.1:" + std::to_string(server.ListeningPort());
  REQUIRE(Run({OPENEN_VERIFIER, "issue", "--server", addr, "--api-key-file", dir.Sub("issue.key"),
               "--test-type", "confirmed"})
              .exit_code == 0);
  // An order signed with the verifier's own key is refused, however it is
  // handed over: the online key cannot switch the system off.
  REQUIRE(Run({OPENEN_VERIFIER, "decommission-order", "--signing-key", dir.Sub("sign.key"), "--effective", "1",
               "--out", dir.Sub("online.bin")}).exit_code == 0);
  RunResult online = Run({OPENEN_VERIFIER, "decommission", "--order", dir.Sub("online.bin"), "--data-dir",
                          dir.Sub("data"), "--decommission-key", dir.Sub("decommission.pub")});
  CHECK(online.exit_code == 2);
  CHECK(online.err == "openen-verifier: " + dir.Sub("online.bin") + ": signature verification failed\n");
  CHECK(Run({OPENEN_VERIFIER, "decommission", "--order", dir.Sub("online.bin"), "--data-dir", dir.Sub("data"),
             "--signing-key", dir.Sub("sign.key")}).exit_code == 2);
  RunResult retired = Run({OPENEN_VERIFIER, "decommission", "--order", dir.Sub("online.bin"), "--data-dir",
                           dir.Sub("data"), "--authority-key", dir.Sub("decommission.pub")});
  CHECK(retired.exit_code == 2);
  CHECK(retired.err.find("--authority-key is gone") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.Sub("data/decommission-order.bin")));

  REQUIRE(Run({OPENEN_VERIFIER, "decommission-order", "--signing-key", dir.Sub("decommission.key"), "--effective",
               "1", "--out", dir.Sub("order.bin")}).exit_code == 0);
  RunResult installed = Run({OPENEN_VERIFIER, "decommission", "--order", dir.Sub("order.bin"), "--data-dir",
                             dir.Sub("data"), "--decommission-key", dir.Sub("decommission.pub")});
  REQUIRE(installed.exit_code == 0);
  REQUIRE(server.WaitForStderr("decommissioned: deleted every code and token"));
  RunResult refused = Run({OPENEN_VERIFIER, "issue", "--server", addr, "--api-key-file",
                           dir.Sub("issue.key"), "--test-type", "confirmed"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err == "openen-verifier: FAILED_PRECONDITION: decommissioned\n");
  CHECK(server.Stop() == 0);
}

TEST_CASE("openen-verifier refuses missing and unreadable arguments with exit 2", "[verifier][cli]") {
  TempDir dir;
  RunResult missing = Run({OPENEN_VERIFIER, "--data-dir", dir.Sub("data")});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err ==
        "openen-verifier: --data-dir, --signing-key and --staff-dir are required (see --help)\n");
  RunResult unreadable = Run({OPENEN_VERIFIER, "--data-dir", dir.Sub("data"), "--signing-key",
                              dir.Sub("nope.key"), "--staff-dir", dir.Sub("staff")});
  CHECK(unreadable.exit_code == 2);
  CHECK(CountLines(unreadable.err) == 1);
  CHECK(unreadable.err.find("cannot read " + dir.Sub("nope.key")) != std::string::npos);
  std::ofstream(dir.Sub("bad.key")) << "not base64 at all!\n";
  RunResult bad = Run({OPENEN_VERIFIER, "--data-dir", dir.Sub("data"), "--signing-key",
                       dir.Sub("bad.key"), "--staff-dir", dir.Sub("staff")});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find(dir.Sub("bad.key") + ": invalid base64") != std::string::npos);
  RunResult help = Run({OPENEN_VERIFIER, "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--short-code-digits N length of short codes, 12..20 (default 16)") != std::string::npos);
  CHECK(help.out.find("--max-failed-exchanges-per-minute") == std::string::npos);
  RunResult short_digits =
      Run({OPENEN_VERIFIER, "--data-dir", dir.Sub("data"), "--signing-key", dir.Sub("bad.key"),
           "--staff-dir", dir.Sub("staff"), "--short-code-digits", "8"});
  CHECK(short_digits.exit_code == 2);
  CHECK(short_digits.err == "openen-verifier: --short-code-digits must be in 12..20, got 8\n");
}

}  // namespace
}  // namespace openen::testing
