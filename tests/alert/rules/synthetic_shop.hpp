// Made-up minutes for unit tests: a shop whose every number is chosen by the test, with a small
// fixed wobble so that baselines see noise but every run is the same.
#pragma once

#include <cstdint>
#include <vector>

#include "shoplake/alert/detector.hpp"
#include "shoplake/core/minute_summary.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::alert::testing {

// 2026-11-25 (a Wednesday) 00:00 UTC, as an epoch minute.
inline constexpr std::int64_t kDayZeroMinute = 20782LL * 24 * 60;

struct ShopMinute {
  double events = 1000;
  double mobile_share = 0.4;  // of events; the rest is web
  double users_per_event = 0.5;
  double orders = 0;  // per minute; buyers = orders
  double order_value = 50;
  double electronics_price_factor = 1;  // electronics makes 60 % of revenue at factor 1
  double wobble = 0.03;                 // ± this share, fixed pattern by minute
};

// The summary of `minute` (an epoch minute) for a shop shaped like `shape`.
core::MinuteSummary synthetic_minute(std::int64_t minute, const ShopMinute& shape);

// Feeds minutes [first, first + count) of `shape` into `detector`; returns every alert.
std::vector<Alert> feed(AnomalyDetector& detector, std::int64_t first, std::int64_t count,
                        const ShopMinute& shape);

inline std::int64_t minute_ms(std::int64_t minute) {
  return minute * core::kMillisPerMinute;
}

}  // namespace shoplake::alert::testing
