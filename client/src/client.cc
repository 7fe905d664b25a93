// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Client is a facade over its jobs, each with one owner in client/src:
// records.h (everything stored, and its formats), own_keys.h (today's key and
// the advertisement), exposure.h (matching into exposure windows),
// configuration.h, decommission.h and upload_flow.h (uploads and chaff).
// Client::Impl holds them with the state that ties them together, and this
// file checks the client's state before each call and runs the sync.

#include "openen/client/client.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <span>

#include "configuration.h"
#include "decommission.h"
#include "exposure.h"
#include "log_plan.h"
#include "openen/client/matcher.h"
#include "openen/crypto/hash.h"
#include "openen/crypto/secret.h"
#include "openen/v1/signed.pb.h"
#include "own_keys.h"
#include "records.h"
#include "upload_flow.h"

namespace openen::client {
namespace {

using internal::DayOf;
using internal::DecommissionedError;
using internal::FirstKeptDay;

// Sightings may arrive this late relative to the phone's clock, or this early.
constexpr int64_t kMaxFutureSkewSeconds = 300;

base::Status PausedError() {
  return base::FailedPreconditionError("exposure notification is paused").WithReason(kPausedReason);
}

}  // namespace

// Client::Impl holds the client's jobs and state. |mu| guards all of it;
// |sync_mu| lets one sync run at a time, held without |mu| across network
// calls and matching. The methods below are called with |mu| held.
struct Client::Impl {
  Impl(ClientOptions client_options, std::unique_ptr<internal::Records> opened, KeyStore* ks,
       const base::Clock* c)
      : options(std::move(client_options)),
        keystore(ks),
        clock(c),
        records(std::move(opened)),
        own_keys(options.tx_power_dbm),
        config(options),
        decommission(options) {}

  // CheckAlive fails once decommissioned, applying a pending order whose time has come.
  base::Status CheckAlive(int64_t now);
  void DecommissionNow(const openen::v1::SignedEnvelope& order);
  base::Status AcceptOrder(const base::Bytes& envelope_bytes, int64_t now);
  // |stored|: the configuration this phone adopted before, reloaded at Open.
  base::Status UpdateConfigurationLocked(const openen::v1::SignedEnvelope& envelope,
                                         bool stored = false);
  base::Status PurgeIfDayChanged(int64_t now);
  // PurgeNow deletes the days past retention, and a pending publish past
  // its time, and returns how many days held data.
  base::StatusOr<int> PurgeNow(int64_t now);
  // PendingPublish returns the publish waiting to be sent again, deleting
  // it (physically) once |now| reaches its keep_until.
  base::StatusOr<std::optional<internal::Records::PendingPublish>> PendingPublish(int64_t now);
  // Record checks and stores |observations|; |batch| prefixes errors with the index.
  base::Status Record(const std::vector<Observation>& observations, bool batch);
  // CommitWindows stores |windows| within retention at |now| with |progress|.
  base::Status CommitWindows(int64_t now, const std::vector<ExposureWindow>& windows,
                             const std::optional<internal::SyncProgress>& progress);

  const ClientOptions options;
  KeyStore* const keystore;
  const base::Clock* const clock;
  mutable std::mutex mu;
  // Timed, so that a sync waiting for another can still be cancelled.
  std::timed_mutex sync_mu;
  std::unique_ptr<internal::Records> records;  // null once decommissioned
  internal::OwnKeys own_keys;
  internal::Configuration config;
  internal::Decommission decommission;
  // Written under |mu|; atomic so that paused() needs no lock (a UI thread
  // may ask while a sync or a purge holds |mu|). False once decommissioned.
  std::atomic<bool> paused{false};
  std::optional<uint32_t> purged_day;
  // Bumped by EraseAll: a sync that straddles an erase stores nothing.
  uint64_t erase_generation = 0;
  uint64_t identifiers_dropped = 0;  // see StorageSummary
  // The day indexes, kept between syncs; cleared by EraseAll.
  internal::IndexCache index_cache;
  // LoadDayOf returns a LoadDay that reads a day's sightings under |mu|,
  // failing once the data of |generation| was erased.
  internal::LoadDay LoadDayOf(uint64_t generation);
};

internal::LoadDay Client::Impl::LoadDayOf(uint64_t generation) {
  return [this, generation](uint32_t day) -> base::StatusOr<std::vector<Sighting>> {
    std::lock_guard<std::mutex> lock(mu);
    OPENEN_RETURN_IF_ERROR(CheckAlive(clock->NowSeconds()));
    if (erase_generation != generation)
      return base::AbortedError("the data was erased during the sync");
    return records->LoadSightings(day);
  };
}

base::Status Client::Impl::CheckAlive(int64_t now) {
  if (decommission.off()) return DecommissionedError();
  if (const openen::v1::SignedEnvelope* order = decommission.Due(now)) {
    DecommissionNow(*order);
    return DecommissionedError();
  }
  return base::Status::Ok();
}

void Client::Impl::DecommissionNow(const openen::v1::SignedEnvelope& order) {
  index_cache.Clear();
  decommission.SwitchOff(order, &records, keystore);
  own_keys.Forget();
  paused = false;
}

base::Status Client::Impl::AcceptOrder(const base::Bytes& envelope_bytes, int64_t now) {
  OPENEN_ASSIGN_OR_RETURN(std::optional<openen::v1::SignedEnvelope> in_force,
                          decommission.Accept(envelope_bytes, now, *records));
  if (!in_force) return base::Status::Ok();
  DecommissionNow(*in_force);
  return DecommissionedError();
}

base::Status Client::Impl::UpdateConfigurationLocked(const openen::v1::SignedEnvelope& envelope,
                                                     bool stored) {
  const int64_t now = clock->NowSeconds();
  OPENEN_ASSIGN_OR_RETURN(bool adopted, config.Adopt(envelope, stored, now, *records));
  if (!adopted) return base::Status::Ok();
  purged_day.reset();  // apply a shorter retention at once
  return PurgeIfDayChanged(now);
}

base::Status Client::Impl::PurgeIfDayChanged(int64_t now) {
  if (purged_day == DayOf(now)) return base::Status::Ok();
  own_keys.Forget();
  return PurgeNow(now).status();
}

base::StatusOr<int> Client::Impl::PurgeNow(int64_t now) {
  const uint32_t today = DayOf(now);
  index_cache.DropBefore(FirstKeptDay(today, config.retention_days()));
  OPENEN_ASSIGN_OR_RETURN(int purged, records->Purge(FirstKeptDay(today, config.retention_days())));
  OPENEN_RETURN_IF_ERROR(PendingPublish(now).status());
  purged_day = today;
  return purged;
}

base::StatusOr<std::optional<internal::Records::PendingPublish>> Client::Impl::PendingPublish(
    int64_t now) {
  OPENEN_ASSIGN_OR_RETURN(std::optional<internal::Records::PendingPublish> pending,
                          records->GetPendingPublish());
  if (pending && now >= pending->keep_until) {
    crypto::Wipe(&pending->request);
    OPENEN_RETURN_IF_ERROR(records->ClearPendingPublish());
    pending.reset();
  }
  return pending;
}

base::Status Client::Impl::Record(const std::vector<Observation>& observations, bool batch) {
  std::lock_guard<std::mutex> lock(mu);
  const int64_t now = clock->NowSeconds();
  OPENEN_RETURN_IF_ERROR(CheckAlive(now));
  if (paused) return PausedError();
  OPENEN_RETURN_IF_ERROR(PurgeIfDayChanged(now));
  for (size_t i = 0; i < observations.size(); ++i) {
    const Observation& o = observations[i];
    const std::string which = batch ? "observation " + std::to_string(i) + ": " : "";
    if (o.rssi < -127 || o.rssi > 127) {
      return base::InvalidArgumentError(which + "rssi " + std::to_string(o.rssi) +
                                        " is outside -127..127");
    }
    if (o.time > now + kMaxFutureSkewSeconds)
      return base::InvalidArgumentError(which + "sighting time is in the future");
    if (o.time < 0 || DayOf(o.time) + config.retention_days() <= DayOf(now)) {
      return base::InvalidArgumentError(which + "sighting is older than the retention period");
    }
  }
  return records->AddSightings(observations, &identifiers_dropped);
}

base::Status Client::Impl::CommitWindows(int64_t now, const std::vector<ExposureWindow>& windows,
                                         const std::optional<internal::SyncProgress>& progress) {
  return internal::CommitWindows(windows, progress, DayOf(now), config.retention_days(), *records);
}

base::StatusOr<std::unique_ptr<Client>> Client::Open(ClientOptions options, KeyStore* keystore,
                                                     const base::Clock* clock) {
  if (options.retention_days < 1 || options.retention_days > kMaxRetentionDays) {
    return base::InvalidArgumentError("retention must be 1..14 days, got " +
                                      std::to_string(options.retention_days));
  }
  if (options.scan_interval_seconds < 1 || options.scan_interval_seconds > 3600) {
    return base::InvalidArgumentError("scan interval must be 1..3600 seconds");
  }
  if (keystore == nullptr || clock == nullptr)
    return base::InvalidArgumentError("a keystore and a clock are required");
  for (const auto& k : options.config_keys) {
    if (std::find(options.decommission_keys.begin(), options.decommission_keys.end(), k) !=
        options.decommission_keys.end()) {
      return base::InvalidArgumentError(
          "one key is given as both a configuration key and a decommission key; "
          "each role needs its own key");
    }
  }
  if (options.log) OPENEN_RETURN_IF_ERROR(options.log->Check());
  if (internal::Decommission::Marked(options.store_dir)) {
    // Finish a deletion a crash may have interrupted.
    internal::Decommission::FinishErase(options.store_dir, keystore);
    return DecommissionedError();
  }
  OPENEN_ASSIGN_OR_RETURN(std::unique_ptr<internal::Records> records,
                          internal::Records::Open(options.store_dir, keystore));
  auto c = std::make_unique<Impl>(std::move(options), std::move(records), keystore, clock);
  std::lock_guard<std::mutex> lock(c->mu);
  OPENEN_ASSIGN_OR_RETURN(c->paused, c->records->Paused());
  OPENEN_ASSIGN_OR_RETURN(std::optional<openen::v1::SignedEnvelope> config,
                          c->config.Load(*c->records));
  if (config) (void)c->UpdateConfigurationLocked(*config, /*stored=*/true);
  OPENEN_RETURN_IF_ERROR(c->decommission.Load(*c->records));
  OPENEN_RETURN_IF_ERROR(c->CheckAlive(clock->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(c->PurgeNow(clock->NowSeconds()).status());
  return std::unique_ptr<Client>(new Client(std::move(c)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() = default;

bool Client::IsDecommissioned(const std::string& store_dir) {
  return internal::Decommission::Marked(store_dir);
}

int Client::retention_days() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->config.retention_days();
}

base::StatusOr<crypto::Advertisement> Client::CurrentAdvertisement() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.mu);
  const int64_t now = s.clock->NowSeconds();
  OPENEN_RETURN_IF_ERROR(s.CheckAlive(now));
  if (s.paused) return PausedError();
  OPENEN_RETURN_IF_ERROR(s.PurgeIfDayChanged(now));
  OPENEN_RETURN_IF_ERROR(s.config.CheckCurrent(now));
  return s.own_keys.Advertisement(now, *s.records);
}

base::Status Client::RecordSighting(base::ByteView rpi, base::ByteView aem, int rssi,
                                    int64_t unix_time) {
  if (rpi.size() != crypto::kRpiSize) {
    return base::InvalidArgumentError("rpi is " + std::to_string(rpi.size()) + " bytes, want 16");
  }
  if (aem.size() != crypto::kAemSize) {
    return base::InvalidArgumentError("aem is " + std::to_string(aem.size()) + " bytes, want 4");
  }
  Observation o;
  std::copy(rpi.begin(), rpi.end(), o.rpi.begin());
  std::copy(aem.begin(), aem.end(), o.aem.begin());
  o.rssi = rssi;
  o.time = unix_time;
  return impl_->Record({o}, /*batch=*/false);
}

base::Status Client::RecordSightings(const std::vector<Observation>& observations) {
  return impl_->Record(observations, /*batch=*/true);
}

base::StatusOr<SyncReport> Client::ProcessExport(const wire::ExportFile& file) {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.mu);
  const int64_t now = s.clock->NowSeconds();
  OPENEN_RETURN_IF_ERROR(s.CheckAlive(now));
  OPENEN_RETURN_IF_ERROR(s.PurgeIfDayChanged(now));
  OPENEN_RETURN_IF_ERROR(s.config.CheckCurrent(now));
  uint64_t sightings_read = 0;
  OPENEN_ASSIGN_OR_RETURN(DayIndexes days, s.index_cache.Current(*s.records, &sightings_read));
  // The lock is held throughout: the store is read directly.
  CandidateFinder finder;
  std::vector<Candidate> candidates;
  MatchStats stats;
  OPENEN_RETURN_IF_ERROR(finder.Find(file, days, &candidates, &stats));
  auto load_day = [&](uint32_t day) { return s.records->LoadSightings(day); };
  OPENEN_ASSIGN_OR_RETURN(
      auto found, internal::MatchWindows(candidates, stats, load_day, s.config.risk(), s.options));
  found.first.sightings_read += sightings_read;
  OPENEN_ASSIGN_OR_RETURN(found.first.repeated_exposure_windows,
                          internal::DropCountedWindows(&found.second, *s.records));
  found.first.new_exposure_windows = static_cast<int>(found.second.size());
  OPENEN_RETURN_IF_ERROR(s.CommitWindows(now, found.second, std::nullopt));
  found.first.batches = 1;
  return found.first;
}

base::StatusOr<SyncReport> Client::Sync(BatchSource& source, const base::Cancellation& cancel) {
  Impl& s = *impl_;
  auto check_cancelled = [&]() -> base::Status {
    if (cancel.cancelled()) return base::Status(base::StatusCode::kCancelled, "sync cancelled");
    return base::Status::Ok();
  };
  // Another sync may be running: wait for it, but not past a cancellation.
  std::unique_lock<std::timed_mutex> one_sync(s.sync_mu, std::defer_lock);
  while (!one_sync.try_lock_for(std::chrono::milliseconds(50))) {
    OPENEN_RETURN_IF_ERROR(check_cancelled());
  }
  OPENEN_RETURN_IF_ERROR(check_cancelled());
  std::optional<BatchSource::Signed> announced;
  if (!s.options.config_keys.empty() || !s.options.decommission_keys.empty()) {
    OPENEN_ASSIGN_OR_RETURN(announced, source.Announcements(cancel));
  }
  OPENEN_RETURN_IF_ERROR(check_cancelled());
  internal::SyncProgress progress;
  std::optional<std::string> kept_head;
  RiskParameters risk;
  int64_t cutoff = 0;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    const int64_t now = s.clock->NowSeconds();
    OPENEN_RETURN_IF_ERROR(s.CheckAlive(now));
    if (announced && announced->decommission_order && !s.options.decommission_keys.empty()) {
      OPENEN_RETURN_IF_ERROR(s.AcceptOrder(*announced->decommission_order, now));
    }
    if (announced && announced->configuration && !s.options.config_keys.empty()) {
      openen::v1::SignedEnvelope envelope;
      const base::Bytes& config = *announced->configuration;
      if (config.size() > INT32_MAX ||
          !envelope.ParseFromArray(config.data(), static_cast<int>(config.size()))) {
        return base::InvalidArgumentError("configuration: not a signed envelope");
      }
      OPENEN_RETURN_IF_ERROR(s.UpdateConfigurationLocked(envelope));
    }
    OPENEN_RETURN_IF_ERROR(s.PurgeIfDayChanged(now));
    OPENEN_RETURN_IF_ERROR(s.config.CheckCurrent(now));
    OPENEN_ASSIGN_OR_RETURN(progress, s.records->Progress());
    if (s.options.log) {
      OPENEN_ASSIGN_OR_RETURN(kept_head, s.records->LogHead());
    }
    risk = s.config.risk();
    // Batches that closed before the day before the oldest kept day hold
    // no key valid on a kept day.
    const uint32_t first_kept = FirstKeptDay(DayOf(now), s.config.retention_days());
    cutoff = (static_cast<int64_t>(first_kept) - 1) * crypto::kDaySeconds;
  }
  // The listing first: openen-relay publishes its log before its listing,
  // so a batch listed here is in the checkpoint read next.
  OPENEN_ASSIGN_OR_RETURN(std::vector<ListedBatch> listed,
                          source.ListAfter(progress.batch, cancel));
  internal::Plan plan;
  if (s.options.log) {
    LogReader reader(&source, cancel);
    OPENEN_ASSIGN_OR_RETURN(
        plan, internal::PlanFromLog(reader, *s.options.log, kept_head, progress, listed, cutoff));
  } else {
    plan = internal::PlanFromListing(listed);
  }
  SyncReport report;
  if (plan.batches.empty() && !plan.head && !plan.end) return report;
  DayIndexes days;
  uint64_t generation = 0;
  internal::ProcessedBatches processed;  // those still within retention
  {
    std::lock_guard<std::mutex> lock(s.mu);
    const int64_t now = s.clock->NowSeconds();
    OPENEN_RETURN_IF_ERROR(s.CheckAlive(now));
    // The new checkpoint extends the kept one: it is the one to extend next.
    if (plan.head && plan.head != kept_head)
      OPENEN_RETURN_IF_ERROR(s.records->PutLogHead(*plan.head));
    OPENEN_ASSIGN_OR_RETURN(days, s.index_cache.Current(*s.records, &report.sightings_read));
    generation = s.erase_generation;
    OPENEN_ASSIGN_OR_RETURN(
        processed, s.records->Processed(FirstKeptDay(DayOf(now), s.config.retention_days())));
  }
  CandidateFinder finder;
  finder.Use(days);
  const internal::LoadDay load_day = s.LoadDayOf(generation);
  std::optional<internal::SyncProgress> committed;
  for (const internal::Planned& batch : plan.batches) {
    const std::string& name = batch.name;
    // Batches processed so far stay processed.
    OPENEN_RETURN_IF_ERROR(check_cancelled());
    // Download, parse, verify and match without holding the client's lock:
    // broadcasting and recording go on meanwhile.
    auto bytes = source.Fetch(name, cancel);
    std::optional<std::string> skip;
    std::pair<SyncReport, std::vector<ExposureWindow>> found;
    crypto::Sha256Digest digest{};
    if (!bytes.ok() && batch.entry && bytes.status().code() == base::StatusCode::kNotFound) {
      // A logged batch that is not served has expired (the relay keeps
      // fewer days than this phone), or is withheld: its entry says which.
      if (static_cast<int64_t>(batch.entry->expires) > s.clock->NowSeconds()) {
        return internal::Misbehaving(name + " is in the log and kept until " +
                                     std::to_string(batch.entry->expires) +
                                     ", but the source withholds it");
      }
      skip = "in the log, expired at the source";
    } else if (!bytes.ok()) {
      return bytes.status().WithContext(name);
    } else {
      // Every phone must get the bytes the listing (or the log) names, or none.
      if (batch.size && bytes->size() != *batch.size) {
        return base::DataLossError(name + ": " + std::to_string(bytes->size()) +
                                   " bytes arrived, the listing says " +
                                   std::to_string(*batch.size));
      }
      digest = crypto::Sha256(*bytes);
      if (batch.sha256 && digest != *batch.sha256) {
        const std::string message = name + ": its SHA-256 is " + base::HexEncode(digest) +
                                    ", the " + (batch.entry ? "log" : "listing") + " says " +
                                    base::HexEncode(*batch.sha256);
        if (batch.entry) return internal::Misbehaving(message);
        return base::DataLossError(message);
      }
    }
    if (!skip && processed.Contains(digest)) skip = "the same bytes as a batch already processed";
    if (!skip) {
      // One pass over the file: inflated a piece at a time, each key
      // looked up as it is read. Nothing found is used unless the whole
      // file then proves valid and signed. (So a forged file costs its
      // matching before it is refused: at most kMaxExportKeys keys, once,
      // since the sync stops there.)
      const auto match_start = std::chrono::steady_clock::now();
      std::vector<Candidate> candidates;
      MatchStats stats;
      finder.Begin(&candidates, &stats);
      auto summary = wire::StreamExport(*bytes, [&](const wire::ExportKey& key) {
        finder.Add(key);
        return base::Status::Ok();
      });
      finder.Finish();
      *bytes = base::Bytes();  // the download is not needed any more
      if (!summary.ok()) return summary.status().WithContext(name);
      if (base::Status verified = summary->Verify(s.options.export_keys); !verified.ok())
        return verified.WithContext(name);
      // A name that contradicts the signed window is refused: passing over
      // it would move progress past every batch it names itself after.
      if (auto mismatch = internal::NameMismatch(name, summary->header)) {
        return internal::Misbehaving(name + ": " + *mismatch);
      }
      if (batch.entry && (summary->header.start_timestamp != batch.entry->start ||
                          summary->header.end_timestamp != batch.entry->end ||
                          summary->key_count + summary->revised_key_count != batch.entry->keys)) {
        return internal::Misbehaving(name +
                                     ": its signed header or key count is not what the "
                                     "log says");
      }
      OPENEN_ASSIGN_OR_RETURN(found,
                              internal::MatchWindows(candidates, stats, load_day, risk, s.options));
      report.match_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - match_start).count();
    }
    std::lock_guard<std::mutex> lock(s.mu);
    const int64_t now = s.clock->NowSeconds();
    OPENEN_RETURN_IF_ERROR(s.CheckAlive(now));
    if (s.erase_generation != generation)
      return base::AbortedError("the data was erased during the sync");
    OPENEN_RETURN_IF_ERROR(s.PurgeIfDayChanged(now));
    if (skip) {
      // Passed over for good: progress moves beyond it.
      OPENEN_RETURN_IF_ERROR(s.CommitWindows(now, {}, batch.after));
      committed = batch.after;
      report.skipped.push_back({name, *skip});
      continue;
    }
    OPENEN_ASSIGN_OR_RETURN(int repeated, internal::DropCountedWindows(&found.second, *s.records));
    OPENEN_RETURN_IF_ERROR(s.CommitWindows(now, found.second, batch.after));
    committed = batch.after;
    // Remembered after the windows: a crash between the two re-matches the
    // batch, and DropCountedWindows keeps its windows from counting twice.
    processed.Add(DayOf(now), digest);
    OPENEN_RETURN_IF_ERROR(s.records->PutProcessed(processed));
    report.batches += 1;
    report.keys += found.first.keys;
    report.matched_identifiers += found.first.matched_identifiers;
    report.sightings_read += found.first.sightings_read;
    report.new_exposure_windows += static_cast<int>(found.second.size());
    report.repeated_exposure_windows += repeated;
  }
  // Log entries after the last batch (configuration, orders, old batches)
  // need no work: the position moves past them.
  const std::optional<uint64_t> last_next = committed ? committed->log_next : progress.log_next;
  if (plan.end && plan.end->log_next != last_next) {
    std::lock_guard<std::mutex> lock(s.mu);
    const int64_t now = s.clock->NowSeconds();
    OPENEN_RETURN_IF_ERROR(s.CheckAlive(now));
    if (s.erase_generation != generation)
      return base::AbortedError("the data was erased during the sync");
    OPENEN_RETURN_IF_ERROR(s.CommitWindows(now, {}, plan.end));
  }
  return report;
}

base::Status Client::UpdateConfiguration(const openen::v1::SignedEnvelope& envelope) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  OPENEN_RETURN_IF_ERROR(impl_->CheckAlive(impl_->clock->NowSeconds()));
  return impl_->UpdateConfigurationLocked(envelope);
}

base::StatusOr<std::vector<DailySummary>> Client::DailySummaries() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.mu);
  OPENEN_RETURN_IF_ERROR(s.CheckAlive(s.clock->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(s.PurgeIfDayChanged(s.clock->NowSeconds()));
  OPENEN_ASSIGN_OR_RETURN(std::vector<ExposureWindow> windows, s.records->LoadWindows());
  return SummarizeByDay(windows, s.config.risk());
}

base::StatusOr<std::vector<OwnKey>> Client::KeysForUpload(
    const std::vector<uint32_t>& excluded_days) {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.mu);
  OPENEN_RETURN_IF_ERROR(s.CheckAlive(s.clock->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(s.PurgeIfDayChanged(s.clock->NowSeconds()));
  return internal::OwnKeys::ForUpload(*s.records, excluded_days);
}

base::StatusOr<UploadReport> Client::UploadDiagnosis(UploadTransport& transport,
                                                     const std::string& code,
                                                     const std::vector<uint32_t>& excluded_days,
                                                     const base::Cancellation& cancel) {
  OPENEN_ASSIGN_OR_RETURN(std::vector<OwnKey> own, KeysForUpload(excluded_days));
  if (own.empty()) return base::FailedPreconditionError("there are no keys to upload");
  internal::KeptPublish kept;
  base::StatusOr<uint32_t> accepted = internal::UploadFlow(
      transport, own, code, /*chaff=*/false, impl_->options.publish_retry, cancel, &kept);
  if (!kept.request.empty()) {
    // The relay may hold the keys, or may not have got them: keep the
    // certified request to send again, until the certificate expires or
    // its oldest key leaves retention, whichever comes first.
    Impl& s = *impl_;
    std::lock_guard<std::mutex> lock(s.mu);
    uint32_t oldest_day = UINT32_MAX;
    for (const OwnKey& k : own) {
      oldest_day = std::min(oldest_day, crypto::DayNumber(k.rolling_start_interval_number));
    }
    const int64_t retention_end =
        (static_cast<int64_t>(oldest_day) + s.config.retention_days()) * crypto::kDaySeconds;
    base::Status stored = s.CheckAlive(s.clock->NowSeconds());
    // Moved, not copied, so that the one copy of the keys and secret is wiped.
    internal::Records::PendingPublish pending{
        std::move(kept.request), std::min(kept.certificate_expires_at, retention_end), kept.keys};
    if (stored.ok()) stored = s.records->PutPendingPublish(pending);
    crypto::Wipe(&pending.request);
    crypto::Wipe(&kept.request);
    if (stored.ok()) return accepted.status().WithReason(kUploadPendingReason);
  }
  OPENEN_RETURN_IF_ERROR(accepted.status());
  return UploadReport{static_cast<uint32_t>(own.size()), *accepted};
}

base::StatusOr<UploadReport> Client::RetryUpload(UploadTransport& transport,
                                                 const base::Cancellation& cancel) {
  Impl& s = *impl_;
  std::optional<internal::Records::PendingPublish> pending;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    const int64_t now = s.clock->NowSeconds();
    OPENEN_RETURN_IF_ERROR(s.CheckAlive(now));
    OPENEN_ASSIGN_OR_RETURN(pending, s.PendingPublish(now));
  }
  if (!pending) {
    return base::FailedPreconditionError(
        "no upload is waiting to be sent again (none failed, or its certificate expired)");
  }
  base::StatusOr<uint32_t> accepted =
      internal::RetryFlow(transport, pending->request, s.options.publish_retry, cancel);
  crypto::Wipe(&pending->request);
  const bool undecided =
      !accepted.ok() && (IsRetryablePublishError(accepted.status()) ||
                         accepted.status().code() == base::StatusCode::kCancelled);
  std::lock_guard<std::mutex> lock(s.mu);
  OPENEN_RETURN_IF_ERROR(s.CheckAlive(s.clock->NowSeconds()));
  if (undecided) return accepted.status().WithReason(kUploadPendingReason);
  // Answered, yes or no: nothing more to send.
  OPENEN_RETURN_IF_ERROR(s.records->ClearPendingPublish());
  OPENEN_RETURN_IF_ERROR(accepted.status());
  return UploadReport{pending->keys, *accepted};
}

base::StatusOr<bool> Client::HasPendingUpload() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.mu);
  const int64_t now = s.clock->NowSeconds();
  OPENEN_RETURN_IF_ERROR(s.CheckAlive(now));
  OPENEN_ASSIGN_OR_RETURN(std::optional<internal::Records::PendingPublish> pending,
                          s.PendingPublish(now));
  if (pending) crypto::Wipe(&pending->request);
  return pending.has_value();
}

base::Status Client::SendChaff(UploadTransport& transport) {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    OPENEN_RETURN_IF_ERROR(impl_->CheckAlive(impl_->clock->NowSeconds()));
  }
  return internal::ChaffFlow(transport, DayOf(impl_->clock->NowSeconds()));
}

base::StatusOr<bool> Client::MaybeSendChaff(UploadTransport& transport, double mean_days) {
  Impl& s = *impl_;
  const int64_t now = s.clock->NowSeconds();
  int64_t when = 0;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    OPENEN_RETURN_IF_ERROR(s.CheckAlive(now));
    OPENEN_ASSIGN_OR_RETURN(std::optional<int64_t> next, s.records->NextChaff());
    if (!next) {
      OPENEN_RETURN_IF_ERROR(s.records->PutNextChaff(internal::NextChaffTime(now, mean_days)));
      return false;
    }
    when = *next;
  }
  if (now < when) return false;
  OPENEN_RETURN_IF_ERROR(SendChaff(transport));
  std::lock_guard<std::mutex> lock(s.mu);
  OPENEN_RETURN_IF_ERROR(s.CheckAlive(now));
  OPENEN_RETURN_IF_ERROR(s.records->PutNextChaff(internal::NextChaffTime(now, mean_days)));
  return true;
}

base::Status Client::Pause() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  OPENEN_RETURN_IF_ERROR(impl_->CheckAlive(impl_->clock->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(impl_->records->PutPaused(true));
  impl_->paused = true;
  return base::Status::Ok();
}

base::Status Client::Resume() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  OPENEN_RETURN_IF_ERROR(impl_->CheckAlive(impl_->clock->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(impl_->records->PutPaused(false));
  impl_->paused = false;
  return base::Status::Ok();
}

bool Client::paused() const { return impl_->paused.load(); }

base::StatusOr<MaintenanceReport> Client::Maintain() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.mu);
  const int64_t now = s.clock->NowSeconds();
  if (s.decommission.off()) return DecommissionedError();
  MaintenanceReport report;
  if (const openen::v1::SignedEnvelope* order = s.decommission.Due(now)) {
    s.DecommissionNow(*order);
    report.decommissioned = true;
    return report;
  }
  if (s.purged_day != DayOf(now)) s.own_keys.Forget();
  OPENEN_ASSIGN_OR_RETURN(report.days_purged, s.PurgeNow(now));
  return report;
}

base::Status Client::EraseAll() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.mu);
  OPENEN_RETURN_IF_ERROR(s.CheckAlive(s.clock->NowSeconds()));
  // The authority's order is not the person's data: a phone that knew of a
  // future order still switches off at its time. Nor is the newest
  // configuration serial: after an erase the phone re-adopts the current
  // configuration, never an older one.
  base::Status destroyed;
  const base::Status erased =
      s.records->EraseAll(s.decommission.Pending(), s.config.floor(), &destroyed);
  ++s.erase_generation;
  s.index_cache.Clear();
  s.paused = false;
  s.own_keys.Forget();
  s.config.Reset();
  s.purged_day = DayOf(s.clock->NowSeconds());
  OPENEN_RETURN_IF_ERROR(erased);
  return destroyed.ok() ? destroyed : destroyed.WithContext("destroy the platform key");
}

base::StatusOr<StorageSummary> Client::Summary() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.mu);
  OPENEN_RETURN_IF_ERROR(s.CheckAlive(s.clock->NowSeconds()));
  OPENEN_RETURN_IF_ERROR(s.PurgeIfDayChanged(s.clock->NowSeconds()));
  StorageSummary out;
  OPENEN_ASSIGN_OR_RETURN(out.days, s.records->CountByDay());
  out.identifiers_dropped = s.identifiers_dropped;
  if (!out.days.empty()) {
    out.oldest_day = out.days.front().day;
    out.newest_day = out.days.back().day;
  }
  return out;
}

}  // namespace openen::client
