// What a generic webhook receives, captured by a real HTTP server.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "receiver.hpp"
#include "shoplake/alert/sinks.hpp"
#include "sink_test_support.hpp"

namespace shoplake::alert {
namespace {

using nlohmann::json;
using testing::Receiver;

TEST(WebhookSink, PostsEveryAlertFieldWithTimesInBothForms) {
  Receiver receiver;
  SinkConfig config = testing::sink_for(receiver, SinkType::webhook);
  config.headers = {{"Authorization", "Bearer test-token"}, {"X-Source", "shoplake"}};
  Alert alert = testing::traffic_spike();
  alert.repeat = true;
  const auto results = send_test_alert({config}, alert);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.error();
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, testing::kSecretPath);
  const auto header = [&](const std::string& name) {
    const auto found = requests[0].headers.find(name);
    return found == requests[0].headers.end() ? std::string() : found->second;
  };
  EXPECT_EQ(header("Authorization"), "Bearer test-token");
  EXPECT_EQ(header("X-Source"), "shoplake");
  EXPECT_EQ(header("Content-Type"), "application/json");

  const json body = testing::body_of(requests[0]);
  const json expected = {
      {"id", alert.id},
      {"rule", "traffic_spike"},
      {"dimensions", "category=electronics"},
      {"state", "firing"},
      {"severity", "critical"},
      {"repeat", true},
      {"started_ms", testing::kStartedMs},
      {"started_at", "2024-05-01T12:03:00.000Z"},
      {"minute_ms", testing::kStartedMs + 120'000},
      {"minute", "2024-05-01T12:05:00.000Z"},
      {"emitted_at_ms", testing::kStartedMs + 124'321},
      {"emitted_at", "2024-05-01T12:05:04.321Z"},
      {"value", 310.0},
      {"expected", 100.0},
      {"summary", alert.summary},
      {"hint", alert.hint},
  };
  EXPECT_EQ(body, expected) << body.dump(2);
}

TEST(WebhookSink, ResolvedAndOddValuesStayValidJson) {
  Receiver receiver;
  Alert alert = testing::traffic_spike();
  alert.state = AlertState::resolved;
  alert.severity = Severity::info;
  alert.value = std::numeric_limits<double>::quiet_NaN();
  alert.summary = "bad \xFF byte";
  const auto results = send_test_alert({testing::sink_for(receiver, SinkType::webhook)}, alert);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.error();
  const json body = testing::body_of(receiver.requests().at(0));
  EXPECT_EQ(body["state"], "resolved");
  EXPECT_EQ(body["severity"], "info");
  EXPECT_TRUE(body["value"].is_null());
  EXPECT_EQ(body["summary"], "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace shoplake::alert
