// Baselines: the same minute of previous days once enough days exist, a robust trend before that,
// breaches kept out, the robust z-score option, and history bounded by the horizon.
#include "baseline.hpp"

#include <gtest/gtest.h>

#include "minute_history.hpp"
#include "shoplake/alert/detector.hpp"
#include "synthetic_shop.hpp"

namespace shoplake::alert {
namespace {

using testing::feed;
using testing::kDayZeroMinute;
using testing::ShopMinute;
using testing::synthetic_minute;

constexpr std::int64_t kMinutesPerDay = 24 * 60;

ShopMinute traffic(double events, double wobble = 0.03) {
  ShopMinute shape;
  shape.events = events;
  shape.wobble = wobble;
  return shape;
}

// A shop with a sale every day from 12:00 to 12:59: three times the traffic.
ShopMinute daily_sale_shop(std::int64_t minute) {
  const std::int64_t of_day = (minute % kMinutesPerDay + kMinutesPerDay) % kMinutesPerDay;
  return traffic(of_day >= 12 * 60 && of_day < 13 * 60 ? 3000 : 1000);
}

TEST(Baseline, TheSameMinuteOfPreviousDaysOnceThereAreEnough) {
  AnomalyDetector detector;  // same_minute_days = 3
  std::vector<int> spike_days;
  for (int day = 0; day < 5; ++day) {
    for (std::int64_t minute = kDayZeroMinute + day * kMinutesPerDay;
         minute < kDayZeroMinute + (day + 1) * kMinutesPerDay; ++minute) {
      for (const Alert& alert :
           detector.observe(synthetic_minute(minute, daily_sale_shop(minute)), 0)) {
        EXPECT_EQ(alert.rule, "traffic_spike") << alert.summary;
        if (alert.state == AlertState::firing && !alert.repeat) spike_days.push_back(day);
      }
    }
  }
  // Against the trailing hour the sale is a spike on the first three days; from the fourth the
  // sale at noon on three previous days is what noon looks like.
  EXPECT_EQ(spike_days, (std::vector<int>{0, 1, 2}));
}

TEST(Baseline, EstimatorSaysWhichBaselineItUsed) {
  BaselineConfig config;  // same_minute_days 3
  rules::MinuteHistory history(rules::history_capacity(config, 3));
  rules::BaselineEstimator estimator(config);
  const std::int64_t first = kDayZeroMinute;
  std::int64_t minute = first;
  for (; minute < first + 3 * kMinutesPerDay - 1; ++minute) {
    history.append(minute, synthetic_minute(minute, traffic(1000)));
  }
  auto baseline = estimator.estimate(history, rules::Quantity::events, minute - 1, 1);
  ASSERT_TRUE(baseline.has_value());
  EXPECT_EQ(baseline->kind, rules::BaselineKind::rolling_trend);  // two days before it: not enough
  for (; minute < first + 3 * kMinutesPerDay + 10; ++minute) {
    history.append(minute, synthetic_minute(minute, traffic(1000)));
  }
  baseline = estimator.estimate(history, rules::Quantity::events, minute - 1, 1);
  ASSERT_TRUE(baseline.has_value());
  EXPECT_EQ(baseline->kind, rules::BaselineKind::same_minute);
  EXPECT_NEAR(baseline->expected, 1000, 30);
  EXPECT_GT(baseline->scale, 0);
}

TEST(Baseline, TheRollingTrendDoesNotLagARamp) {
  // Traffic rising 1 % a minute for two hours, as on a busy morning but steeper: an hour-old
  // median would be 30 % behind; the trend is not.
  BaselineConfig config;
  rules::MinuteHistory history(rules::history_capacity(config, 1));
  rules::BaselineEstimator estimator(config);
  const auto level = [](std::int64_t step) {
    return 1000.0 * (1 + 0.01 * static_cast<double>(step));
  };
  for (std::int64_t step = 0; step < 120; ++step) {
    history.append(kDayZeroMinute + step,
                   synthetic_minute(kDayZeroMinute + step, traffic(level(step))));
  }
  const auto baseline =
      estimator.estimate(history, rules::Quantity::events, kDayZeroMinute + 120, 1);
  ASSERT_TRUE(baseline.has_value());
  EXPECT_NEAR(baseline->expected / level(120), 1, 0.04);
}

TEST(Baseline, TooLittleHistoryGivesNone) {
  BaselineConfig config;
  rules::MinuteHistory history(rules::history_capacity(config, 1));
  rules::BaselineEstimator estimator(config);
  for (std::int64_t minute = kDayZeroMinute; minute < kDayZeroMinute + 20; ++minute) {
    history.append(minute, synthetic_minute(minute, traffic(1000)));
  }
  EXPECT_FALSE(estimator.estimate(history, rules::Quantity::events, kDayZeroMinute + 20, 1));
}

TEST(Baseline, BreachesStayOutOfTheRollingBaseline) {
  AnomalyDetector detector;
  EXPECT_TRUE(feed(detector, kDayZeroMinute + 600, 60, traffic(1000)).empty());
  // 25 minutes at 3×: were they learnt, 1,000 afterwards would look like a drop.
  EXPECT_EQ(feed(detector, kDayZeroMinute + 660, 25, traffic(3000)).size(), 1U);
  const auto after = feed(detector, kDayZeroMinute + 685, 60, traffic(1000));
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(after[0].state, AlertState::resolved);
}

TEST(Baseline, ALevelThatLastsBecomesTheNewNormal) {
  AnomalyDetector detector;
  EXPECT_TRUE(feed(detector, kDayZeroMinute + 600, 60, traffic(1000)).empty());
  const auto alerts = feed(detector, kDayZeroMinute + 660, 240, traffic(2500));
  ASSERT_GE(alerts.size(), 2U);
  EXPECT_EQ(alerts.front().state, AlertState::firing);
  EXPECT_EQ(alerts.back().state, AlertState::resolved);
  EXPECT_TRUE(detector.active().empty());
}

TEST(Baseline, RobustZAsksNoisySeriesForMore) {
  AlertRulesConfig ratio = default_alert_rules();
  AlertRulesConfig robust = ratio;
  robust.rule(RuleId::traffic_spike).method = RuleMethod::robust_z;
  robust.rule(RuleId::traffic_spike).z_threshold = 4;

  // ±40 % minute to minute: 2.2× is beyond the factor but well within 4 robust deviations.
  for (const auto* config : {&ratio, &robust}) {
    AnomalyDetector detector(*config);
    EXPECT_TRUE(feed(detector, kDayZeroMinute + 600, 60, traffic(1000, 0.4)).empty());
    const auto alerts = feed(detector, kDayZeroMinute + 660, 3, traffic(2200, 0.01));
    EXPECT_EQ(alerts.size(), config == &ratio ? 1U : 0U);
  }
  // ±2 %: 2.2× is many deviations off, and robust_z fires too, its z in the summary.
  AnomalyDetector steady(robust);
  EXPECT_TRUE(feed(steady, kDayZeroMinute + 600, 60, traffic(1000, 0.02)).empty());
  const auto alerts = feed(steady, kDayZeroMinute + 660, 3, traffic(2200, 0.01));
  ASSERT_EQ(alerts.size(), 1U);
  EXPECT_NE(alerts[0].summary.find("(robust z +"), std::string::npos) << alerts[0].summary;
}

TEST(Baseline, HistoryIsBoundedByTheHorizon) {
  BaselineConfig config;  // 7 days
  const std::size_t minutes = rules::history_capacity(config, 60);
  EXPECT_GE(minutes, 7U * kMinutesPerDay);
  EXPECT_LE(minutes, 7U * kMinutesPerDay + 200);
}

}  // namespace
}  // namespace shoplake::alert
