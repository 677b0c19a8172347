#include "shoplake/alert/alert.hpp"

#include <array>

namespace shoplake::alert {

namespace {

constexpr std::array<std::string_view, 3> kSeverityNames = {"info", "warning", "critical"};

}  // namespace

std::string_view to_string(Severity severity) {
  return kSeverityNames[static_cast<std::size_t>(severity)];
}

std::string_view to_string(AlertState state) {
  return state == AlertState::firing ? "firing" : "resolved";
}

std::optional<Severity> severity_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kSeverityNames.size(); ++i) {
    if (kSeverityNames[i] == name) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

}  // namespace shoplake::alert
