// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// RunSimulation: the whole system on one machine. A health authority (an
// openen-verifier and an openen-relay, each behind its own gRPC server on a
// loopback port) and one real client library per person of a City, each with
// its own encrypted store, live through the city's days on a shared
// simulated clock: phones broadcast and record what they hear, people who
// test positive get a code through the verifier's IssueCode and upload
// through the full verification flow, some phones send chaff, the relay
// releases signed batches, and every phone syncs, matches and scores them.
// The report compares the notifications with the city's ground truth.
//
// The servers run in this process because they must follow the simulated
// clock; every call to them still crosses gRPC.

#ifndef OPENEN_SIMULATE_SIMULATION_H_
#define OPENEN_SIMULATE_SIMULATION_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "openen/base/status.h"
#include "openen/simulate/city.h"

namespace openen::simulate {

struct SimulationOptions {
  CityOptions city;
  // Where the phones' stores and the servers' data go. Empty: a temporary
  // directory (in $TMPDIR if set, else in memory under /dev/shm when it has
  // room, else /tmp), removed afterwards; otherwise it must be empty or
  // absent, and is kept.
  std::string work_dir;
  // Phones handled at once; 0: four per core (sessions wait on the servers).
  int threads = 0;
};

// Every count is a function of the options and the seed; times and sizes are
// measurements of this machine.
struct SimulationReport {
  int phones = 0;
  int days = 0;
  int households = 0;
  std::array<int, kPlaceKinds> places{};
  uint64_t scans = 0;           // scans that heard another phone
  uint64_t sightings = 0;       // identifiers heard, summed over scans
  uint64_t close_contacts = 0;  // ground truth: pairs within 2 m for 15 minutes or more, per day
  std::array<uint64_t, kPlaceKinds> close_contacts_by_place{};
  int infections = 0;  // including those infected at the start
  int positive_tests = 0;
  int uploads = 0;
  int declined_uploads = 0;
  uint64_t chaff = 0;
  uint64_t keys_published = 0;  // diagnosis keys the relay accepted
  int batches = 0;
  int notified = 0;       // phones that raised an exposure notification
  int truly_exposed = 0;  // phones with a close contact whose key was published
  int true_positives = 0;
  int false_positives = 0;
  int false_negatives = 0;
  double precision = 0;
  double recall = 0;
  // Diagnosis keys read by phones, padding included: unlike the counts above
  // it varies between runs of one seed, as the relay's padding jitter comes
  // from the CSPRNG.
  uint64_t keys_matched = 0;
  double sync_seconds =
      0;  // summed over phones: time in Client::Sync (download, verify, match, store)
  double match_seconds = 0;    // summed over phones: the matching part of it
  double keys_per_second = 0;  // keys_matched / match_seconds
  uint64_t stored_sightings = 0;
  uint64_t store_bytes = 0;  // the phones' store directories at the end
  double bytes_per_sighting = 0;
  double wall_seconds = 0;
};

struct Progress {
  int day = 0;  // 0..days (the last is the final sync)
  int days = 0;
  int phones_done = 0;
  int phones = 0;
};

// RunSimulation runs |options|. |progress| is called from the calling thread
// a few times a second. Fails with the first error any component returns,
// naming the phone and the day.
base::StatusOr<SimulationReport> RunSimulation(
    const SimulationOptions& options, const std::function<void(const Progress&)>& progress);

}  // namespace openen::simulate

#endif  // OPENEN_SIMULATE_SIMULATION_H_
