// Anomaly injection: specs parse (or say what is wrong), and each kind changes what it should
// inside its window and nothing before it.
#include "shoplake/sim/injection.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "capture.hpp"
#include "shoplake/core/ndjson_writer.hpp"
#include "shoplake/sim/simulator.hpp"

namespace shoplake::sim {
namespace {

// ---- parsing ----

Injection parsed(std::string_view spec) {
  const InjectionParse result = parse_injection(spec);
  EXPECT_TRUE(result.injection.has_value()) << spec << ": " << result.error;
  return result.injection.value_or(Injection{});
}

std::string error_of(std::string_view spec) {
  const InjectionParse result = parse_injection(spec);
  EXPECT_FALSE(result.injection.has_value()) << spec;
  return result.error;
}

TEST(InjectionSpec, KindAndOffsetTakeDefaults) {
  EXPECT_EQ(parsed("traffic_spike@2h"),
            (Injection{InjectionKind::traffic_spike, 2 * core::kMillisPerHour,
                       15 * core::kMillisPerMinute, 5}));
  EXPECT_EQ(parsed("traffic_drop@90s").factor, 0.2);
  EXPECT_EQ(parsed("traffic_drop@90s").offset_ms, 90 * core::kMillisPerSecond);
  EXPECT_EQ(parsed("revenue_drop@1d").factor, 0.3);
  EXPECT_EQ(parsed("revenue_drop@1d").offset_ms, core::kMillisPerDay);
  EXPECT_EQ(parsed("conversion_drop@0s").factor, 0.1);
  EXPECT_EQ(parsed("zero_purchases@30m").kind, InjectionKind::zero_purchases);
}

TEST(InjectionSpec, FactorAndDurationInEitherOrder) {
  EXPECT_EQ(parsed("traffic_spike@1h30m,factor=8,duration=45m"),
            (Injection{InjectionKind::traffic_spike, 90 * core::kMillisPerMinute,
                       45 * core::kMillisPerMinute, 8}));
  EXPECT_EQ(parsed("conversion_drop@2h,duration=1h,factor=0"),
            (Injection{InjectionKind::conversion_drop, 2 * core::kMillisPerHour,
                       core::kMillisPerHour, 0}));
  EXPECT_EQ(parsed("zero_purchases@10m,duration=2h").duration_ms, 2 * core::kMillisPerHour);
}

TEST(InjectionSpec, FormatsBackToWhatItParses) {
  for (const char* spec :
       {"traffic_spike@2h,factor=8,duration=30m", "zero_purchases@1d2h,duration=15m",
        "revenue_drop@1m30s,factor=0.25,duration=1h30m"}) {
    EXPECT_EQ(format_injection(parsed(spec)), spec);
  }
}

TEST(InjectionSpec, BadSpecsSayWhatIsWrong) {
  EXPECT_NE(error_of("traffic_spike").find("missing '@<offset>'"), std::string::npos);
  EXPECT_NE(error_of("flash_sale@1h").find("unknown kind 'flash_sale'"), std::string::npos);
  for (const char* offset : {"", "10", "-5m", "5x", "1h30", "abc", "1.5h"}) {
    EXPECT_NE(error_of(std::string("traffic_spike@") + offset).find("bad offset"),
              std::string::npos)
        << offset;
  }
  EXPECT_NE(error_of("traffic_spike@1h,factor=abc").find("bad factor 'abc'"), std::string::npos);
  EXPECT_NE(error_of("traffic_spike@1h,factor=nan").find("bad factor"), std::string::npos);
  EXPECT_NE(error_of("traffic_spike@1h,factor=0.5").find("greater than 1"), std::string::npos);
  EXPECT_NE(error_of("traffic_drop@1h,factor=1.5").find("below 1"), std::string::npos);
  EXPECT_NE(error_of("revenue_drop@1h,factor=-0.1").find("at least 0"), std::string::npos);
  EXPECT_NE(error_of("zero_purchases@1h,factor=0.5").find("takes no factor"), std::string::npos);
  EXPECT_NE(error_of("traffic_spike@1h,factor=2,factor=3").find("factor given twice"),
            std::string::npos);
  EXPECT_NE(error_of("traffic_spike@1h,duration=0s").find("bad duration '0s'"), std::string::npos);
  EXPECT_NE(error_of("traffic_spike@1h,duration=").find("bad duration"), std::string::npos);
  EXPECT_NE(error_of("traffic_spike@1h,speed=2").find("unknown setting 'speed=2'"),
            std::string::npos);
  // The message names the spec it is about.
  EXPECT_NE(error_of("flash_sale@1h").find("'flash_sale@1h'"), std::string::npos);
}

TEST(InjectionSpec, DurationsAddUpAndOverflowIsRefused) {
  EXPECT_EQ(parse_duration_ms("1d2h3m4s"), core::kMillisPerDay + 2 * core::kMillisPerHour +
                                               3 * core::kMillisPerMinute +
                                               4 * core::kMillisPerSecond);
  EXPECT_EQ(parse_duration_ms("0s"), 0);
  EXPECT_FALSE(parse_duration_ms("99999999999999999d"));
  EXPECT_FALSE(parse_duration_ms(""));
  EXPECT_EQ(format_duration(5400 * core::kMillisPerSecond), "1h30m");
}

// ---- effects ----
// A shop ten times the default's users and traffic, 12:00 to 14:30 on a Wednesday, with a window
// from 12:30 to 13:30, so that each effect is many events strong. Sessions last minutes, so
// traffic takes ten minutes to follow a change of session starts, and the sessions a spike
// started linger for half an hour after it (some users pause for minutes between pages): traffic
// is compared from 10 minutes into the window, and from 30 minutes after it.

constexpr std::int64_t kRunStartMs = testing::kWednesdayMs + 12 * core::kMillisPerHour;
constexpr int kRunMinutes = 150;
constexpr int kWindowFirstMinute = 30;
constexpr int kWindowEndMinute = 90;
constexpr int kSettledInWindow = kWindowFirstMinute + 10;
constexpr int kSettledAfterWindow = kWindowEndMinute + 30;

struct ProductEvent {
  std::int64_t ts_ms;
  std::int32_t product;
  double price;
};

struct ShopRun {
  std::vector<std::uint64_t> events_per_minute = std::vector<std::uint64_t>(kRunMinutes);
  std::vector<std::uint64_t> purchases_per_minute = std::vector<std::uint64_t>(kRunMinutes);
  std::vector<double> revenue_per_minute = std::vector<double>(kRunMinutes);
  std::vector<ProductEvent> product_events;
  std::string before_window;  // NDJSON of every event before the window

  std::uint64_t events(int from_minute, int to_minute) const {
    std::uint64_t sum = 0;
    for (int m = from_minute; m < to_minute; ++m) sum += events_per_minute[m];
    return sum;
  }
  std::uint64_t purchases(int from_minute, int to_minute) const {
    std::uint64_t sum = 0;
    for (int m = from_minute; m < to_minute; ++m) sum += purchases_per_minute[m];
    return sum;
  }
  double revenue(int from_minute, int to_minute) const {
    double sum = 0;
    for (int m = from_minute; m < to_minute; ++m) sum += revenue_per_minute[m];
    return sum;
  }
};

ShopRun run_shop(std::vector<std::string> specs) {
  SimulatorConfig config;
  config.seed = 3;
  config.start_ms = kRunStartMs;
  config.end_ms = kRunStartMs + kRunMinutes * core::kMillisPerMinute;
  config.initial_users = 10000;
  config.events_per_second = 50;
  for (const std::string& spec : specs) config.injections.push_back(parsed(spec));
  Simulator simulator(config);
  const Catalog& catalog = simulator.catalog();
  ShopRun run;
  core::EventView event;
  while (simulator.next(event)) {
    const auto minute =
        static_cast<std::size_t>((event.ts_ms - kRunStartMs) / core::kMillisPerMinute);
    ++run.events_per_minute[minute];
    if (static_cast<int>(minute) < kWindowFirstMinute)
      core::append_ndjson(event, run.before_window);
    if (core::carries_product(event.type)) {
      const auto product =
          static_cast<std::int32_t>(catalog.find(event.product_id) - catalog.products().data());
      run.product_events.push_back(ProductEvent{event.ts_ms, product, event.price});
    }
    if (event.type == core::EventType::purchase) {
      ++run.purchases_per_minute[minute];
      run.revenue_per_minute[minute] += event.price * event.quantity;
    }
  }
  return run;
}

const ShopRun& baseline() {
  static const ShopRun run = run_shop({});
  return run;
}

constexpr const char* kWindow = "@30m,duration=1h";

TEST(InjectionEffect, NothingChangesBeforeTheWindow) {
  const ShopRun injected = run_shop({std::string("traffic_spike") + kWindow});
  ASSERT_GT(baseline().before_window.size(), 1000000u);
  EXPECT_TRUE(injected.before_window == baseline().before_window);
}

TEST(InjectionEffect, TrafficSpikeMultipliesTrafficInItsWindowOnly) {
  const ShopRun spike = run_shop({std::string("traffic_spike") + kWindow});
  const double inside = static_cast<double>(spike.events(kSettledInWindow, kWindowEndMinute)) /
                        baseline().events(kSettledInWindow, kWindowEndMinute);
  EXPECT_NEAR(inside, 5.0, 0.4);
  const double after = static_cast<double>(spike.events(kSettledAfterWindow, kRunMinutes)) /
                       baseline().events(kSettledAfterWindow, kRunMinutes);
  EXPECT_NEAR(after, 1.0, 0.1);
}

TEST(InjectionEffect, TrafficDropCutsTrafficInItsWindowOnly) {
  const ShopRun drop = run_shop({std::string("traffic_drop") + kWindow + ",factor=0.2"});
  const double inside = static_cast<double>(drop.events(kSettledInWindow, kWindowEndMinute)) /
                        baseline().events(kSettledInWindow, kWindowEndMinute);
  EXPECT_NEAR(inside, 0.2, 0.05);
  const double after = static_cast<double>(drop.events(kSettledAfterWindow, kRunMinutes)) /
                       baseline().events(kSettledAfterWindow, kRunMinutes);
  EXPECT_NEAR(after, 1.0, 0.1);
}

TEST(InjectionEffect, ZeroPurchasesStopsEveryPurchaseInItsWindow) {
  const ShopRun outage = run_shop({std::string("zero_purchases") + kWindow});
  EXPECT_GT(baseline().purchases(kWindowFirstMinute, kWindowEndMinute), 10u);
  EXPECT_EQ(outage.purchases(kWindowFirstMinute, kWindowEndMinute), 0u);
  EXPECT_GT(outage.purchases(0, kWindowFirstMinute), 0u);
  EXPECT_GT(outage.purchases(kWindowEndMinute, kRunMinutes), 0u);
  // Traffic itself is untouched.
  EXPECT_NEAR(static_cast<double>(outage.events(kWindowFirstMinute, kWindowEndMinute)) /
                  baseline().events(kWindowFirstMinute, kWindowEndMinute),
              1.0, 0.05);
}

TEST(InjectionEffect, ConversionDropCutsPurchasesInItsWindow) {
  const ShopRun drop = run_shop({std::string("conversion_drop") + kWindow});
  const std::uint64_t usual = baseline().purchases(kWindowFirstMinute, kWindowEndMinute);
  ASSERT_GT(usual, 10u);
  EXPECT_LE(drop.purchases(kWindowFirstMinute, kWindowEndMinute) * 100, usual * 35);
  EXPECT_GT(drop.purchases(kWindowEndMinute, kRunMinutes), 0u);
}

TEST(InjectionEffect, RevenueDropCutsPricesInItsWindowOnly) {
  const ShopRun drop = run_shop({std::string("revenue_drop") + kWindow});
  const Catalog catalog;
  const std::int64_t window_begin = kRunStartMs + kWindowFirstMinute * core::kMillisPerMinute;
  const std::int64_t window_end = kRunStartMs + kWindowEndMinute * core::kMillisPerMinute;
  std::size_t inside = 0;
  for (const ProductEvent& event : drop.product_events) {
    const double list = catalog.products()[static_cast<std::size_t>(event.product)].price;
    if (event.ts_ms >= window_begin && event.ts_ms < window_end) {
      ++inside;
      ASSERT_EQ(event.price, std::round(list * 0.3 * 100) / 100);
    } else {
      ASSERT_EQ(event.price, list);
    }
  }
  EXPECT_GT(inside, 100u);
  EXPECT_LT(drop.revenue(kWindowFirstMinute, kWindowEndMinute),
            0.5 * baseline().revenue(kWindowFirstMinute, kWindowEndMinute));
}

TEST(InjectionEffect, InjectionsCombine) {
  const ShopRun both = run_shop({std::string("traffic_spike") + kWindow + ",factor=3",
                                 std::string("zero_purchases") + kWindow});
  EXPECT_NEAR(static_cast<double>(both.events(kSettledInWindow, kWindowEndMinute)) /
                  baseline().events(kSettledInWindow, kWindowEndMinute),
              3.0, 0.3);
  EXPECT_EQ(both.purchases(kWindowFirstMinute, kWindowEndMinute), 0u);
}

}  // namespace
}  // namespace shoplake::sim
