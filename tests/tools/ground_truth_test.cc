// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The simulation's ground truth on its own: which phones were truly exposed
// to a published key, and how the notifications score against that.

#include <catch2/catch.hpp>

#include "openen/client/client.h"
#include "scoring.h"

namespace openen::simulate::internal {
namespace {

CloseContact Contact(uint32_t a, uint32_t b) { return {a, b, 20, PlaceKind::kWork}; }

TEST_CASE("ground truth: a close contact on a published day is an exposure, either way round",
          "[sim][truth]") {
  GroundTruth truth(6, 3);
  truth.AddCloseContacts(0, {Contact(0, 1), Contact(2, 3)});
  truth.AddCloseContacts(1, {Contact(2, 4), Contact(0, 5)});
  truth.AddPublished(0, 0, 1);  // 0 publishes day 0: 1 was exposed, 5 (met on day 1) was not
  truth.AddPublished(4, 1, 2);  // 4 publishes day 1: 2, the contact's first person, was exposed
  truth.AddPublished(4, 7, 2);  // a day without contacts counts for nothing
  CHECK(truth.AddNotified(1));
  CHECK_FALSE(truth.AddNotified(1));  // once per phone
  CHECK(truth.AddNotified(3));        // met 2 on day 0, a day nobody published

  SimulationReport r;
  truth.Score(r);
  CHECK(r.truly_exposed == 2);
  CHECK(r.notified == 2);
  CHECK(r.true_positives == 1);
  CHECK(r.false_positives == 1);
  CHECK(r.false_negatives == 1);
  CHECK(r.precision == Approx(0.5));
  CHECK(r.recall == Approx(0.5));
}

TEST_CASE("ground truth: a day the phone no longer held when it synced the key is no exposure",
          "[sim][truth]") {
  // A key uploaded on day u is synced on day u + 1, when a phone holds its
  // last client::kMaxRetentionDays days: u + 2 - kMaxRetentionDays and on.
  const int last_held = client::kMaxRetentionDays - 2;
  GroundTruth truth(4, client::kMaxRetentionDays + 1);
  truth.AddCloseContacts(0, {Contact(0, 1), Contact(2, 3)});
  truth.AddPublished(0, 0, last_held);      // synced while day 0 is still held
  truth.AddPublished(2, 0, last_held + 1);  // synced the day day 0 is gone
  SimulationReport r;
  truth.Score(r);
  CHECK(r.truly_exposed == 1);
  CHECK(r.false_negatives == 1);
  CHECK(r.recall == 0);
  CHECK(r.precision == 0);  // nobody notified: no division by zero
}

}  // namespace
}  // namespace openen::simulate::internal
