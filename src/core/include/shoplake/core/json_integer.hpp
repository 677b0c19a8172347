// Whether a value parsed by nlohmann::json is an integer that T holds. A number past 64 bits
// parses as a float and a large one as unsigned; get<T>() converts either without a check (for
// the float, undefined behaviour), so readers of JSON from files or the network ask this first.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

namespace shoplake::core {

template <typename T>
bool json_integer_fits(const nlohmann::json& value) {
  if (!value.is_number_integer()) return false;
  if (value.is_number_unsigned()) {
    return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  }
  const auto signed_value = value.get<std::int64_t>();
  return signed_value >= std::numeric_limits<T>::min() &&
         signed_value <= std::numeric_limits<T>::max();
}

}  // namespace shoplake::core
