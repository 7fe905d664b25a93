// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "session.h"

#include <algorithm>
#include <chrono>

#include "calendar.h"
#include "openen/client/sync.h"
#include "openen/client_grpc/relay_source.h"
#include "openen/crypto/interval.h"

namespace openen::simulate::internal {
namespace {

// Step returns |status| with the failed step |what| before its message.
base::Status Step(const char* what, const base::Status& status) {
  if (status.ok()) return status;
  return base::Status(status.code(), std::string(what) + ": " + status.message());
}

size_t BroadcastIndex(uint32_t phone, uint32_t interval) {
  return static_cast<size_t>(phone) * crypto::kTekRollingPeriod + interval;
}

}  // namespace

Broadcasts::Broadcasts(int phones) {
  for (auto& day : by_parity_) day.resize(static_cast<size_t>(phones) * crypto::kTekRollingPeriod);
}

const crypto::Advertisement& Broadcasts::Get(int day, uint32_t phone, uint32_t interval) const {
  return by_parity_[day % 2][BroadcastIndex(phone, interval)];
}

void Broadcasts::Set(int day, uint32_t phone, uint32_t interval, const crypto::Advertisement& ad) {
  by_parity_[day % 2][BroadcastIndex(phone, interval)] = ad;
}

DailySessions::DailySessions(City* city, Authority* authority, Phones* phones)
    : city_(city),
      authority_(authority),
      phones_(phones),
      transport_(authority->verifier_channel, authority->relay_channel),
      broadcasts_(phones->size()) {}

base::StatusOr<std::vector<Session>> DailySessions::Plan(int day, bool last,
                                                         const DayActivity& yesterday,
                                                         SimulationReport& report) {
  const int n = phones_->size();
  std::vector<Session> sessions(static_cast<size_t>(n));
  // The hearings are sorted by observer: one run each.
  const std::vector<Hearing>& hearings = yesterday.hearings;
  for (size_t k = 0; k < hearings.size();) {
    const uint32_t observer = hearings[k].observer;
    size_t end = k;
    while (end < hearings.size() && hearings[end].observer == observer) ++end;
    sessions[observer].heard = &hearings[k];
    sessions[observer].heard_count = end - k;
    k = end;
  }
  if (day > 0) {
    for (const Diagnosis& d : city_->DiagnosesFor(day)) {
      ++report.positive_tests;
      if (last) continue;  // beyond the horizon: nobody would sync the keys
      if (!d.consents) {
        ++report.declined_uploads;
        continue;
      }
      auto codes = authority_->IssueCode(d.onset_day);
      if (!codes.ok()) return Step("issue code", codes.status());
      Session& s = sessions[d.person];
      s.code = d.person % 2 == 0 ? codes->short_code() : codes->long_code();
      if (d.excluded_day)
        s.excluded_days.push_back(kDayZeroNumber + static_cast<uint32_t>(*d.excluded_day));
    }
  }
  for (int i = 0; i < n; ++i) {
    Session& s = sessions[static_cast<size_t>(i)];
    s.chaff = !last && city_->SendsChaff(static_cast<uint32_t>(i), day);
    s.advertise = !last;
    s.final = last;
  }
  return sessions;
}

base::Status DailySessions::Run(int phone, int day, Session& s) {
  phones_->clock(phone).Set(DayStart(day) + kSessionOffset);
  OPENEN_ASSIGN_OR_RETURN(client::Client * app, phones_->StartSession(phone));
  if (s.heard_count > 0)
    OPENEN_RETURN_IF_ERROR(Step("record sightings", app->RecordSightings(Heard(day, s))));
  if (s.code) OPENEN_RETURN_IF_ERROR(Upload(*app, s));
  if (s.chaff) OPENEN_RETURN_IF_ERROR(Step("chaff", app->SendChaff(transport_)));
  OPENEN_RETURN_IF_ERROR(SyncAndScore(*app, s));
  if (s.advertise) OPENEN_RETURN_IF_ERROR(Advertise(*app, phone, day));
  if (s.final) {
    auto summary = app->Summary();
    if (!summary.ok()) return Step("summary", summary.status());
    for (const auto& d : summary->days) s.stored_sightings += static_cast<uint64_t>(d.scans);
  }
  phones_->EndSession(phone);
  return base::Status::Ok();
}

// Heard returns the session's hearings of the day before |day| as the
// phone's radio reports them: what each advertiser broadcast at that time.
std::vector<client::Observation> DailySessions::Heard(int day, const Session& s) const {
  std::vector<client::Observation> observations(s.heard_count);
  for (size_t k = 0; k < s.heard_count; ++k) {
    const Hearing& h = s.heard[k];
    const crypto::Advertisement& ad = broadcasts_.Get(
        day - 1, h.advertiser, static_cast<uint32_t>(h.second / crypto::kIntervalSeconds));
    std::copy(ad.begin(), ad.begin() + crypto::kRpiSize, observations[k].rpi.begin());
    std::copy(ad.begin() + crypto::kRpiSize, ad.end(), observations[k].aem.begin());
    observations[k].rssi = h.rssi;
    observations[k].time = DayStart(day - 1) + h.second;
  }
  return observations;
}

base::Status DailySessions::Upload(client::Client& app, Session& s) {
  auto keys = app.KeysForUpload(s.excluded_days);
  if (!keys.ok()) return Step("keys for upload", keys.status());
  auto report = app.UploadDiagnosis(transport_, *s.code, s.excluded_days);
  if (!report.ok()) return Step("upload", report.status());
  // Every key a phone offers passes the relay's rules; anything else is a
  // defect the ground truth must not hide.
  if (report->keys_accepted != keys->size()) {
    return Step("upload",
                base::InternalError("the relay accepted " + std::to_string(report->keys_accepted) +
                                    " of " + std::to_string(keys->size()) + " keys"));
  }
  s.keys_accepted = report->keys_accepted;
  for (const auto& k : *keys)
    s.published_days.push_back(crypto::DayNumber(k.rolling_start_interval_number));
  return base::Status::Ok();
}

base::Status DailySessions::SyncAndScore(client::Client& app, Session& s) {
  client_grpc::RelaySource source(authority_->relay_channel);
  const auto sync_start = std::chrono::steady_clock::now();
  auto synced = app.Sync(source);
  s.sync_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - sync_start).count();
  if (!synced.ok()) return Step("sync", synced.status());
  s.keys_matched = synced->keys;
  s.match_seconds = synced->match_seconds;
  auto summaries = app.DailySummaries();
  if (!summaries.ok()) return Step("daily summaries", summaries.status());
  s.exposed =
      std::any_of(summaries->begin(), summaries->end(), [](const auto& d) { return d.exposure; });
  return base::Status::Ok();
}

// Advertise broadcasts through |day|: the phone's advertisement in each
// interval, from its session on.
base::Status DailySessions::Advertise(client::Client& app, int phone, int day) {
  base::FakeClock& clock = phones_->clock(phone);
  const int64_t start = DayStart(day);
  for (uint32_t k = 0; k < crypto::kTekRollingPeriod; ++k) {
    clock.Set(std::max(start + kSessionOffset, start + crypto::kIntervalSeconds * k));
    auto ad = app.CurrentAdvertisement();
    if (!ad.ok()) return Step("advertise", ad.status());
    broadcasts_.Set(day, static_cast<uint32_t>(phone), k, *ad);
  }
  return base::Status::Ok();
}

}  // namespace openen::simulate::internal
