// Statistics that a few wild minutes cannot drag: the median, the median absolute deviation and
// a line fitted by repeated medians (Siegel), which stays put until half its points are outliers.
#pragma once

#include <span>
#include <vector>

namespace shoplake::alert::rules {

// The factor that turns a MAD into a standard deviation for normally distributed noise.
inline constexpr double kMadToSigma = 1.4826;

// The median of `values`, which it reorders. NaN if empty.
double median_in_place(std::span<double> values);

// Median and MAD of `values` (unchanged); `scratch` is reused between calls to avoid allocation.
struct Spread {
  double median = 0;
  double mad = 0;
};
Spread median_and_mad(std::span<const double> values, std::vector<double>& scratch);

// y = intercept + slope × x through the points (x distinct), by repeated medians: the slope is
// the median over points of the median slope to every other point, the intercept the median of
// y − slope × x. Also the MAD of the residuals. Needs at least two points.
struct Line {
  double intercept = 0;
  double slope = 0;
  double residual_mad = 0;
};
Line repeated_median_line(std::span<const double> x, std::span<const double> y,
                          std::vector<double>& scratch_outer, std::vector<double>& scratch_inner);

}  // namespace shoplake::alert::rules
