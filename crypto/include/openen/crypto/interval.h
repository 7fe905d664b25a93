// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Exposure Notification interval arithmetic (GAEN Cryptography v1.2, §"Definitions").
// Time is divided into 10-minute intervals; ENIntervalNumber(t) = floor(t / 600).
// A Temporary Exposure Key is valid for a rolling period of (at most) 144
// intervals starting at a multiple of 144, i.e. one UTC day.

#ifndef OPENEN_CRYPTO_INTERVAL_H_
#define OPENEN_CRYPTO_INTERVAL_H_

#include <cstdint>

namespace openen::crypto {

// Seconds in one EN interval.
inline constexpr int64_t kIntervalSeconds = 600;
// TEKRollingPeriod: intervals in one key's validity (one day).
inline constexpr uint32_t kTekRollingPeriod = 144;
// Seconds in one key period (one UTC day).
inline constexpr int64_t kDaySeconds = kIntervalSeconds * kTekRollingPeriod;

// EnIntervalNumber returns floor(unix_seconds / 600). Times before the epoch map
// to interval 0 (GAEN intervals are unsigned and such times never occur).
constexpr uint32_t EnIntervalNumber(int64_t unix_seconds) {
  return unix_seconds <= 0 ? 0u : static_cast<uint32_t>(unix_seconds / kIntervalSeconds);
}

// IntervalStartSeconds returns the unix time at which |interval| begins.
constexpr int64_t IntervalStartSeconds(uint32_t interval) {
  return static_cast<int64_t>(interval) * kIntervalSeconds;
}

// RollingStart returns the first interval of the key period that contains
// |interval|: 144 * floor(interval / 144).
constexpr uint32_t RollingStart(uint32_t interval) {
  return interval - interval % kTekRollingPeriod;
}

// DayNumber returns the UTC day (days since the epoch) that contains |interval|.
constexpr uint32_t DayNumber(uint32_t interval) { return interval / kTekRollingPeriod; }

// KeyValidity is the window [rolling_start, rolling_start + rolling_period) of
// intervals during which a key's identifiers are broadcast.
struct KeyValidity {
  uint32_t rolling_start = 0;
  uint32_t rolling_period = kTekRollingPeriod;

  // End returns the first interval after the window.
  constexpr uint64_t End() const {
    return static_cast<uint64_t>(rolling_start) + rolling_period;
  }
  // EndSeconds returns the unix time at which the window ends.
  constexpr int64_t EndSeconds() const { return static_cast<int64_t>(End()) * kIntervalSeconds; }
  constexpr bool Contains(uint32_t interval) const {
    return interval >= rolling_start && interval < End();
  }
  // ExpiredAt is true once |interval| is at or past the end of the window: the
  // key no longer produces identifiers and may be published.
  constexpr bool ExpiredAt(uint32_t interval) const { return interval >= End(); }
};

}  // namespace openen::crypto

#endif  // OPENEN_CRYPTO_INTERVAL_H_
