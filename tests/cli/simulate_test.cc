// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen simulate`, run as a separate process.

#include <catch2/catch.hpp>

#include <fstream>

#include "subprocess.h"
#include "test_util.h"

namespace openen::testing {
namespace {

TEST_CASE("simulate --json prints one object with every figure the report promises", "[cli][simulate]") {
  RunResult r = Run({OPENEN_CLI, "simulate", "--phones", "30", "--days", "2", "--seed", "5", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(CountLines(r.out) == 1);
  CHECK(r.out.front() == '{');
  CHECK(r.err.empty());  // no progress bar off a terminal, no server log lines
  for (const char* key : {"phones", "days", "sightings", "uploads", "keys_published", "notified", "true_positives",
                          "false_positives", "false_negatives", "precision", "recall", "match_seconds",
                          "keys_per_second", "bytes_per_sighting"}) {
    INFO(key);
    CHECK(r.out.find(std::string("\"") + key + "\": ") != std::string::npos);
  }
  CHECK(r.out.find("\"phones\": 30, \"days\": 2, ") != std::string::npos);
}

// Field returns the text of |key|'s value in a flat JSON object.
std::string Field(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\": ");
  if (at == std::string::npos) return "";
  const size_t begin = at + key.size() + 4;
  return json.substr(begin, json.find_first_of(",}", begin) - begin);
}

TEST_CASE("with few files allowed, phones open their stores per session, with the same results", "[cli][simulate]") {
  const std::string cmd = std::string(OPENEN_CLI) + " simulate --phones 40 --days 3 --seed 9 --json";
  RunResult open_all = Run({"/bin/sh", "-c", cmd});
  RunResult few_files = Run({"/bin/sh", "-c", "ulimit -n 200 && ulimit -Hn 200 && " + cmd});
  INFO(few_files.err);
  REQUIRE(open_all.exit_code == 0);
  REQUIRE(few_files.exit_code == 0);  // 40 stores kept open would need more than 200 files
  for (const char* key : {"sightings", "uploads", "keys_published", "notified", "true_positives",
                          "false_positives", "stored_sightings"}) {
    INFO(key);
    CHECK_FALSE(Field(open_all.out, key).empty());
    CHECK(Field(open_all.out, key) == Field(few_files.out, key));
  }
}

TEST_CASE("simulate prints a readable report", "[cli][simulate]") {
  RunResult r = Run({OPENEN_CLI, "simulate", "--phones", "20", "--days", "1"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("OpenEN simulation: 20 phones in ", 0) == 0);
  CHECK(r.out.find("precision ") != std::string::npos);
  CHECK(r.out.find("bytes per stored sighting") != std::string::npos);
}

TEST_CASE("simulate refuses bad options with a message and exit code 2", "[cli][simulate]") {
  TempDir dir;
  std::ofstream(dir.Sub("x")) << "keep me";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--phones", "1"}, "--phones must be in 2..1000000, got 1"},
      {{"--days", "61"}, "--days must be in 1..60, got 61"},
      {{"--initial-infected", "1.5"}, "--initial-infected must be a number from 0 to 1, got '1.5'"},
      {{"--chaff-per-day", "often"}, "--chaff-per-day must be a number from 0 to 1, got 'often'"},
      {{"--work-dir", dir.path()}, "--work-dir " + dir.path() + " is not empty"},
      {{"--color"}, "unknown option --color"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> argv = {OPENEN_CLI, "simulate"};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = Run(argv);
    INFO(args[0]);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(message) != std::string::npos);
    CHECK(r.out.empty());
  }
  CHECK(ReadFile(dir.Sub("x")) == "keep me");
}

}  // namespace
}  // namespace openen::testing
