// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The AVX-512 loop carries a target attribute, so that this file builds for
// the baseline x86-64 and the loop runs only when the CPU check says it may.

#include "filter_passes.h"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace openen::client::internal {
namespace {

// Without a branch per RPI: few pass, at random.
size_t PortablePasses(DayIndex::Filter filter, const crypto::Rpi* run, size_t n, uint32_t* out) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    out[k] = static_cast<uint32_t>(i);
    k += filter.MayContain(run[i]);
  }
  return k;
}

#if defined(__x86_64__)
#define OPENEN_AVX512_TARGET __attribute__((target("avx512f")))
// GCC 12 sees the undefined pass-through operand inside its AVX-512
// intrinsics as uninitialized; it is never read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

// Avx512Step tests run[i, i + count), 1 <= count <= 16: the RPIs' first
// words are picked out of four 64-byte loads (masked: nothing past the run
// is read or addressed), their filter words gathered, and the positions of
// those that pass compressed into |out| (16 lanes written). Returns the
// number that pass.
OPENEN_AVX512_TARGET inline __attribute__((always_inline)) size_t Avx512Step(
    const DayIndex::Filter& filter, const crypto::Rpi* run, size_t i, size_t count, uint32_t* out) {
  static_assert(sizeof(crypto::Rpi) == 16);
  // Word 0 of each of 8 RPIs in a pair of loads (4 RPIs per load).
  const __m512i pick = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i low5 = _mm512_set1_epi32(31), one = _mm512_set1_epi32(1);
  __m512i load[4];
  for (size_t j = 0; j < 4; ++j) {
    // Load j holds RPIs 4j..4j+3, 4 dwords each.
    const size_t rpis = count > 4 * j ? std::min<size_t>(count - 4 * j, 4) : 0;
    load[j] = rpis == 0 ? _mm512_setzero_si512()
                        : _mm512_maskz_loadu_epi32(static_cast<__mmask16>((1u << (4 * rpis)) - 1),
                                                   run + i + 4 * j);
  }
  const __mmask16 lanes = static_cast<__mmask16>((1u << count) - 1);
  const __m512i w = _mm512_shuffle_i64x2(_mm512_permutex2var_epi32(load[0], pick, load[1]),
                                         _mm512_permutex2var_epi32(load[2], pick, load[3]), 0x44);
  const __m512i at = _mm512_and_si512(_mm512_srli_epi32(w, 10),
                                      _mm512_set1_epi32(static_cast<int>(filter.word_mask)));
  const __m512i words =
      _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), lanes, at, filter.words, 4);
  const __m512i bits =
      _mm512_or_si512(_mm512_sllv_epi32(one, _mm512_and_si512(w, low5)),
                      _mm512_sllv_epi32(one, _mm512_and_si512(_mm512_srli_epi32(w, 5), low5)));
  const __mmask16 pass = _mm512_mask_cmpeq_epi32_mask(lanes, _mm512_and_si512(words, bits), bits);
  const __m512i at_i = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(i)));
  _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(pass, at_i));
  return static_cast<size_t>(__builtin_popcount(pass));
}

OPENEN_AVX512_TARGET size_t Avx512Passes(DayIndex::Filter filter, const crypto::Rpi* run, size_t n,
                                         uint32_t* out) {
  size_t k = 0, i = 0;
  for (; i + 16 <= n; i += 16) k += Avx512Step(filter, run, i, 16, out + k);
  if (i < n) k += Avx512Step(filter, run, i, n - i, out + k);
  return k;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

}  // namespace

std::vector<FilterPassesKernel> FilterPassesKernels() {
  std::vector<FilterPassesKernel> out = {{"portable", PortablePasses}};
#if defined(__x86_64__)
  // Checks that the OS saves the ZMM and mask registers too.
  if (__builtin_cpu_supports("avx512f")) out.push_back({"avx512", Avx512Passes});
#endif
  return out;
}

size_t FilterPasses(DayIndex::Filter filter, const crypto::Rpi* run, size_t n, uint32_t* out) {
  static const FilterPassesFn fn = FilterPassesKernels().back().fn;
  return fn(filter, run, n, out);
}

}  // namespace openen::client::internal
