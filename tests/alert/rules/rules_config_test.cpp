// The rules file: defaults with no file, [defaults] then [rules.<name>] overriding the built-in
// values, other tables left alone, and every mistake named with its table, key and why.
#include <gtest/gtest.h>

#include <string>

#include "shoplake/alert/detector.hpp"

namespace shoplake::alert {
namespace {

AlertRulesConfig parsed(std::string_view text) {
  auto result = parse_alert_rules(text);
  EXPECT_TRUE(result.ok()) << result.error();
  return result.ok() ? result.value() : AlertRulesConfig{};
}

std::string error_of(std::string_view text) {
  const auto result = parse_alert_rules(text);
  EXPECT_FALSE(result.ok()) << text;
  return result.ok() ? std::string() : result.error();
}

// The example of docs/ALERTS.md, kept in step with it.
constexpr std::string_view kExample = R"(
[defaults]
warmup_minutes = 60
cooldown_minutes = 30
repeat_minutes = 60
rolling_minutes = 90
same_minute_days = 2

[rules.traffic_spike]
factor = 3
critical_factor = 6
consecutive_minutes = 3
severity = "info"

[rules.traffic_drop]
min_events = 500

[rules.revenue_drop]
window_minutes = 10
min_orders = 40
method = "ratio"

[rules.conversion_low]
method = "robust_z"
z_threshold = 5

[rules.zero_purchases]
enabled = false

[[sinks]]
kind = "slack"
url_env = "SLACK_WEBHOOK_URL"
)";

TEST(RulesConfig, NoFileMeansTheDefaults) {
  EXPECT_EQ(parsed(""), default_alert_rules());
  EXPECT_EQ(parsed("# nothing but a comment\n"), default_alert_rules());
}

TEST(RulesConfig, TheDocumentedExample) {
  const AlertRulesConfig config = parsed(kExample);
  EXPECT_EQ(config.baseline.rolling_minutes, 90U);
  EXPECT_EQ(config.baseline.same_minute_days, 2U);
  EXPECT_EQ(config.baseline.history_days, 7U);  // untouched
  const RuleConfig& spike = config.rule(RuleId::traffic_spike);
  EXPECT_EQ(spike.factor, 3);
  EXPECT_EQ(spike.critical_factor, 6);
  EXPECT_EQ(spike.consecutive_minutes, 3U);
  EXPECT_EQ(spike.severity, Severity::info);
  EXPECT_EQ(spike.warmup_minutes, 60U);  // from [defaults]
  EXPECT_EQ(config.rule(RuleId::traffic_drop).min_events, 500);
  EXPECT_EQ(config.rule(RuleId::traffic_drop).factor, 0.6);  // built in
  const RuleConfig& revenue = config.rule(RuleId::revenue_drop);
  EXPECT_EQ(revenue.window_minutes, 10U);
  EXPECT_EQ(revenue.min_orders, 40);
  EXPECT_EQ(revenue.method, RuleMethod::ratio);
  EXPECT_EQ(revenue.cooldown_minutes, 30U);
  EXPECT_EQ(config.rule(RuleId::conversion_low).z_threshold, 5);
  EXPECT_FALSE(config.rule(RuleId::zero_purchases).enabled);
  for (const RuleConfig& rule : config.rules) EXPECT_EQ(rule.repeat_minutes, 60U);
}

TEST(RulesConfig, RulesOverrideDefaultsWhicheverComesFirst) {
  const AlertRulesConfig config = parsed(R"(
[rules.traffic_drop]
consecutive_minutes = 4
[defaults]
consecutive_minutes = 2
)");
  EXPECT_EQ(config.rule(RuleId::traffic_drop).consecutive_minutes, 4U);
  EXPECT_EQ(config.rule(RuleId::revenue_spike).consecutive_minutes, 2U);
}

TEST(RulesConfig, OtherTablesAreSomeoneElses) {
  EXPECT_EQ(parsed("[[sinks]]\nkind = \"webhook\"\n[server]\nport = 1\ntitle = \"x\"\n"),
            default_alert_rules());
}

TEST(RulesConfig, UnknownRulesAndKeysAreNamed) {
  const std::string rule = error_of("[rules.trafic_spike]\nfactor = 3\n");
  EXPECT_NE(rule.find("[rules.trafic_spike]"), std::string::npos) << rule;
  EXPECT_NE(rule.find("unknown rule"), std::string::npos) << rule;
  EXPECT_NE(rule.find("traffic_spike, traffic_drop"), std::string::npos) << rule;

  const std::string key = error_of("[rules.traffic_spike]\n\nfacter = 3\n");
  EXPECT_NE(key.find("[rules.traffic_spike] facter (line 3): unknown key"), std::string::npos)
      << key;
  const std::string nested = error_of("[rules.traffic_spike.extra]\nx = 1\n");
  EXPECT_NE(nested.find("[rules.traffic_spike] extra"), std::string::npos) << nested;
  EXPECT_NE(error_of("[defaults]\nwindow = 3\n").find("[defaults] window"), std::string::npos);
}

TEST(RulesConfig, WrongTypesAreNamed) {
  const std::string integer = error_of("[defaults]\nwarmup_minutes = \"30\"\n");
  EXPECT_NE(integer.find("[defaults] warmup_minutes (line 2): must be a whole number from 0 to "
                         "10080, got a string"),
            std::string::npos)
      << integer;
  EXPECT_NE(error_of("[rules.traffic_drop]\nconsecutive_minutes = 1.5\n")
                .find("got a number with a fraction"),
            std::string::npos);
  EXPECT_NE(error_of("[rules.traffic_drop]\nenabled = 1\n").find("must be true or false"),
            std::string::npos);
  EXPECT_NE(error_of("[rules.traffic_drop]\nfactor = \"half\"\n").find("must be a number"),
            std::string::npos);
  EXPECT_NE(error_of("[rules.traffic_drop]\nmethod = \"zscore\"\n")
                .find("must be \"ratio\" or \"robust_z\", got \"zscore\""),
            std::string::npos);
  EXPECT_NE(error_of("[rules.traffic_drop]\nseverity = \"high\"\n")
                .find("must be \"info\", \"warning\" or \"critical\""),
            std::string::npos);
  EXPECT_NE(error_of("defaults = 3\n").find("[defaults]"), std::string::npos);
  EXPECT_NE(error_of("rules = [1]\n").find("rules"), std::string::npos);
  EXPECT_NE(error_of("[rules]\ntraffic_spike = 3\n").find("[rules.traffic_spike]"),
            std::string::npos);
}

TEST(RulesConfig, OutOfRangeValuesAreNamed) {
  EXPECT_NE(error_of("[rules.traffic_spike]\nconsecutive_minutes = 0\n")
                .find("consecutive_minutes (line 2): must be from 1 to 60, got 0"),
            std::string::npos);
  EXPECT_NE(error_of("[defaults]\nwindow_minutes = 61\n").find("must be from 1 to 60"),
            std::string::npos);
  EXPECT_NE(error_of("[defaults]\nhistory_days = 100\n").find("history_days"), std::string::npos);
  EXPECT_NE(error_of("[defaults]\nmin_events = -1\n").find("min_events"), std::string::npos);
  EXPECT_NE(error_of("[defaults]\nz_threshold = 0\n").find("z_threshold"), std::string::npos);
  EXPECT_NE(error_of("[rules.traffic_spike]\nfactor = nan\n").find("finite"), std::string::npos);
  EXPECT_NE(
      error_of("[defaults]\nsame_minute_days = 9\nhistory_days = 8\n").find("same_minute_days"),
      std::string::npos);
}

TEST(RulesConfig, FactorsMustSuitTheRule) {
  const std::string spike = error_of("[rules.traffic_spike]\nfactor = 0.5\n");
  EXPECT_NE(spike.find("[rules.traffic_spike]: factor must be above 1 for a spike rule, got 0.5"),
            std::string::npos)
      << spike;
  EXPECT_NE(error_of("[rules.revenue_drop]\nfactor = 1.5\n").find("above 0 and below 1"),
            std::string::npos);
  EXPECT_NE(error_of("[rules.traffic_drop]\nfactor = 0.1\n").find("critical_factor (0.2)"),
            std::string::npos);
  EXPECT_NE(error_of("[rules.revenue_spike]\ncritical_factor = 1.5\n").find("at least factor"),
            std::string::npos);
  EXPECT_NE(error_of("[rules.zero_purchases]\nfactor = 0.1\n").find("takes no factor"),
            std::string::npos);
  EXPECT_NE(error_of("[defaults]\nfactor = 2\n").find("set it per rule"), std::string::npos);
  EXPECT_NE(error_of("[rules.traffic_drop]\nrolling_minutes = 30\n").find("set it in [defaults]"),
            std::string::npos);
  EXPECT_EQ(parsed("[rules.traffic_drop]\nfactor = 0.1\ncritical_factor = 0.05\n")
                .rule(RuleId::traffic_drop)
                .factor,
            0.1);
}

TEST(RulesConfig, SyntaxErrorsSayWhere) {
  const std::string error = error_of("[defaults]\nwarmup_minutes = = 3\n");
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
  EXPECT_FALSE(parse_alert_rules(std::string("\0\xff", 2)).ok());
}

}  // namespace
}  // namespace shoplake::alert
