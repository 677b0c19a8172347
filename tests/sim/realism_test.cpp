// The shop looks like a shop: the daily figures of the original platform land in their ranges,
// users grow, mobile converts lower than web, nights are quiet, weekends busy.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_set>

#include "capture.hpp"
#include "shoplake/sim/simulator.hpp"
#include "shoplake/sim/traffic.hpp"

namespace shoplake::sim {
namespace {

using testing::figures_of;
using testing::kFridayMs;
using testing::kWednesdayMs;
using testing::one_day;

class OneDay : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(OneDay, FiguresLandInTheOriginalPlatformsRanges) {
  const testing::DayFigures day =
      figures_of(one_day(GetParam()), kWednesdayMs, kWednesdayMs + core::kMillisPerDay);
  std::printf(
      "seed %llu: DAU %llu, buyers %llu (%.2f %%), carts %llu (abandoned %.1f %%), "
      "orders %llu, AOV %.2f\n",
      static_cast<unsigned long long>(GetParam()),
      static_cast<unsigned long long>(day.daily_active_users),
      static_cast<unsigned long long>(day.buyers), 100 * day.conversion(),
      static_cast<unsigned long long>(day.sessions_with_cart), 100 * day.abandonment(),
      static_cast<unsigned long long>(day.orders), day.average_order_value());
  EXPECT_GE(day.conversion(), 0.02);
  EXPECT_LE(day.conversion(), 0.05);
  EXPECT_GE(day.abandonment(), 0.60);
  EXPECT_LE(day.abandonment(), 0.80);
  EXPECT_GE(day.average_order_value(), 50);
  EXPECT_LE(day.average_order_value(), 200);
}

INSTANTIATE_TEST_SUITE_P(Seeds, OneDay, ::testing::Values(1, 2, 3));

TEST(Realism, UsersGrowByTenAnHour) {
  const testing::Capture& day = one_day(1);
  std::unordered_set<std::uint32_t> users;
  std::uint32_t newcomers = 0;
  for (const testing::CapturedEvent& event : day.events) {
    // User 1000 + k joins k/10 hours after the start, and not before.
    const double hours = static_cast<double>(event.ts_ms - kWednesdayMs) / core::kMillisPerHour;
    ASSERT_LE(event.user, 1000 + hours * 10) << "a user active before joining";
    if (users.insert(event.user).second && event.user >= 1000) ++newcomers;
  }
  // 240 join during the day; most of them come by before it ends.
  EXPECT_GE(newcomers, 180u);
  EXPECT_LE(newcomers, 240u);
  EXPECT_GE(users.size(), 1000u + newcomers - 40);
}

TEST(Realism, NightsAreQuieterThanEvenings) {
  std::array<std::uint64_t, 24> per_hour{};
  for (const testing::CapturedEvent& event : one_day(1).events) {
    ++per_hour[static_cast<std::size_t>((event.ts_ms - kWednesdayMs) / core::kMillisPerHour)];
  }
  const std::uint64_t night = per_hour[2] + per_hour[3] + per_hour[4];
  const std::uint64_t evening = per_hour[18] + per_hour[19] + per_hour[20];
  EXPECT_LT(night * 4, evening) << "night " << night << ", evening " << evening;
  EXPECT_LT(per_hour[6], per_hour[10]);  // the morning climbs
}

// Friday to Monday, shared by the tests that need several days.
const testing::Capture& long_weekend() {
  static const testing::Capture capture = [] {
    SimulatorConfig config;
    config.seed = 11;
    config.start_ms = kFridayMs;
    config.end_ms = kFridayMs + 4 * core::kMillisPerDay;
    return testing::capture(config);
  }();
  return capture;
}

TEST(Realism, WeekendsAreBusierAndTheMeanRateIsTheConfiguredOne) {
  std::array<std::uint64_t, 4> per_day{};  // Friday, Saturday, Sunday, Monday
  for (const testing::CapturedEvent& event : long_weekend().events) {
    ++per_day[static_cast<std::size_t>((event.ts_ms - kFridayMs) / core::kMillisPerDay)];
  }
  EXPECT_GT(per_day[1], per_day[0] * 11 / 10);
  EXPECT_GT(per_day[1], per_day[3] * 11 / 10);
  EXPECT_GT(per_day[2], per_day[1]);
  double expected = 0;
  for (int day = 0; day < 4; ++day) {
    expected += SimulatorConfig{}.events_per_second * 86400 * day_of_week_factor((4 + day) % 7);
  }
  const double total = static_cast<double>(per_day[0] + per_day[1] + per_day[2] + per_day[3]);
  EXPECT_NEAR(total / expected, 1.0, 0.05);
}

TEST(Realism, MobileConvertsLowerThanWeb) {
  std::uint64_t web_buyers = 0, web_users = 0, mobile_buyers = 0, mobile_users = 0;
  for (int day = 0; day < 4; ++day) {
    const std::int64_t from = kFridayMs + day * core::kMillisPerDay;
    const auto web = figures_of(long_weekend(), from, from + core::kMillisPerDay, false);
    const auto mobile = figures_of(long_weekend(), from, from + core::kMillisPerDay, true);
    web_buyers += web.buyers;
    web_users += web.daily_active_users;
    mobile_buyers += mobile.buyers;
    mobile_users += mobile.daily_active_users;
  }
  const double web_rate = static_cast<double>(web_buyers) / web_users;
  const double mobile_rate = static_cast<double>(mobile_buyers) / mobile_users;
  EXPECT_GT(web_rate, 1.3 * mobile_rate) << web_rate << " vs " << mobile_rate;
  EXPECT_GT(mobile_users, web_users);  // but more people shop on their phones
}

TEST(Realism, ReturningUsersComeBackDayAfterDay) {
  std::array<std::set<std::uint32_t>, 2> users_on;  // Friday, Saturday
  for (const testing::CapturedEvent& event : long_weekend().events) {
    const auto day = (event.ts_ms - kFridayMs) / core::kMillisPerDay;
    if (day < 2) users_on[static_cast<std::size_t>(day)].insert(event.user);
  }
  std::size_t returning = 0;
  for (const std::uint32_t user : users_on[1]) returning += users_on[0].count(user);
  EXPECT_GT(returning, users_on[0].size() * 9 / 10);
}

TEST(Realism, FewUsersPerTrafficStillConvertInRange) {
  // Fifty times fewer sessions per user than the default: users visit about once a day, many
  // not at all, and buyers / DAU and abandonment stay realistic all the same.
  SimulatorConfig config;
  config.seed = 5;
  config.start_ms = kWednesdayMs;
  config.end_ms = kWednesdayMs + core::kMillisPerDay;
  config.initial_users = 20000;
  config.events_per_second = 2;
  const testing::Capture capture = testing::capture(config);
  const auto day = figures_of(capture, config.start_ms, config.end_ms);
  EXPECT_LT(day.daily_active_users, 16000u);
  EXPECT_GE(day.conversion(), 0.02);
  EXPECT_LE(day.conversion(), 0.05);
  EXPECT_GE(day.abandonment(), 0.60);
  EXPECT_LE(day.abandonment(), 0.80);
}

}  // namespace
}  // namespace shoplake::sim
