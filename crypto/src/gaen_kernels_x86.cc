// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The x86-64 derivation kernels: SHA-NI for the RPIK's HKDF, AES-NI or VAES
// for the 144 identifiers. Every function that uses the instructions carries
// a target attribute, so that this file builds for the baseline x86-64 and no
// instruction runs before the CPU check says it may.

#include "gaen_kernels.h"

#if defined(__x86_64__)

#include <cpuid.h>
#include <immintrin.h>

#include "sha256_constants.h"

#define OPENEN_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))
#define OPENEN_AES_TARGET __attribute__((target("aes,sse4.1")))
#define OPENEN_VAES_TARGET __attribute__((target("vaes,avx2,aes,sse4.1")))
#define OPENEN_INLINE inline __attribute__((always_inline))

namespace openen::crypto::internal {
namespace {

// ---------------------------------------------------------------- CPU check

struct X86Features {
  bool sha_ni = false, aes_ni = false, vaes_avx2 = false;
};

X86Features Detect() {
  X86Features f;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return f;
  const bool ssse3 = (c & bit_SSSE3) != 0, sse41 = (c & bit_SSE4_1) != 0;
  const bool aes = (c & bit_AES) != 0, osxsave = (c & bit_OSXSAVE) != 0, avx = (c & bit_AVX) != 0;
  unsigned a7 = 0, b7 = 0, c7 = 0, d7 = 0;
  if (__get_cpuid_count(7, 0, &a7, &b7, &c7, &d7) == 0) return f;
  const bool sha = (b7 & bit_SHA) != 0, avx2 = (b7 & bit_AVX2) != 0, vaes = (c7 & (1u << 9)) != 0;
  // The OS saves the YMM registers (XCR0 bits 1 and 2).
  bool ymm_state = false;
  if (osxsave) {
    unsigned lo = 0, hi = 0;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    ymm_state = (lo & 6) == 6;
  }
  f.sha_ni = sha && ssse3 && sse41;
  f.aes_ni = aes && sse41;
  f.vaes_avx2 = f.aes_ni && vaes && avx && avx2 && ymm_state;
  return f;
}

const X86Features& Features() {
  static const X86Features f = Detect();
  return f;
}

// ------------------------------------------------------------------ SHA-NI
//
// A SHA-256 state is held as SHA-NI wants it: ABEF and CDGH (high lane
// first). Message blocks are four vectors of words, already in host order.

struct Sha {
  __m128i abef, cdgh;
};

OPENEN_SHA_TARGET OPENEN_INLINE __m128i Words(uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3) {
  return _mm_set_epi32(static_cast<int>(w3), static_cast<int>(w2), static_cast<int>(w1),
                       static_cast<int>(w0));
}

OPENEN_SHA_TARGET OPENEN_INLINE __m128i LoadBigEndianWords(const uint8_t* p) {
  const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
  return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), bswap);
}

OPENEN_SHA_TARGET OPENEN_INLINE void StoreBigEndianWords(__m128i w, uint8_t* p) {
  const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm_shuffle_epi8(w, bswap));
}

OPENEN_SHA_TARGET OPENEN_INLINE Sha InitialState() {
  const uint32_t* h = kSha256Iv;
  return Sha{Words(h[5], h[4], h[1], h[0]), Words(h[7], h[6], h[3], h[2])};
}

// The digest's words H0..H3 and H4..H7, as the next block's message words.
OPENEN_SHA_TARGET OPENEN_INLINE __m128i DigestLow(const Sha& s) {
  return _mm_shuffle_epi32(_mm_unpackhi_epi64(s.cdgh, s.abef), 0x1B);
}
OPENEN_SHA_TARGET OPENEN_INLINE __m128i DigestHigh(const Sha& s) {
  return _mm_shuffle_epi32(_mm_unpacklo_epi64(s.cdgh, s.abef), 0x1B);
}

OPENEN_SHA_TARGET OPENEN_INLINE void Rounds4(Sha& s, __m128i w, int group) {
  __m128i m =
      _mm_add_epi32(w, _mm_load_si128(reinterpret_cast<const __m128i*>(kSha256K + 4 * group)));
  s.cdgh = _mm_sha256rnds2_epu32(s.cdgh, s.abef, m);
  m = _mm_shuffle_epi32(m, 0x0E);
  s.abef = _mm_sha256rnds2_epu32(s.abef, s.cdgh, m);
  // cdgh now holds ABEF after two rounds, which is CDGH after four.
}

// Schedule computes message words 4g..4g+3 from the previous sixteen, in
// place of words 4g-16..4g-13.
OPENEN_SHA_TARGET OPENEN_INLINE void Schedule(__m128i w[4], int g) {
  __m128i x = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
  x = _mm_add_epi32(x, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
  w[g & 3] = _mm_sha256msg2_epu32(x, w[(g + 3) & 3]);
}

// Compress2 runs two independent compressions side by side: each one's
// rounds wait on the previous round's result, so two chains keep the SHA
// unit busy where one leaves it idle half the time.
OPENEN_SHA_TARGET OPENEN_INLINE void Compress2(Sha& x, __m128i wx[4], Sha& y, __m128i wy[4]) {
  const Sha x0 = x, y0 = y;
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    if (g >= 4) {
      Schedule(wx, g);
      Schedule(wy, g);
    }
    Rounds4(x, wx[g & 3], g);
    Rounds4(y, wy[g & 3], g);
  }
  x.abef = _mm_add_epi32(x.abef, x0.abef);
  x.cdgh = _mm_add_epi32(x.cdgh, x0.cdgh);
  y.abef = _mm_add_epi32(y.abef, y0.abef);
  y.cdgh = _mm_add_epi32(y.cdgh, y0.cdgh);
}

// KeyBlock: a 32-byte HMAC key (as words) XOR pad, then pad to 64 bytes.
OPENEN_SHA_TARGET OPENEN_INLINE void KeyBlock(const Sha& key, uint32_t pad, __m128i w[4]) {
  const __m128i p = _mm_set1_epi32(static_cast<int>(pad));
  w[0] = _mm_xor_si128(DigestLow(key), p);
  w[1] = _mm_xor_si128(DigestHigh(key), p);
  w[2] = p;
  w[3] = p;
}

// DigestBlock: a 32-byte digest, 0x80, zeros and the bit length.
OPENEN_SHA_TARGET OPENEN_INLINE void DigestBlock(const Sha& inner, __m128i w[4]) {
  w[0] = DigestLow(inner);
  w[1] = DigestHigh(inner);
  w[2] = Words(0x80000000, 0, 0, 0);
  w[3] = Words(0, 0, 0, kDigestBits);
}

struct SaltStates {
  Sha inner, outer;  // HMAC's states after the zero salt's padded key block
};

OPENEN_SHA_TARGET SaltStates ComputeSaltStates() {
  SaltStates s{InitialState(), InitialState()};
  const __m128i ipad = _mm_set1_epi32(static_cast<int>(kIpadWord));
  const __m128i opad = _mm_set1_epi32(static_cast<int>(kOpadWord));
  __m128i wi[4] = {ipad, ipad, ipad, ipad}, wo[4] = {opad, opad, opad, opad};
  Compress2(s.inner, wi, s.outer, wo);
  return s;
}

// Rpik2 derives the RPIKs of two TEKs, six compressions each, in pairs.
OPENEN_SHA_TARGET void Rpik2(const uint8_t* tek_x, const uint8_t* tek_y, uint8_t* out_x,
                             uint8_t* out_y) {
  static const SaltStates salt = ComputeSaltStates();
  static const uint8_t info[16] = {'E', 'N', '-', 'R', 'P', 'I', 'K', 0x01, 0x80};
  const __m128i pad = Words(0x80000000, 0, 0, 0), zero = _mm_setzero_si128();
  // Extract: PRK = HMAC(zero salt, TEK).
  Sha x = salt.inner, y = salt.inner;
  __m128i wx[4] = {LoadBigEndianWords(tek_x), pad, zero, Words(0, 0, 0, kTekBits)};
  __m128i wy[4] = {LoadBigEndianWords(tek_y), wx[1], wx[2], wx[3]};
  Compress2(x, wx, y, wy);
  DigestBlock(x, wx);
  DigestBlock(y, wy);
  x = salt.outer;
  y = salt.outer;
  Compress2(x, wx, y, wy);  // x, y = the PRKs
  // Expand: T(1) = HMAC(PRK, "EN-RPIK" || 0x01), of which 16 bytes.
  Sha xi = InitialState(), xo = InitialState(), yi = InitialState(), yo = InitialState();
  __m128i wxi[4], wxo[4], wyi[4], wyo[4];
  KeyBlock(x, kIpadWord, wxi);
  KeyBlock(x, kOpadWord, wxo);
  KeyBlock(y, kIpadWord, wyi);
  KeyBlock(y, kOpadWord, wyo);
  Compress2(xi, wxi, xo, wxo);
  Compress2(yi, wyi, yo, wyo);
  const __m128i info_words = LoadBigEndianWords(info);
  __m128i ix[4] = {info_words, zero, zero, Words(0, 0, 0, kInfoBits)};
  __m128i iy[4] = {ix[0], ix[1], ix[2], ix[3]};
  Compress2(xi, ix, yi, iy);
  DigestBlock(xi, wx);
  DigestBlock(yi, wy);
  Compress2(xo, wx, yo, wy);
  StoreBigEndianWords(DigestLow(xo), out_x);
  StoreBigEndianWords(DigestLow(yo), out_y);
}

OPENEN_SHA_TARGET void ShaniRpiks(const uint8_t* teks, size_t n, uint8_t* out) {
  size_t i = 0;
  for (; i + 2 <= n; i += 2)
    Rpik2(teks + 16 * i, teks + 16 * (i + 1), out + 16 * i, out + 16 * (i + 1));
  if (i < n) {
    uint8_t spare[16];
    Rpik2(teks + 16 * i, teks + 16 * i, out + 16 * i, spare);
  }
}

// ------------------------------------------------------------------ AES-NI

OPENEN_AES_TARGET OPENEN_INLINE __m128i ExpandStep(__m128i key, __m128i assist) {
  assist = _mm_shuffle_epi32(assist, 0xFF);
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, assist);
}

// ExpandKeys2 expands two keys side by side: each round of the schedule
// waits on the one before, so two chains keep the AES unit busy.
OPENEN_AES_TARGET void AesniExpandKeys(const uint8_t* keys, size_t n, uint8_t* round_keys) {
  for (size_t i = 0; i < n; i += 2) {
    const size_t j = i + 1 < n ? i + 1 : i;  // an odd last key is expanded twice
    __m128i x[11], y[11];
    x[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(keys + 16 * i));
    y[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(keys + 16 * j));
    // The round constant is an immediate operand: one line per round.
#define OPENEN_EXPAND(r, rcon)                                            \
  x[r] = ExpandStep(x[r - 1], _mm_aeskeygenassist_si128(x[r - 1], rcon)); \
  y[r] = ExpandStep(y[r - 1], _mm_aeskeygenassist_si128(y[r - 1], rcon))
    OPENEN_EXPAND(1, 0x01);
    OPENEN_EXPAND(2, 0x02);
    OPENEN_EXPAND(3, 0x04);
    OPENEN_EXPAND(4, 0x08);
    OPENEN_EXPAND(5, 0x10);
    OPENEN_EXPAND(6, 0x20);
    OPENEN_EXPAND(7, 0x40);
    OPENEN_EXPAND(8, 0x80);
    OPENEN_EXPAND(9, 0x1b);
    OPENEN_EXPAND(10, 0x36);
#undef OPENEN_EXPAND
    for (int r = 0; r < 11; ++r) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(round_keys + kAesRoundKeysSize * i + 16 * r),
                       x[r]);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(round_keys + kAesRoundKeysSize * j + 16 * r),
                       y[r]);
    }
  }
}

// The AES input "EN-RPI" || zeros || LE32(interval), less the interval, as
// little-endian words.
constexpr uint32_t kPaddedWord0 = 'E' | 'N' << 8 | '-' << 16 | 'R' << 24;
constexpr uint32_t kPaddedWord1 = 'P' | 'I' << 8;

OPENEN_AES_TARGET OPENEN_INLINE __m128i IntervalWord(uint32_t interval) {
  return _mm_set_epi32(static_cast<int>(interval), 0, 0, 0);
}

OPENEN_AES_TARGET OPENEN_INLINE __m128i EncryptOne(const __m128i k[11], __m128i b) {
#pragma GCC unroll 9
  for (int r = 1; r < 10; ++r) b = _mm_aesenc_si128(b, k[r]);
  return _mm_aesenclast_si128(b, k[10]);
}

OPENEN_AES_TARGET OPENEN_INLINE void LoadRoundKeys(const uint8_t* round_keys, __m128i k[11]) {
  for (int r = 0; r < 11; ++r)
    k[r] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(round_keys + 16 * r));
}

// EncryptTail encrypts blocks |from|..|n| one at a time.
OPENEN_AES_TARGET OPENEN_INLINE void EncryptTail(const __m128i k[11], __m128i first_block,
                                                 uint32_t first, size_t from, size_t n,
                                                 uint8_t* out) {
  for (size_t i = from; i < n; ++i) {
    const __m128i b = _mm_xor_si128(first_block, IntervalWord(first + static_cast<uint32_t>(i)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * i), EncryptOne(k, b));
  }
}

OPENEN_AES_TARGET void AesniRpiRun(const uint8_t round_keys[kAesRoundKeysSize], uint32_t first,
                                   size_t n, uint8_t* out) {
  __m128i k[11];
  LoadRoundKeys(round_keys, k);
  // Round 0's key addition, done once for the constant words.
  const __m128i base = _mm_xor_si128(
      _mm_set_epi32(0, 0, static_cast<int>(kPaddedWord1), static_cast<int>(kPaddedWord0)), k[0]);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i b[8];
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j)
      b[j] = _mm_xor_si128(base, IntervalWord(first + static_cast<uint32_t>(i + j)));
#pragma GCC unroll 9
    for (int r = 1; r < 10; ++r) {
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) b[j] = _mm_aesenc_si128(b[j], k[r]);
    }
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * (i + j)),
                       _mm_aesenclast_si128(b[j], k[10]));
    }
  }
  EncryptTail(k, base, first, i, n, out);
}

// -------------------------------------------------------------------- VAES
//
// Two blocks per 256-bit register, eight registers in flight: a day's 144
// identifiers are nine rounds of the loop.

OPENEN_VAES_TARGET void VaesRpiRun(const uint8_t round_keys[kAesRoundKeysSize], uint32_t first,
                                   size_t n, uint8_t* out) {
  __m128i k[11];
  LoadRoundKeys(round_keys, k);
  __m256i k2[11];
  for (int r = 0; r < 11; ++r) k2[r] = _mm256_broadcastsi128_si256(k[r]);
  const __m128i base = _mm_xor_si128(
      _mm_set_epi32(0, 0, static_cast<int>(kPaddedWord1), static_cast<int>(kPaddedWord0)), k[0]);
  const __m256i base2 = _mm256_broadcastsi128_si256(base);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i b[8];
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      const int lo = static_cast<int>(first + static_cast<uint32_t>(i + 2 * j));
      b[j] = _mm256_xor_si256(base2, _mm256_set_epi32(lo + 1, 0, 0, 0, lo, 0, 0, 0));
    }
#pragma GCC unroll 9
    for (int r = 1; r < 10; ++r) {
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) b[j] = _mm256_aesenc_epi128(b[j], k2[r]);
    }
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 16 * (i + 2 * j)),
                          _mm256_aesenclast_epi128(b[j], k2[10]));
    }
  }
  EncryptTail(k, base, first, i, n, out);
}

constexpr GaenKernels kShaniAesni = {"x86-shani-aesni", ShaniRpiks, AesniExpandKeys, AesniRpiRun};
constexpr GaenKernels kShaniVaes = {"x86-shani-vaes", ShaniRpiks, AesniExpandKeys, VaesRpiRun};

}  // namespace

const GaenKernels* X86ShaniAesniKernels() {
  return Features().sha_ni && Features().aes_ni ? &kShaniAesni : nullptr;
}
const GaenKernels* X86ShaniVaesKernels() {
  return Features().sha_ni && Features().vaes_avx2 ? &kShaniVaes : nullptr;
}

}  // namespace openen::crypto::internal

#else  // !__x86_64__

namespace openen::crypto::internal {
const GaenKernels* X86ShaniAesniKernels() { return nullptr; }
const GaenKernels* X86ShaniVaesKernels() { return nullptr; }
}  // namespace openen::crypto::internal

#endif
