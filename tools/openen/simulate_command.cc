// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen simulate`: a city of phones, a verifier and a relay on this machine.

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "commands.h"
#include "json.h"
#include "openen/cli/args.h"
#include "openen/simulate/simulation.h"

namespace openen::tools {

using cli::Args;
using cli::Fail;
using cli::kExitFailure;
using cli::kExitOk;
using cli::kExitUsage;

namespace {

constexpr char kUsage[] =
    "usage: openen simulate [--phones N] [--days D] [--seed S] [--json] [options]\n"
    "\n"
    "Simulates a city on this machine: an openen-verifier and an openen-relay on\n"
    "loopback, and one real client library per person, each with its own encrypted\n"
    "store. People live in households and go to work, school, buses and venues;\n"
    "phones in the same place hear each other every 3 to 5 minutes, with RSSI from\n"
    "distance, walls, noise and device differences. Infected people who test\n"
    "positive get a code from the verifier and upload their keys; some phones send\n"
    "chaff; every phone syncs, matches and scores the released batches each day.\n"
    "The report compares the notifications with the ground truth of who was within\n"
    "2 m of an uploader for 15 minutes or more. Counts depend only on the options\n"
    "and the seed; times and sizes are measured.\n"
    "\n"
    "  --phones N            people, each with a phone (default 2000, 2..1000000)\n"
    "  --days D              days to simulate (default 14, 1..60)\n"
    "  --seed S              the city's random seed (default 1)\n"
    "  --initial-infected F  share infected on day 0 (default 0.01)\n"
    "  --upload-consent F    share of positive people who upload (default 0.75)\n"
    "  --chaff-per-day F     share of phones sending chaff each day (default 0.05)\n"
    "  --threads N           phones handled at once (default: four per core)\n"
    "  --work-dir DIR        keep stores and server data in DIR (empty or absent);\n"
    "                        default: a temporary directory ($TMPDIR, else /dev/shm\n"
    "                        when it has room, else /tmp), removed afterwards\n"
    "  --json                print the report as one JSON object\n"
    "  --quiet               no progress bar\n";

base::StatusOr<double> GetShare(const Args& args, const std::string& name, double fallback) {
  auto text = args.Get(name);
  if (!text) return fallback;
  char* end = nullptr;
  const double v = std::strtod(text->c_str(), &end);
  if (text->empty() || end != text->c_str() + text->size() || !std::isfinite(v) || v < 0 || v > 1) {
    return base::InvalidArgumentError("--" + name + " must be a number from 0 to 1, got '" + *text +
                                      "'");
  }
  return v;
}

void DrawProgress(const simulate::Progress& p) {
  constexpr int kWidth = 30;
  const double total = static_cast<double>(p.days + 1) * p.phones;
  const double done = static_cast<double>(p.day) * p.phones + p.phones_done;
  const int filled = static_cast<int>(kWidth * done / total);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  if (p.day < p.days) {
    std::fprintf(stderr, "\r[%s] day %2d/%d  phones %6d/%d ", bar.c_str(), p.day + 1, p.days, p.phones_done, p.phones);
  } else {
    std::fprintf(stderr, "\r[%s] final sync  phones %6d/%d ", bar.c_str(), p.phones_done, p.phones);
  }
  std::fflush(stderr);
}

std::string Json(const simulate::SimulationReport& r) {
  JsonWriter w;
  w.BeginObject();
  w.Key("phones").Int(r.phones);
  w.Key("days").Int(r.days);
  w.Key("households").Int(r.households);
  w.Key("scans").Uint(r.scans);
  w.Key("sightings").Uint(r.sightings);
  w.Key("close_contacts").Uint(r.close_contacts);
  w.Key("close_contacts_by_place").BeginObject();
  for (int k = 0; k < simulate::kPlaceKinds; ++k) {
    w.Key(simulate::PlaceKindName(static_cast<simulate::PlaceKind>(k)))
        .Uint(r.close_contacts_by_place[k]);
  }
  w.EndObject();
  w.Key("infections").Int(r.infections);
  w.Key("positive_tests").Int(r.positive_tests);
  w.Key("uploads").Int(r.uploads);
  w.Key("declined_uploads").Int(r.declined_uploads);
  w.Key("chaff").Uint(r.chaff);
  w.Key("keys_published").Uint(r.keys_published);
  w.Key("batches").Int(r.batches);
  w.Key("notified").Int(r.notified);
  w.Key("truly_exposed").Int(r.truly_exposed);
  w.Key("true_positives").Int(r.true_positives);
  w.Key("false_positives").Int(r.false_positives);
  w.Key("false_negatives").Int(r.false_negatives);
  w.Key("precision").Double(r.precision);
  w.Key("recall").Double(r.recall);
  w.Key("keys_matched").Uint(r.keys_matched);
  w.Key("sync_seconds").Double(r.sync_seconds);
  w.Key("match_seconds").Double(r.match_seconds);
  w.Key("keys_per_second").Double(r.keys_per_second);
  w.Key("stored_sightings").Uint(r.stored_sightings);
  w.Key("store_bytes").Uint(r.store_bytes);
  w.Key("bytes_per_sighting").Double(r.bytes_per_sighting);
  w.Key("wall_seconds").Double(r.wall_seconds);
  w.EndObject();
  return w.str();
}

void PrintReport(const simulate::SimulationReport& r) {
  std::printf("OpenEN simulation: %d phones in %d households, %d days\n", r.phones, r.households, r.days);
  std::printf("  places            %d offices, %d classes, %d venues, buses by the trip\n", r.places[1], r.places[2],
              r.places[4]);
  std::printf("  scans             %llu that heard someone; %llu sightings recorded\n",
              static_cast<unsigned long long>(r.scans), static_cast<unsigned long long>(r.sightings));
  std::printf("  close contacts    %llu person-pair-days within 2 m for 15 min+ (home %llu, work %llu, school %llu, "
              "transport %llu, venue %llu)\n",
              static_cast<unsigned long long>(r.close_contacts),
              static_cast<unsigned long long>(r.close_contacts_by_place[0]),
              static_cast<unsigned long long>(r.close_contacts_by_place[1]),
              static_cast<unsigned long long>(r.close_contacts_by_place[2]),
              static_cast<unsigned long long>(r.close_contacts_by_place[3]),
              static_cast<unsigned long long>(r.close_contacts_by_place[4]));
  std::printf("  epidemic          %d infected, %d tested positive\n", r.infections, r.positive_tests);
  std::printf("  uploads           %d (%d declined), %llu keys published in %d signed batches; %llu chaff uploads\n",
              r.uploads, r.declined_uploads, static_cast<unsigned long long>(r.keys_published), r.batches,
              static_cast<unsigned long long>(r.chaff));
  std::printf("  notifications     %d phones notified; %d truly exposed to a published key\n", r.notified,
              r.truly_exposed);
  std::printf("                    true positives %d, false positives %d, false negatives %d\n", r.true_positives,
              r.false_positives, r.false_negatives);
  std::printf("                    precision %.3f, recall %.3f\n", r.precision, r.recall);
  std::printf("  matching          %llu keys (padding included) matched in %.2f s summed over phones: %.0f keys/s;\n"
              "                    whole syncs (download, verify, match, store) took %.2f s\n",
              static_cast<unsigned long long>(r.keys_matched), r.match_seconds, r.keys_per_second, r.sync_seconds);
  std::printf("  phone storage     %.1f bytes per stored sighting (%llu bytes for %llu sightings)\n",
              r.bytes_per_sighting, static_cast<unsigned long long>(r.store_bytes),
              static_cast<unsigned long long>(r.stored_sightings));
  std::printf("  wall time         %.1f s\n", r.wall_seconds);
}

}  // namespace

int SimulateCommand(int argc, char** argv, int first) {
  auto args = Args::Parse(argc, argv, first,
                          {"phones", "days", "seed", "initial-infected", "upload-consent", "chaff-per-day", "threads",
                           "work-dir"},
                          {"json", "quiet", "help"});
  if (!args.ok()) return Fail(args.status().message());
  if (args->Has("help")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (!args->positional().empty()) return Fail("unexpected argument '" + args->positional()[0] + "'");
  simulate::SimulationOptions options;
  auto phones = args->GetInt("phones", 2000, 2, 1000000);
  auto days = args->GetInt("days", 14, 1, 60);
  auto seed = args->GetInt("seed", 1, 0, INT64_MAX);
  auto threads = args->GetInt("threads", 0, 1, 256);
  for (const auto* v : {&phones, &days, &seed, &threads}) {
    if (!v->ok()) return Fail(v->status().message());
  }
  auto infected = GetShare(*args, "initial-infected", options.city.initial_infected);
  auto consent = GetShare(*args, "upload-consent", options.city.upload_consent);
  auto chaff = GetShare(*args, "chaff-per-day", options.city.chaff_per_day);
  for (const auto* v : {&infected, &consent, &chaff}) {
    if (!v->ok()) return Fail(v->status().message());
  }
  options.city.people = static_cast<int>(*phones);
  options.city.days = static_cast<int>(*days);
  options.city.seed = static_cast<uint64_t>(*seed);
  options.city.initial_infected = *infected;
  options.city.upload_consent = *consent;
  options.city.chaff_per_day = *chaff;
  options.threads = static_cast<int>(*threads);
  options.work_dir = args->Get("work-dir").value_or("");

  const bool bar = !args->Has("quiet") && isatty(STDERR_FILENO);
  auto report = simulate::RunSimulation(options, [&](const simulate::Progress& p) {
    if (bar) DrawProgress(p);
  });
  if (bar) std::fputs("\n", stderr);
  if (!report.ok()) {
    return Fail(
        "simulate: " + report.status().message(),
        report.status().code() == base::StatusCode::kInvalidArgument ? kExitUsage : kExitFailure);
  }
  if (args->Has("json")) {
    std::printf("%s\n", Json(*report).c_str());
  } else {
    PrintReport(*report);
  }
  return kExitOk;
}

}  // namespace openen::tools
