// The firing → resolved lifecycle on made-up minutes: consecutive breaching minutes, warm-up,
// minimum volume, one incident per rule, reminders, escalation, resolution, cooldown, skipped
// minutes, and what each purchase rule needs.
#include <gtest/gtest.h>

#include <chrono>
#include <string_view>

#include "shoplake/alert/detector.hpp"
#include "synthetic_shop.hpp"

namespace shoplake::alert {
namespace {

using testing::feed;
using testing::kDayZeroMinute;
using testing::minute_ms;
using testing::ShopMinute;

constexpr std::int64_t kNoon = kDayZeroMinute + 12 * 60;

std::vector<Alert> of_rule(const std::vector<Alert>& alerts, std::string_view rule) {
  std::vector<Alert> matching;
  for (const Alert& alert : alerts) {
    if (alert.rule == rule) matching.push_back(alert);
  }
  return matching;
}

// The incidents that started: firing messages that are not reminders or escalations.
std::vector<Alert> fired(const std::vector<Alert>& alerts, std::string_view rule) {
  std::vector<Alert> matching;
  for (const Alert& alert : of_rule(alerts, rule)) {
    if (alert.state == AlertState::firing && !alert.repeat) matching.push_back(alert);
  }
  return matching;
}

ShopMinute traffic(double events) {
  ShopMinute shape;
  shape.events = events;
  return shape;
}

// An hour of ordinary traffic from noon: history enough for every default warm-up and baseline.
AnomalyDetector warmed_up(const AlertRulesConfig& config = default_alert_rules()) {
  AnomalyDetector detector(config);
  EXPECT_TRUE(feed(detector, kNoon, 60, traffic(1000)).empty());
  return detector;
}

TEST(Lifecycle, FiresOnlyAfterConsecutiveBreachingMinutes) {
  AnomalyDetector detector = warmed_up();
  // traffic_spike needs 2 minutes in a row by default: one is a blip.
  EXPECT_TRUE(feed(detector, kNoon + 60, 1, traffic(3000)).empty());
  EXPECT_TRUE(feed(detector, kNoon + 61, 5, traffic(1000)).empty());
  const auto alerts = feed(detector, kNoon + 66, 2, traffic(3000));
  ASSERT_EQ(alerts.size(), 1U);
  const Alert& alert = alerts[0];
  EXPECT_EQ(alert.rule, "traffic_spike");
  EXPECT_EQ(alert.dimensions, "");
  EXPECT_EQ(alert.state, AlertState::firing);
  EXPECT_FALSE(alert.repeat);
  EXPECT_EQ(alert.severity, Severity::warning);
  EXPECT_EQ(alert.started_ms, minute_ms(kNoon + 66));  // the first breaching minute
  EXPECT_EQ(alert.minute_ms, minute_ms(kNoon + 67));   // decided on the second
  EXPECT_EQ(alert.emitted_at_ms, minute_ms(kNoon + 67) + 1);
  EXPECT_EQ(alert.id, "traffic_spike-20261125T1306Z");
  EXPECT_NEAR(alert.value / alert.expected, 3, 0.3);
}

TEST(Lifecycle, NothingFiresDuringWarmUp) {
  AlertRulesConfig config = default_alert_rules();
  config.baseline.rolling_minutes = 10;  // a baseline after 5 minutes: only the warm-up holds
  AnomalyDetector detector(config);
  EXPECT_TRUE(feed(detector, kNoon, 15, traffic(1000)).empty());
  EXPECT_TRUE(feed(detector, kNoon + 15, 5, traffic(5000)).empty());
  EXPECT_TRUE(feed(detector, kNoon + 20, 20, traffic(1000)).empty());
  EXPECT_EQ(of_rule(feed(detector, kNoon + 40, 5, traffic(5000)), "traffic_spike").size(), 1U);
}

TEST(Lifecycle, NothingIsJudgedBelowTheMinimumVolume) {
  AnomalyDetector quiet_shop;
  EXPECT_TRUE(feed(quiet_shop, kNoon, 60, traffic(100)).empty());
  EXPECT_TRUE(feed(quiet_shop, kNoon + 60, 10, traffic(500)).empty());  // 100 < min_events 200
  EXPECT_TRUE(feed(quiet_shop, kNoon + 70, 10, traffic(10)).empty());

  AlertRulesConfig config = default_alert_rules();
  config.rule(RuleId::traffic_spike).min_events = 50;
  AnomalyDetector lower_minimum(config);
  EXPECT_TRUE(feed(lower_minimum, kNoon, 60, traffic(100)).empty());
  EXPECT_EQ(fired(feed(lower_minimum, kNoon + 60, 10, traffic(500)), "traffic_spike").size(), 1U);
}

TEST(Lifecycle, OneIncidentAtATimeThenResolvedWithTheSameId) {
  AnomalyDetector detector = warmed_up();
  const auto during = feed(detector, kNoon + 60, 25, traffic(3000));
  ASSERT_EQ(during.size(), 1U);  // 25 breaching minutes, one incident, no reminder yet (30)
  ASSERT_EQ(detector.active().size(), 1U);
  EXPECT_EQ(detector.active()[0], during[0]);

  const auto after = feed(detector, kNoon + 85, 10, traffic(1000));
  ASSERT_EQ(after.size(), 1U);  // resolved, and no drop against a spike-free baseline
  const Alert& resolved = after[0];
  EXPECT_EQ(resolved.state, AlertState::resolved);
  EXPECT_EQ(resolved.id, during[0].id);
  EXPECT_EQ(resolved.started_ms, during[0].started_ms);
  EXPECT_EQ(resolved.hint, during[0].hint);
  EXPECT_EQ(resolved.minute_ms, minute_ms(kNoon + 86));  // resolve_minutes = 2 clear minutes
  EXPECT_NEAR(resolved.value / resolved.expected, 1, 0.1);
  EXPECT_NE(resolved.summary.find("resolved after 26 min"), std::string::npos) << resolved.summary;
  EXPECT_TRUE(detector.active().empty());
}

TEST(Lifecycle, RemindsEveryRepeatIntervalWhileFiring) {
  AlertRulesConfig config = default_alert_rules();
  config.rule(RuleId::traffic_spike).repeat_minutes = 10;
  AnomalyDetector detector = warmed_up(config);
  const auto alerts = feed(detector, kNoon + 60, 35, traffic(3000));
  ASSERT_EQ(alerts.size(), 4U);
  EXPECT_FALSE(alerts[0].repeat);
  for (std::size_t i = 1; i < alerts.size(); ++i) {
    EXPECT_TRUE(alerts[i].repeat);
    EXPECT_EQ(alerts[i].state, AlertState::firing);
    EXPECT_EQ(alerts[i].id, alerts[0].id);
    EXPECT_EQ(alerts[i].minute_ms, alerts[0].minute_ms + minute_ms(10 * static_cast<int>(i)));
    EXPECT_NE(alerts[i].summary.find(" for "), std::string::npos) << alerts[i].summary;
  }
  EXPECT_EQ(detector.active().back(), alerts.back());
}

TEST(Lifecycle, AnIncidentTurningCriticalSaysSoAtOnce) {
  AnomalyDetector detector = warmed_up();
  const auto first = feed(detector, kNoon + 60, 3, traffic(3000));
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0].severity, Severity::warning);
  const auto worse = feed(detector, kNoon + 63, 3, traffic(6000));  // beyond critical_factor 5
  ASSERT_EQ(worse.size(), 1U);
  EXPECT_TRUE(worse[0].repeat);
  EXPECT_EQ(worse[0].severity, Severity::critical);
  EXPECT_EQ(worse[0].id, first[0].id);
  EXPECT_NE(worse[0].summary.find("turned critical"), std::string::npos) << worse[0].summary;
}

TEST(Lifecycle, CooldownAfterResolveBeforeTheSameRuleFiresAgain) {
  AnomalyDetector detector = warmed_up();                              // cooldown_minutes = 15
  ASSERT_EQ(feed(detector, kNoon + 60, 5, traffic(3000)).size(), 1U);  // fires at +61
  ASSERT_EQ(feed(detector, kNoon + 65, 5, traffic(1000)).size(), 1U);  // resolves at +66
  EXPECT_TRUE(feed(detector, kNoon + 70, 5, traffic(3000)).empty());   // cooling down
  EXPECT_TRUE(feed(detector, kNoon + 75, 15, traffic(1000)).empty());
  const auto again = feed(detector, kNoon + 90, 3, traffic(3000));
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].state, AlertState::firing);
  EXPECT_EQ(again[0].started_ms, minute_ms(kNoon + 90));
  EXPECT_EQ(again[0].id, "traffic_spike-20261125T1330Z");  // a new incident, a new id
}

TEST(Lifecycle, SkippedMinutesCountAsMinutesWithoutActivity) {
  AnomalyDetector skipping = warmed_up();
  const auto skipped = skipping.observe(testing::synthetic_minute(kNoon + 65, traffic(1000)), 42);
  ASSERT_EQ(skipped.size(), 1U);
  EXPECT_EQ(skipped[0].rule, "traffic_drop");
  EXPECT_EQ(skipped[0].minute_ms, minute_ms(kNoon + 60));  // decided on the first quiet minute
  EXPECT_EQ(skipped[0].severity, Severity::critical);
  EXPECT_EQ(skipped[0].emitted_at_ms, 42);

  // The same minutes delivered as zero summaries decide the same.
  AnomalyDetector explicit_zeros = warmed_up();
  std::vector<Alert> alerts;
  for (std::int64_t minute = kNoon + 60; minute < kNoon + 65; ++minute) {
    core::MinuteSummary quiet;
    quiet.minute_ms = minute_ms(minute);
    for (Alert& alert : explicit_zeros.observe(quiet, 42)) alerts.push_back(alert);
  }
  for (Alert& alert :
       explicit_zeros.observe(testing::synthetic_minute(kNoon + 65, traffic(1000)), 42)) {
    alerts.push_back(alert);
  }
  EXPECT_EQ(alerts, skipped);
}

TEST(Lifecycle, MinutesNotAfterTheLastAreIgnored) {
  AnomalyDetector detector = warmed_up();
  const core::MinuteSummary spike = testing::synthetic_minute(kNoon + 30, traffic(9000));
  EXPECT_TRUE(detector.observe(spike, 0).empty());
  EXPECT_TRUE(detector.observe(spike, 0).empty());
  EXPECT_TRUE(feed(detector, kNoon + 60, 5, traffic(1000)).empty());
}

TEST(Lifecycle, AGapLongerThanTheHorizonIsQuick) {
  AnomalyDetector detector = warmed_up();
  const auto started = std::chrono::steady_clock::now();
  const auto alerts =
      detector.observe(testing::synthetic_minute(kNoon + 60 + 365LL * 24 * 60, traffic(1000)), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_LE(alerts.size(), 10U);
}

TEST(Lifecycle, SeverityAndEnabledComeFromTheConfig) {
  AlertRulesConfig config = default_alert_rules();
  config.rule(RuleId::traffic_spike).severity = Severity::info;
  config.rule(RuleId::traffic_drop).enabled = false;
  AnomalyDetector detector = warmed_up(config);
  const auto spike = feed(detector, kNoon + 60, 3, traffic(3000));
  ASSERT_EQ(spike.size(), 1U);
  EXPECT_EQ(spike[0].severity, Severity::info);
  EXPECT_EQ(feed(detector, kNoon + 63, 3, traffic(1000)).size(), 1U);  // resolved
  EXPECT_TRUE(feed(detector, kNoon + 66, 10, traffic(100)).empty());   // the drop rule is off
}

TEST(Lifecycle, TrafficHintNamesThePartThatMoved) {
  AnomalyDetector detector = warmed_up();
  ShopMinute mobile_surge = traffic(3000);
  mobile_surge.wobble = 0;
  mobile_surge.mobile_share = 0.8;  // web stays at 600: mobile goes 400 → 2,400
  const auto alerts = feed(detector, kNoon + 60, 2, mobile_surge);
  ASSERT_EQ(alerts.size(), 1U);
  EXPECT_EQ(alerts[0].hint, "source mobile moved most: 400 → 2,400 events/min (+500%)");
  EXPECT_EQ(alerts[0].summary.rfind("Traffic spike: 3,000 events/min, 3.0× the usual 1,0", 0), 0U)
      << alerts[0].summary;
}

// ---- the purchase rules ----

ShopMinute with_orders(double orders_per_minute) {
  ShopMinute shape;
  shape.events = 2000;
  shape.orders = orders_per_minute;
  return shape;
}

TEST(PurchaseRules, ZeroPurchasesWhileTrafficGoesOn) {
  AnomalyDetector detector;
  EXPECT_TRUE(feed(detector, kNoon, 60, with_orders(10)).empty());
  const auto alerts = of_rule(feed(detector, kNoon + 60, 5, with_orders(0)), "zero_purchases");
  ASSERT_EQ(alerts.size(), 1U);
  // A 3-minute window: empty from its third minute on.
  EXPECT_EQ(alerts[0].minute_ms, minute_ms(kNoon + 62));
  EXPECT_EQ(alerts[0].started_ms, minute_ms(kNoon + 62));
  EXPECT_EQ(alerts[0].severity, Severity::critical);
  EXPECT_EQ(alerts[0].value, 0);
  EXPECT_EQ(alerts[0].summary.rfind("Zero purchases: no orders in 3 min, usually 30", 0), 0U)
      << alerts[0].summary;
  EXPECT_EQ(alerts[0].hint.rfind("last order at 12:59 UTC, 3 min before", 0), 0U) << alerts[0].hint;
  const auto back = of_rule(feed(detector, kNoon + 65, 5, with_orders(10)), "zero_purchases");
  ASSERT_EQ(back.size(), 1U);
  EXPECT_EQ(back[0].state, AlertState::resolved);
}

TEST(PurchaseRules, NoZeroPurchasesAlertWithoutTraffic) {
  AnomalyDetector detector;
  EXPECT_TRUE(feed(detector, kNoon, 60, with_orders(10)).empty());
  ShopMinute closed = with_orders(0);
  closed.events = 0;
  const auto alerts = feed(detector, kNoon + 60, 5, closed);
  EXPECT_TRUE(of_rule(alerts, "zero_purchases").empty());
  EXPECT_EQ(of_rule(alerts, "traffic_drop").size(), 1U);  // that is what happened
}

TEST(PurchaseRules, FewOrdersAreNotJudged) {
  AnomalyDetector detector;  // 3 orders in 3 minutes: no rule can tell an outage from chance
  EXPECT_TRUE(feed(detector, kNoon, 60, with_orders(1)).empty());
  EXPECT_TRUE(feed(detector, kNoon + 60, 30, with_orders(0)).empty());
}

TEST(PurchaseRules, ConversionLowSaysBuyersFell) {
  AnomalyDetector detector;
  EXPECT_TRUE(feed(detector, kNoon, 60, with_orders(20)).empty());
  const auto alerts = fired(feed(detector, kNoon + 60, 4, with_orders(2)), "conversion_low");
  ASSERT_EQ(alerts.size(), 1U);
  EXPECT_LT(alerts[0].value / alerts[0].expected, 0.5);
  EXPECT_NE(alerts[0].summary.find("robust z"), std::string::npos) << alerts[0].summary;
  EXPECT_EQ(alerts[0].hint.rfind("fewer buyers", 0), 0U) << alerts[0].hint;
}

TEST(PurchaseRules, AFixedThresholdIsTheOriginalsConversionBelowOnePercent) {
  auto config =
      parse_alert_rules("[rules.conversion_low]\nfixed_threshold = 0.01\nmin_orders = 0\n");
  ASSERT_TRUE(config) << config.error();
  // A steady 0.8 % (4 buyers of 500 users a minute): its own baseline sees nothing wrong, the
  // fixed 1 % does.
  AnomalyDetector fixed(config.value());
  EXPECT_FALSE(fired(feed(fixed, kNoon, 90, with_orders(4)), "conversion_low").empty());
  AnomalyDetector relative(parse_alert_rules("[rules.conversion_low]\nmin_orders = 0\n").value());
  EXPECT_TRUE(fired(feed(relative, kNoon, 90, with_orders(4)), "conversion_low").empty());
  // 4 % stays above it.
  AnomalyDetector healthy(config.value());
  EXPECT_TRUE(fired(feed(healthy, kNoon, 90, with_orders(20)), "conversion_low").empty());
}

TEST(PurchaseRules, RevenueDropNamesTheCategory) {
  AnomalyDetector detector;
  ShopMinute shop = with_orders(50);
  shop.wobble = 0;
  EXPECT_TRUE(feed(detector, kNoon, 60, shop).empty());
  shop.electronics_price_factor = 0;  // electronics sells for nothing: revenue 0.4×
  const auto alerts = of_rule(feed(detector, kNoon + 60, 4, shop), "revenue_drop");
  ASSERT_EQ(alerts.size(), 1U);
  EXPECT_EQ(alerts[0].hint,
            "category electronics moved most: 4,500.00 → 0.00 revenue in 3 min (-100%)");
}

}  // namespace
}  // namespace shoplake::alert
