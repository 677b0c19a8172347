#include "shoplake/sim/traffic.hpp"

#include <array>
#include <cmath>

#include "shoplake/core/time.hpp"

namespace shoplake::sim {

namespace {

// Relative traffic at the middle of each UTC hour. Shaped after typical European/US-evening
// e-commerce curves: a deep night trough, a morning climb, a lunch bump, an evening peak.
constexpr std::array<double, 24> kHourAnchors = {
    0.45, 0.30, 0.22, 0.18, 0.18, 0.22, 0.35, 0.55, 0.75, 0.90, 1.00, 1.05,
    1.15, 1.10, 1.05, 1.05, 1.10, 1.25, 1.45, 1.65, 1.80, 1.70, 1.30, 0.85,
};

// Linear interpolation between equally spaced points of a periodic curve has the same mean as
// the points, so dividing by the points' mean makes the curve's daily mean exactly 1.
constexpr double anchor_mean() {
  double sum = 0;
  for (const double value : kHourAnchors) sum += value;
  return sum / static_cast<double>(kHourAnchors.size());
}

constexpr std::array<double, 7> kWeekdayWeights = {1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.3};

constexpr double weekday_mean() {
  double sum = 0;
  for (const double value : kWeekdayWeights) sum += value;
  return sum / static_cast<double>(kWeekdayWeights.size());
}

}  // namespace

double hour_of_day_factor(double hour) {
  // Anchor i sits at hour i + 0.5.
  double position = hour - 0.5;
  if (position < 0) position += 24;
  const auto index = static_cast<std::size_t>(position) % 24;
  const double fraction = position - std::floor(position);
  const double value =
      kHourAnchors[index] + (kHourAnchors[(index + 1) % 24] - kHourAnchors[index]) * fraction;
  return value / anchor_mean();
}

double day_of_week_factor(int weekday) {
  return kWeekdayWeights[static_cast<std::size_t>(weekday)] / weekday_mean();
}

int weekday_of(std::int64_t ts_ms) {
  std::int64_t days = ts_ms / core::kMillisPerDay;
  if (ts_ms % core::kMillisPerDay < 0) --days;
  // 1970-01-01 was a Thursday (weekday 3).
  return static_cast<int>(((days + 3) % 7 + 7) % 7);
}

double traffic_factor(std::int64_t ts_ms) {
  std::int64_t in_day = ts_ms % core::kMillisPerDay;
  if (in_day < 0) in_day += core::kMillisPerDay;
  const double hour = static_cast<double>(in_day) / static_cast<double>(core::kMillisPerHour);
  return hour_of_day_factor(hour) * day_of_week_factor(weekday_of(ts_ms));
}

}  // namespace shoplake::sim
