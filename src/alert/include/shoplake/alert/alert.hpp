// An alert as the detector decides it and every sink delivers it: the contract between the
// anomaly rules, the alert history (realtime.alerts, GET /v1/alerts) and Slack / webhooks / the
// log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoplake::alert {

enum class Severity : std::uint8_t { info, warning, critical };
enum class AlertState : std::uint8_t { firing, resolved };

std::string_view to_string(Severity severity);
std::string_view to_string(AlertState state);
std::optional<Severity> severity_from_name(std::string_view name);

struct Alert {
  // Stable for one incident: rule, dimensions and the first breaching minute, so that a repeat
  // and the resolution of an incident carry the id of its first message.
  std::string id;
  std::string rule;        // "traffic_spike", "traffic_drop", "revenue_anomaly", ...
  std::string dimensions;  // "" for the whole shop, else "category=electronics" and the like
  AlertState state = AlertState::firing;
  Severity severity = Severity::warning;
  bool repeat = false;             // a reminder of a still-firing incident (repeat interval)
  std::int64_t started_ms = 0;     // event time: first minute of the breach
  std::int64_t minute_ms = 0;      // event time: the minute this message was decided on
  std::int64_t emitted_at_ms = 0;  // wall clock when decided
  double value = 0;                // what was observed
  double expected = 0;             // the baseline it was compared with
  std::string summary;  // one line a person reads first: what, how much, compared with what
  std::string hint;     // what drove it: the category or source that moved most
  bool operator==(const Alert&) const = default;
};

}  // namespace shoplake::alert
