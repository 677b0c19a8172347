// The words of an alert: its id, its one-line summary and the numbers in them, formatted for a
// person (1,520 events/min, 5.1×, 0.41 %), not for a parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "minute_history.hpp"
#include "rule_catalog.hpp"

namespace shoplake::alert::rules {

std::string format_count(double value);             // 1,520
std::string format_amount(double value);            // 12,340.50
std::string format_ratio(double ratio);             // 5.1×, 0.18×
std::string format_change(double from, double to);  // +375%, −70%
std::string format_clock(std::int64_t minute);      // 03:12 UTC

// The value of a window in its unit: "1,520 events/min", "3,412.80 revenue in 3 min",
// "0.12% conversion in 3 min", "14 orders in 3 min".
std::string window_text(Quantity quantity, double value, std::uint32_t width);
// A bare value in its unit's format, for "the usual …".
std::string value_text(Quantity quantity, double value);

// Stable for one incident: "<rule>-<first minute, yyyymmddThhmmZ>", with a short hash of the
// dimensions before the time when there are any.
std::string incident_id(std::string_view rule, std::string_view dimensions,
                        std::int64_t started_ms);

enum class MessageKind : std::uint8_t { firing, reminder, escalation, resolved };

struct SummaryFacts {
  const RuleSpec* spec = nullptr;
  MessageKind kind = MessageKind::firing;
  std::uint32_t width = 1;
  double value = 0;
  double expected = 0;
  Severity severity = Severity::warning;  // for escalations
  std::int64_t minutes_since_start = 0;   // for reminders, escalations and resolutions
  bool with_z = false;                    // the rule is judged by robust z too: say it
  double z = 0;
};

// "Traffic spike: 1,520 events/min, 5.1× the usual 298".
std::string summary_line(const SummaryFacts& facts);

}  // namespace shoplake::alert::rules
