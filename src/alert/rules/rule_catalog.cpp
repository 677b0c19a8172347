#include "rule_catalog.hpp"

#include <array>

namespace shoplake::alert::rules {

namespace {

constexpr std::array<RuleSpec, kRuleCount> kRuleSpecs = {{
    {RuleId::traffic_spike, "traffic_spike", "Traffic spike", Quantity::events, Direction::up,
     false, HintKind::traffic_dimensions},
    {RuleId::traffic_drop, "traffic_drop", "Traffic drop", Quantity::events, Direction::down, false,
     HintKind::traffic_dimensions},
    {RuleId::revenue_spike, "revenue_spike", "Revenue spike", Quantity::revenue, Direction::up,
     false, HintKind::revenue_categories},
    {RuleId::revenue_drop, "revenue_drop", "Revenue drop", Quantity::revenue, Direction::down,
     false, HintKind::revenue_categories},
    {RuleId::conversion_low, "conversion_low", "Conversion low", Quantity::conversion,
     Direction::down, false, HintKind::conversion_parts},
    {RuleId::zero_purchases, "zero_purchases", "Zero purchases", Quantity::orders, Direction::none,
     true, HintKind::last_order},
}};

}  // namespace

const RuleSpec& rule_spec(RuleId rule) {
  return kRuleSpecs[static_cast<std::size_t>(rule)];
}

std::span<const RuleSpec> rule_specs() {
  return kRuleSpecs;
}

}  // namespace shoplake::alert::rules

namespace shoplake::alert {

std::string_view to_string(RuleId rule) {
  return rules::rule_spec(rule).name;
}

std::optional<RuleId> rule_from_name(std::string_view name) {
  for (const rules::RuleSpec& spec : rules::rule_specs()) {
    if (spec.name == name) return spec.id;
  }
  return std::nullopt;
}

// Why each value is what it is: docs/ALERTS.md ("Defaults"), measured on the simulator.
AlertRulesConfig default_alert_rules() {
  AlertRulesConfig config;

  // Traffic is judged minute by minute: thousands of events a minute need no smoothing, and a
  // window would only delay a drop, which shows slowly anyway (sessions under way go on: about
  // 0.75×, 0.6×, 0.5×, 0.45× of the usual in its first four minutes). Hence a drop at 0.6× rather
  // than the original's 0.5×, with 4 robust deviations asked as well so that a quiet shop's
  // wobble (ordinary minutes go down to 0.65×) is not one.
  RuleConfig traffic;
  traffic.window_minutes = 1;
  traffic.min_events = 200;
  traffic.z_threshold = 4;
  RuleConfig& spike = config.rule(RuleId::traffic_spike);
  spike = traffic;
  spike.factor = 2;
  spike.critical_factor = 5;
  spike.consecutive_minutes = 2;
  RuleConfig& drop = config.rule(RuleId::traffic_drop);
  drop = traffic;
  drop.factor = 0.6;
  drop.critical_factor = 0.2;
  drop.consecutive_minutes = 1;
  drop.method = RuleMethod::robust_z;

  // Purchases are rare next to events: the purchase rules judge 3-minute sums, and only where
  // those usually hold enough orders for a change to stand out of counting noise. Revenue and
  // conversion must also be 4.5 robust deviations off (never less than counting noise makes):
  // the smaller the volume, the bigger the move it takes.
  RuleConfig purchases;
  purchases.window_minutes = 3;
  purchases.consecutive_minutes = 1;
  purchases.method = RuleMethod::robust_z;
  purchases.z_threshold = 4.5;
  RuleConfig& revenue_spike = config.rule(RuleId::revenue_spike);
  revenue_spike = purchases;
  revenue_spike.factor = 2;
  revenue_spike.critical_factor = 5;
  revenue_spike.min_orders = 100;
  RuleConfig& revenue_drop = config.rule(RuleId::revenue_drop);
  revenue_drop = purchases;
  revenue_drop.factor = 0.5;
  revenue_drop.critical_factor = 0.2;
  revenue_drop.min_orders = 100;
  RuleConfig& conversion = config.rule(RuleId::conversion_low);
  conversion = purchases;
  conversion.factor = 0.5;
  conversion.critical_factor = 0.2;
  conversion.min_orders = 30;
  // No order at all in a window that usually holds 15 has a chance of e^-15 (3 in 10 million).
  RuleConfig& zero = config.rule(RuleId::zero_purchases);
  zero = purchases;
  zero.method = RuleMethod::ratio;
  zero.factor = 0;
  zero.critical_factor = 0;
  zero.severity = Severity::critical;
  zero.min_orders = 15;
  return config;
}

}  // namespace shoplake::alert
