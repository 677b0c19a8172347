// The dispatcher keeps the detector's thread free whatever the receivers do.
#include <gtest/gtest.h>

#include "log_capture.hpp"
#include "receiver.hpp"
#include "shoplake/alert/sinks.hpp"
#include "sink_test_support.hpp"
#include "text_assertions.hpp"

namespace shoplake::alert {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::contains;
using testing::Receiver;

std::size_t count_of(const std::string& text, std::string_view part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST(AlertDispatcher, DeliverNeverWaitsForAHangingReceiverAndCountsDrops) {
  testing::LogCapture log;
  Receiver receiver;
  receiver.script({testing::hanging(milliseconds(5000))});
  SinkConfig config = testing::sink_for(receiver, SinkType::webhook, "hangs");
  config.queue_capacity = 10;
  auto dispatcher = AlertDispatcher::start({config});
  ASSERT_TRUE(dispatcher.ok()) << dispatcher.error();

  dispatcher.value()->deliver(testing::traffic_spike());
  ASSERT_TRUE(receiver.wait_for(1, milliseconds(2000)));  // the worker is now stuck in the request
  const auto began = steady_clock::now();
  for (int i = 0; i < 100; ++i) dispatcher.value()->deliver(testing::traffic_spike());
  EXPECT_LT(steady_clock::now() - began, milliseconds(1000));

  const SinkCounters counters = dispatcher.value()->counters().at(0);
  EXPECT_EQ(counters.name, "hangs");
  EXPECT_EQ(counters.queued, 10u);
  EXPECT_EQ(counters.dropped, 90u);
  EXPECT_EQ(counters.sent, 0u);

  // Shutdown gives up on the hanging request instead of waiting out the receiver.
  const auto stopping = steady_clock::now();
  dispatcher.value()->stop(milliseconds(200));
  EXPECT_LT(steady_clock::now() - stopping, milliseconds(3000));
  const SinkCounters after = dispatcher.value()->counters().at(0);
  EXPECT_EQ(after.queued, 0u);
  EXPECT_EQ(after.dropped, 101u);  // the hung one and the 10 queued as well
  EXPECT_EQ(after.sent + after.failed, 0u);
  dispatcher.value()->deliver(testing::traffic_spike());  // after stop: counted, not queued
  EXPECT_EQ(dispatcher.value()->counters().at(0).dropped, 102u);

  const std::string text = log.text();
  EXPECT_EQ(count_of(text, "dropping the oldest"), 1u) << text;  // once per overflow
  EXPECT_TRUE(contains(text, "webhook sink 'hangs': stopped with 11 alerts undelivered"));
  dispatcher.value().reset();
}

TEST(AlertDispatcher, StopDeliversWhatIsQueued) {
  Receiver receiver;
  auto dispatcher = AlertDispatcher::start({testing::sink_for(receiver, SinkType::slack, "a"),
                                            testing::sink_for(receiver, SinkType::webhook, "b")});
  ASSERT_TRUE(dispatcher.ok()) << dispatcher.error();
  for (int i = 0; i < 5; ++i) dispatcher.value()->deliver(testing::traffic_spike());
  dispatcher.value()->stop();
  EXPECT_EQ(receiver.requests().size(), 10u);
  const auto counters = dispatcher.value()->counters();
  ASSERT_EQ(counters.size(), 2u);
  for (const SinkCounters& sink : counters) {
    EXPECT_EQ(sink.sent, 5u) << sink.name;
    EXPECT_EQ(sink.dropped + sink.failed + sink.retried + sink.queued, 0u) << sink.name;
  }
  EXPECT_EQ(counters[0].type, SinkType::slack);
  EXPECT_EQ(counters[1].type, SinkType::webhook);
}

TEST(AlertDispatcher, CountsFailuresAndRetriesPerSink) {
  testing::LogCapture log;
  Receiver receiver;
  receiver.script({testing::status(503), testing::status(404)});
  auto dispatcher = AlertDispatcher::start({testing::sink_for(receiver, SinkType::slack, "ops")});
  ASSERT_TRUE(dispatcher.ok()) << dispatcher.error();
  dispatcher.value()->deliver(testing::traffic_spike());
  dispatcher.value()->deliver(testing::traffic_spike());
  dispatcher.value()->stop();
  const SinkCounters counters = dispatcher.value()->counters().at(0);
  EXPECT_EQ(counters.sent, 1u);
  EXPECT_EQ(counters.failed, 1u);
  EXPECT_EQ(counters.retried, 1u);
  EXPECT_EQ(receiver.requests().size(), 3u);
  EXPECT_EQ(count_of(log.text(), "not delivered"), 1u) << log.text();
  EXPECT_TRUE(contains(log.text(), "slack sink 'ops': alert traffic_spike-5d41402a-"));
  dispatcher.value().reset();
}

TEST(AlertDispatcher, StartFailsForAnUnusableUrlWithoutQuotingIt) {
  SinkConfig config;
  config.name = "broken";
  config.type = SinkType::slack;
  config.url_env = "BROKEN_URL";
  config.url = "hooks.slack.com/services/SECRETPATH";
  const auto dispatcher = AlertDispatcher::start({config});
  ASSERT_FALSE(dispatcher.ok());
  EXPECT_TRUE(contains(dispatcher.error(), "slack sink 'broken'"));
  EXPECT_TRUE(contains(dispatcher.error(), "BROKEN_URL"));
  EXPECT_TRUE(testing::lacks(dispatcher.error(), "SECRETPATH"));
}

}  // namespace
}  // namespace shoplake::alert
