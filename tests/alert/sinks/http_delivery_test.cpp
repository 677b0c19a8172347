// Retries, backoff, Retry-After and the cases never retried, against a real HTTP server.
#include <gtest/gtest.h>

#include "receiver.hpp"
#include "shoplake/alert/sinks.hpp"
#include "sink_test_support.hpp"
#include "text_assertions.hpp"

namespace shoplake::alert {
namespace {

using std::chrono::milliseconds;
using testing::contains;
using testing::Receiver;

core::Status send_one(const SinkConfig& config) {
  auto results = send_test_alert({config}, testing::traffic_spike());
  return std::move(results.at(0).status);
}

TEST(HttpDelivery, WaitsForRetryAfterOn429ThenDeliversOnce) {
  Receiver receiver;
  receiver.script({testing::retry_after("1"), testing::status(200)});
  SinkConfig config = testing::sink_for(receiver, SinkType::slack);
  auto dispatcher = AlertDispatcher::start({config});
  ASSERT_TRUE(dispatcher.ok()) << dispatcher.error();
  dispatcher.value()->deliver(testing::traffic_spike());
  ASSERT_TRUE(receiver.wait_for(2, milliseconds(5000)));
  dispatcher.value()->stop(milliseconds(2000));

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_GE(requests[1].at - requests[0].at, milliseconds(1000));
  const auto counters = dispatcher.value()->counters().at(0);
  EXPECT_EQ(counters.sent, 1u);
  EXPECT_EQ(counters.retried, 1u);
  EXPECT_EQ(counters.failed, 0u);
}

TEST(HttpDelivery, DoesNotRetryAClientError) {
  Receiver receiver;
  receiver.script({testing::status(400)});
  const core::Status sent = send_one(testing::sink_for(receiver, SinkType::slack));
  ASSERT_FALSE(sent.ok());
  EXPECT_TRUE(contains(sent.error(), "answered 400: ok"));
  EXPECT_TRUE(contains(sent.error(), "not retried"));
  std::this_thread::sleep_for(milliseconds(100));  // a retry would come after 10 ms
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST(HttpDelivery, RetriesServerErrorsWithBackoff) {
  Receiver receiver;
  receiver.script({testing::status(500), testing::status(503), testing::status(200)});
  SinkConfig config = testing::sink_for(receiver, SinkType::webhook);
  config.first_backoff = milliseconds(50);
  config.max_backoff = milliseconds(1000);
  const core::Status sent = send_one(config);
  EXPECT_TRUE(sent.ok()) << sent.error();
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_GE(requests[1].at - requests[0].at, milliseconds(50));
  EXPECT_GE(requests[2].at - requests[1].at, milliseconds(100));  // doubled
}

TEST(HttpDelivery, GivesUpAfterMaxAttempts) {
  Receiver receiver;
  receiver.script(
      {testing::status(500), testing::status(502), testing::status(500), testing::status(200)});
  const core::Status sent = send_one(testing::sink_for(receiver, SinkType::slack));
  ASSERT_FALSE(sent.ok());
  EXPECT_TRUE(contains(sent.error(), "answered 500: ok (gave up after 3 attempts)"));
  EXPECT_EQ(receiver.requests().size(), 3u);
}

TEST(HttpDelivery, RetriesWhenNobodyAnswers) {
  int closed_port = 0;
  {
    Receiver gone;
    closed_port = gone.port();
  }
  SinkConfig config;
  config.name = "nowhere";
  config.type = SinkType::webhook;
  config.url_env = "TEST_WEBHOOK_URL";
  config.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/hook";
  config.max_attempts = 2;
  config.min_interval = milliseconds(0);
  config.first_backoff = milliseconds(10);
  const core::Status sent = send_one(config);
  ASSERT_FALSE(sent.ok());
  EXPECT_TRUE(contains(sent.error(), "could not connect (gave up after 2 attempts)"));
}

TEST(HttpDelivery, KeepsToTheMinimumIntervalAcrossAlerts) {
  Receiver receiver;
  SinkConfig config = testing::sink_for(receiver, SinkType::slack);
  config.min_interval = milliseconds(1000);
  auto dispatcher = AlertDispatcher::start({config});
  ASSERT_TRUE(dispatcher.ok()) << dispatcher.error();
  for (int i = 0; i < 5; ++i) {
    Alert alert = testing::traffic_spike();
    alert.id += "#" + std::to_string(i);
    dispatcher.value()->deliver(alert);
  }
  ASSERT_TRUE(receiver.wait_for(5, milliseconds(10000)));
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 5u);
  for (std::size_t i = 1; i < requests.size(); ++i) {
    EXPECT_GE(requests[i].at - requests[i - 1].at, milliseconds(900)) << "request " << i;
    EXPECT_TRUE(contains(requests[i].body, "#" + std::to_string(i)));  // in order
  }
  dispatcher.value()->stop(milliseconds(2000));
  EXPECT_EQ(dispatcher.value()->counters().at(0).sent, 5u);
}

}  // namespace
}  // namespace shoplake::alert
