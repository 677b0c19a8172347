// The recent minutes of one breakdown of the shop (events by source, events by category, revenue
// by category), for hints: which part moved most. A ring buffer per name, as long as the rolling
// baseline, for a bounded number of names; a name not in a minute's breakdown counts as zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "shoplake/core/minute_summary.hpp"

namespace shoplake::alert::rules {

class DimensionHistory {
 public:
  // Names beyond `max_names` are not tracked: a breakdown by thousands of values is not a hint.
  DimensionHistory(std::size_t capacity_minutes, std::size_t max_names);

  void append(std::int64_t minute, std::span<const core::DimensionValue> values);

  std::size_t size() const { return names_.size(); }
  const std::string& name(std::size_t index) const { return names_[index]; }
  // The sum over [end − width + 1, end]; nullopt unless all those minutes were appended.
  std::optional<double> window_sum(std::size_t index, std::int64_t end, std::uint32_t width) const;

 private:
  std::size_t slot_of(std::int64_t minute) const;

  std::size_t capacity_;
  std::size_t max_names_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::size_t> index_of_name_;
  std::vector<std::int64_t> minute_of_slot_;
  std::vector<std::vector<double>> values_;  // per name, per slot
};

}  // namespace shoplake::alert::rules
