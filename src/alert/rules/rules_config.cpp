// The rules file (TOML): [defaults], then [rules.<name>], each key overriding what came before
// (the built-in defaults, then [defaults]). Every mistake is reported with the table, the key,
// the line and what would be accepted.
#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>

#include "config_limits.hpp"
#include "rule_catalog.hpp"
#include "shoplake/alert/detector.hpp"

namespace shoplake::alert {

namespace {

using rules::Direction;
using rules::IntegerRange;

// Why a value was refused, without the table and key (the caller adds them).
using Problem = std::optional<std::string>;

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number with a fraction";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date or time";
  }
}

Problem read_integer(const toml::node& node, IntegerRange range, std::uint32_t& out) {
  const auto* integer = node.as_integer();
  if (integer == nullptr) {
    return fmt::format("must be a whole number from {} to {}, got {}", range.min, range.max,
                       type_name(node));
  }
  const std::int64_t value = integer->get();
  if (value < range.min || value > range.max) {
    return fmt::format("must be from {} to {}, got {}", range.min, range.max, value);
  }
  out = static_cast<std::uint32_t>(value);
  return std::nullopt;
}

std::optional<double> number_of(const toml::node& node) {
  if (const auto* integer = node.as_integer()) return static_cast<double>(integer->get());
  if (const auto* real = node.as_floating_point()) return real->get();
  return std::nullopt;
}

Problem read_number(const toml::node& node, double& out) {
  const auto value = number_of(node);
  if (!value) return fmt::format("must be a number, got {}", type_name(node));
  if (!std::isfinite(*value)) return std::string("must be a finite number");
  out = *value;
  return std::nullopt;
}

Problem read_volume(const toml::node& node, double& out) {
  double value = 0;
  if (auto problem = read_number(node, value)) return problem;
  if (value < 0 || value > rules::kMaxVolume) {
    return fmt::format("must be from 0 to {:g}, got {:g}", rules::kMaxVolume, value);
  }
  out = value;
  return std::nullopt;
}

Problem read_string(const toml::node& node, std::string& out) {
  const auto* text = node.as_string();
  if (text == nullptr) return fmt::format("must be a string, got {}", type_name(node));
  out = text->get();
  return std::nullopt;
}

// ---- keys ----

enum class Scope : std::uint8_t {
  any,            // [defaults] and [rules.<name>]
  rule_only,      // per rule: its meaning depends on the rule's direction
  defaults_only,  // the baseline, shared by every rule
};

struct Key {
  std::string_view name;
  Scope scope;
  std::function<Problem(const toml::node&, RuleConfig&, BaselineConfig&)> apply;
};

Problem read_method(const toml::node& node, RuleConfig& rule) {
  std::string name;
  if (auto problem = read_string(node, name)) return problem;
  if (name == "ratio") {
    rule.method = RuleMethod::ratio;
  } else if (name == "robust_z") {
    rule.method = RuleMethod::robust_z;
  } else {
    return fmt::format("must be \"ratio\" or \"robust_z\", got \"{}\"", name);
  }
  return std::nullopt;
}

Problem read_severity(const toml::node& node, RuleConfig& rule) {
  std::string name;
  if (auto problem = read_string(node, name)) return problem;
  const auto severity = severity_from_name(name);
  if (!severity)
    return fmt::format("must be \"info\", \"warning\" or \"critical\", got \"{}\"", name);
  rule.severity = *severity;
  return std::nullopt;
}

Problem read_z_threshold(const toml::node& node, RuleConfig& rule) {
  double value = 0;
  if (auto problem = read_number(node, value)) return problem;
  if (value <= 0 || value > rules::kMaxZThreshold) {
    return fmt::format("must be above 0 and at most {:g}, got {:g}", rules::kMaxZThreshold, value);
  }
  rule.z_threshold = value;
  return std::nullopt;
}

Problem read_enabled(const toml::node& node, RuleConfig& rule) {
  const auto* flag = node.as_boolean();
  if (flag == nullptr) return fmt::format("must be true or false, got {}", type_name(node));
  rule.enabled = flag->get();
  return std::nullopt;
}

template <std::uint32_t RuleConfig::*Member>
Problem rule_integer(const toml::node& node, RuleConfig& rule, IntegerRange range) {
  return read_integer(node, range, rule.*Member);
}

const std::vector<Key>& keys() {
  static const std::vector<Key> all = {
      {"enabled", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return read_enabled(node, rule);
       }},
      {"factor", Scope::rule_only,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return read_number(node, rule.factor);
       }},
      {"critical_factor", Scope::rule_only,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return read_number(node, rule.critical_factor);
       }},
      {"fixed_threshold", Scope::rule_only,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return read_volume(node, rule.fixed_threshold);
       }},
      {"severity", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return read_severity(node, rule);
       }},
      {"method", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return read_method(node, rule);
       }},
      {"z_threshold", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return read_z_threshold(node, rule);
       }},
      {"window_minutes", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return rule_integer<&RuleConfig::window_minutes>(node, rule, rules::kWindowMinutes);
       }},
      {"consecutive_minutes", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return rule_integer<&RuleConfig::consecutive_minutes>(node, rule, rules::kRunMinutes);
       }},
      {"resolve_minutes", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return rule_integer<&RuleConfig::resolve_minutes>(node, rule, rules::kRunMinutes);
       }},
      {"min_events", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return read_volume(node, rule.min_events);
       }},
      {"min_users", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return read_volume(node, rule.min_users);
       }},
      {"min_orders", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return read_volume(node, rule.min_orders);
       }},
      {"warmup_minutes", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return rule_integer<&RuleConfig::warmup_minutes>(node, rule, rules::kIntervalMinutes);
       }},
      {"cooldown_minutes", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return rule_integer<&RuleConfig::cooldown_minutes>(node, rule, rules::kIntervalMinutes);
       }},
      {"repeat_minutes", Scope::any,
       [](const toml::node& node, RuleConfig& rule, BaselineConfig&) {
         return rule_integer<&RuleConfig::repeat_minutes>(node, rule, rules::kIntervalMinutes);
       }},
      {"history_days", Scope::defaults_only,
       [](const toml::node& node, RuleConfig&, BaselineConfig& baseline) {
         return read_integer(node, rules::kHistoryDays, baseline.history_days);
       }},
      {"same_minute_days", Scope::defaults_only,
       [](const toml::node& node, RuleConfig&, BaselineConfig& baseline) {
         return read_integer(node, rules::kSameMinuteDays, baseline.same_minute_days);
       }},
      {"same_minute_margin", Scope::defaults_only,
       [](const toml::node& node, RuleConfig&, BaselineConfig& baseline) {
         return read_integer(node, rules::kSameMinuteMargin, baseline.same_minute_margin);
       }},
      {"rolling_minutes", Scope::defaults_only,
       [](const toml::node& node, RuleConfig&, BaselineConfig& baseline) {
         return read_integer(node, rules::kRollingMinutes, baseline.rolling_minutes);
       }},
  };
  return all;
}

const Key* find_key(std::string_view name) {
  for (const Key& key : keys()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

std::string key_list(bool defaults) {
  std::string list;
  for (const Key& key : keys()) {
    if (key.scope == (defaults ? Scope::rule_only : Scope::defaults_only)) continue;
    if (!list.empty()) list += ", ";
    list += key.name;
  }
  return list;
}

std::string rule_list() {
  std::string list;
  for (const rules::RuleSpec& spec : rules::rule_specs()) {
    if (!list.empty()) list += ", ";
    list += spec.name;
  }
  return list;
}

core::Error error_at(std::string_view table, std::string_view key, const toml::node& node,
                     std::string_view why) {
  const auto line = node.source().begin.line;
  std::string where(table);
  if (!key.empty()) where += fmt::format(" {}", key);
  if (line != 0) where += fmt::format(" (line {})", line);
  return core::Error{fmt::format("alert rules: {}: {}", where, why)};
}

// The keys of one table into `rule` (and `baseline`, from [defaults]).
std::optional<core::Error> apply_table(const toml::table& table, std::string_view label,
                                       bool defaults, RuleConfig& rule, BaselineConfig& baseline) {
  for (const auto& [name, node] : table) {
    const Key* key = find_key(name.str());
    if (key == nullptr) {
      return error_at(label, name.str(), node,
                      fmt::format("unknown key; the keys here are {}", key_list(defaults)));
    }
    if (defaults && key->scope == Scope::rule_only) {
      return error_at(label, name.str(), node,
                      "set it per rule, in [rules.<name>]: a spike and a drop need different ones");
    }
    if (!defaults && key->scope == Scope::defaults_only) {
      return error_at(label, name.str(), node,
                      "a baseline key, shared by every rule: set it in [defaults]");
    }
    if (auto problem = key->apply(node, rule, baseline)) {
      return error_at(label, name.str(), node, *problem);
    }
  }
  return std::nullopt;
}

// What one key alone cannot say: factors that suit the rule's direction, and their order.
std::optional<std::string> direction_problem(const rules::RuleSpec& spec, const RuleConfig& rule) {
  switch (spec.direction) {
    case Direction::up:
      if (rule.factor <= 1)
        return fmt::format("factor must be above 1 for a spike rule, got {:g}", rule.factor);
      if (rule.critical_factor < rule.factor) {
        return fmt::format("critical_factor ({:g}) must be at least factor ({:g})",
                           rule.critical_factor, rule.factor);
      }
      return std::nullopt;
    case Direction::down:
      if (rule.factor <= 0 || rule.factor >= 1) {
        return fmt::format("factor must be above 0 and below 1 for a drop rule, got {:g}",
                           rule.factor);
      }
      if (rule.critical_factor < 0 || rule.critical_factor > rule.factor) {
        return fmt::format("critical_factor ({:g}) must be from 0 to factor ({:g})",
                           rule.critical_factor, rule.factor);
      }
      return std::nullopt;
    case Direction::none:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

core::Result<AlertRulesConfig> parse_alert_rules(std::string_view toml_text) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    return core::Error{fmt::format("alert rules: line {}, column {}: {}", where.line, where.column,
                                   error.description())};
  }
  AlertRulesConfig config = default_alert_rules();

  if (const toml::node* defaults = root.get("defaults")) {
    const toml::table* table = defaults->as_table();
    if (table == nullptr) {
      return error_at("[defaults]", "", *defaults,
                      fmt::format("must be a table, got {}", type_name(*defaults)));
    }
    // Each rule takes the defaults on top of its own built-in values.
    for (RuleConfig& rule : config.rules) {
      if (auto error = apply_table(*table, "[defaults]", true, rule, config.baseline)) {
        return *error;
      }
    }
  }

  if (const toml::node* rules_node = root.get("rules")) {
    const toml::table* rules_table = rules_node->as_table();
    if (rules_table == nullptr) {
      return error_at(
          "rules", "", *rules_node,
          fmt::format("must be a table of [rules.<name>] tables, got {}", type_name(*rules_node)));
    }
    for (const auto& [name, node] : *rules_table) {
      const std::string label = fmt::format("[rules.{}]", name.str());
      const auto rule = rule_from_name(name.str());
      if (!rule) {
        return error_at(label, "", node,
                        fmt::format("unknown rule; the rules are {}", rule_list()));
      }
      const toml::table* table = node.as_table();
      if (table == nullptr) {
        return error_at(label, "", node, fmt::format("must be a table, got {}", type_name(node)));
      }
      if (rules::rule_spec(*rule).direction == Direction::none) {
        for (const std::string_view factor_key : {"factor", "critical_factor"}) {
          if (const toml::node* factor = table->get(factor_key)) {
            return error_at(label, factor_key, *factor,
                            "zero_purchases takes no factor: it fires on no order at all");
          }
        }
      }
      BaselineConfig unused = config.baseline;
      if (auto error = apply_table(*table, label, false, config.rule(*rule), unused)) {
        return *error;
      }
    }
  }

  for (const rules::RuleSpec& spec : rules::rule_specs()) {
    if (auto problem = direction_problem(spec, config.rule(spec.id))) {
      return core::Error{fmt::format("alert rules: [rules.{}]: {}", spec.name, *problem)};
    }
  }
  if (config.baseline.same_minute_days > config.baseline.history_days) {
    return core::Error{fmt::format(
        "alert rules: [defaults] same_minute_days: must be at most history_days ({}), got {}",
        config.baseline.history_days, config.baseline.same_minute_days)};
  }
  return config;
}

namespace rules {

AlertRulesConfig clamped(AlertRulesConfig config) {
  const auto clamp = [](std::uint32_t& value, IntegerRange range) {
    value = std::clamp(value, range.min, range.max);
  };
  clamp(config.baseline.history_days, kHistoryDays);
  clamp(config.baseline.same_minute_days, kSameMinuteDays);
  clamp(config.baseline.same_minute_margin, kSameMinuteMargin);
  clamp(config.baseline.rolling_minutes, kRollingMinutes);
  for (RuleConfig& rule : config.rules) {
    clamp(rule.window_minutes, kWindowMinutes);
    clamp(rule.consecutive_minutes, kRunMinutes);
    clamp(rule.resolve_minutes, kRunMinutes);
    clamp(rule.warmup_minutes, kIntervalMinutes);
    clamp(rule.cooldown_minutes, kIntervalMinutes);
    clamp(rule.repeat_minutes, kIntervalMinutes);
  }
  return config;
}

}  // namespace rules

}  // namespace shoplake::alert
