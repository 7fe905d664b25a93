// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// The ARMv8 derivation kernel: the SHA2 instructions for the RPIK's HKDF (two
// keys' compressions side by side) and the AES instructions for the
// identifiers (eight blocks in flight). The functions carry a target
// attribute, so that this file builds for baseline ARMv8-A and nothing runs
// before the HWCAP check says the CPU has the instructions.

#include "gaen_kernels.h"

#if defined(__aarch64__)

#include <arm_neon.h>
#if defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include <cstring>

#include "sha256_constants.h"

#define OPENEN_CE_TARGET __attribute__((target("+crypto")))
#define OPENEN_INLINE inline __attribute__((always_inline))

namespace openen::crypto::internal {
namespace {

bool HasCryptoExtensions() {
#if defined(__linux__)  // Linux and Android
  const unsigned long hwcap = getauxval(AT_HWCAP);
  return (hwcap & HWCAP_AES) != 0 && (hwcap & HWCAP_SHA2) != 0;
#elif defined(__APPLE__)
  return true;  // every Apple arm64 CPU has them
#else
  return false;  // no way to ask here: the portable kernel
#endif
}

// ---------------------------------------------------------------- SHA2

struct Sha {
  uint32x4_t abcd, efgh;
};

OPENEN_CE_TARGET OPENEN_INLINE uint32x4_t Words(uint32_t w0, uint32_t w1, uint32_t w2,
                                                uint32_t w3) {
  const uint32_t w[4] = {w0, w1, w2, w3};
  return vld1q_u32(w);
}

OPENEN_CE_TARGET OPENEN_INLINE uint32x4_t LoadBigEndianWords(const uint8_t* p) {
  return vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p)));
}

OPENEN_CE_TARGET OPENEN_INLINE void StoreBigEndianWords(uint32x4_t w, uint8_t* p) {
  vst1q_u8(p, vrev32q_u8(vreinterpretq_u8_u32(w)));
}

OPENEN_CE_TARGET OPENEN_INLINE Sha InitialState() {
  return Sha{vld1q_u32(kSha256Iv), vld1q_u32(kSha256Iv + 4)};
}

OPENEN_CE_TARGET OPENEN_INLINE void Rounds4(Sha& s, uint32x4_t w, int group) {
  const uint32x4_t wk = vaddq_u32(w, vld1q_u32(kSha256K + 4 * group));
  const uint32x4_t abcd = s.abcd;
  s.abcd = vsha256hq_u32(s.abcd, s.efgh, wk);
  s.efgh = vsha256h2q_u32(s.efgh, abcd, wk);
}

OPENEN_CE_TARGET OPENEN_INLINE void Schedule(uint32x4_t w[4], int g) {
  w[g & 3] =
      vsha256su1q_u32(vsha256su0q_u32(w[g & 3], w[(g + 1) & 3]), w[(g + 2) & 3], w[(g + 3) & 3]);
}

OPENEN_CE_TARGET OPENEN_INLINE void Compress2(Sha& x, uint32x4_t wx[4], Sha& y, uint32x4_t wy[4]) {
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
  x.abcd = vaddq_u32(x.abcd, x0.abcd);
  x.efgh = vaddq_u32(x.efgh, x0.efgh);
  y.abcd = vaddq_u32(y.abcd, y0.abcd);
  y.efgh = vaddq_u32(y.efgh, y0.efgh);
}

OPENEN_CE_TARGET OPENEN_INLINE void KeyBlock(const Sha& key, uint32_t pad, uint32x4_t w[4]) {
  const uint32x4_t p = vdupq_n_u32(pad);
  w[0] = veorq_u32(key.abcd, p);
  w[1] = veorq_u32(key.efgh, p);
  w[2] = p;
  w[3] = p;
}

OPENEN_CE_TARGET OPENEN_INLINE void DigestBlock(const Sha& inner, uint32x4_t w[4]) {
  w[0] = inner.abcd;
  w[1] = inner.efgh;
  w[2] = Words(0x80000000, 0, 0, 0);
  w[3] = Words(0, 0, 0, kDigestBits);
}

struct SaltStates {
  Sha inner, outer;
};

OPENEN_CE_TARGET SaltStates ComputeSaltStates() {
  SaltStates s{InitialState(), InitialState()};
  const uint32x4_t ipad = vdupq_n_u32(kIpadWord), opad = vdupq_n_u32(kOpadWord);
  uint32x4_t wi[4] = {ipad, ipad, ipad, ipad}, wo[4] = {opad, opad, opad, opad};
  Compress2(s.inner, wi, s.outer, wo);
  return s;
}

OPENEN_CE_TARGET void Rpik2(const uint8_t* tek_x, const uint8_t* tek_y, uint8_t* out_x,
                            uint8_t* out_y) {
  static const SaltStates salt = ComputeSaltStates();
  static const uint8_t info[16] = {'E', 'N', '-', 'R', 'P', 'I', 'K', 0x01, 0x80};
  const uint32x4_t pad = Words(0x80000000, 0, 0, 0), zero = vdupq_n_u32(0);
  Sha x = salt.inner, y = salt.inner;
  uint32x4_t wx[4] = {LoadBigEndianWords(tek_x), pad, zero, Words(0, 0, 0, kTekBits)};
  uint32x4_t wy[4] = {LoadBigEndianWords(tek_y), wx[1], wx[2], wx[3]};
  Compress2(x, wx, y, wy);
  DigestBlock(x, wx);
  DigestBlock(y, wy);
  x = salt.outer;
  y = salt.outer;
  Compress2(x, wx, y, wy);
  Sha xi = InitialState(), xo = InitialState(), yi = InitialState(), yo = InitialState();
  uint32x4_t wxi[4], wxo[4], wyi[4], wyo[4];
  KeyBlock(x, kIpadWord, wxi);
  KeyBlock(x, kOpadWord, wxo);
  KeyBlock(y, kIpadWord, wyi);
  KeyBlock(y, kOpadWord, wyo);
  Compress2(xi, wxi, xo, wxo);
  Compress2(yi, wyi, yo, wyo);
  const uint32x4_t info_words = LoadBigEndianWords(info);
  uint32x4_t ix[4] = {info_words, zero, zero, Words(0, 0, 0, kInfoBits)};
  uint32x4_t iy[4] = {ix[0], ix[1], ix[2], ix[3]};
  Compress2(xi, ix, yi, iy);
  DigestBlock(xi, wx);
  DigestBlock(yi, wy);
  Compress2(xo, wx, yo, wy);
  StoreBigEndianWords(xo.abcd, out_x);
  StoreBigEndianWords(yo.abcd, out_y);
}

OPENEN_CE_TARGET void CeRpiks(const uint8_t* teks, size_t n, uint8_t* out) {
  size_t i = 0;
  for (; i + 2 <= n; i += 2)
    Rpik2(teks + 16 * i, teks + 16 * (i + 1), out + 16 * i, out + 16 * (i + 1));
  if (i < n) {
    uint8_t spare[16];
    Rpik2(teks + 16 * i, teks + 16 * i, out + 16 * i, spare);
  }
}

// ----------------------------------------------------------------- AES

// SubWord applies the S-box to each byte of |w|: AESE with a zero round key
// is SubBytes after ShiftRows, and ShiftRows moves nothing when the four
// columns are the same word.
OPENEN_CE_TARGET OPENEN_INLINE uint32_t SubWord(uint32_t w) {
  const uint8x16_t s = vaeseq_u8(vreinterpretq_u8_u32(vdupq_n_u32(w)), vdupq_n_u8(0));
  return vgetq_lane_u32(vreinterpretq_u32_u8(s), 0);
}

OPENEN_CE_TARGET void CeExpandKeys(const uint8_t* keys, size_t n, uint8_t* round_keys) {
  for (size_t k = 0; k < n; ++k) {
    uint32_t w[44];
    std::memcpy(w, keys + 16 * k, 16);  // little-endian words: byte 0 is the low byte
    for (int i = 4; i < 44; ++i) {
      uint32_t t = w[i - 1];
      if (i % 4 == 0) {
        t = SubWord(t);
        t = (t >> 8 | t << 24) ^ kAesRcon[i / 4 - 1];  // RotWord, then Rcon
      }
      w[i] = w[i - 4] ^ t;
    }
    std::memcpy(round_keys + kAesRoundKeysSize * k, w, sizeof(w));
  }
}

OPENEN_CE_TARGET OPENEN_INLINE uint8x16_t EncryptOne(const uint8x16_t k[11], uint8x16_t b) {
#pragma GCC unroll 9
  for (int r = 0; r < 9; ++r) b = vaesmcq_u8(vaeseq_u8(b, k[r]));
  return veorq_u8(vaeseq_u8(b, k[9]), k[10]);
}

OPENEN_CE_TARGET OPENEN_INLINE uint8x16_t Padded(uint32_t interval) {
  const uint32_t words[4] = {'E' | 'N' << 8 | '-' << 16 | 'R' << 24, 'P' | 'I' << 8, 0, interval};
  return vreinterpretq_u8_u32(vld1q_u32(words));
}

OPENEN_CE_TARGET void CeRpiRun(const uint8_t round_keys[kAesRoundKeysSize], uint32_t first,
                               size_t n, uint8_t* out) {
  uint8x16_t k[11];
  for (int r = 0; r < 11; ++r) k[r] = vld1q_u8(round_keys + 16 * r);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint8x16_t b[8];
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) b[j] = Padded(first + static_cast<uint32_t>(i + j));
#pragma GCC unroll 9
    for (int r = 0; r < 9; ++r) {
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) b[j] = vaesmcq_u8(vaeseq_u8(b[j], k[r]));
    }
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j)
      vst1q_u8(out + 16 * (i + j), veorq_u8(vaeseq_u8(b[j], k[9]), k[10]));
  }
  for (; i < n; ++i)
    vst1q_u8(out + 16 * i, EncryptOne(k, Padded(first + static_cast<uint32_t>(i))));
}

constexpr GaenKernels kCe = {"arm64-ce", CeRpiks, CeExpandKeys, CeRpiRun};

}  // namespace

const GaenKernels* Arm64CeKernels() { return HasCryptoExtensions() ? &kCe : nullptr; }

}  // namespace openen::crypto::internal

#else  // !__aarch64__

namespace openen::crypto::internal {
const GaenKernels* Arm64CeKernels() { return nullptr; }
}  // namespace openen::crypto::internal

#endif
