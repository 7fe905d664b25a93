// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/simulate/city.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "openen/crypto/interval.h"

namespace openen::simulate {
namespace {

constexpr int32_t kHour = 3600;
constexpr int32_t kMinute = 60;
constexpr uint32_t kNowhere =
    std::numeric_limits<uint32_t>::max();  // walking, driving: no one near

// Radio model. Attenuation at 1 m is 40 dB; path-loss exponent 2.0 indoors
// at short range; walls take 8 dB; bodies and pockets shadow the signal.
constexpr double kLossAt1mDb = 40.0;
constexpr double kPathLossExponent = 2.0;
constexpr double kWallLossDb = 8.0;
constexpr double kShadowMeanDb = -2.0;  // per pair and half hour
constexpr double kShadowSdDb = 4.0;
constexpr double kScanNoiseSdDb = 3.0;  // per reading
constexpr double kSensitivityDbm = -100.0;
constexpr double kMissedScan = 0.05;  // a scan window that misses an advertisement
constexpr double kCloseMeters = 2.0;
constexpr int kCloseMinutes = 15;

// Phone models: advertised TX power and receiver gain; the app is given the
// model's calibration, individual phones differ by a little.
struct PhoneModel {
  int tx_power_dbm;
  double rx_gain_db;
};
constexpr PhoneModel kModels[] = {{-10, 0.0}, {-8, -5.0}, {-12, 4.0}, {-6, -8.0}, {-10, 6.0}};

// Infection course, in days after infection.
constexpr int kInfectiousFrom = 2;
constexpr int kInfectiousUntil = 9;  // inclusive
constexpr int kDetectableUntil = 14;
constexpr int kIsolationDays = 10;
constexpr int kNever =
    std::numeric_limits<int>::min();  // a day that does not come (days may be negative)

}  // namespace

double AttenuationDb(double meters, bool through_wall) {
  return kLossAt1mDb + 10.0 * kPathLossExponent * std::log10(std::max(meters, 0.2)) +
         (through_wall ? kWallLossDb : 0.0);
}

const char* PlaceKindName(PlaceKind kind) {
  switch (kind) {
    case PlaceKind::kHome:
      return "home";
    case PlaceKind::kWork:
      return "work";
    case PlaceKind::kSchool:
      return "school";
    case PlaceKind::kTransport:
      return "transport";
    case PlaceKind::kVenue:
      return "venue";
  }
  return "?";
}

enum class Role : uint8_t { kChild, kWorker, kHomebody };

struct City::Person {
  uint32_t household = 0;
  uint8_t member = 0;  // index within the household
  Role role = Role::kHomebody;
  bool transit = false;        // takes public transport
  uint8_t depart_quarter = 0;  // leaves at 7:00 + quarter x 15 min
  int32_t room = -1;           // work room or class
  int infected_day = kNever;
  int onset_day = kNever;      // symptomatic only
  int isolate_until = kNever;  // exclusive
  bool tested = false;
};

struct City::Stay {
  PlaceKind kind = PlaceKind::kHome;
  uint32_t place = kNowhere;
  int32_t start = 0, end = 0;  // seconds of the day, [start, end)
  bool fixed = false;          // at |pos| the whole stay (else: home movement)
  Position pos;
};

City::City(const CityOptions& options) : options_(options) {
  Rng rng(Mix(options.seed, 0x63697479));  // "city"
  BuildPopulation(rng);
  result_day_.assign(persons_.size(), kNever);
  const int initial = static_cast<int>(std::lround(options.initial_infected * options.people));
  std::vector<uint32_t> order(persons_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  for (int i = 0; i < initial && i < static_cast<int>(order.size()); ++i) {
    std::swap(order[i], order[i + rng.Int(0, static_cast<int>(order.size()) - 1 - i)]);
    // Infected a few days ago, so that some are already infectious.
    Infect(order[i], -rng.Int(0, 4), rng);
  }
}

City::~City() = default;

void City::BuildPopulation(Rng& rng) {
  // Household sizes (shares of households, 1..6 people), as in a census.
  constexpr double kSizeShares[] = {0.25, 0.30, 0.17, 0.16, 0.09, 0.03};
  std::vector<uint32_t> children, workers;
  while (static_cast<int>(persons_.size()) < options_.people) {
    double u = rng.Uniform();
    int size = 1;
    for (double share : kSizeShares) {
      if (u < share) break;
      u -= share;
      ++size;
    }
    size = std::min({size, 6, options_.people - static_cast<int>(persons_.size())});
    const uint32_t h = static_cast<uint32_t>(household_first_.size());
    household_first_.push_back(static_cast<uint32_t>(persons_.size()));
    household_size_.push_back(size);
    for (int m = 0; m < size; ++m) {
      Person p;
      p.household = h;
      p.member = static_cast<uint8_t>(m);
      if (m >= 2 && rng.Chance(0.85)) {
        p.role = Role::kChild;
      } else {
        p.role = rng.Chance(0.62) ? Role::kWorker : Role::kHomebody;
      }
      p.transit = rng.Chance(p.role == Role::kChild ? 0.25 : 0.35);
      p.depart_quarter = static_cast<uint8_t>(rng.Int(0, 7));
      const uint32_t id = static_cast<uint32_t>(persons_.size());
      if (p.role == Role::kChild) children.push_back(id);
      if (p.role == Role::kWorker) workers.push_back(id);
      persons_.push_back(p);

      const PhoneModel& model = kModels[rng.Int(0, 4)];
      Device d;
      d.tx_power_dbm = model.tx_power_dbm;
      d.tx_error_db = rng.Normal(0, 1.5);
      d.rx_gain_db = model.rx_gain_db + rng.Normal(0, 2.0);
      d.rssi_offset_db = static_cast<int>(-model.rx_gain_db);
      devices_.push_back(d);
    }
  }
  // Apartments share a wall with one neighbouring household.
  neighbour_.assign(household_first_.size(), -1);
  for (uint32_t h = 0; h + 1 < household_first_.size(); h += 2) {
    if (rng.Chance(0.4)) {
      neighbour_[h] = static_cast<int32_t>(h + 1);
      neighbour_[h + 1] = static_cast<int32_t>(h);
    }
  }
  seats_.assign(persons_.size(), {});

  auto shuffle = [&](std::vector<uint32_t>& v) {
    for (size_t i = v.size(); i > 1; --i)
      std::swap(v[i - 1], v[rng.Int(0, static_cast<int>(i) - 1)]);
  };
  // Classes of about 25 in rows of five desks, 1.5 m apart side to side and
  // 1.8 m front to back.
  shuffle(children);
  for (size_t i = 0; i < children.size(); i += 25) {
    const size_t end = std::min(children.size(), i + 25);
    std::vector<uint32_t> cls(children.begin() + static_cast<long>(i),
                              children.begin() + static_cast<long>(end));
    for (size_t k = 0; k < cls.size(); ++k) {
      persons_[cls[k]].room = static_cast<int32_t>(classes_.size());
      seats_[cls[k]].push_back({static_cast<float>(1.0 + 1.5 * (k % 5) + rng.Uniform(-0.2, 0.2)),
                                static_cast<float>(1.0 + 1.8 * (k / 5) + rng.Uniform(-0.2, 0.2))});
    }
    classes_.push_back(std::move(cls));
  }
  // Offices of 3..12 people: desks in two rows, 1.6 m apart along a row,
  // the rows 2.5 m apart.
  shuffle(workers);
  for (size_t i = 0; i < workers.size();) {
    const size_t end = std::min(workers.size(), i + static_cast<size_t>(rng.Int(3, 12)));
    std::vector<uint32_t> room(workers.begin() + static_cast<long>(i),
                               workers.begin() + static_cast<long>(end));
    for (size_t k = 0; k < room.size(); ++k) {
      persons_[room[k]].room = static_cast<int32_t>(work_rooms_.size());
      seats_[room[k]].push_back({static_cast<float>(1.0 + 1.6 * (k / 2) + rng.Uniform(-0.3, 0.3)),
                                 static_cast<float>(1.0 + 2.5 * (k % 2) + rng.Uniform(-0.3, 0.3))});
    }
    work_rooms_.push_back(std::move(room));
    i = end;
  }
  venues_ = std::max(3, options_.people / 30);
}

uint32_t City::household(uint32_t person) const { return persons_[person].household; }

int City::places(PlaceKind kind) const {
  switch (kind) {
    case PlaceKind::kHome:
      return households();
    case PlaceKind::kWork:
      return static_cast<int>(work_rooms_.size());
    case PlaceKind::kSchool:
      return static_cast<int>(classes_.size());
    case PlaceKind::kVenue:
      return venues_;
    case PlaceKind::kTransport:
      return 0;  // vehicles are made per trip
  }
  return 0;
}

void City::Infect(uint32_t person, int day, Rng& rng) {
  Person& p = persons_[person];
  p.infected_day = day;
  ++infected_total_;
  if (rng.Chance(options_.symptomatic)) {
    p.onset_day = day + rng.Int(3, 6);
    if (rng.Chance(options_.tested_when_symptomatic)) {
      p.tested = true;
      result_day_[person] = p.onset_day + rng.Int(1, 2);
    }
  }
}

void City::Notified(uint32_t person, int day) {
  Person& p = persons_[person];
  if (p.tested || p.infected_day == kNever || day > p.infected_day + kDetectableUntil) return;
  Rng rng(Mix(options_.seed, 0x6e6f74, person, static_cast<uint64_t>(day)));  // "not"
  if (!rng.Chance(options_.tested_when_notified)) return;
  p.tested = true;
  result_day_[person] = day + 1;
}

std::vector<Diagnosis> City::DiagnosesFor(int day) {
  std::vector<Diagnosis> out;
  Rng rng(Mix(options_.seed, 0x646961, static_cast<uint64_t>(day)));  // "dia"
  for (uint32_t i = 0; i < persons_.size(); ++i) {
    if (result_day_[i] == kNever || result_day_[i] != day - 1) continue;
    Person& p = persons_[i];
    p.isolate_until = day + kIsolationDays;
    Diagnosis d;
    d.person = i;
    if (p.onset_day != kNever && p.onset_day < day) d.onset_day = p.onset_day;
    d.consents = rng.Chance(options_.upload_consent);
    if (rng.Chance(0.1) && day >= 2) d.excluded_day = day - rng.Int(1, std::min(day, 14));
    out.push_back(d);
  }
  return out;
}

bool City::SendsChaff(uint32_t person, int day) const {
  Rng rng(Mix(options_.seed, 0x636861, person, static_cast<uint64_t>(day)));  // "cha"
  return rng.Chance(options_.chaff_per_day);
}

// PlanDay returns each person's stays, covering the day in order.
std::vector<std::vector<City::Stay>> City::PlanDay(int day, Rng& rng) {
  const bool weekday = day % 7 < 5;  // day 0 is a Monday
  const size_t n = persons_.size();
  std::vector<std::vector<Stay>> plans(n);
  // Planned outings, before home fills the gaps.
  std::vector<std::vector<Stay>> outings(n);
  auto go = [&](uint32_t person, PlaceKind kind, uint32_t place, int32_t start, int32_t end,
                bool fixed = false, Position pos = {}) {
    outings[person].push_back({kind, place, std::clamp<int32_t>(start, 0, crypto::kDaySeconds),
                               std::clamp<int32_t>(end, 0, crypto::kDaySeconds), fixed, pos});
  };
  auto isolating = [&](uint32_t i) { return persons_[i].isolate_until > day; };
  auto random_in = [&](double side) {
    return Position{static_cast<float>(rng.Uniform(0.5, side - 0.5)),
                    static_cast<float>(rng.Uniform(0.5, side - 0.5))};
  };
  auto venue_side = [&](uint32_t venue) {
    return 10.0 + static_cast<double>(Mix(options_.seed, venue) % 11);
  };

  // Who rides at which time: (direction, departure slot) -> riders.
  std::vector<std::pair<uint32_t, std::pair<int32_t, int32_t>>> rides;  // slot key, (person, start)
  auto ride = [&](uint32_t person, int32_t start, int direction) {
    rides.push_back({static_cast<uint32_t>(direction * 1000 + start / (15 * kMinute)),
                     {static_cast<int32_t>(person), start}});
  };

  for (uint32_t i = 0; i < n; ++i) {
    const Person& p = persons_[i];
    if (isolating(i)) continue;
    if (weekday && p.role == Role::kChild) {
      const int32_t leave = 8 * kHour + 15 * kMinute + rng.Int(0, 10) * kMinute;
      const int32_t arrive = leave + 25 * kMinute;
      if (p.transit)
        ride(i, leave, 0);
      else
        go(i, PlaceKind::kHome, kNowhere, leave, arrive);
      go(i, PlaceKind::kSchool, static_cast<uint32_t>(p.room), arrive, 15 * kHour, true,
         seats_[i][0]);
      if (p.transit)
        ride(i, 15 * kHour + 5 * kMinute, 1);
      else
        go(i, PlaceKind::kHome, kNowhere, 15 * kHour, 15 * kHour + 25 * kMinute);
      if (rng.Chance(0.2)) {
        const uint32_t v = static_cast<uint32_t>(rng.Int(0, venues_ - 1));
        go(i, PlaceKind::kVenue, v, 16 * kHour, 17 * kHour + 30 * kMinute, true,
           random_in(venue_side(v)));
      }
    } else if (weekday && p.role == Role::kWorker &&
               !rng.Chance(0.25)) {  // a quarter work from home
      const int32_t leave = 7 * kHour + p.depart_quarter * 15 * kMinute;
      const int32_t arrive = leave + 35 * kMinute, done = arrive + 8 * kHour + 30 * kMinute;
      if (p.transit)
        ride(i, leave, 0);
      else
        go(i, PlaceKind::kHome, kNowhere, leave, arrive);
      go(i, PlaceKind::kWork, static_cast<uint32_t>(p.room), arrive, done, true, seats_[i][0]);
      if (p.transit)
        ride(i, done, 1);
      else
        go(i, PlaceKind::kHome, kNowhere, done, done + 35 * kMinute);
      if (rng.Chance(0.2)) {
        const uint32_t v = static_cast<uint32_t>(rng.Int(0, venues_ - 1));
        const int32_t start = 19 * kHour + 30 * kMinute + rng.Int(0, 60) * kMinute;
        go(i, PlaceKind::kVenue, v, start, start + rng.Int(60, 150) * kMinute, true,
           random_in(venue_side(v)));
      }
    } else if (weekday) {
      if (rng.Chance(p.role == Role::kChild ? 0.0 : 0.5)) {
        const uint32_t v = static_cast<uint32_t>(rng.Int(0, venues_ - 1));
        const int32_t start = 10 * kHour + rng.Int(0, 360) * kMinute;
        go(i, PlaceKind::kVenue, v, start, start + rng.Int(30, 90) * kMinute, true,
           random_in(venue_side(v)));
      }
    }
  }
  // Weekends: households go out together, and some people on their own.
  if (!weekday) {
    for (uint32_t h = 0; h < household_first_.size(); ++h) {
      if (!rng.Chance(0.55)) continue;
      const uint32_t v = static_cast<uint32_t>(rng.Int(0, venues_ - 1));
      const int32_t start = 11 * kHour + rng.Int(0, 480) * kMinute;
      const int32_t end = start + rng.Int(60, 150) * kMinute;
      const Position anchor = random_in(venue_side(v) - 2);
      for (int m = 0; m < household_size_[h]; ++m) {
        const uint32_t i = household_first_[h] + static_cast<uint32_t>(m);
        if (isolating(i)) continue;
        const double angle = 6.283185307179586 * m / household_size_[h];
        go(i, PlaceKind::kVenue, v, start, end, true,
           {static_cast<float>(anchor.x + 1.0 + 0.6 * std::cos(angle)),
            static_cast<float>(anchor.y + 1.0 + 0.6 * std::sin(angle))});
      }
    }
    for (uint32_t i = 0; i < n; ++i) {
      if (isolating(i) || !rng.Chance(0.25)) continue;
      const uint32_t v = static_cast<uint32_t>(rng.Int(0, venues_ - 1));
      const int32_t start = 10 * kHour + rng.Int(0, 600) * kMinute;
      go(i, PlaceKind::kVenue, v, start, start + rng.Int(30, 120) * kMinute, true,
         random_in(venue_side(v)));
    }
  }
  // Buses: riders of the same slot share double-deckers of up to 30, at
  // random seats over two 12 x 2.5 m decks.
  std::sort(rides.begin(), rides.end());
  uint32_t vehicle = 0;
  for (size_t i = 0; i < rides.size();) {
    size_t end = i;
    while (end < rides.size() && rides[end].first == rides[i].first) ++end;
    std::vector<std::pair<int32_t, int32_t>> riders;
    for (size_t k = i; k < end; ++k) riders.push_back(rides[k].second);
    for (size_t k = riders.size(); k > 1; --k)
      std::swap(riders[k - 1], riders[rng.Int(0, static_cast<int>(k) - 1)]);
    for (size_t k = 0; k < riders.size(); ++k) {
      if (k % 30 == 0) ++vehicle;
      const auto [person, start] = riders[k];
      const int32_t minutes = persons_[person].role == Role::kChild ? 25 : 35;
      go(static_cast<uint32_t>(person), PlaceKind::kTransport, vehicle - 1, start,
         start + minutes * kMinute, true,
         {static_cast<float>(rng.Uniform(0.3, 11.7)),
          static_cast<float>(rng.Uniform(0.3, 2.2) + (k % 2) * 20.0)});
    }
    i = end;
  }
  // Home fills every gap; overlapping outings keep the earlier one.
  for (uint32_t i = 0; i < n; ++i) {
    auto& out = outings[i];
    std::stable_sort(out.begin(), out.end(),
                     [](const Stay& a, const Stay& b) { return a.start < b.start; });
    int32_t t = 0;
    for (Stay s : out) {
      if (s.start < t) s.start = t;
      if (s.end <= s.start) continue;
      if (s.start > t)
        plans[i].push_back({PlaceKind::kHome, persons_[i].household, t, s.start, false, {}});
      plans[i].push_back(s);
      t = s.end;
    }
    if (t < crypto::kDaySeconds) {
      plans[i].push_back(
          {PlaceKind::kHome, persons_[i].household, t, crypto::kDaySeconds, false, {}});
    }
  }
  return plans;
}

City::Position City::Where(const Stay& stay, uint32_t person, int day, int32_t second) const {
  if (stay.fixed) return stay.pos;
  // At home (10 x 8 m): asleep at night (a couple shares a bed, the others
  // sleep in their own rooms), dinner round the table, otherwise somewhere
  // in the house, moving every half hour.
  const Person& p = persons_[person];
  const int n = household_size_[p.household];
  const int k = p.member;
  if (second < 7 * kHour || second >= 23 * kHour) {
    if (k == 0) return {2.0f, 2.0f};
    if (k == 1 && persons_[person].role != Role::kChild) return {2.8f, 2.0f};
    return {static_cast<float>(5.5 + 3.0 * ((k - 1) % 2)),
            static_cast<float>(1.5 + 3.5 * ((k - 1) / 2))};
  }
  if (second >= 18 * kHour + 30 * kMinute && second < 19 * kHour + 30 * kMinute) {
    const double angle = 6.283185307179586 * k / n;
    return {static_cast<float>(5.0 + 0.7 * std::cos(angle)),
            static_cast<float>(4.0 + 0.7 * std::sin(angle))};
  }
  const uint64_t h =
      Mix(options_.seed, person, static_cast<uint64_t>(day), static_cast<uint64_t>(second / 1800));
  return {static_cast<float>(0.5 + 9.0 * static_cast<double>(h & 0xffff) / 65536.0),
          static_cast<float>(0.5 + 7.0 * static_cast<double>((h >> 16) & 0xffff) / 65536.0)};
}

DayActivity City::Live(int day) {
  Rng rng(Mix(options_.seed, 0x646179, static_cast<uint64_t>(day)));  // "day"
  const std::vector<std::vector<Stay>> plans = PlanDay(day, rng);
  const uint32_t n = static_cast<uint32_t>(persons_.size());

  // Who is where: per place kind and place, the (person, stay) entries.
  struct Entry {
    uint32_t person;
    const Stay* stay;
  };
  std::vector<std::vector<Entry>> occupancy[kPlaceKinds];
  occupancy[static_cast<int>(PlaceKind::kHome)].resize(household_first_.size());
  occupancy[static_cast<int>(PlaceKind::kWork)].resize(work_rooms_.size());
  occupancy[static_cast<int>(PlaceKind::kSchool)].resize(classes_.size());
  occupancy[static_cast<int>(PlaceKind::kVenue)].resize(static_cast<size_t>(venues_));
  for (uint32_t i = 0; i < n; ++i) {
    for (const Stay& s : plans[i]) {
      if (s.place == kNowhere) continue;
      auto& places = occupancy[static_cast<int>(s.kind)];
      if (places.size() <= s.place) places.resize(s.place + 1);
      places[s.place].push_back({i, &s});
    }
  }
  auto distance = [&](const Entry& a, const Entry& b, int32_t t) {
    const Position pa = Where(*a.stay, a.person, day, t), pb = Where(*b.stay, b.person, day, t);
    return std::hypot(pa.x - pb.x, pa.y - pb.y);
  };

  DayActivity out;
  // Ground truth, minute by minute: pairs within 2 m in the same place.
  struct PairMinutes {
    int total = 0;
    int by_kind[kPlaceKinds] = {};
  };
  std::unordered_map<uint64_t, PairMinutes> pairs;
  std::vector<const Entry*> present;
  for (int kind = 0; kind < kPlaceKinds; ++kind) {
    for (const auto& entries : occupancy[kind]) {
      if (entries.size() < 2) continue;
      int32_t first = crypto::kDaySeconds, last = 0;
      for (const Entry& e : entries) {
        first = std::min(first, e.stay->start);
        last = std::max(last, e.stay->end);
      }
      for (int32_t m = first / kMinute; m * kMinute < last; ++m) {
        const int32_t t = m * kMinute + kMinute / 2;
        present.clear();
        for (const Entry& e : entries) {
          if (e.stay->start <= t && t < e.stay->end) present.push_back(&e);
        }
        for (size_t a = 0; a < present.size(); ++a) {
          for (size_t b = a + 1; b < present.size(); ++b) {
            if (present[a]->person == present[b]->person) continue;
            if (distance(*present[a], *present[b], t) > kCloseMeters) continue;
            const uint32_t lo = std::min(present[a]->person, present[b]->person);
            const uint32_t hi = std::max(present[a]->person, present[b]->person);
            PairMinutes& pm = pairs[(static_cast<uint64_t>(lo) << 32) | hi];
            ++pm.total;
            ++pm.by_kind[kind];
          }
        }
      }
    }
  }
  std::vector<std::pair<uint64_t, PairMinutes>> sorted(pairs.begin(), pairs.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });

  // Transmission: each close minute with an infectious person may infect.
  auto infectious = [&](uint32_t i) {
    const int d = persons_[i].infected_day;
    return d != kNever && day >= d + kInfectiousFrom && day <= d + kInfectiousUntil;
  };
  const double per_minute = -std::log1p(-options_.transmission_per_close_hour) / 60.0;
  std::vector<uint32_t> newly;
  for (const auto& [key, pm] : sorted) {
    const uint32_t a = static_cast<uint32_t>(key >> 32), b = static_cast<uint32_t>(key);
    if (pm.total >= kCloseMinutes) {
      CloseContact c;
      c.a = a;
      c.b = b;
      c.minutes = pm.total;
      c.where = static_cast<PlaceKind>(std::max_element(pm.by_kind, pm.by_kind + kPlaceKinds) -
                                       pm.by_kind);
      out.close_contacts.push_back(c);
    }
    const double p = 1.0 - std::exp(-per_minute * pm.total);
    if (infectious(a) && persons_[b].infected_day == kNever && rng.Chance(p)) newly.push_back(b);
    if (infectious(b) && persons_[a].infected_day == kNever && rng.Chance(p)) newly.push_back(a);
  }
  for (uint32_t i = 0; i < n; ++i) {
    if (persons_[i].infected_day == kNever && rng.Chance(options_.imported_per_day))
      newly.push_back(i);
  }
  for (uint32_t i : newly) {
    if (persons_[i].infected_day != kNever) continue;  // two sources on one day
    Infect(i, day, rng);
    ++out.infections;
  }

  // Scans every 3 to 5 minutes: every phone in the same place (or through an
  // apartment wall) whose advertisement arrives above the sensitivity.
  for (uint32_t j = 0; j < n; ++j) {
    const Device& rx = devices_[j];
    size_t at = 0;
    for (int32_t t = rng.Int(0, 299); t < crypto::kDaySeconds; t += rng.Int(180, 300)) {
      while (plans[j][at].end <= t) ++at;
      const Stay& mine = plans[j][at];
      if (mine.place == kNowhere) continue;
      const Entry self{j, &mine};
      bool heard_any = false;
      auto listen = [&](const std::vector<Entry>& entries, bool wall) {
        for (const Entry& e : entries) {
          if (e.person == j || e.stay->start > t || t >= e.stay->end) continue;
          double d;
          if (wall) {
            // The neighbour's flat is the mirror image across the wall at x = 10 m.
            const Position a = Where(mine, j, day, t), b = Where(*e.stay, e.person, day, t);
            d = std::hypot(20.0 - a.x - b.x, a.y - b.y);
          } else {
            d = distance(self, e, t);
          }
          const Device& tx = devices_[e.person];
          const uint32_t lo = std::min(j, e.person), hi = std::max(j, e.person);
          Rng shadow(Mix(options_.seed, (static_cast<uint64_t>(lo) << 32) | hi,
                         static_cast<uint64_t>(day), static_cast<uint64_t>(t / 1800)));
          const double rssi = tx.tx_power_dbm + tx.tx_error_db - AttenuationDb(d, wall) +
                              rx.rx_gain_db + shadow.Normal(kShadowMeanDb, kShadowSdDb) +
                              rng.Normal(0, kScanNoiseSdDb);
          if (rssi < kSensitivityDbm || rng.Chance(kMissedScan)) continue;
          out.hearings.push_back(
              {j, e.person, t, static_cast<int8_t>(std::clamp(std::lround(rssi), -127L, 127L))});
          heard_any = true;
        }
      };
      listen(occupancy[static_cast<int>(mine.kind)][mine.place], false);
      if (mine.kind == PlaceKind::kHome && neighbour_[mine.place] >= 0) {
        listen(occupancy[static_cast<int>(PlaceKind::kHome)]
                        [static_cast<size_t>(neighbour_[mine.place])],
               true);
      }
      if (heard_any) ++out.scans;
    }
  }
  return out;
}

}  // namespace openen::simulate
