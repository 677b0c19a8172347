// The shop's recent minutes as flat ring buffers, one slot per event-time minute: everything a
// baseline needs, for at most the horizon it was sized for. A slot remembers which minute it holds,
// so a stale slot is never mistaken for a recent one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "shoplake/core/minute_summary.hpp"

namespace shoplake::alert::rules {

// What a rule judges or a volume minimum counts, each summed over a window of minutes
// (conversion: buyers over active users, both summed).
enum class Quantity : std::uint8_t { events, active_users, buyers, orders, revenue, conversion };
inline constexpr std::size_t kQuantityCount = 6;

class MinuteHistory {
 public:
  explicit MinuteHistory(std::size_t capacity_minutes);

  // Minutes are numbered from the epoch (minute_ms / 60,000) and must increase; a gap leaves the
  // skipped minutes unheld.
  void append(std::int64_t minute, const core::MinuteSummary& summary);

  std::uint64_t minutes_seen() const { return minutes_seen_; }
  std::optional<std::int64_t> last_minute() const { return last_minute_; }
  bool holds(std::int64_t minute) const;

  // The quantity over the minutes [end − width + 1, end]; nullopt unless all of them are held
  // (or, for conversion, when nobody was active).
  std::optional<double> window_value(Quantity quantity, std::int64_t end,
                                     std::uint32_t width) const;

  // A minute inside a window where a rule breached: the shop was not itself, so no baseline takes
  // a window that holds it, and an anomaly does not become its own yardstick.
  void exclude(std::int64_t minute);
  // A held window of no excluded minute: one a baseline may learn from.
  bool usable(std::int64_t end, std::uint32_t width) const;

  // The latest held minute at or before `end` with an order, searching back at most `limit`.
  std::optional<std::int64_t> last_minute_with_orders(std::int64_t end, std::int64_t limit) const;

 private:
  struct Sums {
    double events = 0;
    double active_users = 0;
    double buyers = 0;
    double orders = 0;
    double revenue = 0;
  };
  std::size_t slot_of(std::int64_t minute) const;
  Sums window_sums(std::int64_t end, std::uint32_t width) const;

  std::size_t capacity_;
  std::vector<std::int64_t> minute_of_slot_;
  std::vector<Sums> values_;
  std::vector<std::uint8_t> excluded_;
  std::optional<std::int64_t> last_minute_;
  std::uint64_t minutes_seen_ = 0;
};

}  // namespace shoplake::alert::rules
