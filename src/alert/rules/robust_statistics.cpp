#include "robust_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace shoplake::alert::rules {

double median_in_place(std::span<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle),
                   values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
  return lower + (upper - lower) / 2;
}

Spread median_and_mad(std::span<const double> values, std::vector<double>& scratch) {
  scratch.assign(values.begin(), values.end());
  Spread spread;
  spread.median = median_in_place(scratch);
  for (std::size_t i = 0; i < values.size(); ++i) scratch[i] = std::abs(values[i] - spread.median);
  spread.mad = median_in_place(scratch);
  return spread;
}

Line repeated_median_line(std::span<const double> x, std::span<const double> y,
                          std::vector<double>& scratch_outer, std::vector<double>& scratch_inner) {
  const std::size_t count = x.size();
  scratch_outer.clear();
  for (std::size_t i = 0; i < count; ++i) {
    scratch_inner.clear();
    for (std::size_t j = 0; j < count; ++j) {
      if (j != i) scratch_inner.push_back((y[j] - y[i]) / (x[j] - x[i]));
    }
    scratch_outer.push_back(median_in_place(scratch_inner));
  }
  Line line;
  line.slope = median_in_place(scratch_outer);
  scratch_outer.clear();
  for (std::size_t i = 0; i < count; ++i) scratch_outer.push_back(y[i] - line.slope * x[i]);
  line.intercept = median_in_place(scratch_outer);
  for (std::size_t i = 0; i < count; ++i) {
    scratch_outer[i] = std::abs(y[i] - (line.intercept + line.slope * x[i]));
  }
  line.residual_mad = median_in_place(scratch_outer);
  return line;
}

}  // namespace shoplake::alert::rules
