#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "shoplake/sim/simulator.hpp"
#include "shoplake/stream/minute_aggregator.hpp"

namespace shoplake::stream {
namespace {

using core::Event;
using core::EventType;
using core::kMillisPerMinute;

constexpr std::int64_t kStartMs = 1767225600000;  // 2026-01-01T00:00:00Z, a Thursday

std::int64_t minute_of(std::int64_t ts) {
  return ts / kMillisPerMinute * kMillisPerMinute;
}

std::vector<Event> simulate(std::uint64_t seed, double events_per_second, std::int64_t hours) {
  sim::SimulatorConfig config;
  config.seed = seed;
  config.start_ms = kStartMs;
  config.end_ms = kStartMs + hours * core::kMillisPerHour;
  config.events_per_second = events_per_second;
  sim::Simulator simulator(config);
  std::vector<Event> events;
  core::EventView view;
  while (simulator.next(view)) events.emplace_back(view);
  return events;
}

// Delivery the way clients do it: every 7th event up to 3 minutes late (within the allowed
// lateness), and every 5th purchase delivered twice.
std::vector<Event> deliver_out_of_order_with_duplicates(const std::vector<Event>& events) {
  std::vector<Event> delivered;
  std::multimap<std::int64_t, Event> held;  // release time -> event
  std::size_t purchases = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& event = events[i];
    while (!held.empty() && held.begin()->first <= event.ts_ms) {
      delivered.push_back(held.begin()->second);
      held.erase(held.begin());
    }
    if (i % 7 == 3) {
      held.emplace(event.ts_ms + static_cast<std::int64_t>(i % 180) * 1000, event);
    } else {
      delivered.push_back(event);
    }
    if (event.type == EventType::purchase && purchases++ % 5 == 0) delivered.push_back(event);
  }
  for (auto& [release, event] : held) delivered.push_back(event);
  return delivered;
}

void add_all(MinuteAggregator& aggregator, const std::vector<Event>& events,
             std::vector<core::MinuteSummary>* settled = nullptr) {
  std::vector<core::MinuteSummary> ignored;
  for (const Event& event : events) {
    const core::EventView view = event.view();
    aggregator.add(view, settled ? *settled : ignored);
  }
}

// The tables recounted the plain way, from the events as generated (each once, in order).
struct Recount {
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> events_per_minute;
  std::map<std::int64_t, std::tuple<std::int64_t, std::int64_t, std::int64_t>> revenue_per_minute;
  std::map<std::pair<std::int64_t, std::string>, std::pair<std::int64_t, std::int64_t>>
      category_velocity;
};

Recount recount(const std::vector<Event>& events) {
  Recount expected;
  std::map<std::int64_t, std::set<std::string>> orders;
  for (const Event& event : events) {
    const std::int64_t minute = minute_of(event.ts_ms);
    ++expected.events_per_minute[{minute, std::string(core::to_string(event.type))}];
    auto& [revenue, purchases, order_count] = expected.revenue_per_minute[minute];
    if (event.type != EventType::purchase) continue;
    const std::int64_t line = revenue_micros(event.price, event.quantity);
    revenue += line;
    ++purchases;
    if (orders[minute].insert(event.order_id).second) ++order_count;
    auto& [units, category_revenue] = expected.category_velocity[{minute, event.category}];
    units += event.quantity;
    category_revenue += line;
  }
  return expected;
}

std::int64_t micros(double value) {
  return std::llround(value * 1e6);
}

void expect_tables_equal_recount(const MinuteAggregator& aggregator, const Recount& expected) {
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> events_per_minute;
  std::map<std::int64_t, std::tuple<std::int64_t, std::int64_t, std::int64_t>> revenue_per_minute;
  aggregator.visit_minutes([&](const MinuteTotals& minute) {
    for (std::size_t type = 0; type < core::kEventTypeCount; ++type) {
      if (minute.events_by_type[type] == 0) continue;
      events_per_minute[{minute.minute_ms, std::string(core::kEventTypeNames[type])}] =
          static_cast<std::int64_t>(minute.events_by_type[type]);
    }
    revenue_per_minute[minute.minute_ms] = {micros(minute.revenue),
                                            static_cast<std::int64_t>(minute.purchases),
                                            static_cast<std::int64_t>(minute.orders)};
  });
  std::map<std::pair<std::int64_t, std::string>, std::pair<std::int64_t, std::int64_t>>
      category_velocity;
  aggregator.visit_categories([&](const CategoryMinute& cell) {
    category_velocity[{cell.minute_ms, std::string(cell.category)}] = {
        static_cast<std::int64_t>(cell.units_sold), micros(cell.revenue)};
  });
  EXPECT_EQ(events_per_minute, expected.events_per_minute);
  EXPECT_EQ(revenue_per_minute, expected.revenue_per_minute);
  EXPECT_EQ(category_velocity, expected.category_velocity);
}

TEST(MinuteAggregator, TablesEqualARecountForAnySeedDespiteLateAndDuplicateDeliveries) {
  for (const std::uint64_t seed : {1U, 7U, 42U}) {
    SCOPED_TRACE(seed);
    const auto events = simulate(seed, 20, 6);
    ASSERT_GT(events.size(), 100000U);
    MinuteAggregator aggregator;
    add_all(aggregator, deliver_out_of_order_with_duplicates(events));
    expect_tables_equal_recount(aggregator, recount(events));
    const auto counters = aggregator.counters();
    EXPECT_EQ(counters.late_events, 0U);
    EXPECT_GT(counters.duplicate_order_lines, 0U);
  }
}

TEST(MinuteAggregator, TodaysKpisEqualARecountOfTheLastLocalDay) {
  const auto events = simulate(3, 5, 30);  // 2026-01-01 00:00 to 01-02 06:00 UTC
  const auto delivered = deliver_out_of_order_with_duplicates(events);
  for (const char* zone_name : {"UTC", "America/New_York", "Asia/Kolkata"}) {
    SCOPED_TRACE(zone_name);
    auto zone = core::TimeZone::load(zone_name);
    ASSERT_TRUE(zone) << zone.error();
    AggregatorOptions options;
    options.time_zone = zone.value();
    MinuteAggregator aggregator(options);
    add_all(aggregator, delivered);

    const std::int64_t today = zone.value().local_day(events.back().ts_ms);
    std::unordered_set<std::string> users, buyers, orders, carts, purchased;
    std::int64_t revenue = 0, purchases = 0, count = 0;
    for (const Event& event : events) {
      if (zone.value().local_day(event.ts_ms) != today) continue;
      ++count;
      users.insert(event.user_id);
      const std::string session = event.user_id + "/" + event.session_id;
      if (event.type == EventType::add_to_cart && !event.session_id.empty()) carts.insert(session);
      if (event.type != EventType::purchase) continue;
      ++purchases;
      revenue += revenue_micros(event.price, event.quantity);
      buyers.insert(event.user_id);
      orders.insert(event.order_id);
      if (!event.session_id.empty()) purchased.insert(session);
    }
    std::int64_t carts_bought = 0;
    for (const auto& session : purchased) carts_bought += carts.count(session);

    const DayKpis kpis = aggregator.today();
    EXPECT_EQ(kpis.local_day, today);
    EXPECT_EQ(static_cast<std::int64_t>(kpis.events), count);
    EXPECT_EQ(kpis.active_users, users.size());
    EXPECT_EQ(kpis.buyers, buyers.size());
    EXPECT_EQ(kpis.orders, orders.size());
    EXPECT_EQ(static_cast<std::int64_t>(kpis.purchases), purchases);
    EXPECT_EQ(micros(kpis.revenue), revenue);
    EXPECT_EQ(kpis.sessions_with_cart, carts.size());
    EXPECT_EQ(static_cast<std::int64_t>(kpis.sessions_with_purchase), carts_bought);
    EXPECT_GT(kpis.sessions_with_cart, kpis.sessions_with_purchase);
    EXPECT_DOUBLE_EQ(kpis.conversion_rate(),
                     static_cast<double>(buyers.size()) / static_cast<double>(users.size()));
  }
}

Event event_at(std::int64_t ts_ms, EventType type = EventType::view, std::string user = "u1") {
  Event event;
  event.event_id = "e" + std::to_string(ts_ms);
  event.type = type;
  event.ts_ms = ts_ms;
  event.user_id = std::move(user);
  event.session_id = "s1";
  event.source = "web";
  if (core::carries_product(type)) {
    event.product_id = "p1";
    event.category = "books";
    event.price = 10.5;
    event.quantity = 2;
  }
  if (type == EventType::purchase) event.order_id = "o" + std::to_string(ts_ms);
  return event;
}

TEST(MinuteAggregator, LateEventsUpdateTheirMinuteWhileItIsOpenAndAreCountedAfter) {
  MinuteAggregator aggregator;  // 5 minutes of allowed lateness
  add_all(aggregator, {event_at(kStartMs + 10 * kMillisPerMinute)});
  // Minute 5 closes when the clock passes minute 11: still open at minute 10.
  add_all(aggregator, {event_at(kStartMs + 5 * kMillisPerMinute + 30000)});
  add_all(aggregator, {event_at(kStartMs + 11 * kMillisPerMinute)});
  add_all(aggregator, {event_at(kStartMs + 5 * kMillisPerMinute + 40000)});
  std::map<std::int64_t, std::uint64_t> views;
  aggregator.visit_minutes([&](const MinuteTotals& minute) {
    views[(minute.minute_ms - kStartMs) / kMillisPerMinute] =
        minute.events_by_type[static_cast<std::size_t>(EventType::view)];
  });
  EXPECT_EQ(views, (std::map<std::int64_t, std::uint64_t>{{5, 1}, {10, 1}, {11, 1}}));
  EXPECT_EQ(aggregator.counters().late_events, 1U);
  EXPECT_EQ(aggregator.counters().counted_events, 3U);
}

// A minute's rows are final once it closes: what the SQL engine may keep instead of asking again.
TEST(MinuteAggregator, SaysWhichMinutesAreFinalAndVisitsARange) {
  AggregatorOptions options;
  options.retention_ms = 30 * kMillisPerMinute;
  MinuteAggregator aggregator(options);  // 5 minutes of allowed lateness
  EXPECT_EQ(aggregator.final_before_ms(), std::numeric_limits<std::int64_t>::min());
  std::vector<Event> events;
  for (int minute = 0; minute <= 40; ++minute) {
    events.push_back(event_at(kStartMs + minute * kMillisPerMinute + 30000));
  }
  add_all(aggregator, events);
  // The clock is at 40:30: minute 34 closed when it passed 40:00 (5 minutes late), 35 is open.
  EXPECT_EQ(aggregator.final_before_ms(), kStartMs + 35 * kMillisPerMinute);
  EXPECT_EQ(aggregator.oldest_kept_ms(), kStartMs + 11 * kMillisPerMinute);
  const auto visited = [&](MinuteRange range) {
    std::vector<std::int64_t> minutes;
    aggregator.visit_minutes(
        [&](const MinuteTotals& m) {
          minutes.push_back((m.minute_ms - kStartMs) / kMillisPerMinute);
        },
        range);
    return minutes;
  };
  EXPECT_EQ(visited({}).size(), 30U);
  EXPECT_EQ(visited({kStartMs + 38 * kMillisPerMinute, std::numeric_limits<std::int64_t>::max()}),
            (std::vector<std::int64_t>{38, 39, 40}));
  // A bound inside a minute: minutes starting at or after `from`, before `until`.
  EXPECT_EQ(visited({kStartMs + 20 * kMillisPerMinute + 1, kStartMs + 23 * kMillisPerMinute}),
            (std::vector<std::int64_t>{21, 22}));
  EXPECT_EQ(visited({kStartMs, kStartMs + 12 * kMillisPerMinute + 1}),
            (std::vector<std::int64_t>{11, 12}));
  std::size_t cells = 0;
  aggregator.visit_categories([&](const CategoryMinute&) { ++cells; },
                              {kStartMs + 38 * kMillisPerMinute, kStartMs + 39 * kMillisPerMinute});
  EXPECT_EQ(cells, 0U);  // views sell nothing
}

TEST(MinuteAggregator, AnOrderLineDeliveredTwiceCountsOnce) {
  MinuteAggregator aggregator;
  const Event purchase = event_at(kStartMs, EventType::purchase);
  add_all(aggregator, {purchase, purchase, purchase});
  double revenue = 0;
  std::uint64_t purchases = 0;
  aggregator.visit_minutes([&](const MinuteTotals& minute) {
    revenue += minute.revenue;
    purchases += minute.purchases;
  });
  EXPECT_DOUBLE_EQ(revenue, 21.0);
  EXPECT_EQ(purchases, 1U);
  EXPECT_EQ(aggregator.counters().duplicate_order_lines, 2U);
  EXPECT_DOUBLE_EQ(aggregator.today().revenue, 21.0);
}

TEST(MinuteAggregator, SettlesEachMinuteOnceInOrderWithZeroMinutesForGaps) {
  AggregatorOptions options;
  options.settle_delay_ms = 10000;
  MinuteAggregator aggregator(options);
  std::vector<core::MinuteSummary> settled;
  std::vector<Event> events = {event_at(kStartMs + 1000),
                               event_at(kStartMs + 2000, EventType::view, "u2"),
                               event_at(kStartMs + kMillisPerMinute + 5000)};
  add_all(aggregator, events, &settled);
  EXPECT_TRUE(settled.empty()) << "minute 0 settles 10 s after it ends";
  add_all(aggregator, {event_at(kStartMs + kMillisPerMinute + 10000)}, &settled);
  ASSERT_EQ(settled.size(), 1U);
  EXPECT_EQ(settled[0].minute_ms, kStartMs);
  EXPECT_EQ(settled[0].events, 2U);
  EXPECT_EQ(settled[0].active_users, 2U);
  ASSERT_EQ(settled[0].events_by_source.size(), 1U);
  EXPECT_EQ(settled[0].events_by_source[0], (core::DimensionValue{"web", 2}));

  add_all(aggregator, {event_at(kStartMs + 4 * kMillisPerMinute + 10000)}, &settled);
  ASSERT_EQ(settled.size(), 4U);
  EXPECT_EQ(settled[1].events, 2U);  // minute 1
  EXPECT_EQ(settled[2].events, 0U);  // minute 2: nothing happened
  EXPECT_EQ(settled[3].minute_ms, kStartMs + 3 * kMillisPerMinute);

  std::vector<core::MinuteSummary> advanced;
  aggregator.advance_clock(kStartMs + 6 * kMillisPerMinute + 10000, advanced);
  ASSERT_EQ(advanced.size(), 2U);
  EXPECT_EQ(advanced[0].events, 1U);  // minute 4
  EXPECT_EQ(advanced[1].events, 0U);  // minute 5
  EXPECT_EQ(aggregator.settled_history().size(), 6U);
}

TEST(MinuteAggregator, KeepsOnlyTheRetentionAndBoundsDimensions) {
  AggregatorOptions options;
  options.retention_ms = 60 * kMillisPerMinute;
  options.max_categories = 8;
  MinuteAggregator aggregator(options);
  std::vector<core::MinuteSummary> settled;
  for (int minute = 0; minute < 600; ++minute) {
    for (int i = 0; i < 20; ++i) {
      Event event = event_at(kStartMs + minute * kMillisPerMinute + i, EventType::purchase,
                             "user" + std::to_string(minute * 100 + i));
      event.category = "category-" + std::to_string(minute * 20 + i);  // a new one every time
      event.order_id = "order-" + std::to_string(minute * 100 + i);
      const auto view = event.view();
      aggregator.add(view, settled);
    }
  }
  std::size_t minutes = 0;
  aggregator.visit_minutes([&](const MinuteTotals&) { ++minutes; });
  EXPECT_EQ(minutes, 60U);
  std::set<std::string> categories;
  aggregator.visit_categories(
      [&](const CategoryMinute& cell) { categories.insert(std::string(cell.category)); });
  EXPECT_LE(categories.size(), 9U);
  EXPECT_TRUE(categories.count("(other)"));
  EXPECT_GT(aggregator.counters().dimension_overflows, 11000U);
  EXPECT_LT(aggregator.memory_bytes(), std::size_t{8} << 20);
}

TEST(MinuteAggregator, ARestoredCheckpointContinuesExactlyLikeTheOriginal) {
  const auto events = deliver_out_of_order_with_duplicates(simulate(5, 20, 3));
  const std::size_t half = events.size() / 2;
  MinuteAggregator whole;
  add_all(whole, events);

  MinuteAggregator first;
  add_all(first, std::vector<Event>(events.begin(), events.begin() + static_cast<long>(half)));
  std::string saved;
  first.save(saved);
  auto restored = MinuteAggregator::restore(saved, AggregatorOptions{});
  ASSERT_TRUE(restored) << restored.error();
  add_all(restored.value(),
          std::vector<Event>(events.begin() + static_cast<long>(half), events.end()));

  std::string whole_state, restored_state;
  whole.save(whole_state);
  restored.value().save(restored_state);
  EXPECT_EQ(whole.counters().counted_events, restored.value().counters().counted_events);
  EXPECT_EQ(whole.today().active_users, restored.value().today().active_users);
  EXPECT_EQ(whole.settled_history(), restored.value().settled_history());
  expect_tables_equal_recount(restored.value(), recount(simulate(5, 20, 3)));

  AggregatorOptions other_retention;
  other_retention.retention_ms = core::kMillisPerDay;
  EXPECT_FALSE(MinuteAggregator::restore(saved, other_retention));
  EXPECT_FALSE(MinuteAggregator::restore(saved.substr(0, saved.size() / 2), AggregatorOptions{}));
}

}  // namespace
}  // namespace shoplake::stream
