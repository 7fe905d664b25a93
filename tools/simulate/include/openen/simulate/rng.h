// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// Rng: the simulation's seeded random numbers (xoshiro256** seeded through
// splitmix64), with its own distributions so that a seed gives the same city
// on every compiler and standard library. Not for anything secret: phones'
// keys come from the operating system's generator, as on a real phone.

#ifndef OPENEN_SIMULATE_RNG_H_
#define OPENEN_SIMULATE_RNG_H_

#include <cmath>
#include <cstdint>

namespace openen::simulate {

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Mix hashes a few numbers into one (for per-item streams).
inline uint64_t Mix(uint64_t a, uint64_t b, uint64_t c = 0, uint64_t d = 0) {
  uint64_t s = a;
  uint64_t h = SplitMix64(s);
  s = h ^ b;
  h = SplitMix64(s);
  s = h ^ c;
  h = SplitMix64(s);
  s = h ^ d;
  return SplitMix64(s);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& w : s_) w = SplitMix64(seed);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Int in [lo, hi].
  int Int(int lo, int hi) {
    return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  // Normal(mean, sd) by Box-Muller.
  double Normal(double mean, double sd) {
    double u1 = Uniform();
    while (u1 <= 0) u1 = Uniform();
    const double u2 = Uniform();
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace openen::simulate

#endif  // OPENEN_SIMULATE_RNG_H_
