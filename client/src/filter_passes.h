// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// FilterPasses tests a run of derived RPIs against a day's filter: the
// matcher's innermost loop, about 140 RPIs per diagnosis key. A portable
// loop, and on x86-64 with AVX-512 a loop that tests 16 RPIs at a time,
// chosen once by the CPU's features.

#ifndef OPENEN_CLIENT_SRC_FILTER_PASSES_H_
#define OPENEN_CLIENT_SRC_FILTER_PASSES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "openen/client/matcher.h"

namespace openen::client::internal {

// FilterPassesFn writes the positions of the RPIs of run[0, n) that pass
// |filter|, in increasing order, to |out|, which has room for n +
// kFilterPassesSlack, and returns how many there are.
using FilterPassesFn = size_t (*)(DayIndex::Filter filter, const crypto::Rpi* run, size_t n,
                                  uint32_t* out);
inline constexpr size_t kFilterPassesSlack = 16;

// FilterPasses is the fastest loop this CPU runs.
size_t FilterPasses(DayIndex::Filter filter, const crypto::Rpi* run, size_t n, uint32_t* out);

struct FilterPassesKernel {
  const char* name;
  FilterPassesFn fn;
};
// FilterPassesKernels lists the portable loop, then each one this CPU can
// run, fastest last.
std::vector<FilterPassesKernel> FilterPassesKernels();

}  // namespace openen::client::internal

#endif  // OPENEN_CLIENT_SRC_FILTER_PASSES_H_
