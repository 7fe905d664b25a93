// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The simulation's calendar: when day 0 begins and when in each day the
// phones and the servers do their work. Private to openen::simulate (namespace internal).

#ifndef OPENEN_SIMULATE_SRC_CALENDAR_H_
#define OPENEN_SIMULATE_SRC_CALENDAR_H_

#include <cstdint>

#include "openen/crypto/interval.h"

namespace openen::simulate::internal {

// Day 0 is Monday 2 March 2026, 00:00 UTC: a fixed date keeps runs identical.
inline constexpr int64_t kDayZero = 1772409600;
// The UTC day number (crypto::DayNumber) of day 0.
inline constexpr uint32_t kDayZeroNumber = static_cast<uint32_t>(kDayZero / crypto::kDaySeconds);
// Each phone's day starts with its session a minute after midnight; the
// servers' maintenance runs half a minute after midnight, before it.
inline constexpr int64_t kSessionOffset = 60;

// DayStart returns the unix time at which day |day| of the simulation begins.
constexpr int64_t DayStart(int day) { return kDayZero + day * crypto::kDaySeconds; }

}  // namespace openen::simulate::internal

#endif  // OPENEN_SIMULATE_SRC_CALENDAR_H_
