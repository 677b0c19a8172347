#include "synthetic_shop.hpp"

#include <cmath>

namespace shoplake::alert::testing {

namespace {

// A wobble in [-1, 1] that repeats every 11 minutes and looks like noise to a median.
double wobble_of(std::int64_t minute) {
  const std::int64_t step = ((minute * 7) % 11 + 11) % 11;
  return (static_cast<double>(step) - 5) / 5;
}

}  // namespace

core::MinuteSummary synthetic_minute(std::int64_t minute, const ShopMinute& shape) {
  const double wobble = 1 + shape.wobble * wobble_of(minute);
  core::MinuteSummary summary;
  summary.minute_ms = minute_ms(minute);
  const double events = std::round(shape.events * wobble);
  summary.events = static_cast<std::uint64_t>(events);
  summary.active_users = static_cast<std::uint64_t>(std::round(events * shape.users_per_event));
  const double orders = std::round(shape.orders * wobble);
  summary.orders = static_cast<std::uint64_t>(orders);
  summary.buyers = summary.orders;
  summary.purchases = summary.orders;
  const double electronics = orders * shape.order_value * 0.6 * shape.electronics_price_factor;
  const double books = orders * shape.order_value * 0.4;
  summary.revenue = electronics + books;
  const double mobile = std::round(events * shape.mobile_share);
  summary.events_by_source = {{"web", events - mobile}, {"mobile", mobile}};
  summary.events_by_category = {{"electronics", std::round(events * 0.05)},
                                {"books", std::round(events * 0.03)}};
  summary.revenue_by_category = {{"electronics", electronics}, {"books", books}};
  return summary;
}

std::vector<Alert> feed(AnomalyDetector& detector, std::int64_t first, std::int64_t count,
                        const ShopMinute& shape) {
  std::vector<Alert> alerts;
  for (std::int64_t minute = first; minute < first + count; ++minute) {
    for (Alert& alert : detector.observe(synthetic_minute(minute, shape), minute_ms(minute) + 1)) {
      alerts.push_back(std::move(alert));
    }
  }
  return alerts;
}

}  // namespace shoplake::alert::testing
