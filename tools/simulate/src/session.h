// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// DailySessions: what each phone does at the start of a simulated day.
// Private to openen::simulate (namespace internal).

#ifndef OPENEN_SIMULATE_SRC_SESSION_H_
#define OPENEN_SIMULATE_SRC_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authority.h"
#include "openen/base/status.h"
#include "openen/client/client.h"
#include "openen/client_grpc/upload_transport.h"
#include "openen/crypto/gaen.h"
#include "openen/simulate/city.h"
#include "openen/simulate/simulation.h"
#include "phones.h"

namespace openen::simulate::internal {

// Broadcasts is the radio between the phones: what each phone advertised in
// each interval of the last two days. Setting one phone's advertisements of
// a day may run at once with setting another's and with reading the day
// before.
class Broadcasts {
 public:
  explicit Broadcasts(int phones);

  // Get returns what |phone| advertised in |interval| (0 to
  // crypto::kTekRollingPeriod - 1) of |day|, one of the last two days set.
  const crypto::Advertisement& Get(int day, uint32_t phone, uint32_t interval) const;
  void Set(int day, uint32_t phone, uint32_t interval, const crypto::Advertisement& ad);

 private:
  // By the day's parity: phone * crypto::kTekRollingPeriod + interval.
  std::vector<crypto::Advertisement> by_parity_[2];
};

// Session is what one phone does at the start of a day, and what came of it.
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
  base::Status status;                   // what Run returned
  bool exposed = false;                  // a daily summary says exposure: a notification
  uint32_t keys_accepted = 0;            // by the relay, of this upload
  std::vector<uint32_t> published_days;  // their UTC day numbers
  uint64_t keys_matched = 0;             // read by this sync, padding included
  double sync_seconds = 0;               // in Client::Sync
  double match_seconds = 0;              // matching, within that
  uint64_t stored_sightings = 0;         // on the last day: sightings in the store
};

// DailySessions plans and runs the phones' sessions, day by day. Run may be
// called for different phones at once; Plan, not while any Run does.
class DailySessions {
 public:
  // All three must outlive this.
  DailySessions(City* city, Authority* authority, Phones* phones);

  // Plan returns the sessions of |day| for every phone: the hearings of
  // |yesterday| (which must outlive the sessions), an upload with a code from
  // the authority's IssueCode for each diagnosis that consents, chaff as the
  // city decides, and broadcasting; on the |last| day (the final sync) no
  // uploads, chaff or broadcasts, but counting what is stored. Counts the
  // positive tests and declined uploads in |report|. Fails when IssueCode
  // does.
  base::StatusOr<std::vector<Session>> Plan(int day, bool last, const DayActivity& yesterday,
                                            SimulationReport& report);

  // Run runs |phone|'s |session| of |day|, in this order: record yesterday's
  // hearings, upload, send chaff, sync with the relay and score the
  // exposures, broadcast through the day, count what is stored. Fails with
  // the first error: the step's name before it, or as opening the store
  // failed.
  base::Status Run(int phone, int day, Session& session);

 private:
  std::vector<client::Observation> Heard(int day, const Session& session) const;
  base::Status Upload(client::Client& app, Session& session);
  base::Status SyncAndScore(client::Client& app, Session& session);
  base::Status Advertise(client::Client& app, int phone, int day);

  City* const city_;
  Authority* const authority_;
  Phones* const phones_;
  client_grpc::GrpcUploadTransport transport_;
  Broadcasts broadcasts_;
};

}  // namespace openen::simulate::internal

#endif  // OPENEN_SIMULATE_SRC_SESSION_H_
