// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Fixed-width integers in bytes: the one home of OpenEN's byte order. Record
// keys are big-endian, so that RocksDB's byte order is numeric order (a scan
// from a time prefix visits times in order); record values are little-endian,
// as GAEN's own byte strings are. Each function names its order.

#ifndef OPENEN_BASE_CODING_H_
#define OPENEN_BASE_CODING_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "openen/base/bytes.h"

namespace openen::base {

// PutFixedBE / PutFixedLE append the low |N| bytes of |v| to |out| (N = 2, 4
// or 8), most or least significant byte first. |Out| is std::string or Bytes.
template <size_t N, typename Out>
void PutFixedBE(Out* out, uint64_t v) {
  static_assert(N == 2 || N == 4 || N == 8);
  for (size_t i = N; i-- > 0;) out->push_back(static_cast<typename Out::value_type>(v >> (8 * i)));
}
template <size_t N, typename Out>
void PutFixedLE(Out* out, uint64_t v) {
  static_assert(N == 2 || N == 4 || N == 8);
  for (size_t i = 0; i < N; ++i)
    out->push_back(static_cast<typename Out::value_type>(v >> (8 * i)));
}

// GetFixedBE / GetFixedLE read |N| bytes at |p|. The caller has checked that
// they are there. |p| points to char or uint8_t. Usable in constant
// expressions.
template <size_t N, typename Byte>
constexpr uint64_t GetFixedBE(const Byte* p) {
  static_assert(N == 2 || N == 4 || N == 8);
  uint64_t v = 0;
  for (size_t i = 0; i < N; ++i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}
template <size_t N, typename Byte>
constexpr uint64_t GetFixedLE(const Byte* p) {
  static_assert(N == 2 || N == 4 || N == 8);
  uint64_t v = 0;
  for (size_t i = N; i-- > 0;) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}

}  // namespace openen::base

#endif  // OPENEN_BASE_CODING_H_
