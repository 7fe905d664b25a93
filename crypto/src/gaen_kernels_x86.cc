// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The x86-64 derivation kernels: SHA-NI or AVX-512 for the RPIK's HKDF,
// AES-NI or VAES for the 144 identifiers. Every function that uses the
// instructions carries a target attribute, so that this file builds for the
// baseline x86-64 and no instruction runs before the CPU check says it may.

#include "gaen_kernels.h"

#if defined(__x86_64__)

#include <cpuid.h>
#include <immintrin.h>

#include <algorithm>

#include "sha256_constants.h"

#define OPENEN_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))
#define OPENEN_AES_TARGET __attribute__((target("aes,sse4.1")))
#define OPENEN_VAES_TARGET __attribute__((target("vaes,avx2,aes,sse4.1")))
#define OPENEN_AVX512_TARGET __attribute__((target("avx512f,sha,sse4.1,ssse3")))
#define OPENEN_VAES512_TARGET __attribute__((target("vaes,avx512f,avx512bw,avx2,aes,sse4.1")))
#define OPENEN_INLINE inline __attribute__((always_inline))

// GCC 12 sees the undefined pass-through operand inside its AVX-512
// intrinsics as uninitialized; it is never read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace openen::crypto::internal {
namespace {

// ---------------------------------------------------------------- CPU check

struct X86Features {
  bool sha_ni = false, aes_ni = false, vaes_avx2 = false, avx512 = false;
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
  // The OS saves the YMM registers (XCR0 bits 1 and 2), and the ZMM ones
  // (bits 5 to 7 besides).
  bool ymm_state = false, zmm_state = false;
  if (osxsave) {
    unsigned lo = 0, hi = 0;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    ymm_state = (lo & 0x06) == 0x06;
    zmm_state = (lo & 0xE6) == 0xE6;
  }
  f.sha_ni = sha && ssse3 && sse41;
  f.aes_ni = aes && sse41;
  f.vaes_avx2 = f.aes_ni && vaes && avx && avx2 && ymm_state;
  f.avx512 = (b7 & bit_AVX512F) != 0 && (b7 & bit_AVX512BW) != 0 && zmm_state;
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

// CompressN runs N independent compressions side by side: each one's
// rounds wait on the previous round's result, so several chains keep the SHA
// unit busy where one leaves it idle most of the time.
template <int N>
OPENEN_SHA_TARGET OPENEN_INLINE void CompressN(Sha* s, __m128i (*w)[4]) {
  Sha start[N];
  for (int k = 0; k < N; ++k) start[k] = s[k];
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    if (g >= 4) {
#pragma GCC unroll 4
      for (int k = 0; k < N; ++k) Schedule(w[k], g);
    }
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) Rounds4(s[k], w[k][g & 3], g);
  }
  for (int k = 0; k < N; ++k) {
    s[k].abef = _mm_add_epi32(s[k].abef, start[k].abef);
    s[k].cdgh = _mm_add_epi32(s[k].cdgh, start[k].cdgh);
  }
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
  Sha s[2] = {InitialState(), InitialState()};
  const __m128i ipad = _mm_set1_epi32(static_cast<int>(kIpadWord));
  const __m128i opad = _mm_set1_epi32(static_cast<int>(kOpadWord));
  __m128i w[2][4] = {{ipad, ipad, ipad, ipad}, {opad, opad, opad, opad}};
  CompressN<2>(s, w);
  return SaltStates{s[0], s[1]};
}

const SaltStates& Salt() {
  static const SaltStates salt = ComputeSaltStates();
  return salt;
}

// The block of HKDF-Expand's first step: "EN-RPIK" || 0x01, then the padding.
constexpr uint32_t kInfoWord0 = 'E' << 24 | 'N' << 16 | '-' << 8 | 'R';
constexpr uint32_t kInfoWord1 = 'P' << 24 | 'I' << 16 | 'K' << 8 | 0x01;

// RpikN derives the RPIKs of N consecutive TEKs: HKDF-SHA256(TEK, no salt,
// "EN-RPIK", 16) in six compressions each, N at a time.
template <int N>
OPENEN_SHA_TARGET void RpikN(const uint8_t* teks, uint8_t* out) {
  Sha s[N], t[N];
  __m128i w[N][4], v[N][4];
  // Extract: PRK = HMAC(zero salt, TEK).
  for (int k = 0; k < N; ++k) {
    s[k] = Salt().inner;
    w[k][0] = LoadBigEndianWords(teks + 16 * k);
    w[k][1] = Words(0x80000000, 0, 0, 0);
    w[k][2] = _mm_setzero_si128();
    w[k][3] = Words(0, 0, 0, kTekBits);
  }
  CompressN<N>(s, w);
  for (int k = 0; k < N; ++k) {
    DigestBlock(s[k], w[k]);
    s[k] = Salt().outer;
  }
  CompressN<N>(s, w);
  // Expand: T(1) = HMAC(PRK, "EN-RPIK" || 0x01), of which 16 bytes.
  for (int k = 0; k < N; ++k) {
    KeyBlock(s[k], kIpadWord, w[k]);
    KeyBlock(s[k], kOpadWord, v[k]);
    s[k] = t[k] = InitialState();
  }
  CompressN<N>(s, w);
  CompressN<N>(t, v);
  for (int k = 0; k < N; ++k) {
    w[k][0] = Words(kInfoWord0, kInfoWord1, 0x80000000, 0);
    w[k][1] = w[k][2] = _mm_setzero_si128();
    w[k][3] = Words(0, 0, 0, kInfoBits);
  }
  CompressN<N>(s, w);
  for (int k = 0; k < N; ++k) DigestBlock(s[k], w[k]);
  CompressN<N>(t, w);
  for (int k = 0; k < N; ++k) StoreBigEndianWords(DigestLow(t[k]), out + 16 * k);
}

OPENEN_SHA_TARGET void ShaniRpiks(const uint8_t* teks, size_t n, uint8_t* out) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) RpikN<4>(teks + 16 * i, out + 16 * i);
  for (; i < n; ++i) RpikN<1>(teks + 16 * i, out + 16 * i);
}

// ----------------------------------------------------------------- AVX-512
//
// Sixteen keys' HKDF in the lanes of 512-bit registers, word j of every
// state in one register: on CPUs whose vector units rotate and combine
// three operands in one instruction, faster than SHA-NI (measured on AMD
// Zen 4: 70 ns a key against 97 with four keys in flight on SHA-NI).

struct Lanes {
  __m512i h[8];
};

OPENEN_AVX512_TARGET OPENEN_INLINE __m512i Splat(uint32_t x) {
  return _mm512_set1_epi32(static_cast<int>(x));
}

// Xor3 and Choose are ternary-logic operations: a ^ b ^ c, and c ? a : b
// bit by bit (SHA-256's Ch, with e as the selector).
OPENEN_AVX512_TARGET OPENEN_INLINE __m512i Xor3(__m512i a, __m512i b, __m512i c) {
  return _mm512_ternarylogic_epi32(a, b, c, 0x96);
}
OPENEN_AVX512_TARGET OPENEN_INLINE __m512i Choose(__m512i selector, __m512i a, __m512i b) {
  return _mm512_ternarylogic_epi32(selector, a, b, 0xCA);
}

OPENEN_AVX512_TARGET OPENEN_INLINE __m512i ByteSwap(__m512i x) {
  return Choose(Splat(0xFF00FF00), _mm512_ror_epi32(x, 8), _mm512_rol_epi32(x, 8));
}

// CompressLanes runs the sixteen lanes' compression of the block |w|
// (overwritten by its message schedule).
OPENEN_AVX512_TARGET OPENEN_INLINE void CompressLanes(Lanes& s, __m512i w[16]) {
  __m512i a = s.h[0], b = s.h[1], c = s.h[2], d = s.h[3];
  __m512i e = s.h[4], f = s.h[5], g = s.h[6], h = s.h[7];
#pragma GCC unroll 64
  for (int i = 0; i < 64; ++i) {
    if (i >= 16) {
      const __m512i w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
      const __m512i s0 =
          Xor3(_mm512_ror_epi32(w15, 7), _mm512_ror_epi32(w15, 18), _mm512_srli_epi32(w15, 3));
      const __m512i s1 =
          Xor3(_mm512_ror_epi32(w2, 17), _mm512_ror_epi32(w2, 19), _mm512_srli_epi32(w2, 10));
      w[i & 15] =
          _mm512_add_epi32(_mm512_add_epi32(w[i & 15], s0), _mm512_add_epi32(w[(i - 7) & 15], s1));
    }
    const __m512i sum1 =
        Xor3(_mm512_ror_epi32(e, 6), _mm512_ror_epi32(e, 11), _mm512_ror_epi32(e, 25));
    const __m512i t1 = _mm512_add_epi32(
        _mm512_add_epi32(h, sum1),
        _mm512_add_epi32(Choose(e, f, g), _mm512_add_epi32(w[i & 15], Splat(kSha256K[i]))));
    const __m512i sum0 =
        Xor3(_mm512_ror_epi32(a, 2), _mm512_ror_epi32(a, 13), _mm512_ror_epi32(a, 22));
    const __m512i maj = _mm512_ternarylogic_epi32(a, b, c, 0xE8);
    h = g;
    g = f;
    f = e;
    e = _mm512_add_epi32(d, t1);
    d = c;
    c = b;
    b = a;
    a = _mm512_add_epi32(t1, _mm512_add_epi32(sum0, maj));
  }
  const __m512i out[8] = {a, b, c, d, e, f, g, h};
  for (int j = 0; j < 8; ++j) s.h[j] = _mm512_add_epi32(s.h[j], out[j]);
}

OPENEN_AVX512_TARGET OPENEN_INLINE Lanes SplatState(const uint32_t h[8]) {
  Lanes s;
  for (int j = 0; j < 8; ++j) s.h[j] = Splat(h[j]);
  return s;
}

// The zero salt's HMAC states, as words (a SHA-NI state's lanes are
// ABEF and CDGH, high lane first).
struct SaltWords {
  uint32_t inner[8], outer[8];
};

SaltWords ComputeSaltWords() {
  SaltWords out;
  uint32_t* halves[2] = {out.inner, out.outer};
  const Sha states[2] = {Salt().inner, Salt().outer};
  for (int k = 0; k < 2; ++k) {
    alignas(16) uint32_t abef[4], cdgh[4];
    _mm_store_si128(reinterpret_cast<__m128i*>(abef), states[k].abef);
    _mm_store_si128(reinterpret_cast<__m128i*>(cdgh), states[k].cdgh);
    const uint32_t h[8] = {abef[3], abef[2], cdgh[3], cdgh[2], abef[1], abef[0], cdgh[1], cdgh[0]};
    for (int j = 0; j < 8; ++j) halves[k][j] = h[j];
  }
  return out;
}

// DigestMessage: a 32-byte digest as the next block's words, then the
// padding of a message of |bits|.
OPENEN_AVX512_TARGET OPENEN_INLINE void DigestMessage(const Lanes& s, uint32_t bits,
                                                      __m512i w[16]) {
  for (int j = 0; j < 8; ++j) w[j] = s.h[j];
  w[8] = Splat(0x80000000);
  for (int j = 9; j < 15; ++j) w[j] = _mm512_setzero_si512();
  w[15] = Splat(bits);
}

// LanesRpiks derives the RPIKs of the TEKs at |teks| in the lanes set in
// |lanes| (masked loads and stores: the others are neither read nor written).
OPENEN_AVX512_TARGET void LanesRpiks(const uint8_t* teks, __mmask16 lanes, uint8_t* out) {
  static const SaltWords salt = ComputeSaltWords();
  // Word j of lane l is at teks + 16 l + 4 j.
  const __m512i at = _mm512_set_epi32(60, 56, 52, 48, 44, 40, 36, 32, 28, 24, 20, 16, 12, 8, 4, 0);
  const __m512i zero = _mm512_setzero_si512();
  __m512i w[16];
  // Extract: PRK = HMAC(zero salt, TEK).
  Lanes s = SplatState(salt.inner);
  for (int j = 0; j < 4; ++j)
    w[j] = ByteSwap(_mm512_mask_i32gather_epi32(zero, lanes, at, teks + 4 * j, 4));
  w[4] = Splat(0x80000000);
  for (int j = 5; j < 15; ++j) w[j] = zero;
  w[15] = Splat(kTekBits);
  CompressLanes(s, w);
  DigestMessage(s, kDigestBits, w);
  s = SplatState(salt.outer);
  CompressLanes(s, w);
  // Expand: T(1) = HMAC(PRK, "EN-RPIK" || 0x01), of which 16 bytes.
  Lanes inner = SplatState(kSha256Iv), outer = inner;
  for (int j = 0; j < 8; ++j) w[j] = _mm512_xor_si512(s.h[j], Splat(kIpadWord));
  for (int j = 8; j < 16; ++j) w[j] = Splat(kIpadWord);
  CompressLanes(inner, w);
  for (int j = 0; j < 8; ++j) w[j] = _mm512_xor_si512(s.h[j], Splat(kOpadWord));
  for (int j = 8; j < 16; ++j) w[j] = Splat(kOpadWord);
  CompressLanes(outer, w);
  w[0] = Splat(kInfoWord0);
  w[1] = Splat(kInfoWord1);
  w[2] = Splat(0x80000000);
  for (int j = 3; j < 15; ++j) w[j] = zero;
  w[15] = Splat(kInfoBits);
  CompressLanes(inner, w);
  DigestMessage(inner, kDigestBits, w);
  CompressLanes(outer, w);
  for (int j = 0; j < 4; ++j)
    _mm512_mask_i32scatter_epi32(out + 4 * j, lanes, at, ByteSwap(outer.h[j]), 4);
}

// Avx512Rpiks takes sixteen keys at a time, a last eight to fifteen in
// masked lanes, and fewer on SHA-NI.
OPENEN_AVX512_TARGET void Avx512Rpiks(const uint8_t* teks, size_t n, uint8_t* out) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) LanesRpiks(teks + 16 * i, 0xFFFF, out + 16 * i);
  if (n - i >= 8) {
    LanesRpiks(teks + 16 * i, static_cast<__mmask16>((1u << (n - i)) - 1), out + 16 * i);
    return;
  }
  ShaniRpiks(teks + 16 * i, n - i, out + 16 * i);
}

// ------------------------------------------------------------------ AES-NI

OPENEN_AES_TARGET OPENEN_INLINE __m128i ExpandStep(__m128i key, __m128i assist) {
  assist = _mm_shuffle_epi32(assist, 0xFF);
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, assist);
}

// AesniExpandKeys expands two keys side by side: each round of the schedule
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

// PaddedBase is the padded data less its interval, with round 0's key
// added: done once per run for the constant words.
OPENEN_AES_TARGET OPENEN_INLINE __m128i PaddedBase(__m128i round_key0) {
  return _mm_xor_si128(
      _mm_set_epi32(0, 0, static_cast<int>(kPaddedWord1), static_cast<int>(kPaddedWord0)),
      round_key0);
}

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
  const __m128i base = PaddedBase(k[0]);
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
  const __m128i base = PaddedBase(k[0]);
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

// Vaes512ExpandKeys expands four keys per 512-bit register, eight at a
// time. aeskeygenassist has no wider form; in its place, RotWord of word 3 is
// broadcast to the four columns (so that ShiftRows leaves it as it is) and
// aesenclast applies SubWord and adds the round constant.
OPENEN_VAES512_TARGET void Vaes512ExpandKeys(const uint8_t* keys, size_t n, uint8_t* round_keys) {
  const __m512i rot_word = _mm512_set1_epi32(0x0c0f0e0d);  // bytes 13, 14, 15, 12
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m512i x[2] = {_mm512_loadu_si512(keys + 16 * i), _mm512_loadu_si512(keys + 16 * (i + 4))};
    for (int r = 0; r < 11; ++r) {
      if (r > 0) {
        const __m512i rcon = _mm512_set1_epi32(kAesRcon[r - 1]);
#pragma GCC unroll 2
        for (int j = 0; j < 2; ++j) {
          const __m512i t = _mm512_aesenclast_epi128(_mm512_shuffle_epi8(x[j], rot_word), rcon);
          __m512i k = x[j];
          k = _mm512_xor_si512(k, _mm512_bslli_epi128(k, 4));
          k = _mm512_xor_si512(k, _mm512_bslli_epi128(k, 8));
          x[j] = _mm512_xor_si512(k, t);
        }
      }
#pragma GCC unroll 2
      for (int j = 0; j < 2; ++j) {
        uint8_t* at = round_keys + kAesRoundKeysSize * (i + 4 * j) + 16 * r;
        _mm_storeu_si128(reinterpret_cast<__m128i*>(at), _mm512_extracti32x4_epi32(x[j], 0));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(at + kAesRoundKeysSize),
                         _mm512_extracti32x4_epi32(x[j], 1));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(at + 2 * kAesRoundKeysSize),
                         _mm512_extracti32x4_epi32(x[j], 2));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(at + 3 * kAesRoundKeysSize),
                         _mm512_extracti32x4_epi32(x[j], 3));
      }
    }
  }
  if (i < n) AesniExpandKeys(keys + 16 * i, n - i, round_keys + kAesRoundKeysSize * i);
}

// Four blocks per 512-bit register: twelve registers in flight, so that a
// day's 144 identifiers are three rounds of the loop; what is left, four
// registers at a time, then block by block.
template <int R>
OPENEN_VAES512_TARGET OPENEN_INLINE void Vaes512Blocks(const __m512i k4[11], __m512i base4,
                                                       uint32_t first, uint8_t* out) {
  // The interval in word 3 of each block: first + 4 j + lane.
  const __m512i lane = _mm512_set_epi32(3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
  __m512i b[R];
#pragma GCC unroll 12
  for (int j = 0; j < R; ++j) {
    const __m512i interval = _mm512_add_epi32(
        lane,
        _mm512_maskz_set1_epi32(0x8888, static_cast<int>(first + 4 * static_cast<uint32_t>(j))));
    b[j] = _mm512_xor_si512(base4, interval);
  }
#pragma GCC unroll 9
  for (int r = 1; r < 10; ++r) {
#pragma GCC unroll 12
    for (int j = 0; j < R; ++j) b[j] = _mm512_aesenc_epi128(b[j], k4[r]);
  }
#pragma GCC unroll 12
  for (int j = 0; j < R; ++j)
    _mm512_storeu_si512(out + 64 * j, _mm512_aesenclast_epi128(b[j], k4[10]));
}

OPENEN_VAES512_TARGET void Vaes512RpiRun(const uint8_t round_keys[kAesRoundKeysSize],
                                         uint32_t first, size_t n, uint8_t* out) {
  __m128i k[11];
  LoadRoundKeys(round_keys, k);
  const __m128i base = PaddedBase(k[0]);
  __m512i k4[11];
  for (int r = 0; r < 11; ++r) k4[r] = _mm512_broadcast_i32x4(k[r]);
  const __m512i base4 = _mm512_broadcast_i32x4(base);
  size_t i = 0;
  for (; i + 48 <= n; i += 48)
    Vaes512Blocks<12>(k4, base4, first + static_cast<uint32_t>(i), out + 16 * i);
  for (; i + 16 <= n; i += 16)
    Vaes512Blocks<4>(k4, base4, first + static_cast<uint32_t>(i), out + 16 * i);
  EncryptTail(k, base, first, i, n, out);
}

// Avx512RpiRun leaves runs shorter than one step of the wide loop to the
// 256-bit kernel: setting up the 512-bit one costs more than they take (a
// single identifier, RpiDeriver::Compute, three times as much).
void Avx512RpiRun(const uint8_t round_keys[kAesRoundKeysSize], uint32_t first, size_t n,
                  uint8_t* out) {
  if (n < 48) {
    VaesRpiRun(round_keys, first, n, out);
  } else {
    Vaes512RpiRun(round_keys, first, n, out);
  }
}

constexpr GaenKernels kShaniAesni = {"x86-shani-aesni", ShaniRpiks, AesniExpandKeys, AesniRpiRun};
constexpr GaenKernels kShaniVaes = {"x86-shani-vaes", ShaniRpiks, AesniExpandKeys, VaesRpiRun};
constexpr GaenKernels kAvx512Vaes = {"x86-avx512-shani-vaes", Avx512Rpiks, Vaes512ExpandKeys,
                                     Avx512RpiRun};

}  // namespace

const GaenKernels* X86ShaniAesniKernels() {
  return Features().sha_ni && Features().aes_ni ? &kShaniAesni : nullptr;
}
const GaenKernels* X86ShaniVaesKernels() {
  return Features().sha_ni && Features().vaes_avx2 ? &kShaniVaes : nullptr;
}
const GaenKernels* X86Avx512Kernels() {
  const X86Features& f = Features();
  return f.sha_ni && f.vaes_avx2 && f.avx512 ? &kAvx512Vaes : nullptr;
}

}  // namespace openen::crypto::internal

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#else  // !__x86_64__

namespace openen::crypto::internal {
const GaenKernels* X86ShaniAesniKernels() { return nullptr; }
const GaenKernels* X86ShaniVaesKernels() { return nullptr; }
const GaenKernels* X86Avx512Kernels() { return nullptr; }
}  // namespace openen::crypto::internal

#endif
