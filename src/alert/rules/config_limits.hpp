// The ranges the rules file accepts, shared with the detector, which holds a config built in code
// to the same ranges (so that no value can make it allocate without bound or divide by zero).
#pragma once

#include <cstdint>

#include "shoplake/alert/detector.hpp"

namespace shoplake::alert::rules {

struct IntegerRange {
  std::uint32_t min;
  std::uint32_t max;
};

inline constexpr IntegerRange kWindowMinutes{1, 60};
inline constexpr IntegerRange kRunMinutes{1, 60};          // consecutive_minutes, resolve_minutes
inline constexpr IntegerRange kIntervalMinutes{0, 10080};  // warm-up, cooldown, repeat: a week
inline constexpr IntegerRange kHistoryDays{1, 28};
inline constexpr IntegerRange kSameMinuteDays{0, 28};  // 0: never the same-minute baseline
inline constexpr IntegerRange kSameMinuteMargin{0, 120};
inline constexpr IntegerRange kRollingMinutes{10, 1440};
inline constexpr double kMaxZThreshold = 100;
inline constexpr double kMaxVolume = 1e12;

// `config` with every integer brought into its range.
AlertRulesConfig clamped(AlertRulesConfig config);

}  // namespace shoplake::alert::rules
