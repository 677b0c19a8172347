// The simulator's random numbers: a small fast generator whose output is the same with every
// compiler and standard library, so that a seed names the same shop everywhere. (The std::
// distributions are not used on purpose: their algorithms differ between standard libraries.)
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace shoplake::sim {

// splitmix64's output function (Steele, Lea, Flood): a strong 64-bit mix. Used to seed the
// generator and to derive per-entity attributes from (seed, index) without keeping state.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Natural logarithm of x in (0, 1], to about 1e-14 absolute: the exponent from the bits and the
// series 2·atanh(s) for the mantissa. Plain arithmetic, so identical on every platform, and several
// times faster than std::log, which dominated the simulator's profile through its random gaps.
inline double log_unit_interval(double x) {
  std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  double mantissa = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  if (mantissa > 1.4142135623730951) {  // centre the mantissa on 1: [0.707, 1.414)
    mantissa *= 0.5;
    ++exponent;
  }
  const double s = (mantissa - 1) / (mantissa + 1);  // |s| < 0.172
  const double s2 = s * s;
  const double series =
      s *
      (2 +
       s2 * (2.0 / 3 +
             s2 * (2.0 / 5 +
                   s2 * (2.0 / 7 +
                         s2 * (2.0 / 9 + s2 * (2.0 / 11 + s2 * (2.0 / 13 + s2 * (2.0 / 15))))))));
  return exponent * 0.6931471805599453 + series;
}

// Quantiles of Exp(1) at i/256, i = 0 … 256 (the last one, infinity, is never read): the table
// behind Random::exponential.
struct ExponentialQuantiles {
  std::array<double, 257> at;
  ExponentialQuantiles() {
    for (int i = 0; i < 256; ++i) at[i] = -log_unit_interval(1.0 - i / 256.0);
    at[256] = 0;
  }
};
inline const ExponentialQuantiles kExponentialQuantiles;

// xoshiro256** 1.0 (Blackman, Vigna): 256 bits of state, a few cycles per number.
class Random {
 public:
  explicit Random(std::uint64_t seed) {
    for (auto& word : state_) {
      word = mix64(seed);
      seed += 0x9e3779b97f4a7c15ULL;
    }
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform in (0, 1]: never zero, so its logarithm is finite.
  double uniform_positive() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }

  bool chance(double probability) { return uniform() < probability; }

  // Uniform in [0, n) by multiply-shift; its bias (below 2^-32) is far under anything we measure.
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
  }

  // Exponentially distributed with the given mean, by inverting the distribution function from a
  // table: the top 8 bits of one random number pick a 1/256 slice of probability, the next 45
  // interpolate linearly within it. The last slice is the tail, exact by memorylessness: beyond its
  // start the remaining excess is Exp(1) again. A table lookup instead of a logarithm for all but
  // 1 draw in 256: random gaps are the simulator's most frequent draw.
  double exponential(double mean) {
    const std::uint64_t bits = next();
    const auto slice = static_cast<std::size_t>(bits >> 56);
    const double within =
        static_cast<double>((bits >> 11) & ((std::uint64_t{1} << 45) - 1)) * 0x1.0p-45;
    const auto& at = kExponentialQuantiles.at;
    if (slice < 255) return mean * (at[slice] + (at[slice + 1] - at[slice]) * within);
    return mean * (at[255] - log_unit_interval(uniform_positive()));
  }

  // Geometric on {0, 1, 2, …}: failures before the first success of a trial with probability
  // `stop`, given as log(1 - stop) so the caller computes the logarithm once. Callers cap it.
  std::uint32_t geometric(double log_continue) {
    return static_cast<std::uint32_t>(log_unit_interval(uniform_positive()) / log_continue);
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

}  // namespace shoplake::sim
