// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0

#include "openen/crypto/interval.h"

#include <catch2/catch.hpp>

namespace openen::crypto {
namespace {

TEST_CASE("ENIntervalNumber of the vector's key time", "[interval][vectors]") {
  CHECK(EnIntervalNumber(1585785600) == 2642976u);
  CHECK(2642976u == 144u * 18354u);
  CHECK(RollingStart(2642976) == 2642976u);
}

TEST_CASE("interval edges: the last second of one interval and the first of the next",
          "[interval]") {
  CHECK(EnIntervalNumber(1585785600 + 599) == 2642976u);
  CHECK(EnIntervalNumber(1585785600 + 600) == 2642977u);
  CHECK(EnIntervalNumber(1585785600 - 1) == 2642975u);
  CHECK(EnIntervalNumber(0) == 0u);
  CHECK(EnIntervalNumber(-1) == 0u);
  CHECK(IntervalStartSeconds(2642977) == 1585785600 + 600);
}

TEST_CASE("rolling start alignment and day boundary", "[interval]") {
  CHECK(RollingStart(2642976 + 143) == 2642976u);
  CHECK(RollingStart(2642976 + 144) == 2642976u + 144);
  CHECK(RollingStart(2642976 - 1) == 2642976u - 144);
  CHECK(DayNumber(2642976) == 18354u);
  CHECK(DayNumber(2642976 + 143) == 18354u);
  CHECK(DayNumber(2642976 + 144) == 18355u);
}

TEST_CASE("key validity rolls over exactly at start + 144", "[interval]") {
  KeyValidity k{2642976, 144};
  CHECK_FALSE(k.Contains(2642975));
  CHECK(k.Contains(2642976));
  CHECK(k.Contains(2642976 + 143));
  CHECK_FALSE(k.Contains(2642976 + 144));
  CHECK_FALSE(k.ExpiredAt(2642976 + 143));
  CHECK(k.ExpiredAt(2642976 + 144));
  CHECK(k.End() == 2642976u + 144);

  KeyValidity partial{2642976, 1};
  CHECK(partial.Contains(2642976));
  CHECK_FALSE(partial.Contains(2642977));
  CHECK(partial.ExpiredAt(2642977));

  // No overflow at the top of the interval range.
  KeyValidity top{0xffffffffu - 10, 144};
  CHECK(top.End() == uint64_t{0xffffffffu} - 10 + 144);
  CHECK(top.Contains(0xffffffffu));
  CHECK_FALSE(top.ExpiredAt(0xffffffffu));
}

}  // namespace
}  // namespace openen::crypto
