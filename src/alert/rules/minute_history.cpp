#include "minute_history.hpp"

#include <cmath>
#include <limits>

namespace shoplake::alert::rules {

namespace {

constexpr std::int64_t kNoMinute = std::numeric_limits<std::int64_t>::min();

}  // namespace

MinuteHistory::MinuteHistory(std::size_t capacity_minutes)
    : capacity_(capacity_minutes == 0 ? 1 : capacity_minutes),
      minute_of_slot_(capacity_, kNoMinute),
      values_(capacity_),
      excluded_(capacity_, 0) {}

std::size_t MinuteHistory::slot_of(std::int64_t minute) const {
  const auto capacity = static_cast<std::int64_t>(capacity_);
  return static_cast<std::size_t>(((minute % capacity) + capacity) % capacity);
}

void MinuteHistory::append(std::int64_t minute, const core::MinuteSummary& summary) {
  const std::size_t slot = slot_of(minute);
  minute_of_slot_[slot] = minute;
  values_[slot] =
      Sums{static_cast<double>(summary.events), static_cast<double>(summary.active_users),
           static_cast<double>(summary.buyers), static_cast<double>(summary.orders),
           std::isfinite(summary.revenue) ? summary.revenue : 0.0};
  excluded_[slot] = 0;
  last_minute_ = minute;
  ++minutes_seen_;
}

bool MinuteHistory::holds(std::int64_t minute) const {
  return minute != kNoMinute && minute_of_slot_[slot_of(minute)] == minute;
}

MinuteHistory::Sums MinuteHistory::window_sums(std::int64_t end, std::uint32_t width) const {
  Sums sums;
  for (std::int64_t minute = end - width + 1; minute <= end; ++minute) {
    const Sums& one = values_[slot_of(minute)];
    sums.events += one.events;
    sums.active_users += one.active_users;
    sums.buyers += one.buyers;
    sums.orders += one.orders;
    sums.revenue += one.revenue;
  }
  return sums;
}

std::optional<double> MinuteHistory::window_value(Quantity quantity, std::int64_t end,
                                                  std::uint32_t width) const {
  if (width == 0 || width > capacity_) return std::nullopt;
  // Slots hold consecutive minutes only if both ends are held and nothing between was skipped:
  // append() numbers slots by minute, so checking each minute is the honest test.
  for (std::int64_t minute = end - width + 1; minute <= end; ++minute) {
    if (!holds(minute)) return std::nullopt;
  }
  const Sums sums = window_sums(end, width);
  switch (quantity) {
    case Quantity::events:
      return sums.events;
    case Quantity::active_users:
      return sums.active_users;
    case Quantity::buyers:
      return sums.buyers;
    case Quantity::orders:
      return sums.orders;
    case Quantity::revenue:
      return sums.revenue;
    case Quantity::conversion:
      if (sums.active_users <= 0) return std::nullopt;
      return sums.buyers / sums.active_users;
  }
  return std::nullopt;
}

void MinuteHistory::exclude(std::int64_t minute) {
  if (holds(minute)) excluded_[slot_of(minute)] = 1;
}

bool MinuteHistory::usable(std::int64_t end, std::uint32_t width) const {
  if (width == 0 || width > capacity_) return false;
  for (std::int64_t minute = end - width + 1; minute <= end; ++minute) {
    if (!holds(minute) || excluded_[slot_of(minute)] != 0) return false;
  }
  return true;
}

std::optional<std::int64_t> MinuteHistory::last_minute_with_orders(std::int64_t end,
                                                                   std::int64_t limit) const {
  for (std::int64_t minute = end; minute > end - limit; --minute) {
    if (!holds(minute)) continue;
    if (values_[slot_of(minute)].orders > 0) return minute;
  }
  return std::nullopt;
}

}  // namespace shoplake::alert::rules
