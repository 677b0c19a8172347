#include "baseline.hpp"

#include <algorithm>

#include "robust_statistics.hpp"

namespace shoplake::alert::rules {

namespace {

constexpr std::int64_t kMinutesPerDay = 24 * 60;

// A window the rolling baseline may learn from: held, and overlapping no breach.
std::optional<double> unexcluded_sample(const MinuteHistory& history, Quantity quantity,
                                        std::int64_t end, std::uint32_t width) {
  if (!history.usable(end, width)) return std::nullopt;
  return history.window_value(quantity, end, width);
}

}  // namespace

std::size_t history_capacity(const BaselineConfig& config, std::uint32_t max_window) {
  // The oldest minute read is the first minute of a window ending `margin` before the same
  // minute `history_days` ago, or of the oldest window the rolling baseline looks back to.
  const std::size_t same_minute_reach =
      static_cast<std::size_t>(config.history_days) * kMinutesPerDay + config.same_minute_margin;
  const std::size_t rolling_reach =
      2 * static_cast<std::size_t>(config.rolling_minutes) + max_window;
  return std::max(same_minute_reach, rolling_reach) + max_window + 1;
}

std::optional<Baseline> BaselineEstimator::estimate(const MinuteHistory& history, Quantity quantity,
                                                    std::int64_t end, std::uint32_t width) {
  if (auto baseline = same_minute(history, quantity, end, width)) return baseline;
  return rolling_trend(history, quantity, end, width);
}

std::optional<Baseline> BaselineEstimator::same_minute(const MinuteHistory& history,
                                                       Quantity quantity, std::int64_t end,
                                                       std::uint32_t width) {
  if (config_.same_minute_days == 0) return std::nullopt;
  const auto margin = static_cast<std::int64_t>(config_.same_minute_margin);
  y_.clear();
  std::uint32_t days = 0;
  for (std::uint32_t day = 1; day <= config_.history_days; ++day) {
    const std::int64_t centre = end - static_cast<std::int64_t>(day) * kMinutesPerDay;
    day_values_.clear();
    // Breaches count here: what happens at this time every day (the noon sale) is the normal,
    // and one odd day among several moves a median little.
    for (std::int64_t offset = -margin; offset <= margin; ++offset) {
      if (const auto value = history.window_value(quantity, centre + offset, width)) {
        day_values_.push_back(*value);
      }
    }
    // A day counts when it holds most of the minutes around the same time: a day half missing
    // (the shop was down, the detector was not running) says little about this minute.
    if (day_values_.size() < static_cast<std::size_t>(margin) + 1) continue;
    ++days;
    y_.insert(y_.end(), day_values_.begin(), day_values_.end());
  }
  if (days < config_.same_minute_days) return std::nullopt;
  const Spread spread = median_and_mad(y_, scratch_outer_);
  return Baseline{spread.median, kMadToSigma * spread.mad, BaselineKind::same_minute};
}

std::optional<Baseline> BaselineEstimator::rolling_trend(const MinuteHistory& history,
                                                         Quantity quantity, std::int64_t end,
                                                         std::uint32_t width) {
  // The latest `rolling_minutes` windows that overlap no breach, looking back twice as far so
  // that an incident up to that long (the exclusion limit) still leaves a full window before it.
  const std::size_t wanted = config_.rolling_minutes;
  const std::int64_t newest_end = end - width - kBaselineGapMinutes;
  const std::int64_t oldest_end = newest_end - 2 * static_cast<std::int64_t>(wanted) + 1;
  x_.clear();
  y_.clear();
  for (std::int64_t sample_end = newest_end; sample_end >= oldest_end && y_.size() < wanted;
       --sample_end) {
    if (const auto value = unexcluded_sample(history, quantity, sample_end, width)) {
      x_.push_back(static_cast<double>(sample_end - end));
      y_.push_back(*value);
    }
  }
  // Half the window: enough for the fit, and a long run of excluded (breaching) windows makes
  // the baseline unavailable rather than a guess from a handful of minutes.
  const std::size_t needed = std::max<std::size_t>(3, config_.rolling_minutes / 2);
  if (y_.size() < needed) return std::nullopt;
  const Line line = repeated_median_line(x_, y_, scratch_outer_, scratch_inner_);
  // The line at x = 0 is the judged window; a falling trend is not extrapolated below zero.
  return Baseline{std::max(0.0, line.intercept), kMadToSigma * line.residual_mad,
                  BaselineKind::rolling_trend};
}

}  // namespace shoplake::alert::rules
