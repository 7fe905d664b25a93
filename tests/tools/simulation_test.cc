// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The whole system in one small simulated town: a verifier and a relay on
// loopback, real client libraries with their own stores.

#include "openen/simulate/simulation.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace openen::simulate {
namespace {

SimulationOptions Town(const std::string& dir) {
  SimulationOptions o;
  o.city.people = 40;
  o.city.days = 6;
  o.city.seed = 3;
  o.city.initial_infected = 0.3;
  o.city.upload_consent = 1.0;
  o.city.chaff_per_day = 0.3;
  o.work_dir = dir;
  return o;
}

TEST_CASE("a small town: diagnoses are uploaded, released, matched and scored", "[sim][e2e]") {
  openen::testing::TempDir dir;
  int progress_calls = 0;
  Progress last;
  auto report = RunSimulation(Town(dir.Sub("run")), [&](const Progress& p) {
    ++progress_calls;
    CHECK(p.phones_done <= p.phones);
    CHECK(p.day >= last.day);
    last = p;
  });
  REQUIRE(report.ok());
  const SimulationReport& r = *report;
  CHECK(r.phones == 40);
  CHECK(r.days == 6);
  CHECK(progress_calls >= 7);
  CHECK(last.day == 6);
  CHECK(last.phones_done == 40);

  CHECK(r.sightings > 1000);
  CHECK(r.scans > 0);
  CHECK(r.close_contacts > 0);
  CHECK(r.uploads > 0);
  CHECK(r.uploads + r.declined_uploads <= r.positive_tests);
  CHECK(r.declined_uploads == 0);  // everyone consents here
  CHECK(r.keys_published >= static_cast<uint64_t>(r.uploads));
  CHECK(r.keys_published <= static_cast<uint64_t>(r.uploads) * 15);
  CHECK(r.batches > 0);
  CHECK(r.chaff > 0);
  // Each batch is padded to at least 1000 keys, and every phone downloads each one.
  CHECK(r.keys_matched >= static_cast<uint64_t>(r.batches) * 1000 * 40);
  CHECK(r.match_seconds > 0);

  // The confusion matrix adds up.
  CHECK(r.true_positives + r.false_positives == r.notified);
  CHECK(r.true_positives + r.false_negatives == r.truly_exposed);
  CHECK(r.true_positives > 0);
  CHECK(r.precision == Approx(static_cast<double>(r.true_positives) / r.notified));
  CHECK(r.recall == Approx(static_cast<double>(r.true_positives) / r.truly_exposed));

  // The stores hold what the phones heard in the last 14 days: all of it here.
  CHECK(r.stored_sightings == r.sightings);
  CHECK(r.store_bytes > 0);
  CHECK(r.bytes_per_sighting == Approx(static_cast<double>(r.store_bytes) / r.stored_sightings));

  // The work directory is kept: one store per phone, the relay's released batches.
  int stores = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.Sub("run/phones"))) stores += e.is_directory();
  CHECK(stores == 40);
  CHECK(std::filesystem::exists(dir.Sub("run/relay/export/index.txt")));
}

TEST_CASE("the same seed gives the same counts", "[sim][e2e]") {
  openen::testing::TempDir dir;
  SimulationOptions o = Town(dir.Sub("first"));
  o.city.days = 4;
  auto first = RunSimulation(o, nullptr);
  o.work_dir = dir.Sub("second");
  o.threads = 1;  // and however the phones are spread over threads
  auto second = RunSimulation(o, nullptr);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->sightings == second->sightings);
  CHECK(first->scans == second->scans);
  CHECK(first->close_contacts == second->close_contacts);
  CHECK(first->infections == second->infections);
  CHECK(first->uploads == second->uploads);
  CHECK(first->keys_published == second->keys_published);
  CHECK(first->chaff == second->chaff);
  CHECK(first->notified == second->notified);
  CHECK(first->true_positives == second->true_positives);
  CHECK(first->false_positives == second->false_positives);
  CHECK(first->truly_exposed == second->truly_exposed);
  CHECK(first->false_negatives == second->false_negatives);
  CHECK(first->batches == second->batches);
  CHECK(first->stored_sightings == second->stored_sightings);
  // Not keys_matched: it counts the relay's padding, whose jitter is drawn
  // from the CSPRNG, in a simulation as in production.
}

TEST_CASE("simulation options are checked before anything starts", "[sim]") {
  openen::testing::TempDir dir;
  SimulationOptions o = Town(dir.Sub("busy"));
  std::filesystem::create_directories(dir.Sub("busy"));
  std::ofstream(dir.Sub("busy/file")) << "x";
  auto busy = RunSimulation(o, nullptr);
  CHECK(busy.status() == base::Status(base::StatusCode::kInvalidArgument,
                                      "--work-dir " + dir.Sub("busy") + " is not empty"));
  CHECK(std::filesystem::exists(dir.Sub("busy/file")));  // nothing of the user's is touched

  o.work_dir = dir.Sub("fresh");
  o.city.people = 1;
  CHECK(RunSimulation(o, nullptr).status().message() == "phones must be 2..1000000");
  o.city.people = 10;
  o.city.days = 0;
  CHECK(RunSimulation(o, nullptr).status().message() == "days must be 1..60");
  CHECK_FALSE(std::filesystem::exists(dir.Sub("fresh")));
}

}  // namespace
}  // namespace openen::simulate
