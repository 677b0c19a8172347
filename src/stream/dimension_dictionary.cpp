#include "dimension_dictionary.hpp"

#include "string_hash.hpp"

#include <algorithm>
#include <bit>
#include <functional>
#include <limits>

namespace shoplake::stream {

DimensionDictionary::DimensionDictionary(std::size_t capacity)
    : capacity_(std::clamp<std::size_t>(capacity, 1, std::numeric_limits<std::uint16_t>::max())),
      names_{std::string(kOverflowName)},
      table_(std::bit_ceil((capacity_ + 1) * 2), 0) {}

std::uint64_t DimensionDictionary::hash(std::string_view value) {
  return hash_of(value);
}

void DimensionDictionary::insert_into_table(std::uint16_t id) {
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = hash(names_[id]) & mask;; i = (i + 1) & mask) {
    if (table_[i] == 0) {
      table_[i] = id;
      return;
    }
  }
}

std::uint16_t DimensionDictionary::id_of(std::string_view value, bool& overflowed) {
  // Consecutive events mostly repeat a value (a source, a category): no hash for those.
  if (last_id_ != 0 && names_[last_id_] == value) return last_id_;
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = hash(value) & mask;; i = (i + 1) & mask) {
    const std::uint16_t id = table_[i];
    if (id == 0) break;
    if (names_[id] == value) return last_id_ = id;
  }
  if (names_.size() > capacity_) {
    overflowed = true;
    return kOverflowId;
  }
  const auto id = static_cast<std::uint16_t>(names_.size());
  names_.emplace_back(value);
  insert_into_table(id);
  return last_id_ = id;
}

std::size_t DimensionDictionary::memory_bytes() const {
  std::size_t bytes =
      table_.capacity() * sizeof(std::uint16_t) + names_.capacity() * sizeof(std::string);
  for (const auto& name : names_) bytes += name.capacity();
  return bytes;
}

}  // namespace shoplake::stream
