// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// GroundTruth: the phones' notifications scored against the city's true
// exposures. Private to openen::simulate (namespace internal).

#ifndef OPENEN_SIMULATE_SRC_SCORING_H_
#define OPENEN_SIMULATE_SRC_SCORING_H_

#include <cstdint>
#include <tuple>
#include <vector>

#include "openen/simulate/city.h"
#include "openen/simulate/simulation.h"

namespace openen::simulate::internal {

// GroundTruth collects the close contacts of each day, the days whose keys
// were published and the phones that raised a notification, and scores
// them. A phone was truly exposed when it spent 15 minutes within 2 m of
// someone (a CloseContact) on a day whose key that person published, and it
// still held that day when it synced the keys (the day after the upload).
// Not thread safe.
class GroundTruth {
 public:
  // For |phones| phones over |days| days (0 to days - 1).
  GroundTruth(int phones, int days);

  // AddCloseContacts records the close contacts of |day|.
  void AddCloseContacts(int day, std::vector<CloseContact> contacts);

  // AddPublished records that |person| uploaded on |uploaded_day| the key of
  // |key_day| (days since day 0; a day outside 0..days - 1 had no contacts).
  void AddPublished(uint32_t person, uint32_t key_day, int uploaded_day);

  // AddNotified records that |person|'s phone raised an exposure
  // notification; true the first time.
  bool AddNotified(uint32_t person);

  // Score counts into |report|'s notified, truly_exposed, true_positives,
  // false_positives and false_negatives (zero before), and sets its
  // precision and recall.
  void Score(SimulationReport& report) const;

 private:
  std::vector<bool> notified_;
  std::vector<std::vector<CloseContact>> contacts_;  // by day
  // (person, key day, upload day) for each published key.
  std::vector<std::tuple<uint32_t, uint32_t, int>> published_;
};

}  // namespace openen::simulate::internal

#endif  // OPENEN_SIMULATE_SRC_SCORING_H_
