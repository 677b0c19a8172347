#include <gtest/gtest.h>

#include "log_capture.hpp"
#include "shoplake/alert/sinks.hpp"
#include "sink_test_support.hpp"
#include "text_assertions.hpp"

namespace shoplake::alert {
namespace {

using testing::contains;

SinkConfig log_sink() {
  SinkConfig config;
  config.name = "log";
  config.type = SinkType::log;
  return config;
}

std::string logged(const Alert& alert) {
  testing::LogCapture log;
  const auto results = send_test_alert({log_sink()}, alert);
  EXPECT_TRUE(results.at(0).status.ok());
  return log.text();
}

TEST(LogSink, WritesOneLineAtTheSeveritysLevel) {
  Alert alert = testing::traffic_spike();
  alert.hint = "line one\nline two";
  const std::string critical = logged(alert);
  EXPECT_TRUE(
      critical.starts_with("error: alert firing [critical] traffic_spike "
                           "category=electronics: Views of electronics at 310/min"))
      << critical;
  EXPECT_TRUE(contains(critical, "observed 310, expected 100, started 2024-05-01T12:03:00.000Z"));
  EXPECT_TRUE(contains(critical, "hint: line one line two"));
  EXPECT_EQ(std::count(critical.begin(), critical.end(), '\n'), 1);

  alert.severity = Severity::warning;
  EXPECT_TRUE(logged(alert).starts_with("warning: alert firing [warning]"));
  alert.severity = Severity::info;
  EXPECT_TRUE(logged(alert).starts_with("info: alert firing [info]"));
  alert.repeat = true;
  EXPECT_TRUE(logged(alert).starts_with("info: alert still firing [info]"));
  alert.severity = Severity::critical;
  alert.state = AlertState::resolved;
  EXPECT_TRUE(logged(alert).starts_with("info: alert resolved [critical]"));
}

TEST(LogSink, ShortensHugeTexts) {
  Alert alert = testing::traffic_spike();
  alert.hint = std::string(10'000, 'h');
  const std::string line = logged(alert);
  EXPECT_LT(line.size(), 3000u);
  EXPECT_TRUE(contains(line, "h…"));
}

}  // namespace
}  // namespace shoplake::alert
