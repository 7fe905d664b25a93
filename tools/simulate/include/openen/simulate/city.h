// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// City: the simulated population behind `openen simulate`, with no phones in
// it: people, their homes, workplaces, schools, transport and venues; where
// each person is, minute by minute; what their phone's scans hear (RSSI from
// distance through a log-distance path-loss model with noise and device
// offsets); the ground truth of who was within 2 m of whom for 15 minutes or
// more; and a seeded epidemic (infection, symptoms, tests). Everything is a
// function of the options and the seed: two cities with the same options
// live the same days.

#ifndef OPENEN_SIMULATE_CITY_H_
#define OPENEN_SIMULATE_CITY_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "openen/simulate/rng.h"

namespace openen::simulate {

struct CityOptions {
  int people = 2000;
  int days = 14;
  uint64_t seed = 1;
  // Share of people infected on day 0.
  double initial_infected = 0.01;
  // Chance that one hour within 2 m of an infectious person infects.
  double transmission_per_close_hour = 0.012;
  // Chance per person and day of an infection from outside the city.
  double imported_per_day = 0.0002;
  // Share of infections with symptoms; share of those who get a test.
  double symptomatic = 0.65;
  double tested_when_symptomatic = 0.85;
  // Share of notified people who get a test.
  double tested_when_notified = 0.6;
  // Share of people with a positive test who choose to upload their keys.
  double upload_consent = 0.75;
  // Share of phones that send chaff on a given day.
  double chaff_per_day = 0.05;
};

// Where a person can be.
enum class PlaceKind : uint8_t { kHome, kWork, kSchool, kTransport, kVenue };
inline constexpr int kPlaceKinds = 5;
const char* PlaceKindName(PlaceKind kind);

// AttenuationDb is the model's path loss at |meters| (no closer than 20 cm):
// 40 dB at 1 m, plus 20 dB per tenfold distance, plus 8 dB through a wall.
double AttenuationDb(double meters, bool through_wall);

// A phone's radio, as the model sees it, and the calibration the app applies.
struct Device {
  int tx_power_dbm = -10;  // advertised (calibrated) transmit power
  double tx_error_db = 0;  // actual minus advertised
  double rx_gain_db = 0;   // what the receiver adds to every reading
  int rssi_offset_db = 0;  // the calibration the app is given (model-wide)
};

// One identifier heard in one scan: |advertiser|'s phone by |observer|'s.
struct Hearing {
  uint32_t observer = 0;
  uint32_t advertiser = 0;
  int32_t second = 0;  // of the day
  int8_t rssi = 0;
};

// A close contact: within 2 m for at least 15 minutes in one day.
struct CloseContact {
  uint32_t a = 0, b = 0;  // a < b
  int minutes = 0;
  PlaceKind where = PlaceKind::kHome;  // where they spent most of those minutes
};

struct DayActivity {
  std::vector<Hearing> hearings;  // sorted by observer, then time
  std::vector<CloseContact> close_contacts;
  uint64_t scans = 0;  // scans that heard at least one phone
  int infections = 0;  // new infections this day
};

// A positive test result: the person may upload at the next day's start.
struct Diagnosis {
  uint32_t person = 0;
  std::optional<int> onset_day;     // day of symptom onset, when symptomatic
  bool consents = false;            // chooses to upload
  std::optional<int> excluded_day;  // a day the person leaves out
};

class City {
 public:
  explicit City(const CityOptions& options);
  ~City();

  int people() const { return options_.people; }
  const Device& device(uint32_t person) const { return devices_[person]; }
  int households() const { return static_cast<int>(household_first_.size()); }
  uint32_t household(uint32_t person) const;
  int places(PlaceKind kind) const;

  // Live runs day |day| (0-based, in order): where everyone goes, what their
  // phones hear, who was close to whom, and who was infected.
  DayActivity Live(int day);

  // Notified tells the city that |person|'s app raised an exposure
  // notification at the start of |day|; they may get a test.
  void Notified(uint32_t person, int day);

  // DiagnosesFor returns the positive results that arrived the day before
  // |day|: the people who may upload at its start. They isolate at home from
  // |day| for ten days.
  std::vector<Diagnosis> DiagnosesFor(int day);

  // SendsChaff decides whether |person|'s phone sends chaff on |day|.
  bool SendsChaff(uint32_t person, int day) const;

  int infected_total() const { return infected_total_; }

 private:
  struct Person;
  struct Stay;
  struct Place;
  struct Position {
    float x = 0, y = 0;
  };

  void BuildPopulation(Rng& rng);
  void Infect(uint32_t person, int day, Rng& rng);
  std::vector<std::vector<Stay>> PlanDay(int day, Rng& rng);
  Position Where(const Stay& stay, uint32_t person, int day, int32_t second) const;

  CityOptions options_;
  std::vector<Person> persons_;
  std::vector<Device> devices_;
  std::vector<uint32_t> household_first_;  // first member of each household
  std::vector<int> household_size_;
  std::vector<int32_t> neighbour_;  // household through the wall, or -1
  std::vector<std::vector<uint32_t>> work_rooms_;
  std::vector<std::vector<uint32_t>> classes_;
  int venues_ = 0;
  std::vector<std::vector<Position>> seats_;  // per person: desk or school seat
  std::vector<int> result_day_;               // per person: day the positive result arrives, or -1
  int infected_total_ = 0;
};

}  // namespace openen::simulate

#endif  // OPENEN_SIMULATE_CITY_H_
