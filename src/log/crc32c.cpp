#include "crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace shoplake::log::crc32c {
namespace {

constexpr std::uint32_t kReflectedPolynomial = 0x82F63B78;

using SliceTables = std::array<std::array<std::uint32_t, 256>, 8>;

// tables[k][b] is the CRC of byte b followed by k zero bytes, so eight table lookups fold eight
// input bytes at once.
constexpr SliceTables make_slice_tables() {
  SliceTables tables{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1U) ? kReflectedPolynomial : 0U);
    tables[0][byte] = crc;
  }
  for (std::size_t byte = 0; byte < 256; ++byte) {
    for (std::size_t slice = 1; slice < 8; ++slice) {
      const std::uint32_t previous = tables[slice - 1][byte];
      tables[slice][byte] = (previous >> 8) ^ tables[0][previous & 0xFFU];
    }
  }
  return tables;
}

constexpr SliceTables kSliceTables = make_slice_tables();

std::uint64_t load_little_endian_u64(const std::byte* data) {
  std::uint64_t value = 0;
  std::memcpy(&value, data, sizeof value);
  return value;  // x86-64 and aarch64 Linux are little-endian, which the framing assumes too
}

}  // namespace

std::uint32_t extend_portable(std::uint32_t crc, const std::byte* data, std::size_t size) {
  std::uint32_t state = ~crc;
  const auto byte_step = [&state](std::byte value) {
    state = (state >> 8) ^ kSliceTables[0][(state ^ static_cast<std::uint32_t>(value)) & 0xFFU];
  };
  while (size >= 8) {
    const std::uint64_t word = load_little_endian_u64(data) ^ state;
    state = kSliceTables[7][word & 0xFFU] ^ kSliceTables[6][(word >> 8) & 0xFFU] ^
            kSliceTables[5][(word >> 16) & 0xFFU] ^ kSliceTables[4][(word >> 24) & 0xFFU] ^
            kSliceTables[3][(word >> 32) & 0xFFU] ^ kSliceTables[2][(word >> 40) & 0xFFU] ^
            kSliceTables[1][(word >> 48) & 0xFFU] ^ kSliceTables[0][word >> 56];
    data += 8;
    size -= 8;
  }
  while (size-- > 0) byte_step(*data++);
  return ~state;
}

#if defined(__x86_64__)

__attribute__((target("sse4.2"))) std::uint32_t extend_hardware(std::uint32_t crc,
                                                                const std::byte* data,
                                                                std::size_t size) {
  std::uint64_t state = ~crc;
  while (size >= 8) {
    state = _mm_crc32_u64(state, load_little_endian_u64(data));
    data += 8;
    size -= 8;
  }
  auto narrow_state = static_cast<std::uint32_t>(state);
  while (size-- > 0) narrow_state = _mm_crc32_u8(narrow_state, static_cast<std::uint8_t>(*data++));
  return ~narrow_state;
}

bool hardware_available() {
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
}

#else

std::uint32_t extend_hardware(std::uint32_t crc, const std::byte* data, std::size_t size) {
  return extend_portable(crc, data, size);
}

bool hardware_available() {
  return false;
}

#endif

std::uint32_t extend(std::uint32_t crc, const std::byte* data, std::size_t size) {
  static const auto implementation = hardware_available() ? &extend_hardware : &extend_portable;
  return implementation(crc, data, size);
}

}  // namespace shoplake::log::crc32c
