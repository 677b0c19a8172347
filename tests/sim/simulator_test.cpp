// The simulator's promises about its events: determinism, the event contract, and sessions and
// orders that hang together.
#include "shoplake/sim/simulator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "capture.hpp"
#include "shoplake/core/ndjson_writer.hpp"

namespace shoplake::sim {
namespace {

using testing::Capture;
using testing::CapturedEvent;
using testing::kWednesdayMs;
using testing::one_day;

std::string ndjson_of_first(SimulatorConfig config, int events) {
  Simulator simulator(config);
  core::EventView event;
  std::string out;
  for (int i = 0; i < events && simulator.next(event); ++i) core::append_ndjson(event, out);
  return out;
}

TEST(Simulator, SameSeedGivesIdenticalBytes) {
  SimulatorConfig config;
  config.seed = 7;
  config.start_ms = kWednesdayMs;
  const std::string first = ndjson_of_first(config, 100000);
  EXPECT_EQ(first, ndjson_of_first(config, 100000));
  EXPECT_EQ(std::count(first.begin(), first.end(), '\n'), 100000);
}

TEST(Simulator, DifferentSeedOrStartGivesDifferentEvents) {
  SimulatorConfig config;
  config.seed = 7;
  config.start_ms = kWednesdayMs;
  const std::string base = ndjson_of_first(config, 20000);
  config.seed = 8;
  EXPECT_NE(base, ndjson_of_first(config, 20000));
  config.seed = 7;
  config.start_ms += core::kMillisPerHour;
  // Ids carry a tag of (seed, start), so two runs never share an event id.
  const auto run_tag = [](const std::string& ndjson) {
    const std::string_view key = "{\"event_id\":\"e-";
    EXPECT_EQ(ndjson.compare(0, key.size(), key), 0);
    return ndjson.substr(key.size(), 12);
  };
  const std::string later = ndjson_of_first(config, 20000);
  EXPECT_NE(run_tag(base), run_tag(later));
  EXPECT_EQ(base.find(run_tag(later)), std::string::npos);
}

TEST(Simulator, EveryEventKeepsTheContractAndHasAUniqueId) {
  const Capture& day = one_day(1);
  ASSERT_GT(day.events.size(), 300000u);
  EXPECT_EQ(day.contract_violations, 0u) << day.first_violation;
  EXPECT_EQ(day.bad_ids, 0u);
}

TEST(Simulator, EventsComeInTimeOrderWithinTheRequestedSpan) {
  const Capture& day = one_day(1);
  std::int64_t previous = kWednesdayMs;
  for (const CapturedEvent& event : day.events) {
    ASSERT_GE(event.ts_ms, previous);
    previous = event.ts_ms;
  }
  EXPECT_LT(previous, kWednesdayMs + core::kMillisPerDay);
  // Warm start: the first minute already has sessions in progress, not just logins.
  std::size_t first_minute_views = 0;
  for (const CapturedEvent& event : day.events) {
    if (event.ts_ms >= kWednesdayMs + core::kMillisPerMinute) break;
    first_minute_views += event.type == core::EventType::view ? 1 : 0;
  }
  EXPECT_GT(first_minute_views, 20u);
}

struct SessionTrace {
  std::uint32_t user;
  bool mobile;
  std::vector<const CapturedEvent*> events;
};

std::map<std::uint32_t, SessionTrace> sessions_of(const Capture& capture) {
  std::map<std::uint32_t, SessionTrace> sessions;
  for (const CapturedEvent& event : capture.events) {
    auto found =
        sessions.try_emplace(event.session, SessionTrace{event.user, event.mobile, {}}).first;
    found->second.events.push_back(&event);
  }
  return sessions;
}

TEST(Simulator, SessionsHaveOneUserNoHalfHourGapAndLoginFirstLogoutLast) {
  const auto sessions = sessions_of(one_day(1));
  ASSERT_GT(sessions.size(), 40000u);
  std::size_t logged_out = 0;
  for (const auto& [id, session] : sessions) {
    const CapturedEvent* previous = nullptr;
    for (std::size_t i = 0; i < session.events.size(); ++i) {
      const CapturedEvent& event = *session.events[i];
      ASSERT_EQ(event.user, session.user) << "session " << id;
      ASSERT_EQ(event.mobile, session.mobile) << "session " << id;
      if (previous != nullptr) {
        ASSERT_LT(event.ts_ms - previous->ts_ms, 30 * core::kMillisPerMinute) << "session " << id;
      }
      if (event.type == core::EventType::login) {
        ASSERT_EQ(i, 0u) << "session " << id;
      }
      if (event.type == core::EventType::logout) {
        ASSERT_EQ(i + 1, session.events.size()) << "session " << id;
        ++logged_out;
      }
      previous = &event;
    }
  }
  // Some users log out, many just leave.
  EXPECT_GT(logged_out, sessions.size() / 4);
  EXPECT_LT(logged_out, sessions.size() * 3 / 4);
}

TEST(Simulator, OrdersFollowTheFunnelAndShareIdSessionAndTime) {
  const Capture& day = one_day(1);
  const auto sessions = sessions_of(day);
  std::map<std::int32_t, std::vector<const CapturedEvent*>> orders;
  for (const CapturedEvent& event : day.events) {
    if (event.type == core::EventType::purchase) orders[event.order].push_back(&event);
  }
  ASSERT_GT(orders.size(), 20u);
  std::size_t multi_line = 0;
  for (const auto& [order, lines] : orders) {
    std::set<std::int32_t> products;
    for (const CapturedEvent* line : lines) {
      EXPECT_EQ(line->session, lines[0]->session) << "order " << order;
      EXPECT_EQ(line->ts_ms, lines[0]->ts_ms) << "order " << order;
      EXPECT_TRUE(products.insert(line->product).second) << "one line per product";
    }
    multi_line += lines.size() > 1 ? 1 : 0;
    // In its session, before the order: a checkout, and a cart holding exactly what was bought.
    const SessionTrace& session = sessions.at(lines[0]->session);
    if (session.events.front()->type != core::EventType::login) continue;  // began before the day
    bool checked_out = false;
    std::map<std::int32_t, std::int32_t> cart;
    for (const CapturedEvent* event : session.events) {
      if (event == lines[0]) break;
      if (event->type == core::EventType::add_to_cart) cart[event->product] += event->quantity;
      if (event->type == core::EventType::remove_from_cart) cart.erase(event->product);
      if (event->type == core::EventType::begin_checkout) checked_out = true;
    }
    EXPECT_TRUE(checked_out) << "order " << order;
    EXPECT_EQ(cart.size(), lines.size()) << "order " << order;
    for (const CapturedEvent* line : lines) {
      EXPECT_EQ(cart[line->product], line->quantity) << "order " << order;
    }
  }
  EXPECT_GT(multi_line, orders.size() / 4) << "orders of several products share one order_id";
}

TEST(Simulator, ListPricesAreTheCatalogues) {
  const Capture& day = one_day(1);
  const Catalog catalog;
  std::size_t product_events = 0;
  for (const CapturedEvent& event : day.events) {
    if (event.product < 0) continue;
    ++product_events;
    ASSERT_EQ(event.price, catalog.products()[static_cast<std::size_t>(event.product)].price);
  }
  EXPECT_GT(product_events, 300u);
}

TEST(Simulator, ReportsItsClockAndStopsAtTheEnd) {
  SimulatorConfig config;
  config.start_ms = kWednesdayMs;
  config.end_ms = kWednesdayMs + 10 * core::kMillisPerMinute;
  Simulator simulator(config);
  EXPECT_EQ(simulator.clock_ms(), kWednesdayMs);
  core::EventView event;
  std::uint64_t events = 0;
  while (simulator.next(event)) {
    ++events;
    EXPECT_EQ(simulator.clock_ms(), event.ts_ms);
  }
  EXPECT_EQ(simulator.events_emitted(), events);
  EXPECT_GE(simulator.next_event_ms(), config.end_ms);
  EXPECT_FALSE(simulator.next(event));
  EXPECT_EQ(simulator.user_count(), 1001u);  // 10 an hour: one joined in 10 minutes
}

TEST(Simulator, RejectsConfigsThatDescribeNoShop) {
  SimulatorConfig config;
  config.initial_users = 0;
  EXPECT_THROW(Simulator{config}, std::invalid_argument);
  config = {};
  config.events_per_second = 0;
  EXPECT_THROW(Simulator{config}, std::invalid_argument);
  config = {};
  config.end_ms = config.start_ms;
  EXPECT_THROW(Simulator{config}, std::invalid_argument);
}

}  // namespace
}  // namespace shoplake::sim
