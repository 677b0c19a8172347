#include "shoplake/core/uuid.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <random>

namespace shoplake::core {

std::string new_uuid_v4() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const std::uint64_t high = random();
  const std::uint64_t low = random();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff,
                     high & 0xfff, ((low >> 48) & 0x3fff) | 0x8000, low & 0xffffffffffffULL);
}

}  // namespace shoplake::core
