#include "dimension_history.hpp"

#include <cmath>
#include <limits>

namespace shoplake::alert::rules {

DimensionHistory::DimensionHistory(std::size_t capacity_minutes, std::size_t max_names)
    : capacity_(capacity_minutes == 0 ? 1 : capacity_minutes),
      max_names_(max_names),
      minute_of_slot_(capacity_, std::numeric_limits<std::int64_t>::min()) {}

std::size_t DimensionHistory::slot_of(std::int64_t minute) const {
  const auto capacity = static_cast<std::int64_t>(capacity_);
  return static_cast<std::size_t>(((minute % capacity) + capacity) % capacity);
}

void DimensionHistory::append(std::int64_t minute, std::span<const core::DimensionValue> values) {
  const std::size_t slot = slot_of(minute);
  minute_of_slot_[slot] = minute;
  for (std::vector<double>& ring : values_) ring[slot] = 0;
  for (const core::DimensionValue& value : values) {
    auto found = index_of_name_.find(value.name);
    if (found == index_of_name_.end()) {
      if (names_.size() >= max_names_) continue;
      found = index_of_name_.emplace(value.name, names_.size()).first;
      names_.push_back(value.name);
      values_.emplace_back(capacity_, 0.0);  // absent before: zero
    }
    if (std::isfinite(value.value)) values_[found->second][slot] += value.value;
  }
}

std::optional<double> DimensionHistory::window_sum(std::size_t index, std::int64_t end,
                                                   std::uint32_t width) const {
  if (width == 0 || width > capacity_) return std::nullopt;
  double sum = 0;
  for (std::int64_t minute = end - width + 1; minute <= end; ++minute) {
    const std::size_t slot = slot_of(minute);
    if (minute_of_slot_[slot] != minute) return std::nullopt;
    sum += values_[index][slot];
  }
  return sum;
}

}  // namespace shoplake::alert::rules
