// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/simulate/simulation.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "authority.h"
#include "calendar.h"
#include "openen/server/log.h"
#include "phones.h"
#include "scoring.h"
#include "session.h"

namespace openen::simulate {
namespace {

namespace fs = std::filesystem;
using internal::Authority;
using internal::DailySessions;
using internal::GroundTruth;
using internal::Phones;
using internal::Session;

// WorkDir is the directory a run works in: the options' work_dir, which
// must be empty or absent and is kept, or a new temporary one, removed with
// this object.
class WorkDir {
 public:
  WorkDir() = default;
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  ~WorkDir() {
    std::error_code ec;
    if (temporary_) fs::remove_all(path_, ec);
  }

  // Make creates the directory. The temporary one is in memory (/dev/shm)
  // when that has room: thousands of stores syncing to disk would measure
  // the disk's flushes, not OpenEN.
  base::Status Make(const SimulationOptions& options) {
    std::error_code ec;
    const std::string& requested = options.work_dir;
    if (!requested.empty()) {
      if (fs::exists(requested, ec) && !fs::is_empty(requested, ec)) {
        return base::InvalidArgumentError("--work-dir " + requested + " is not empty");
      }
      fs::create_directories(requested, ec);
      if (ec) return base::InvalidArgumentError("cannot create " + requested + ": " + ec.message());
      path_ = requested;
      return base::Status::Ok();
    }
    // About 25 bytes per sighting, some 2,500 sightings per phone a day, and room to spare.
    const uint64_t bytes_needed =
        static_cast<uint64_t>(options.city.people) * std::min(options.city.days, 14) * 100000;
    std::string base = "/tmp";
    const char* tmp = getenv("TMPDIR");
    const fs::space_info shm = fs::space("/dev/shm", ec);
    if (tmp && *tmp) {
      base = tmp;
    } else if (!ec && shm.available > bytes_needed && access("/dev/shm", W_OK) == 0) {
      base = "/dev/shm";
    }
    std::string pattern = base + "/openen-simulate-";
    pattern.append(6, 'X');
    if (mkdtemp(pattern.data()) == nullptr)
      return base::InternalError("cannot create a temporary directory in " + base);
    path_ = pattern;
    temporary_ = true;
    return base::Status::Ok();
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool temporary_ = false;
};

// QuietServers keeps the servers' own log lines, which would only interleave
// with the progress bar, off while it lives.
struct QuietServers {
  QuietServers() { server::SetLogging(false); }
  ~QuietServers() { server::SetLogging(true); }
};

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

// CityReport returns a report with the figures of |city| before it lives
// its |days| days.
SimulationReport CityReport(const City& city, int days) {
  SimulationReport report;
  report.phones = city.people();
  report.days = days;
  report.households = city.households();
  for (int k = 0; k < kPlaceKinds; ++k) report.places[k] = city.places(static_cast<PlaceKind>(k));
  return report;
}

// RunAll runs |session| for phones 0 to |n| - 1 on |threads| threads and
// calls |progress| with the number done, a few times a second and at the end.
void RunAll(int n, int threads, const std::function<void(int)>& session,
            const std::function<void(int)>& progress) {
  std::atomic<int> next{0}, done{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        session(i);
        ++done;
      }
    });
  }
  while (done.load() < n) {
    progress(done.load());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& w : workers) w.join();
  progress(n);
}

// Tally adds what came of |day|'s |sessions| to |report| and |truth|, and
// tells |city| who was notified. Fails with the first session's error,
// naming the phone and the day.
base::Status Tally(const std::vector<Session>& sessions, int day, City& city, GroundTruth& truth,
                   SimulationReport& report) {
  for (size_t i = 0; i < sessions.size(); ++i) {
    const uint32_t phone = static_cast<uint32_t>(i);
    const Session& s = sessions[i];
    if (!s.status.ok()) {
      return base::Status(s.status.code(), "phone " + std::to_string(phone) + " on day " +
                                               std::to_string(day) + ": " + s.status.message());
    }
    report.sightings += s.heard_count;
    report.keys_matched += s.keys_matched;
    report.sync_seconds += s.sync_seconds;
    report.match_seconds += s.match_seconds;
    report.stored_sightings += s.stored_sightings;
    if (s.chaff) ++report.chaff;
    if (s.code) {
      ++report.uploads;
      report.keys_published += s.keys_accepted;
      for (uint32_t d : s.published_days)
        truth.AddPublished(phone, d - internal::kDayZeroNumber, day);
    }
    if (s.exposed && truth.AddNotified(phone)) city.Notified(phone, day);
  }
  return base::Status::Ok();
}

}  // namespace

base::StatusOr<SimulationReport> RunSimulation(
    const SimulationOptions& options, const std::function<void(const Progress&)>& progress) {
  const auto started = std::chrono::steady_clock::now();
  const CityOptions& co = options.city;
  if (co.people < 2 || co.people > 1000000)
    return base::InvalidArgumentError("phones must be 2..1000000");
  if (co.days < 1 || co.days > 60) return base::InvalidArgumentError("days must be 1..60");
  WorkDir dir;
  OPENEN_RETURN_IF_ERROR(dir.Make(options));
  QuietServers quiet_servers;

  City city(co);
  const int n = city.people();
  const int days = co.days;
  Authority authority;
  OPENEN_RETURN_IF_ERROR(authority.Start(dir.path(), days));
  OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<Phones> phones,
                          Phones::Create(city, authority.AppOptions(), dir.path() + "/phones"));
  DailySessions sessions(&city, &authority, phones.get());
  GroundTruth truth(n, days);
  // Four phones per core: a phone's session waits on the relay and the
  // verifier over loopback, and a core left idle meanwhile is wall time.
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(4 * std::max(1u, std::thread::hardware_concurrency()));

  SimulationReport report = CityReport(city, days);
  // Each day starts with the servers' maintenance and every phone's session;
  // then the city lives it. The day after the last is the final sync.
  DayActivity yesterday;
  for (int day = 0; day <= days; ++day) {
    const bool last = day == days;
    OPENEN_RETURN_IF_ERROR(authority.Maintain(day));
    OPENEN_ASSIGN_OR_RETURN(std::vector<Session> today,
                            sessions.Plan(day, last, yesterday, report));
    const auto report_progress = [&](int done) {
      if (progress) progress({day, days, done, n});
    };
    RunAll(
        n, threads, [&](int i) { today[i].status = sessions.Run(i, day, today[i]); },
        report_progress);
    OPENEN_RETURN_IF_ERROR(Tally(today, day, city, truth, report));
    if (last) break;
    yesterday = city.Live(day);
    report.scans += yesterday.scans;
    for (const CloseContact& c : yesterday.close_contacts) {
      ++report.close_contacts;
      ++report.close_contacts_by_place[static_cast<int>(c.where)];
    }
    truth.AddCloseContacts(day, std::move(yesterday.close_contacts));
  }
  report.infections = city.infected_total();
  report.batches = static_cast<int>(authority.relay->ListBatches("", 100000).size());
  truth.Score(report);
  report.keys_per_second =
      report.match_seconds > 0 ? report.keys_matched / report.match_seconds : 0;
  phones->CloseAll();
  report.store_bytes = DirectoryBytes(dir.path() + "/phones");
  report.bytes_per_sighting =
      report.stored_sightings > 0
          ? static_cast<double>(report.store_bytes) / report.stored_sightings
          : 0;
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace openen::simulate
