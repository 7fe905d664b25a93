// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen keys derive`, run as a separate process.

#include <catch2/catch.hpp>

#include <sstream>

#include "subprocess.h"
#include "test_util.h"

namespace openen::testing {
namespace {

const std::string kTek = "75c734c6dd1a782de7a965da5eb93125";

TEST_CASE("keys derive prints all 144 official vector rows", "[cli][vectors]") {
  RunResult r = Run({OPENEN_CLI, "keys", "derive", "--tek", kTek, "--interval", "2642976",
                     "--count", "144"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  std::string expected;
  std::istringstream vectors(ReadFile(VectorPath("gaen-v1.2-rpi-aem.tsv")));
  for (std::string line; std::getline(vectors, line);) {
    if (!line.empty() && line[0] != '#') expected += line + "\n";
  }
  CHECK(CountLines(expected) == 144);
  CHECK(r.out == expected);
}

TEST_CASE("keys derive defaults to one interval and takes other metadata", "[cli]") {
  RunResult r = Run({OPENEN_CLI, "keys", "derive", "--tek", "FEDCBA9876543210FEDCBA9876543210",
                     "--interval", "0", "--metadata", "01020304"});
  REQUIRE(r.exit_code == 0);
  CHECK(CountLines(r.out) == 1);
  CHECK(r.out.rfind("0\t", 0) == 0);
}

TEST_CASE("keys derive rejects bad input with a one-line error and exit 2", "[cli]") {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  std::vector<Case> cases = {
      {{"--tek", kTek.substr(0, 31), "--interval", "1"}, "--tek must be 32 hex characters, got 31"},
      {{"--tek", kTek + "00", "--interval", "1"}, "--tek must be 32 hex characters, got 34"},
      {{"--tek", "zz" + kTek.substr(2), "--interval", "1"}, "--tek: non-hex character at position 0"},
      {{"--tek", kTek, "--interval", "-1"}, "--interval must be in 0..4294967295, got -1"},
      {{"--tek", kTek, "--interval", "4294967296"}, "--interval must be in 0..4294967295, got 4294967296"},
      {{"--tek", kTek, "--interval", "12x"}, "--interval must be an integer, got '12x'"},
      {{"--tek", kTek, "--interval", "4294967295", "--count", "2"}, "--interval + --count exceeds 4294967295"},
      {{"--tek", kTek, "--interval", "1", "--count", "0"}, "--count must be in 1..1000000, got 0"},
      {{"--tek", kTek, "--interval", "1", "--metadata", "400800"}, "--metadata must be 8 hex characters"},
      {{"--interval", "1"}, "--tek is required"},
      {{"--tek", kTek}, "--interval is required"},
      {{"--tek", kTek, "--interval"}, "--interval needs a value"},
      {{"--tek", kTek, "--interval", "1", "--bogus"}, "unknown option --bogus"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {OPENEN_CLI, "keys", "derive"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    RunResult r = Run(argv);
    INFO(c.error);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "openen: " + c.error + "\n");
  }
}

TEST_CASE("the interval at the top of the range is accepted", "[cli]") {
  RunResult r = Run({OPENEN_CLI, "keys", "derive", "--tek", kTek, "--interval", "4294967295"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("4294967295\t", 0) == 0);
}

TEST_CASE("unknown commands fail with exit 2", "[cli]") {
  CHECK(Run({OPENEN_CLI, "frobnicate"}).exit_code == 2);
  CHECK(Run({OPENEN_CLI, "keys", "frobnicate"}).exit_code == 2);
  CHECK(Run({OPENEN_CLI}).exit_code == 2);
  RunResult help = Run({OPENEN_CLI, "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("keys derive") != std::string::npos);
}

}  // namespace
}  // namespace openen::testing
