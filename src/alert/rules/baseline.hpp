// What a window of the shop usually looks like, from its own history: the same minute of the day
// on previous days once enough days exist (no lag, day/night and all), else a robust trend through
// the trailing minutes extrapolated to now (so that the evening decline does not look like a drop
// against an hour-old median). The rolling baseline leaves out windows that overlap a breach of any
// rule; the same-minute one keeps them, as what recurs at that time every day is the normal.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "minute_history.hpp"
#include "shoplake/alert/detector.hpp"

namespace shoplake::alert::rules {

enum class BaselineKind : std::uint8_t { same_minute, rolling_trend };

// The rolling trend ends this many minutes before the judged window: an anomaly that builds up
// over a few minutes (a traffic drop sinks as sessions under way end) is not yet part of the trend
// it is judged against.
inline constexpr std::int64_t kBaselineGapMinutes = 5;

struct Baseline {
  double expected = 0;  // the usual value of the window
  double scale = 0;     // robust standard deviation of the windows around it (1.4826 × MAD)
  BaselineKind kind = BaselineKind::rolling_trend;
};

// Minutes of history a detector keeps for `config` with windows up to `max_window` minutes.
std::size_t history_capacity(const BaselineConfig& config, std::uint32_t max_window);

class BaselineEstimator {
 public:
  explicit BaselineEstimator(const BaselineConfig& config) : config_(config) {}

  // The usual value of `quantity` over the `width` minutes ending at `end`, from windows that end
  // before the judged one begins; nullopt while too little history is held.
  std::optional<Baseline> estimate(const MinuteHistory& history, Quantity quantity,
                                   std::int64_t end, std::uint32_t width);

 private:
  std::optional<Baseline> same_minute(const MinuteHistory& history, Quantity quantity,
                                      std::int64_t end, std::uint32_t width);
  std::optional<Baseline> rolling_trend(const MinuteHistory& history, Quantity quantity,
                                        std::int64_t end, std::uint32_t width);

  BaselineConfig config_;
  std::vector<double> x_;  // scratch, kept to avoid allocating once a minute
  std::vector<double> y_;
  std::vector<double> day_values_;
  std::vector<double> scratch_outer_;
  std::vector<double> scratch_inner_;
};

}  // namespace shoplake::alert::rules
