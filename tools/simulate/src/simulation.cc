// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/simulate/simulation.h"

#include <grpcpp/grpcpp.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "openen/base/bytes.h"
#include "openen/base/clock.h"
#include "openen/client/client.h"
#include "openen/crypto/secret.h"
#include "openen/relay/relay.h"
#include "openen/relay/service.h"
#include "openen/rpc/status.h"
#include "openen/server/grpc_server.h"
#include "openen/server/log.h"
#include "openen/server/worker_pool.h"
#include "openen/v1/verification.grpc.pb.h"
#include "openen/verifier/service.h"
#include "openen/verifier/verifier.h"
#include "openen/wire/signed.h"

namespace openen::simulate {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDaySeconds = 86400;
// Day 0 is Monday 2 March 2026, 00:00 UTC: a fixed date keeps runs identical.
constexpr int64_t kStart = 1772409600;
constexpr int kIntervalsPerDay = 144;
// Each phone's day starts with its session a minute after midnight.
constexpr int64_t kSessionOffset = 60;

int64_t DayStart(int day) { return kStart + day * kDaySeconds; }

// The health authority's risk configuration, calibrated to the city's radio
// model: attenuation 44 dB is about 1.6 m, 50 dB about 3 m, 56 dB about 6 m.
openen::v1::RiskParameters AuthorityRisk() {
  openen::v1::RiskParameters r;
  for (uint32_t t : {44u, 50u, 56u}) r.add_attenuation_thresholds_db(t);
  for (double w : {1.5, 1.0, 0.3, 0.0}) r.add_attenuation_bucket_weights(w);
  for (double w : {1.0, 1.0, 1.0, 0.8, 0.0, 0.0}) r.add_report_type_weights(w);
  for (int d = -14; d <= 14; ++d) r.add_infectiousness_by_days_since_onset(d >= -2 && d <= 5 ? 2 : 1);
  r.set_infectiousness_weight_standard(1.0);
  r.set_infectiousness_weight_high(1.0);
  r.set_minimum_daily_score(900);  // 15 minutes near
  return r;
}

// A directory of our own: |requested|, which must be empty or absent, or a
// new temporary one. The temporary one is in memory (/dev/shm) when that has
// room for |bytes_needed|: thousands of stores syncing to disk would measure
// the disk's flushes, not OpenEN.
base::StatusOr<std::string> MakeWorkDir(const std::string& requested, uint64_t bytes_needed) {
  std::error_code ec;
  if (!requested.empty()) {
    if (fs::exists(requested, ec) && !fs::is_empty(requested, ec)) {
      return base::InvalidArgumentError("--work-dir " + requested + " is not empty");
    }
    fs::create_directories(requested, ec);
    if (ec) return base::InvalidArgumentError("cannot create " + requested + ": " + ec.message());
    return requested;
  }
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
  if (mkdtemp(pattern.data()) == nullptr) return base::InternalError("cannot create a temporary directory in " + base);
  return pattern;
}

// RaiseOpenFileLimit raises the soft limit on open files towards |wanted|
// (up to the hard limit) and reports whether it reached it.
bool RaiseOpenFileLimit(uint64_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  }
  return limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

// Authority: the verifier and the relay, each behind its own loopback gRPC
// server, on the simulation's clock. Its three Ed25519 keys have three roles:
// the verifier's online certificate key, and the offline configuration and
// decommission keys that the phones pin (never the certificate key).
struct Authority {
  base::FakeClock clock{DayStart(0)};
  crypto::Ed25519PrivateKey certificate_key = crypto::Ed25519PrivateKey::Generate();
  crypto::Ed25519PrivateKey config_key = crypto::Ed25519PrivateKey::Generate();
  crypto::Ed25519PrivateKey decommission_key = crypto::Ed25519PrivateKey::Generate();
  std::string admin_key = base::HexEncode(crypto::SecretBytes::Random(16).Reveal());
  std::optional<crypto::EcdsaP256PublicKey> export_key;
  std::unique_ptr<verifier::Verifier> verifier;
  std::unique_ptr<relay::Relay> relay;
  std::unique_ptr<server::WorkerPool> pool;
  std::unique_ptr<verifier::VerificationService> verification_service;
  std::unique_ptr<relay::RelayService> relay_service;
  server::RunningServer verifier_server, relay_server;
  std::shared_ptr<grpc::Channel> verifier_channel, relay_channel;
  std::unique_ptr<openen::v1::Verification::Stub> admin;

  ~Authority() {
    if (relay_server.server) server::ShutdownGracefully(relay_server.server.get(), 5);
    if (verifier_server.server) server::ShutdownGracefully(verifier_server.server.get(), 5);
    pool.reset();
  }

  base::Status Start(const std::string& dir, int days) {
    std::error_code ec;
    for (const char* sub : {"/relay", "/phones"}) {
      fs::create_directories(dir + sub, ec);
      if (ec) return base::InternalError("cannot create " + dir + sub + ": " + ec.message());
    }
    verifier::VerifierOptions verifier_options;
    verifier_options.decommission_keys = {decommission_key.PublicKey()};
    auto v = verifier::Verifier::Open(dir + "/verifier",
                                      *crypto::Ed25519PrivateKey::FromSeed(certificate_key.seed().Reveal()),
                                      verifier_options, &clock);
    if (!v.ok()) return v.status();
    verifier = std::move(*v);

    OPENEN_ASSIGN_OR_RETURN(crypto::EcdsaP256PrivateKey export_signing, crypto::EcdsaP256PrivateKey::Generate());
    export_key = export_signing.PublicKey();
    relay::RelayOptions relay_options;
    relay_options.config_keys = {config_key.PublicKey()};
    relay_options.decommission_keys = {decommission_key.PublicKey()};
    openen::v1::RelayConfig config;
    config.set_expires_at(DayStart(days) + 30 * kDaySeconds);
    config.set_serial(1);
    (*config.mutable_export_signing_keys())[relay_options.signing_key_id + "-" + relay_options.signing_key_version] =
        export_key->ToSpkiBase64();
    config.add_authority_keys(std::string(base::AsChars(certificate_key.PublicKey().bytes())));
    *config.mutable_risk() = AuthorityRisk();
    config.set_retention_days(14);
    auto r = relay::Relay::Open(dir + "/relay/data", dir + "/relay/export", relay_options,
                                {certificate_key.PublicKey()}, std::move(export_signing),
                                wire::SignEnvelope(wire::kRelayConfigContext, config, config_key), &clock);
    if (!r.ok()) return r.status();
    relay = std::move(*r);

    pool = std::make_unique<server::WorkerPool>(2);
    verification_service = std::make_unique<verifier::VerificationService>(
        verifier.get(), crypto::SecretBytes(base::AsBytes(admin_key)), pool.get());
    relay_service = std::make_unique<relay::RelayService>(relay.get(), pool.get());
    OPENEN_ASSIGN_OR_RETURN(verifier_server, server::StartServer({}, {verification_service.get()}));
    OPENEN_ASSIGN_OR_RETURN(relay_server, server::StartServer({}, {relay_service.get()}));
    verifier_channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(verifier_server.port),
                                           grpc::InsecureChannelCredentials());
    relay_channel =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(relay_server.port), grpc::InsecureChannelCredentials());
    admin = openen::v1::Verification::NewStub(verifier_channel);
    return base::Status::Ok();
  }

  // IssueCode is the contact tracer's call: a code pair for a positive test.
  base::StatusOr<openen::v1::IssueCodeResponse> IssueCode(std::optional<int> onset_day) {
    openen::v1::IssueCodeRequest request;
    request.set_test_type(openen::v1::CONFIRMED_TEST);
    if (onset_day) request.set_symptom_onset_interval(static_cast<uint32_t>(DayStart(*onset_day) / 600));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    ctx.AddMetadata("authorization", "Bearer " + admin_key);
    openen::v1::IssueCodeResponse response;
    grpc::Status s = admin->IssueCode(&ctx, request, &response);
    if (!s.ok()) return rpc::FromGrpcStatus(s);
    return response;
  }
};

// What one phone does at the start of a day, and what came of it.
struct Session {
  // In.
  const Hearing* heard = nullptr;  // yesterday's hearings by this phone
  size_t heard_count = 0;
  std::optional<std::string> code;  // upload with this code
  std::vector<uint32_t> excluded_days;
  bool chaff = false;
  bool advertise = false;  // broadcast today
  bool final = false;      // the last day: count what is stored
  // Out.
  base::Status status;
  bool exposed = false;
  std::vector<uint32_t> published_days;
  uint32_t keys_accepted = 0;
  uint64_t keys_matched = 0;
  double sync_seconds = 0;
  double match_seconds = 0;
  uint64_t stored_sightings = 0;
};

}  // namespace

base::StatusOr<SimulationReport> RunSimulation(const SimulationOptions& options,
                                         const std::function<void(const Progress&)>& progress) {
  const auto started = std::chrono::steady_clock::now();
  const CityOptions& co = options.city;
  if (co.people < 2 || co.people > 1000000) return base::InvalidArgumentError("phones must be 2..1000000");
  if (co.days < 1 || co.days > 60) return base::InvalidArgumentError("days must be 1..60");
  // About 25 bytes per sighting, some 2,500 sightings per phone a day, and room to spare.
  const uint64_t bytes_needed = static_cast<uint64_t>(co.people) * std::min(co.days, 14) * 100000;
  OPENEN_ASSIGN_OR_RETURN(std::string dir, MakeWorkDir(options.work_dir, bytes_needed));
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      if (!dir.empty()) fs::remove_all(dir, ec);
    }
  } cleanup{options.work_dir.empty() ? dir : ""};

  // The servers' own log lines would only interleave with the progress bar.
  server::SetLogging(false);
  struct RestoreLogging {
    ~RestoreLogging() { server::SetLogging(true); }
  } restore_logging;

  City city(co);
  const int n = city.people();
  const int days = co.days;
  Authority authority;
  OPENEN_RETURN_IF_ERROR(authority.Start(dir, days));

  // The phones: each has its own platform key, clock and store directory.
  std::vector<std::unique_ptr<client::FileKeyStore>> keystores(static_cast<size_t>(n));
  std::vector<std::unique_ptr<base::FakeClock>> clocks(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    OPENEN_ASSIGN_OR_RETURN(keystores[i], client::FileKeyStore::FromKey(crypto::SecretBytes::Random(32)));
    clocks[i] = std::make_unique<base::FakeClock>(DayStart(0));
  }
  client::GrpcUploadTransport transport(authority.verifier_channel, authority.relay_channel);
  // Advertisements by day parity: phone * 144 + interval of the day.
  std::vector<crypto::Advertisement> ads[2];
  ads[0].resize(static_cast<size_t>(n) * kIntervalsPerDay);
  ads[1].resize(static_cast<size_t>(n) * kIntervalsPerDay);

  // The phones' apps run for the whole simulation, as the system service
  // does, if the process may open enough files (each store keeps about
  // seven open); otherwise each phone opens its store for its daily session.
  const bool keep_open = RaiseOpenFileLimit(static_cast<uint64_t>(n) * 8 + 256);
  std::vector<std::unique_ptr<client::Client>> phones(static_cast<size_t>(n));
  auto open_phone = [&](int phone) -> base::Status {
    client::ClientOptions o;
    o.store_dir = dir + "/phones/" + std::to_string(phone);
    o.tx_power_dbm = static_cast<int8_t>(city.device(phone).tx_power_dbm);
    o.rssi_offset_db = city.device(phone).rssi_offset_db;
    o.export_keys = {{"openen-v1", *authority.export_key}};
    o.config_keys = {authority.config_key.PublicKey()};
    o.decommission_keys = {authority.decommission_key.PublicKey()};
    OPENEN_ASSIGN_OR_RETURN(phones[phone], client::Client::Open(o, keystores[phone].get(), clocks[phone].get()));
    return base::Status::Ok();
  };

  auto run_session = [&](int phone, int day, Session& s) {
    base::FakeClock& clock = *clocks[phone];
    const int64_t start = DayStart(day);
    clock.Set(start + kSessionOffset);
    if (!phones[phone]) {
      if (base::Status st = open_phone(phone); !st.ok()) {
        s.status = st;
        return;
      }
    }
    client::Client& phone_client = *phones[phone];
    auto fail = [&](const char* what, const base::Status& status) {
      s.status = base::Status(status.code(), std::string(what) + ": " + status.message());
    };

    if (s.heard_count > 0) {
      const std::vector<crypto::Advertisement>& yesterday = ads[(day - 1) % 2];
      std::vector<client::Observation> observations(s.heard_count);
      for (size_t k = 0; k < s.heard_count; ++k) {
        const Hearing& h = s.heard[k];
        const auto& ad = yesterday[static_cast<size_t>(h.advertiser) * kIntervalsPerDay +
                                   static_cast<size_t>(h.second / 600)];
        std::copy(ad.begin(), ad.begin() + 16, observations[k].rpi.begin());
        std::copy(ad.begin() + 16, ad.end(), observations[k].aem.begin());
        observations[k].rssi = h.rssi;
        observations[k].time = DayStart(day - 1) + h.second;
      }
      if (base::Status st = phone_client.RecordSightings(observations); !st.ok()) return fail("record sightings", st);
    }
    if (s.code) {
      auto keys = phone_client.KeysForUpload(s.excluded_days);
      if (!keys.ok()) return fail("keys for upload", keys.status());
      auto report = phone_client.UploadDiagnosis(transport, *s.code, s.excluded_days);
      if (!report.ok()) return fail("upload", report.status());
      // Every key a phone offers passes the relay's rules; anything else is
      // a defect the ground truth must not hide.
      if (report->keys_accepted != keys->size()) {
        return fail("upload", base::InternalError("the relay accepted " + std::to_string(report->keys_accepted) + " of " +
                                            std::to_string(keys->size()) + " keys"));
      }
      s.keys_accepted = report->keys_accepted;
      for (const auto& k : *keys) s.published_days.push_back(k.rolling_start_interval_number / kIntervalsPerDay);
    }
    if (s.chaff) {
      if (base::Status st = phone_client.SendChaff(transport); !st.ok()) return fail("chaff", st);
    }
    client::RelaySource source(authority.relay_channel);
    const auto sync_start = std::chrono::steady_clock::now();
    auto synced = phone_client.Sync(source);
    s.sync_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sync_start).count();
    if (!synced.ok()) return fail("sync", synced.status());
    s.keys_matched = synced->keys;
    s.match_seconds = synced->match_seconds;
    auto summaries = phone_client.DailySummaries();
    if (!summaries.ok()) return fail("daily summaries", summaries.status());
    s.exposed = std::any_of(summaries->begin(), summaries->end(), [](const auto& d) { return d.exposure; });
    if (s.advertise) {
      std::vector<crypto::Advertisement>& today = ads[day % 2];
      for (int k = 0; k < kIntervalsPerDay; ++k) {
        clock.Set(std::max(start + kSessionOffset, start + 600 * k));
        auto ad = phone_client.CurrentAdvertisement();
        if (!ad.ok()) return fail("advertise", ad.status());
        today[static_cast<size_t>(phone) * kIntervalsPerDay + static_cast<size_t>(k)] = *ad;
      }
    }
    if (s.final) {
      auto summary = phone_client.Summary();
      if (!summary.ok()) return fail("summary", summary.status());
      for (const auto& d : summary->days) s.stored_sightings += static_cast<uint64_t>(d.scans);
    }
    if (!keep_open) phones[phone].reset();
  };

  SimulationReport report;
  report.phones = n;
  report.days = days;
  report.households = city.households();
  for (int k = 0; k < kPlaceKinds; ++k) report.places[k] = city.places(static_cast<PlaceKind>(k));
  std::vector<bool> notified(static_cast<size_t>(n), false);
  std::vector<std::vector<CloseContact>> contacts(static_cast<size_t>(days));
  // (person, day) pairs whose key was published, and the day it was uploaded.
  std::vector<std::tuple<uint32_t, uint32_t, int>> published;
  const uint32_t first_day = static_cast<uint32_t>(DayStart(0) / kDaySeconds);
  DayActivity yesterday;
  const int threads = options.threads > 0 ? options.threads
                                          : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));

  for (int day = 0; day <= days; ++day) {
    const bool last = day == days;
    // The relay releases what is due, the verifier forgets what expired.
    authority.clock.Set(DayStart(day) + kSessionOffset / 2);
    OPENEN_RETURN_IF_ERROR(authority.relay->Maintain());
    OPENEN_RETURN_IF_ERROR(authority.verifier->Maintain().status());

    std::vector<Session> sessions(static_cast<size_t>(n));
    for (size_t k = 0; k < yesterday.hearings.size();) {
      const uint32_t observer = yesterday.hearings[k].observer;
      size_t end = k;
      while (end < yesterday.hearings.size() && yesterday.hearings[end].observer == observer) ++end;
      sessions[observer].heard = &yesterday.hearings[k];
      sessions[observer].heard_count = end - k;
      k = end;
    }
    if (day > 0) {
      for (const Diagnosis& d : city.DiagnosesFor(day)) {
        ++report.positive_tests;
        if (last) continue;  // beyond the horizon: nobody would sync the keys
        if (!d.consents) {
          ++report.declined_uploads;
          continue;
        }
        auto codes = authority.IssueCode(d.onset_day);
        if (!codes.ok()) return base::Status(codes.status().code(), "issue code: " + codes.status().message());
        Session& s = sessions[d.person];
        s.code = d.person % 2 == 0 ? codes->short_code() : codes->long_code();
        if (d.excluded_day) s.excluded_days.push_back(first_day + static_cast<uint32_t>(*d.excluded_day));
      }
    }
    for (int i = 0; i < n; ++i) {
      Session& s = sessions[static_cast<size_t>(i)];
      s.chaff = !last && city.SendsChaff(static_cast<uint32_t>(i), day);
      s.advertise = !last;
      s.final = last;
    }

    // Phones, a few at a time.
    std::atomic<int> next{0}, done{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (int i = next++; i < n; i = next++) {
          run_session(i, day, sessions[static_cast<size_t>(i)]);
          ++done;
        }
      });
    }
    while (done.load() < n) {
      if (progress) progress({day, days, done.load(), n});
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (auto& w : workers) w.join();
    if (progress) progress({day, days, n, n});

    for (int i = 0; i < n; ++i) {
      Session& s = sessions[static_cast<size_t>(i)];
      if (!s.status.ok()) {
        return base::Status(s.status.code(),
                      "phone " + std::to_string(i) + " on day " + std::to_string(day) + ": " + s.status.message());
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
        for (uint32_t d : s.published_days) published.emplace_back(i, d - first_day, day);
      }
      if (s.exposed && !notified[i]) {
        notified[i] = true;
        city.Notified(static_cast<uint32_t>(i), day);
      }
    }
    if (last) break;
    yesterday = city.Live(day);
    report.scans += yesterday.scans;
    report.infections += yesterday.infections;
    contacts[static_cast<size_t>(day)] = std::move(yesterday.close_contacts);
    for (const CloseContact& c : contacts[static_cast<size_t>(day)]) {
      ++report.close_contacts;
      ++report.close_contacts_by_place[static_cast<int>(c.where)];
    }
  }
  report.infections = city.infected_total();
  report.batches = static_cast<int>(authority.relay->ListBatches("", 100000).size());

  // Ground truth: a phone was truly exposed when it spent 15 minutes within
  // 2 m of someone on a day whose key that person published, and it still
  // held that day when it synced the keys (the day after the upload).
  std::vector<bool> exposed(static_cast<size_t>(n), false);
  for (const auto& [person, d, uploaded] : published) {
    if (d >= contacts.size() || static_cast<int>(d) + client::kMaxRetentionDays <= uploaded + 1) continue;
    for (const CloseContact& c : contacts[d]) {
      if (c.a == person) exposed[c.b] = true;
      if (c.b == person) exposed[c.a] = true;
    }
  }
  for (int i = 0; i < n; ++i) {
    report.truly_exposed += exposed[i];
    report.notified += notified[i];
    report.true_positives += notified[i] && exposed[i];
    report.false_positives += notified[i] && !exposed[i];
    report.false_negatives += !notified[i] && exposed[i];
  }
  const int tp = report.true_positives;
  report.precision = tp + report.false_positives > 0 ? static_cast<double>(tp) / (tp + report.false_positives) : 0;
  report.recall = tp + report.false_negatives > 0 ? static_cast<double>(tp) / (tp + report.false_negatives) : 0;
  report.keys_per_second = report.match_seconds > 0 ? report.keys_matched / report.match_seconds : 0;
  phones.clear();  // closed, as when the phones are switched off
  report.store_bytes = DirectoryBytes(dir + "/phones");
  report.bytes_per_sighting =
      report.stored_sightings > 0 ? static_cast<double>(report.store_bytes) / report.stored_sightings : 0;
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace openen::simulate
