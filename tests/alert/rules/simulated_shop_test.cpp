// The rules against the real simulator: every injected anomaly fires its rule within 3 minutes
// of event time and resolves after it ends; a day of ordinary shopping raises nothing at all.
// Each run prints what it measured (detection delay, resolution), for docs/ALERTS.md.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "minute_summaries.hpp"
#include "shoplake/alert/detector.hpp"
#include "shoplake/sim/simulator.hpp"

namespace shoplake::alert {
namespace {

// 2026-11-25, a Wednesday, and 2026-11-20, a Friday, at midnight UTC.
constexpr std::int64_t kWednesdayMs = 20782LL * core::kMillisPerDay;
constexpr std::int64_t kFridayMs = 20777LL * core::kMillisPerDay;
constexpr std::int64_t kMinute = core::kMillisPerMinute;
constexpr std::int64_t kHour = core::kMillisPerHour;

// The default shop of 1,000 users makes about 50 orders a day, far too few for any purchase rule
// to judge 3 minutes; this one makes 50-90 a minute by day, 30 a minute at night.
constexpr std::uint32_t kBigShopUsers = 4'000'000;
constexpr double kBigShopRate = 300;

struct Shop {
  double events_per_second;
  std::uint32_t users;
};
constexpr Shop kSmallShop20{20, 1000};
constexpr Shop kSmallShop50{50, 1000};
constexpr Shop kSmallShop5{5, 1000};
constexpr Shop kBigShop{kBigShopRate, kBigShopUsers};

sim::SimulatorConfig shop_config(const Shop& shop, std::uint64_t seed, std::int64_t start_ms,
                                 std::int64_t end_ms) {
  sim::SimulatorConfig config;
  config.seed = seed;
  config.events_per_second = shop.events_per_second;
  config.initial_users = shop.users;
  config.start_ms = start_ms;
  config.end_ms = end_ms;
  return config;
}

std::vector<Alert> alerts_of(const sim::SimulatorConfig& config) {
  AnomalyDetector detector;
  std::vector<Alert> alerts;
  testing::for_each_minute(config, [&](const core::MinuteSummary& minute) {
    // Decided when the minute closes, a second late: the wall clock the stream engine would pass.
    for (Alert& alert : detector.observe(minute, minute.minute_ms + kMinute + 1000)) {
      alerts.push_back(std::move(alert));
    }
  });
  return alerts;
}

std::string describe(const std::vector<Alert>& alerts) {
  std::string text;
  for (const Alert& alert : alerts) {
    text += core::format_rfc3339_ms(alert.minute_ms) + " " + alert.rule + " " +
            std::string(to_string(alert.state)) + ": " + alert.summary + " | " + alert.hint + "\n";
  }
  return text;
}

// ---- no alert in a day of ordinary shopping ----

struct QuietDay {
  Shop shop;
  std::uint64_t seed;
  std::int64_t start_ms;
  std::int64_t hours;
};

class NoFalseAlarms : public ::testing::TestWithParam<QuietDay> {};

TEST_P(NoFalseAlarms, InADayOfOrdinaryShopping) {
  const QuietDay& day = GetParam();
  const auto alerts =
      alerts_of(shop_config(day.shop, day.seed, day.start_ms, day.start_ms + day.hours * kHour));
  EXPECT_TRUE(alerts.empty()) << describe(alerts);
  std::printf("[quiet] %g events/s, %u users, seed %llu, %lld h: %zu alerts\n",
              day.shop.events_per_second, day.shop.users, static_cast<unsigned long long>(day.seed),
              static_cast<long long>(day.hours), alerts.size());
}

INSTANTIATE_TEST_SUITE_P(
    SimulatedShop, NoFalseAlarms,
    ::testing::Values(
        QuietDay{kSmallShop20, 1, kWednesdayMs, 24}, QuietDay{kSmallShop20, 2, kWednesdayMs, 24},
        QuietDay{kSmallShop20, 3, kWednesdayMs, 24}, QuietDay{kSmallShop50, 1, kWednesdayMs, 24},
        QuietDay{kSmallShop50, 2, kWednesdayMs, 24}, QuietDay{kSmallShop5, 1, kWednesdayMs, 24},
        // Friday to Monday: the weekend, and the same-minute baseline from Monday.
        QuietDay{kSmallShop20, 4, kFridayMs, 4 * 24},
        // Where the purchase rules judge, the working day: 08:00 to 18:00 (19 M events for the
        // whole day took most of this suite's time under the sanitizers).
        QuietDay{kBigShop, 1, kWednesdayMs + 8 * kHour, 10}));

// ---- every injected anomaly fires its rule, then resolves ----

struct Injected {
  sim::InjectionKind kind;
  const char* rule;  // the rule that must fire
  Shop shop;
  std::int64_t at_ms;  // when the anomaly starts (event time)
};

class Detection : public ::testing::TestWithParam<Injected> {};

TEST_P(Detection, FiresWithinThreeMinutesAndResolvesAfter) {
  const Injected& injected = GetParam();
  // Two hours before it: the default warm-up and rolling baseline need one.
  const std::int64_t start_ms = injected.at_ms - 2 * kHour;
  sim::SimulatorConfig config = shop_config(injected.shop, 1, start_ms, injected.at_ms + kHour);
  sim::Injection injection;
  injection.kind = injected.kind;
  injection.offset_ms = injected.at_ms - start_ms;
  injection.factor = sim::default_factor(injected.kind);
  config.injections.push_back(injection);
  const std::int64_t end_ms = injected.at_ms + injection.duration_ms;

  const auto alerts = alerts_of(config);
  const Alert* fired = nullptr;
  const Alert* resolved = nullptr;
  for (const Alert& alert : alerts) {
    // Nothing at all before the anomaly, nothing new long after it.
    EXPECT_GE(alert.minute_ms, injected.at_ms) << describe(alerts);
    if (alert.state == AlertState::firing && !alert.repeat) {
      EXPECT_LE(alert.started_ms, end_ms + 5 * kMinute) << describe(alerts);
    }
    if (alert.rule != injected.rule) continue;
    if (alert.state == AlertState::firing && fired == nullptr) fired = &alert;
    if (alert.state == AlertState::resolved && fired != nullptr && alert.id == fired->id) {
      resolved = &alert;
    }
  }
  ASSERT_NE(fired, nullptr) << injected.rule << " did not fire\n" << describe(alerts);
  // Decided on a minute that starts at most 3 minutes into the anomaly.
  EXPECT_LE(fired->minute_ms - injected.at_ms, 3 * kMinute) << describe(alerts);
  ASSERT_NE(resolved, nullptr) << injected.rule << " did not resolve\n" << describe(alerts);
  EXPECT_GT(resolved->minute_ms, end_ms - kMinute) << describe(alerts);
  EXPECT_LE(resolved->minute_ms, end_ms + 15 * kMinute) << describe(alerts);
  EXPECT_FALSE(fired->hint.empty());
  std::printf(
      "[detect] %-15s %g events/s, %u users, at %s: fired on minute +%lld (%s), resolved "
      "on minute +%lld after the end\n  %s\n  %s\n",
      std::string(sim::to_string(injected.kind)).c_str(), injected.shop.events_per_second,
      injected.shop.users, core::format_rfc3339_ms(injected.at_ms).substr(11, 5).c_str(),
      static_cast<long long>((fired->minute_ms - injected.at_ms) / kMinute),
      std::string(to_string(fired->severity)).c_str(),
      static_cast<long long>((resolved->minute_ms - end_ms) / kMinute), fired->summary.c_str(),
      fired->hint.c_str());
}

constexpr std::int64_t kThreeAm = kWednesdayMs + 3 * kHour;
constexpr std::int64_t kNoon = kWednesdayMs + 12 * kHour;
constexpr std::int64_t kEvening = kWednesdayMs + 19 * kHour;

using sim::InjectionKind;

INSTANTIATE_TEST_SUITE_P(
    Traffic, Detection,
    ::testing::Values(
        Injected{InjectionKind::traffic_spike, "traffic_spike", kSmallShop20, kThreeAm},
        Injected{InjectionKind::traffic_spike, "traffic_spike", kSmallShop20, kNoon},
        Injected{InjectionKind::traffic_spike, "traffic_spike", kSmallShop50, kThreeAm},
        Injected{InjectionKind::traffic_spike, "traffic_spike", kSmallShop50, kEvening},
        Injected{InjectionKind::traffic_spike, "traffic_spike", kSmallShop5, kNoon},
        Injected{InjectionKind::traffic_drop, "traffic_drop", kSmallShop20, kThreeAm},
        Injected{InjectionKind::traffic_drop, "traffic_drop", kSmallShop20, kNoon},
        Injected{InjectionKind::traffic_drop, "traffic_drop", kSmallShop50, kThreeAm},
        Injected{InjectionKind::traffic_drop, "traffic_drop", kSmallShop50, kEvening},
        Injected{InjectionKind::traffic_drop, "traffic_drop", kSmallShop5, kNoon}));

INSTANTIATE_TEST_SUITE_P(
    Purchases, Detection,
    ::testing::Values(Injected{InjectionKind::revenue_drop, "revenue_drop", kBigShop, kNoon},
                      Injected{InjectionKind::zero_purchases, "zero_purchases", kBigShop, kNoon},
                      Injected{InjectionKind::zero_purchases, "zero_purchases", kBigShop, kThreeAm},
                      Injected{InjectionKind::conversion_drop, "conversion_low", kBigShop, kNoon},
                      Injected{InjectionKind::conversion_drop, "conversion_low", kBigShop,
                               kEvening}));

// The same-minute baseline at work: Monday noon judged against Friday to Sunday noon.
TEST(DetectionAfterDays, TrafficSpikeAgainstTheSameMinuteOfPreviousDays) {
  sim::SimulatorConfig config =
      shop_config(kSmallShop20, 5, kFridayMs, kFridayMs + 3 * 24 * kHour + 13 * kHour);
  sim::Injection injection;
  injection.kind = InjectionKind::traffic_spike;
  injection.offset_ms = 3 * 24 * kHour + 12 * kHour;
  injection.factor = 5;
  config.injections.push_back(injection);
  const auto alerts = alerts_of(config);
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(alerts[0].rule, "traffic_spike") << describe(alerts);
  EXPECT_LE(alerts[0].minute_ms - (kFridayMs + injection.offset_ms), 3 * kMinute)
      << describe(alerts);
  for (const Alert& alert : alerts) {
    EXPECT_GE(alert.minute_ms, kFridayMs + injection.offset_ms) << describe(alerts);
  }
}

}  // namespace
}  // namespace shoplake::alert
