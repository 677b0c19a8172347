// Anomaly injection: windows of event time in which the shop misbehaves on purpose, so that the
// anomaly detector and its alerts can be exercised on demand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shoplake/core/time.hpp"

namespace shoplake::sim {

enum class InjectionKind : std::uint8_t {
  traffic_spike,    // session starts × factor (default 5)
  traffic_drop,     // session starts × factor (default 0.2)
  revenue_drop,     // prices × factor (default 0.3): a pricing incident sells at a fraction
  zero_purchases,   // every purchase fails: the payment provider is down
  conversion_drop,  // each checkout completes with probability × factor (default 0.1)
};

std::string_view to_string(InjectionKind kind);
std::optional<InjectionKind> injection_kind_from_name(std::string_view name);
double default_factor(InjectionKind kind);

inline constexpr std::int64_t kDefaultInjectionDurationMs = 15 * core::kMillisPerMinute;

struct Injection {
  InjectionKind kind = InjectionKind::traffic_spike;
  std::int64_t offset_ms = 0;  // window start, from the simulation start, in event time
  std::int64_t duration_ms = kDefaultInjectionDurationMs;
  double factor = 0;  // unused by zero_purchases
  bool operator==(const Injection&) const = default;
};

struct InjectionParse {
  std::optional<Injection> injection;
  std::string error;  // set when `injection` is empty: says what is wrong with the spec
};

// "<kind>@<offset>[,factor=F][,duration=D]", e.g. "traffic_spike@2h,factor=8,duration=30m".
// Factors: traffic_spike > 1; traffic_drop, revenue_drop and conversion_drop in [0, 1);
// zero_purchases takes none.
InjectionParse parse_injection(std::string_view spec);

// "90s", "30m", "2h", "1d", or a sum such as "1h30m"; nullopt if malformed or overflowing.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

// The spec back, in the form parse_injection reads ("revenue_drop@2h,factor=0.3,duration=15m").
std::string format_injection(const Injection& injection);
std::string format_duration(std::int64_t duration_ms);

}  // namespace shoplake::sim
