// The six rules as data: what each judges, in which direction, and how it reads. Every rule goes
// through the same evaluation (rules.cpp); nothing else about a rule is special.
#pragma once

#include <span>
#include <string_view>

#include "minute_history.hpp"
#include "shoplake/alert/detector.hpp"

namespace shoplake::alert::rules {

enum class Direction : std::uint8_t {
  up,    // breaches above factor × expected
  down,  // breaches below factor × expected
  none,  // breaches when the value is zero: no factor
};

// Where a hint looks for what drove an incident.
enum class HintKind : std::uint8_t {
  traffic_dimensions,  // the source or category whose events moved most
  revenue_categories,  // the category whose revenue moved most
  conversion_parts,    // whether buyers fell or active users rose
  last_order,          // when the last order came
};

struct RuleSpec {
  RuleId id;
  std::string_view name;
  std::string_view title;  // how a summary starts: "Traffic spike"
  Quantity quantity;
  Direction direction;
  bool needs_traffic;  // judged only while the window's traffic is at least half the usual
  HintKind hint;
};

const RuleSpec& rule_spec(RuleId rule);
std::span<const RuleSpec> rule_specs();

}  // namespace shoplake::alert::rules
