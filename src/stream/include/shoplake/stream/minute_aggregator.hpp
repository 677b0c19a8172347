// The speed layer's state: event-time one-minute windows over the retention, today's KPIs in the
// configured time zone, a watermark with an allowed lateness. Single-threaded; the stream engine
// owns one and guards it. Memory is bounded by the retention and the dimension caps, whatever
// the key cardinality: closed minutes keep counts only, open minutes also keep the distinct sets.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/event.hpp"
#include "shoplake/core/minute_summary.hpp"
#include "shoplake/core/result.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/core/time_zone.hpp"

namespace shoplake::stream {

struct AggregatorOptions {
  // A minute accepts events until the newest event time passes its end by this much; later ones
  // are counted as late and left to the batch layer.
  std::int64_t allowed_lateness_ms = 5 * core::kMillisPerMinute;
  std::int64_t retention_ms = 7 * core::kMillisPerDay;  // minute rows kept for queries
  // A minute is summarized for the anomaly rules this long after its end, in event time: long
  // before it closes, so that an alert is not held back by the allowed lateness.
  std::int64_t settle_delay_ms = 10 * core::kMillisPerSecond;
  // Distinct categories and sources kept; beyond them, values are counted under "(other)".
  std::size_t max_categories = 256;
  std::size_t max_sources = 64;
  core::TimeZone time_zone = core::TimeZone::utc();
};

// One minute's totals, as realtime.events_per_minute and realtime.revenue_per_minute show them.
struct MinuteTotals {
  std::int64_t minute_ms = 0;
  std::array<std::uint64_t, core::kEventTypeCount> events_by_type{};
  double revenue = 0;
  std::uint64_t purchases = 0;
  std::uint64_t orders = 0;
};

// One (minute, category) of realtime.category_velocity.
struct CategoryMinute {
  std::int64_t minute_ms = 0;
  std::string_view category;
  std::uint64_t units_sold = 0;
  double revenue = 0;
};

// realtime.kpis_today: the local day so far.
struct DayKpis {
  std::int64_t local_day = 0;  // days since 1970-01-01 in the configured time zone
  std::uint64_t events = 0;
  std::uint64_t active_users = 0;
  std::uint64_t buyers = 0;
  std::uint64_t orders = 0;
  std::uint64_t purchases = 0;  // order lines
  double revenue = 0;
  std::uint64_t sessions_with_cart = 0;
  std::uint64_t sessions_with_purchase = 0;  // of those with a cart
  std::int64_t last_event_ms = 0;
  double average_order_value() const { return orders == 0 ? 0 : revenue / orders; }
  double conversion_rate() const {
    return active_users == 0 ? 0 : static_cast<double>(buyers) / active_users;
  }
  std::uint64_t abandoned_sessions() const { return sessions_with_cart - sessions_with_purchase; }
  double abandonment_rate() const {
    return sessions_with_cart == 0 ? 0
                                   : static_cast<double>(abandoned_sessions()) / sessions_with_cart;
  }
};

struct AggregatorCounters {
  std::uint64_t counted_events = 0;
  std::uint64_t late_events = 0;            // their minute had closed, or is past the retention
  std::uint64_t duplicate_order_lines = 0;  // purchases of an order line already counted: skipped
  std::uint64_t dimension_overflows = 0;    // events counted under "(other)"
};

// Minutes [from_ms, until_ms) of the read side; the default is every minute kept.
struct MinuteRange {
  std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();
  std::int64_t until_ms = std::numeric_limits<std::int64_t>::max();
};

// Revenue is summed in millionths, so that a sum does not depend on the order events arrive in
// and a recount of the same events gives the same number exactly.
std::int64_t revenue_micros(double price, std::int32_t quantity);

class MinuteAggregator {
 public:
  explicit MinuteAggregator(AggregatorOptions options = {});
  ~MinuteAggregator();
  MinuteAggregator(MinuteAggregator&&) noexcept;
  MinuteAggregator& operator=(MinuteAggregator&&) noexcept;

  // Counts one event. Minutes the event's time settles are appended to `settled`, oldest first.
  void add(const core::EventView& event, std::vector<core::MinuteSummary>& settled);
  // Moves the event-time clock forward without an event (a source gone quiet), closing and
  // settling the minutes it passes.
  void advance_clock(std::int64_t event_time_ms, std::vector<core::MinuteSummary>& settled);
  std::int64_t clock_ms() const;  // the newest event time seen or advanced to; 0 before any

  // The read side, oldest minute first, over the retention (and `range`).
  void visit_minutes(const std::function<void(const MinuteTotals&)>& visit,
                     MinuteRange range = {}) const;
  void visit_categories(const std::function<void(const CategoryMinute&)>& visit,
                        MinuteRange range = {}) const;
  // Minutes before this one (epoch ms of its start) take no more events: their rows are final.
  // The lowest int64 before any event.
  std::int64_t final_before_ms() const;
  // The oldest minute the retention keeps (epoch ms), or the lowest int64 before any event.
  std::int64_t oldest_kept_ms() const;
  // Every settled minute still kept, oldest first, for a detector that starts after a restart.
  std::vector<core::MinuteSummary> settled_history() const;
  DayKpis today() const;

  AggregatorCounters counters() const;
  std::size_t memory_bytes() const;

  // The whole state, for a checkpoint; restore() refuses bytes it did not write.
  void save(std::string& out) const;
  static core::Result<MinuteAggregator> restore(std::string_view bytes, AggregatorOptions options);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::stream
