// What every `shoplake bench` reports: medians over runs and percentiles over samples.
#pragma once

#include <algorithm>
#include <vector>

namespace shoplake::cli {

// The nearest-rank percentile, `fraction` in [0, 1]; 0 for no samples.
inline double percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1))];
}

inline double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace shoplake::cli
