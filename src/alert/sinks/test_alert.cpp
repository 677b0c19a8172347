// `shoplake alerts test`: one sample alert through each configured sink, synchronously.
#include <stop_token>

#include "shoplake/alert/sinks.hpp"
#include "shoplake/core/time.hpp"
#include "sink.hpp"

namespace shoplake::alert {

Alert sample_alert(std::int64_t now_ms) {
  const std::int64_t minute_ms = now_ms - now_ms % core::kMillisPerMinute;
  Alert alert;
  alert.id = "test-" + std::to_string(minute_ms);
  alert.rule = "test_alert";
  alert.dimensions = "";
  alert.state = AlertState::firing;
  alert.severity = Severity::info;
  alert.started_ms = minute_ms;
  alert.minute_ms = minute_ms;
  alert.emitted_at_ms = now_ms;
  alert.value = 42;
  alert.expected = 40;
  alert.summary = "Test alert from shoplake: if you can read this, alert delivery works";
  alert.hint = "Sent by `shoplake alerts test`; nothing needs doing";
  return alert;
}

std::vector<SinkTestResult> send_test_alert(const std::vector<SinkConfig>& sinks,
                                            const Alert& alert) {
  std::vector<SinkTestResult> results;
  for (const SinkConfig& config : sinks) {
    auto sink = make_sink(config);
    if (!sink) {
      results.push_back({sink_label(config), core::Error{sink.error()}});
      continue;
    }
    SinkTally tally;
    results.push_back({sink_label(config), sink.value()->send(alert, std::stop_token(), tally)});
  }
  return results;
}

}  // namespace shoplake::alert
