// How busy the shop is at a given instant, relative to its average: a day/night curve in UTC and a
// weekend effect. The product of both has mean 1 over a week, so a configured mean rate is the
// rate a week of traffic really averages.
#pragma once

#include <cstdint>

namespace shoplake::sim {

// Hour-of-day factor, `hour` in [0, 24) UTC, mean 1 over a day: lowest around 03:00-05:00
// (about 0.2), rising through the working day to a peak around 20:00 (about 1.8), the evening
// when people shop from the sofa. Linear between hourly anchor points, so it has no steps.
double hour_of_day_factor(double hour);

// Day-of-week factor, Monday = 0 … Sunday = 6: Saturday 1.2 and Sunday 1.3 times a weekday (more
// leisure browsing), scaled so the mean over a week is 1.
double day_of_week_factor(int weekday);

int weekday_of(std::int64_t ts_ms);  // Monday = 0, in UTC

// hour_of_day_factor × day_of_week_factor at `ts_ms`.
double traffic_factor(std::int64_t ts_ms);

}  // namespace shoplake::sim
