// CRC32C (Castagnoli, the polynomial of iSCSI, ext4 and Kafka record batches), the checksum that
// frames every record of the event log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace shoplake::log::crc32c {

// Each `extend` continues `crc`, the finished checksum of the bytes before `data` (0 for none),
// so that extend(extend(0, a), b) == extend(0, a + b).

// Portable slicing-by-8 tables: eight bytes per step, any CPU.
std::uint32_t extend_portable(std::uint32_t crc, const std::byte* data, std::size_t size);

// The SSE4.2 crc32 instruction; call only when hardware_available().
std::uint32_t extend_hardware(std::uint32_t crc, const std::byte* data, std::size_t size);
bool hardware_available();

// The fastest of the two this CPU runs, chosen once.
std::uint32_t extend(std::uint32_t crc, const std::byte* data, std::size_t size);

inline std::uint32_t compute(std::span<const std::byte> data) {
  return extend(0, data.data(), data.size());
}
inline std::uint32_t compute(std::string_view text) {
  return extend(0, reinterpret_cast<const std::byte*>(text.data()), text.size());
}

}  // namespace shoplake::log::crc32c
