// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The AVX-512 loop carries a target attribute, so that this file builds for
// the baseline x86-64 and the loop runs only when the CPU check says it may.

#include "filter_passes.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace openen::client::internal {
namespace {

// Without a branch per RPI: few pass, at random.
size_t PortablePasses(const DayIndex::Filter& filter, const crypto::Rpi* run, size_t n,
                      uint32_t* out) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    out[k] = static_cast<uint32_t>(i);
    k += filter.MayContain(run[i]);
  }
  return k;
}

#if defined(__x86_64__)
#define OPENEN_AVX512_TARGET __attribute__((target("avx512f")))

// Avx512Step tests the RPIs run[i, i + 16) that |lanes| selects: their first
// words are picked out of four 64-byte loads (masked loads read nothing
// past the run), their filter words gathered, and the positions of those
// that pass compressed into |out| + k (16 lanes written). Returns the number
// that pass.
OPENEN_AVX512_TARGET inline size_t Avx512Step(const DayIndex::Filter& filter,
                                              const crypto::Rpi* run, size_t i, __mmask16 lanes,
                                              uint32_t* out) {
  static_assert(sizeof(crypto::Rpi) == 16);
  // Word 0 of each of 8 RPIs in a pair of loads (4 RPIs per load).
  const __m512i pick = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i low5 = _mm512_set1_epi32(31), one = _mm512_set1_epi32(1);
  __m512i load[4];
  for (int j = 0; j < 4; ++j) {
    // RPI lanes 4j..4j+3 are dwords 0..15 of load j.
    static constexpr __mmask16 kDwords[16] = {0x0000, 0x000f, 0x00f0, 0x00ff, 0x0f00, 0x0f0f,
                                              0x0ff0, 0x0fff, 0xf000, 0xf00f, 0xf0f0, 0xf0ff,
                                              0xff00, 0xff0f, 0xfff0, 0xffff};
    const __mmask16 dwords = kDwords[(lanes >> (4 * j)) & 0xf];
    load[j] = _mm512_maskz_loadu_epi32(dwords, run + i + 4 * j);
  }
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

OPENEN_AVX512_TARGET size_t Avx512Passes(const DayIndex::Filter& filter, const crypto::Rpi* run,
                                         size_t n, uint32_t* out) {
  size_t k = 0, i = 0;
  for (; i + 16 <= n; i += 16) k += Avx512Step(filter, run, i, 0xffff, out + k);
  if (i < n) k += Avx512Step(filter, run, i, static_cast<__mmask16>((1u << (n - i)) - 1), out + k);
  return k;
}
#endif

FilterPassesFn Choose() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) return Avx512Passes;
#endif
  return PortablePasses;
}

}  // namespace

size_t FilterPasses(const DayIndex::Filter& filter, const crypto::Rpi* run, size_t n,
                    uint32_t* out) {
  static const FilterPassesFn fn = Choose();
  return fn(filter, run, n, out);
}

std::vector<FilterPassesKernel> FilterPassesKernels() {
  std::vector<FilterPassesKernel> out = {{"portable", PortablePasses}};
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) out.push_back({"avx512", Avx512Passes});
#endif
  return out;
}

}  // namespace openen::client::internal
