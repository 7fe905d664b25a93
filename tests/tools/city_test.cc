// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The simulated city behind `openen simulate`: deterministic, physically
// plausible, and an epidemic that follows its own rules.

#include "openen/simulate/city.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

namespace openen::simulate {
namespace {

CityOptions Small(uint64_t seed = 7) {
  CityOptions o;
  o.people = 300;
  o.days = 7;
  o.seed = seed;
  return o;
}

bool Same(const DayActivity& a, const DayActivity& b) {
  if (a.hearings.size() != b.hearings.size() || a.close_contacts.size() != b.close_contacts.size()) return false;
  for (size_t i = 0; i < a.hearings.size(); ++i) {
    const Hearing &x = a.hearings[i], &y = b.hearings[i];
    if (x.observer != y.observer || x.advertiser != y.advertiser || x.second != y.second || x.rssi != y.rssi) {
      return false;
    }
  }
  for (size_t i = 0; i < a.close_contacts.size(); ++i) {
    const CloseContact &x = a.close_contacts[i], &y = b.close_contacts[i];
    if (x.a != y.a || x.b != y.b || x.minutes != y.minutes || x.where != y.where) return false;
  }
  return a.infections == b.infections && a.scans == b.scans;
}

TEST_CASE("a city lives the same days for the same seed, and other days for another", "[sim][city]") {
  City a(Small()), b(Small()), c(Small(8));
  for (int day = 0; day < 3; ++day) {
    DayActivity da = a.Live(day), db = b.Live(day), dc = c.Live(day);
    CHECK(Same(da, db));
    CHECK_FALSE(Same(da, dc));
    CHECK(a.DiagnosesFor(day + 1).size() == b.DiagnosesFor(day + 1).size());
  }
  CHECK(a.infected_total() == b.infected_total());
}

TEST_CASE("the radio model: 40 dB at 1 m, 20 dB more per tenfold distance", "[sim][city]") {
  CHECK(AttenuationDb(1.0, false) == Approx(40.0));
  CHECK(AttenuationDb(2.0, false) == Approx(46.02).margin(0.01));
  CHECK(AttenuationDb(10.0, false) == Approx(60.0));
  CHECK(AttenuationDb(10.0, true) == Approx(68.0));  // through a wall
  CHECK(AttenuationDb(0.0, false) == AttenuationDb(0.2, false));  // no closer than 20 cm
}

TEST_CASE("phones scan every 3 to 5 minutes and never hear themselves", "[sim][city]") {
  City city(Small());
  const DayActivity day = city.Live(0);
  REQUIRE(day.hearings.size() > 1000);
  std::map<uint32_t, std::set<int32_t>> scan_times;
  size_t self = 0, out_of_day = 0, out_of_range = 0, unsorted = 0;
  for (size_t i = 0; i < day.hearings.size(); ++i) {
    const Hearing& h = day.hearings[i];
    self += h.observer == h.advertiser;
    out_of_day += h.second < 0 || h.second >= 86400;
    out_of_range += h.rssi < -100 || h.rssi > 0;
    if (i > 0) {  // sorted by observer, then time
      const Hearing& p = day.hearings[i - 1];
      unsorted += !(p.observer < h.observer || (p.observer == h.observer && p.second <= h.second));
    }
    scan_times[h.observer].insert(h.second);
  }
  CHECK(self == 0);
  CHECK(out_of_day == 0);
  CHECK(out_of_range == 0);  // heard above the sensitivity, below the transmit power
  CHECK(unsorted == 0);
  uint64_t gaps = 0, short_gaps = 0, too_soon = 0;
  for (const auto& [phone, times] : scan_times) {
    for (auto it = std::next(times.begin()); it != times.end(); ++it) {
      const int32_t gap = *it - *std::prev(it);
      too_soon += gap < 180;  // one scan every 3 to 5 minutes, never sooner
      ++gaps;
      short_gaps += gap <= 300;
    }
  }
  CHECK(too_soon == 0);
  CHECK(static_cast<uint64_t>(day.scans) == [&] {
    uint64_t n = 0;
    for (const auto& [phone, times] : scan_times) n += times.size();
    return n;
  }());
  CHECK(short_gaps > gaps * 3 / 4);  // most scans follow the previous one that heard someone
}

TEST_CASE("ground truth: close contacts are 15 minutes or more, at home only with the household", "[sim][city]") {
  City city(Small());
  int home = 0;
  std::set<std::pair<uint32_t, uint32_t>> seen;
  for (int day = 0; day < 7; ++day) {  // a week: work, school, buses, weekend outings
    const DayActivity activity = city.Live(day);
    int by_place[kPlaceKinds] = {};
    seen.clear();
    for (const CloseContact& c : activity.close_contacts) {
      CHECK(c.a < c.b);
      CHECK(c.minutes >= 15);
      CHECK(c.minutes <= 1440);
      CHECK(seen.insert({c.a, c.b}).second);  // one entry per pair and day
      ++by_place[static_cast<int>(c.where)];
      if (c.where == PlaceKind::kHome) {
        // Neighbours through an apartment wall hear each other but are never close contacts.
        CHECK(city.household(c.a) == city.household(c.b));
        ++home;
      }
    }
    CHECK(by_place[static_cast<int>(PlaceKind::kHome)] > 0);
    const bool weekday = day < 5;
    CHECK((by_place[static_cast<int>(PlaceKind::kSchool)] > 0) == weekday);
    CHECK((by_place[static_cast<int>(PlaceKind::kWork)] > 0) == weekday);
  }
  CHECK(home > 0);
}

TEST_CASE("everyone who tests positive is diagnosed once, the day after the result", "[sim][city]") {
  CityOptions o = Small();
  o.initial_infected = 1.0;  // everyone, infected 0 to 4 days before day 0
  o.symptomatic = 1.0;
  o.tested_when_symptomatic = 1.0;
  City city(o);
  std::set<uint32_t> diagnosed;
  for (int day = 0; day <= 14; ++day) {
    for (const Diagnosis& d : city.DiagnosesFor(day)) {
      CHECK(diagnosed.insert(d.person).second);
      REQUIRE(d.onset_day.has_value());
      CHECK(*d.onset_day < day);
      CHECK(*d.onset_day >= -4 + 3);
      if (d.excluded_day) {
        CHECK(*d.excluded_day < day);
        CHECK(*d.excluded_day >= day - 14);
      }
    }
    if (day < 14) city.Live(day);
  }
  CHECK(diagnosed.size() == 300);
}

TEST_CASE("a notified person who is infected may get a test - one who is not never tests positive", "[sim][city]") {
  CityOptions o = Small();
  o.symptomatic = 0;
  o.tested_when_notified = 1.0;
  o.imported_per_day = 0;
  o.initial_infected = 0;
  o.transmission_per_close_hour = 0;
  City healthy(o);
  healthy.Notified(5, 1);
  for (int day = 0; day < 5; ++day) CHECK(healthy.DiagnosesFor(day).empty());

  o.initial_infected = 1.0;
  City infected(o);
  infected.Notified(5, 1);
  CHECK(infected.DiagnosesFor(2).empty());
  const std::vector<Diagnosis> next = infected.DiagnosesFor(3);  // result on day 2, upload on day 3
  REQUIRE(next.size() == 1);
  CHECK(next[0].person == 5);
  CHECK_FALSE(next[0].onset_day.has_value());  // no symptoms: onset unknown
}

}  // namespace
}  // namespace openen::simulate
