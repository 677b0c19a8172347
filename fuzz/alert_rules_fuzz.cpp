// libFuzzer target for the alert rules file. Any input must parse or be refused with a reason,
// without a crash or a sanitizer report, and a config that parses must run a detector.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shoplake/alert/detector.hpp"
#include "shoplake/core/time.hpp"

namespace {

// A few minutes of a small shop, with a skipped minute, so that every rule, baseline and window
// length the config chose is exercised once.
void run_detector(const shoplake::alert::AlertRulesConfig& config) {
  shoplake::alert::AnomalyDetector detector(config);
  shoplake::core::MinuteSummary minute;
  minute.events_by_source = {{"web", 60}, {"mobile", 40}};
  minute.events_by_category = {{"books", 5}};
  minute.revenue_by_category = {{"books", 120}};
  for (const std::int64_t index : {0, 1, 2, 4, 5}) {
    minute.minute_ms = (20782LL * 24 * 60 + index) * shoplake::core::kMillisPerMinute;
    minute.events = 100 + 50 * static_cast<std::uint64_t>(index);
    minute.active_users = 40;
    minute.orders = minute.buyers = minute.purchases = 2;
    minute.revenue = 120;
    (void)detector.observe(minute, 0);
  }
  (void)detector.active();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = shoplake::alert::parse_alert_rules(text);
  if (!result.ok()) {
    if (result.error().empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  run_detector(result.value());
  return 0;
}
