// A 64-bit hash for the short strings of events (ids, names), inlined into the hot path: the
// library's std::hash is an out-of-line call that took a tenth of the aggregation's time.
// Eight bytes at a time, each folded in with a multiply; not for untrusted flooding (the sets it
// feeds are bounded by the retention, not by collision resistance).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace shoplake::stream {

__extension__ typedef unsigned __int128 UInt128;  // GCC and clang have it; ISO C++ does not

// The high and low halves of the full product, xored: a fast, well-mixing step.
inline std::uint64_t fold(std::uint64_t a, std::uint64_t b) {
  const UInt128 product = static_cast<UInt128>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

inline std::uint64_t hash_of(std::string_view text) {
  constexpr std::uint64_t kSeed = 0xa0761d6478bd642fULL;
  constexpr std::uint64_t kMix = 0xe7037ed1a0b428dbULL;
  std::uint64_t hash = kSeed ^ text.size();
  const char* data = text.data();
  std::size_t left = text.size();
  while (left >= 8) {
    std::uint64_t word;
    std::memcpy(&word, data, 8);
    hash = fold(hash ^ word, kMix);
    data += 8;
    left -= 8;
  }
  if (left > 0) {
    std::uint64_t word = 0;
    std::memcpy(&word, data, left);
    hash = fold(hash ^ word, kMix ^ left);
  }
  return fold(hash, kSeed);
}

}  // namespace shoplake::stream
