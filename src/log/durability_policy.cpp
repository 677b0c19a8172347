#include <charconv>
#include <string>

#include <fmt/format.h>

#include "shoplake/log/event_log.hpp"

namespace shoplake::log {
namespace {

constexpr std::chrono::milliseconds kDefaultInterval{10};
// Beyond an hour "interval" stops meaning group commit and starts meaning data loss.
constexpr std::int64_t kMaxIntervalMs = 3'600'000;

core::Error bad_policy(std::string_view text, std::string_view why) {
  return core::Error{fmt::format(
      "bad durability policy \"{}\": {} (use always, never, interval or interval(<ms>))", text,
      why)};
}

core::Result<std::chrono::milliseconds> parse_interval_argument(std::string_view text,
                                                                std::string_view argument) {
  if (argument.ends_with("ms")) argument.remove_suffix(2);
  std::int64_t milliseconds = 0;
  const auto [end, error] =
      std::from_chars(argument.data(), argument.data() + argument.size(), milliseconds);
  if (argument.empty() || error != std::errc{} || end != argument.data() + argument.size()) {
    return bad_policy(text, "the interval must be a whole number of milliseconds");
  }
  if (milliseconds < 1 || milliseconds > kMaxIntervalMs) {
    return bad_policy(text, fmt::format("the interval must be 1 to {} ms", kMaxIntervalMs));
  }
  return std::chrono::milliseconds{milliseconds};
}

}  // namespace

core::Result<DurabilityPolicy> parse_durability_policy(std::string_view text) {
  if (text == "always") return DurabilityPolicy{FsyncMode::always, kDefaultInterval};
  if (text == "never") return DurabilityPolicy{FsyncMode::never, kDefaultInterval};
  if (text == "interval") return DurabilityPolicy{FsyncMode::interval, kDefaultInterval};
  constexpr std::string_view kIntervalOpen = "interval(";
  if (!text.starts_with(kIntervalOpen)) return bad_policy(text, "unknown policy");
  if (!text.ends_with(')')) return bad_policy(text, "missing ')'");
  const auto argument = text.substr(kIntervalOpen.size(), text.size() - kIntervalOpen.size() - 1);
  auto interval = parse_interval_argument(text, argument);
  if (!interval) return core::Error{interval.error()};
  return DurabilityPolicy{FsyncMode::interval, interval.value()};
}

std::string to_string(const DurabilityPolicy& policy) {
  switch (policy.mode) {
    case FsyncMode::always:
      return "always";
    case FsyncMode::never:
      return "never";
    case FsyncMode::interval:
      break;
  }
  return fmt::format("interval({}ms)", policy.interval.count());
}

}  // namespace shoplake::log
