// The words of an alert: numbers for people, stable ids, one-line summaries, and the names of
// severities, states and rules.
#include "alert_text.hpp"

#include <gtest/gtest.h>

#include "rule_catalog.hpp"
#include "shoplake/alert/detector.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::alert::rules {
namespace {

TEST(AlertText, NumbersReadLikeAReport) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(298.4), "298");
  EXPECT_EQ(format_count(1520), "1,520");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_count(-1500), "-1,500");
  EXPECT_EQ(format_amount(12340.5), "12,340.50");
  EXPECT_EQ(format_amount(-0.001), "0.00");
  EXPECT_EQ(format_ratio(5.1), "5.1×");
  EXPECT_EQ(format_ratio(0.184), "0.18×");
  EXPECT_EQ(format_ratio(12.4), "12×");
  EXPECT_EQ(format_change(1230, 5840), "+375%");
  EXPECT_EQ(format_change(400, 120), "-70%");
  EXPECT_EQ(format_change(0, 3), "new");
  EXPECT_EQ(format_clock(20782LL * 24 * 60 + 3 * 60 + 12), "03:12 UTC");
  EXPECT_EQ(window_text(Quantity::events, 1520, 1), "1,520 events/min");
  EXPECT_EQ(window_text(Quantity::revenue, 3412.8, 3), "3,412.80 revenue in 3 min");
  EXPECT_EQ(window_text(Quantity::conversion, 0.0012, 3), "0.12% conversion in 3 min");
}

TEST(AlertText, IdNamesTheRuleAndTheFirstMinute) {
  const std::int64_t started = *core::parse_rfc3339_ms("2026-11-25T03:12:00Z");
  EXPECT_EQ(incident_id("traffic_spike", "", started), "traffic_spike-20261125T0312Z");
  const std::string with_dimensions = incident_id("revenue_drop", "category=books", started);
  EXPECT_EQ(with_dimensions.size(), std::string("revenue_drop-12345678-20261125T0312Z").size());
  EXPECT_NE(with_dimensions, incident_id("revenue_drop", "category=toys", started));
}

TEST(AlertText, SummaryIsOneReadableLine) {
  SummaryFacts facts;
  facts.spec = &rule_spec(RuleId::traffic_spike);
  facts.value = 1520;
  facts.expected = 298;
  EXPECT_EQ(summary_line(facts), "Traffic spike: 1,520 events/min, 5.1× the usual 298");

  facts.kind = MessageKind::resolved;
  facts.minutes_since_start = 17;
  facts.value = 310;
  EXPECT_EQ(summary_line(facts),
            "Traffic spike resolved after 17 min: 310 events/min, 1.0× the usual 298");

  SummaryFacts zero;
  zero.spec = &rule_spec(RuleId::zero_purchases);
  zero.width = 3;
  zero.value = 0;
  zero.expected = 14.2;
  EXPECT_EQ(summary_line(zero), "Zero purchases: no orders in 3 min, usually 14");

  SummaryFacts conversion;
  conversion.spec = &rule_spec(RuleId::conversion_low);
  conversion.kind = MessageKind::escalation;
  conversion.severity = Severity::critical;
  conversion.minutes_since_start = 2;
  conversion.width = 3;
  conversion.value = 0.0005;
  conversion.expected = 0.0041;
  conversion.with_z = true;
  conversion.z = -6.34;
  EXPECT_EQ(summary_line(conversion),
            "Conversion low turned critical after 2 min: 0.05% conversion in 3 min, 0.12× the "
            "usual 0.41% (robust z -6.3)");
}

TEST(AlertText, NamesGoBothWays) {
  for (const Severity severity : {Severity::info, Severity::warning, Severity::critical}) {
    EXPECT_EQ(severity_from_name(to_string(severity)), severity);
  }
  EXPECT_FALSE(severity_from_name("Critical").has_value());
  EXPECT_EQ(to_string(AlertState::firing), "firing");
  EXPECT_EQ(to_string(AlertState::resolved), "resolved");
  for (const RuleSpec& spec : rule_specs()) {
    EXPECT_EQ(rule_from_name(to_string(spec.id)), spec.id);
  }
  EXPECT_FALSE(rule_from_name("revenue_anomaly").has_value());
}

}  // namespace
}  // namespace shoplake::alert::rules
