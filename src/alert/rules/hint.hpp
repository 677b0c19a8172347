// What drove an incident, in one line: for traffic the source or category whose events moved
// most against their own recent level, for revenue the category whose revenue did; for conversion
// whether buyers fell or active users rose; for zero purchases when the last order came.
#pragma once

#include <cstdint>
#include <string>

#include "dimension_history.hpp"
#include "minute_history.hpp"
#include "rule_catalog.hpp"
#include "rules.hpp"

namespace shoplake::alert::rules {

struct Breakdowns {
  const DimensionHistory* events_by_source = nullptr;
  const DimensionHistory* events_by_category = nullptr;
  const DimensionHistory* revenue_by_category = nullptr;
};

struct HintFacts {
  const RuleSpec* spec = nullptr;
  std::int64_t minute = 0;
  std::uint32_t width = 1;
  std::uint32_t baseline_minutes = 60;  // how far back a part's own recent level is taken
  const Judgement* judgement = nullptr;
};

// Empty when nothing stands out.
std::string make_hint(const HintFacts& facts, const Breakdowns& breakdowns,
                      const MinuteHistory& history, RuleJudge& judge);

}  // namespace shoplake::alert::rules
