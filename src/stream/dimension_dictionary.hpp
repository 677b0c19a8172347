// Small integer ids for a dimension's values (categories, sources), so that minute cells are
// keyed by a 16-bit id instead of a string. Holds at most `capacity` values; any value beyond
// them maps to the overflow id, shown as "(other)": a client sending a million categories costs
// nothing more than a client sending the cap.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shoplake::stream {

class DimensionDictionary {
 public:
  static constexpr std::uint16_t kOverflowId = 0;
  static constexpr std::string_view kOverflowName = "(other)";

  explicit DimensionDictionary(std::size_t capacity);

  // The value's id; kOverflowId once the dictionary is full (and `overflowed` is set).
  std::uint16_t id_of(std::string_view value, bool& overflowed);
  std::string_view name(std::uint16_t id) const { return names_[id]; }
  std::size_t size() const { return names_.size(); }  // the overflow entry included
  std::size_t memory_bytes() const;

 private:
  static std::uint64_t hash(std::string_view value);
  void insert_into_table(std::uint16_t id);

  std::size_t capacity_;
  std::vector<std::string> names_;    // by id; names_[0] is the overflow entry
  std::vector<std::uint16_t> table_;  // open addressing: id, or 0 for an empty slot
  std::uint16_t last_id_ = 0;         // the value found last
};

}  // namespace shoplake::stream
