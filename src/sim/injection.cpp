#include "shoplake/sim/injection.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>

namespace shoplake::sim {

namespace {

constexpr std::array<std::string_view, 5> kKindNames = {
    "traffic_spike", "traffic_drop", "revenue_drop", "zero_purchases", "conversion_drop",
};

constexpr std::string_view kSpecShape = "<kind>@<offset>[,factor=F][,duration=D]";

struct DurationUnit {
  char suffix;
  std::int64_t millis;
};
constexpr std::array<DurationUnit, 4> kDurationUnits = {{
    {'d', core::kMillisPerDay},
    {'h', core::kMillisPerHour},
    {'m', core::kMillisPerMinute},
    {'s', core::kMillisPerSecond},
}};

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Empty when `factor` suits `kind`, else why not.
std::string factor_problem(InjectionKind kind, double factor) {
  switch (kind) {
    case InjectionKind::traffic_spike:
      if (factor <= 1) return "a traffic_spike factor must be greater than 1";
      return {};
    case InjectionKind::traffic_drop:
    case InjectionKind::revenue_drop:
    case InjectionKind::conversion_drop:
      if (factor < 0 || factor >= 1) {
        return "a " + std::string(to_string(kind)) + " factor must be at least 0 and below 1";
      }
      return {};
    case InjectionKind::zero_purchases:
      return "zero_purchases takes no factor";
  }
  return {};
}

std::string format_number(double value) {
  char digits[32];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  return std::string(digits, result.ptr);
}

InjectionParse failure(std::string_view spec, const std::string& why) {
  return InjectionParse{std::nullopt, "bad injection '" + std::string(spec) + "': " + why};
}

}  // namespace

std::string_view to_string(InjectionKind kind) {
  return kKindNames[static_cast<std::size_t>(kind)];
}

std::optional<InjectionKind> injection_kind_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<InjectionKind>(i);
  }
  return std::nullopt;
}

double default_factor(InjectionKind kind) {
  switch (kind) {
    case InjectionKind::traffic_spike:
      return 5;
    case InjectionKind::traffic_drop:
      return 0.2;
    case InjectionKind::revenue_drop:
      return 0.3;
    case InjectionKind::zero_purchases:
      return 0;
    case InjectionKind::conversion_drop:
      return 0.1;
  }
  return 0;
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::int64_t count = 0;
    const auto [end, error] = std::from_chars(text.data() + pos, text.data() + text.size(), count);
    if (error != std::errc{} || count < 0 || end == text.data() + text.size()) return std::nullopt;
    pos = static_cast<std::size_t>(end - text.data());
    const char suffix = text[pos++];
    std::int64_t unit = 0;
    for (const DurationUnit& candidate : kDurationUnits) {
      if (candidate.suffix == suffix) unit = candidate.millis;
    }
    if (unit == 0) return std::nullopt;
    if (count > (std::numeric_limits<std::int64_t>::max() - total) / unit) return std::nullopt;
    total += count * unit;
  }
  return total;
}

std::string format_duration(std::int64_t duration_ms) {
  if (duration_ms < core::kMillisPerSecond) return "0s";
  std::string text;
  std::int64_t rest = duration_ms;
  for (const DurationUnit& unit : kDurationUnits) {
    if (rest < unit.millis) continue;
    text += std::to_string(rest / unit.millis);
    text.push_back(unit.suffix);
    rest %= unit.millis;
  }
  return text;
}

InjectionParse parse_injection(std::string_view spec) {
  const std::size_t at = spec.find('@');
  if (at == std::string_view::npos) {
    return failure(spec, "missing '@<offset>'; expected " + std::string(kSpecShape));
  }
  const std::string_view kind_name = spec.substr(0, at);
  const std::optional<InjectionKind> kind = injection_kind_from_name(kind_name);
  if (!kind) {
    return failure(spec, "unknown kind '" + std::string(kind_name) +
                             "'; expected traffic_spike, traffic_drop, revenue_drop, "
                             "zero_purchases or conversion_drop");
  }
  Injection injection{*kind, 0, kDefaultInjectionDurationMs, default_factor(*kind)};

  std::string_view rest = spec.substr(at + 1);
  const std::size_t offset_end = rest.find(',');
  const std::string_view offset_text = rest.substr(0, offset_end);
  const std::optional<std::int64_t> offset = parse_duration_ms(offset_text);
  if (!offset) {
    return failure(spec, "bad offset '" + std::string(offset_text) +
                             "'; expected a duration such as 90s, 30m, 2h, 1d or 1h30m");
  }
  injection.offset_ms = *offset;

  bool factor_seen = false;
  bool duration_seen = false;
  rest = offset_end == std::string_view::npos ? std::string_view{} : rest.substr(offset_end + 1);
  while (offset_end != std::string_view::npos) {
    const std::size_t item_end = rest.find(',');
    const std::string_view item = rest.substr(0, item_end);
    const std::size_t equals = item.find('=');
    const std::string_view key = item.substr(0, equals);
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view{} : item.substr(equals + 1);
    if (key == "factor") {
      if (factor_seen) return failure(spec, "factor given twice");
      factor_seen = true;
      if (*kind == InjectionKind::zero_purchases) {
        return failure(spec, "zero_purchases takes no factor");
      }
      const std::optional<double> factor = parse_number(value);
      if (!factor) {
        return failure(spec, "bad factor '" + std::string(value) + "'; expected a number");
      }
      if (const std::string problem = factor_problem(*kind, *factor); !problem.empty()) {
        return failure(spec, problem + ", got " + std::string(value));
      }
      injection.factor = *factor;
    } else if (key == "duration") {
      if (duration_seen) return failure(spec, "duration given twice");
      duration_seen = true;
      const std::optional<std::int64_t> duration = parse_duration_ms(value);
      if (!duration || *duration == 0) {
        return failure(spec, "bad duration '" + std::string(value) +
                                 "'; expected a positive duration such as 90s, 30m, 2h or 1d");
      }
      injection.duration_ms = *duration;
    } else {
      return failure(
          spec, "unknown setting '" + std::string(item) + "'; expected factor=F or duration=D");
    }
    if (item_end == std::string_view::npos) break;
    rest = rest.substr(item_end + 1);
  }
  return InjectionParse{injection, {}};
}

std::string format_injection(const Injection& injection) {
  std::string text(to_string(injection.kind));
  text += '@' + format_duration(injection.offset_ms);
  if (injection.kind != InjectionKind::zero_purchases) {
    text += ",factor=" + format_number(injection.factor);
  }
  text += ",duration=" + format_duration(injection.duration_ms);
  return text;
}

}  // namespace shoplake::sim
