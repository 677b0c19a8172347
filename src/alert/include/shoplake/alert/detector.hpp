// The anomaly rules: each event-time minute of the shop goes in, alerts come out as incidents
// move from firing to resolved. Baselines, rules, lifecycle and the rules file are described in
// docs/ALERTS.md; this header is the whole interface.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "shoplake/alert/alert.hpp"
#include "shoplake/core/minute_summary.hpp"
#include "shoplake/core/result.hpp"

namespace shoplake::alert {

// The original platform's four checks, traffic and revenue each split by direction.
enum class RuleId : std::uint8_t {
  traffic_spike,
  traffic_drop,
  revenue_spike,
  revenue_drop,
  conversion_low,
  zero_purchases,
};
inline constexpr std::size_t kRuleCount = 6;

std::string_view to_string(RuleId rule);  // "traffic_spike", ...: the name in alerts and config
std::optional<RuleId> rule_from_name(std::string_view name);

// How a judged value is compared with its baseline.
enum class RuleMethod : std::uint8_t {
  ratio,     // value / expected beyond `factor`
  robust_z,  // that, and also `z_threshold` robust deviations (median/MAD) away: noise-aware
};

struct RuleConfig {
  bool enabled = true;
  // Spike rules breach above factor × expected, the others below it (zero_purchases has none: no
  // order at all).
  double factor = 2;
  double critical_factor = 5;  // beyond this the incident is critical, else `severity`
  // Above 0: the rule breaches beyond this fixed value instead of factor × its baseline (the
  // original's "conversion below 1 %" is conversion_low with 0.01); the volume guards still hold.
  double fixed_threshold = 0;
  Severity severity = Severity::warning;
  RuleMethod method = RuleMethod::ratio;
  double z_threshold = 4;
  std::uint32_t window_minutes = 1;       // the judged value sums this many trailing minutes
  std::uint32_t consecutive_minutes = 1;  // breaching minutes in a row before it fires
  std::uint32_t resolve_minutes = 2;      // clear minutes in a row before it resolves
  // Minimum volume: an incident starts only in a window that usually holds at least this many
  // events, active users (summed over the window's minutes) and orders.
  double min_events = 0;
  double min_users = 0;
  double min_orders = 0;
  std::uint32_t warmup_minutes = 30;    // minutes of history before the rule may fire
  std::uint32_t cooldown_minutes = 15;  // after a resolve, before the same rule fires again
  std::uint32_t repeat_minutes = 30;    // reminder interval while firing; 0: no reminders
  bool operator==(const RuleConfig&) const = default;
};

// Detector-wide: the history every rule's baseline is drawn from.
struct BaselineConfig {
  std::uint32_t history_days = 7;  // the horizon: no minute older than this is kept
  // The same minute of the day on previous days (± margin) is the baseline once this many
  // previous days hold it; before that, a robust trend over the trailing rolling window.
  std::uint32_t same_minute_days = 3;
  std::uint32_t same_minute_margin = 15;
  std::uint32_t rolling_minutes = 60;
  bool operator==(const BaselineConfig&) const = default;
};

struct AlertRulesConfig {
  BaselineConfig baseline;
  std::array<RuleConfig, kRuleCount> rules;  // indexed by RuleId
  RuleConfig& rule(RuleId id) { return rules[static_cast<std::size_t>(id)]; }
  const RuleConfig& rule(RuleId id) const { return rules[static_cast<std::size_t>(id)]; }
  bool operator==(const AlertRulesConfig&) const = default;
};

// What applies with no rules file: see docs/ALERTS.md for each value and why.
AlertRulesConfig default_alert_rules();

// A rules file: a [defaults] table (every rule's keys and the baseline keys) and [rules.<name>]
// tables, each key overriding the one before. Other top-level tables are someone else's and left
// alone. Unknown rules and keys, wrong types and out-of-range values are errors naming the table,
// the key and why.
core::Result<AlertRulesConfig> parse_alert_rules(std::string_view toml_text);

class AnomalyDetector {
 public:
  explicit AnomalyDetector(const AlertRulesConfig& config = default_alert_rules());
  ~AnomalyDetector();
  AnomalyDetector(AnomalyDetector&&) noexcept;
  AnomalyDetector& operator=(AnomalyDetector&&) noexcept;

  // One event-time minute, in minute order; minutes skipped since the last one count as minutes
  // without activity, a minute not after the last one is ignored. Returns what was decided:
  // incidents that fire, reminders of those still firing, incidents that resolve.
  // `now_wall_ms` only stamps the alerts (emitted_at_ms).
  std::vector<Alert> observe(const core::MinuteSummary& minute, std::int64_t now_wall_ms);

  // The latest message of each incident firing now.
  std::vector<Alert> active() const;

  const AlertRulesConfig& config() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::alert
