#include "shoplake/alert/alert_json.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "shoplake/core/json_integer.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::alert {

std::string alert_to_json(const Alert& alert) {
  const nlohmann::json object = {
      {"id", alert.id},
      {"rule", alert.rule},
      {"dimensions", alert.dimensions},
      {"state", to_string(alert.state)},
      {"severity", to_string(alert.severity)},
      {"repeat", alert.repeat},
      {"started_ms", alert.started_ms},
      {"started_at", core::format_rfc3339_ms(alert.started_ms)},
      {"minute_ms", alert.minute_ms},
      {"minute", core::format_rfc3339_ms(alert.minute_ms)},
      {"emitted_at_ms", alert.emitted_at_ms},
      {"emitted_at", core::format_rfc3339_ms(alert.emitted_at_ms)},
      {"value", alert.value},  // NaN and infinities become null
      {"expected", alert.expected},
      {"summary", alert.summary},
      {"hint", alert.hint},
  };
  // Malformed UTF-8 from event data becomes U+FFFD rather than an exception.
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

template <typename T>
bool read_field(const nlohmann::json& object, const char* name, T& value, std::string& problem) {
  const auto found = object.find(name);
  if (found == object.end()) {
    problem = fmt::format("field \"{}\" is missing", name);
    return false;
  }
  if constexpr (std::is_same_v<T, double>) {
    if (found->is_null()) {  // a NaN or infinity written as null
      value = 0;
      return true;
    }
  }
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (found->is_number() && !core::json_integer_fits<T>(*found)) {
      problem = fmt::format("field \"{}\" is not an integer of 64 bits", name);
      return false;
    }
  }
  try {
    value = found->get<T>();
  } catch (const nlohmann::json::exception&) {
    problem = fmt::format("field \"{}\" has the wrong type", name);
    return false;
  }
  return true;
}

}  // namespace

core::Result<Alert> alert_from_json(std::string_view text) {
  const auto object = nlohmann::json::parse(text, nullptr, false);
  if (object.is_discarded() || !object.is_object()) {
    return core::Error{"not a JSON object"};
  }
  Alert alert;
  std::string state, severity, problem;
  const bool complete = read_field(object, "id", alert.id, problem) &&
                        read_field(object, "rule", alert.rule, problem) &&
                        read_field(object, "dimensions", alert.dimensions, problem) &&
                        read_field(object, "state", state, problem) &&
                        read_field(object, "severity", severity, problem) &&
                        read_field(object, "repeat", alert.repeat, problem) &&
                        read_field(object, "started_ms", alert.started_ms, problem) &&
                        read_field(object, "minute_ms", alert.minute_ms, problem) &&
                        read_field(object, "emitted_at_ms", alert.emitted_at_ms, problem) &&
                        read_field(object, "value", alert.value, problem) &&
                        read_field(object, "expected", alert.expected, problem) &&
                        read_field(object, "summary", alert.summary, problem) &&
                        read_field(object, "hint", alert.hint, problem);
  if (!complete) return core::Error{problem};
  if (state == "firing") {
    alert.state = AlertState::firing;
  } else if (state == "resolved") {
    alert.state = AlertState::resolved;
  } else {
    return core::Error{fmt::format("field \"state\" is \"{}\", not firing or resolved", state)};
  }
  const auto parsed_severity = severity_from_name(severity);
  if (!parsed_severity) {
    return core::Error{
        fmt::format("field \"severity\" is \"{}\", not info, warning or critical", severity)};
  }
  alert.severity = *parsed_severity;
  return alert;
}

}  // namespace shoplake::alert
