// Webhook URLs and header values are secrets: no failure may show them in a log line or an error.
#include <gtest/gtest.h>

#include "log_capture.hpp"
#include "receiver.hpp"
#include "shoplake/alert/sinks.hpp"
#include "sink_test_support.hpp"
#include "text_assertions.hpp"

namespace shoplake::alert {
namespace {

using std::chrono::milliseconds;
using testing::contains;
using testing::lacks;
using testing::Receiver;

constexpr std::string_view kBearer = "Bearer SECRETBEARERTOKEN";

void expect_no_secret(const std::string& text, const Receiver& receiver) {
  EXPECT_TRUE(lacks(text, receiver.url()));
  EXPECT_TRUE(lacks(text, testing::kSecretPath));
  EXPECT_TRUE(lacks(text, "SECRET"));
}

TEST(Secrecy, NoUrlInLogsOrErrorsWhateverFails) {
  testing::LogCapture log;
  Receiver receiver;
  // A 404 page quoting the path (as Express does), a 400, then 500s until the attempts run out,
  // the last one quoting the path and the Authorization header.
  receiver.script({testing::echoing(404), testing::status(400), testing::status(500),
                   testing::status(500), testing::echoing(500)});
  SinkConfig slack = testing::sink_for(receiver, SinkType::slack, "ops");
  SinkConfig webhook = testing::sink_for(receiver, SinkType::webhook, "pager");
  webhook.headers = {{"Authorization", std::string(kBearer)}};

  std::string errors;
  for (int i = 0; i < 2; ++i) {
    for (const auto& result : send_test_alert({slack}, testing::traffic_spike())) {
      ASSERT_FALSE(result.status.ok());
      errors += result.status.error() + "\n";
    }
  }
  auto dispatcher = AlertDispatcher::start({webhook});
  ASSERT_TRUE(dispatcher.ok()) << dispatcher.error();
  dispatcher.value()->deliver(testing::traffic_spike());
  dispatcher.value()->stop();
  EXPECT_EQ(dispatcher.value()->counters().at(0).failed, 1u);
  dispatcher.value().reset();

  // Nothing listens there any more, so the errors are about connecting.
  SinkConfig gone = slack;
  {
    Receiver closed;
    gone.url = closed.url();
  }
  gone.max_attempts = 1;
  for (const auto& result : send_test_alert({gone}, testing::traffic_spike())) {
    errors += result.status.error() + "\n";
  }
  SinkConfig not_url = slack;
  not_url.url = "ftp://example.com/SECRET";
  for (const auto& result : send_test_alert({not_url}, testing::traffic_spike())) {
    errors += result.status.error() + "\n";
  }

  EXPECT_TRUE(contains(errors, "answered 404: Cannot POST <redacted>"));
  EXPECT_TRUE(contains(errors, "answered 400"));
  EXPECT_TRUE(contains(errors, "could not connect"));
  EXPECT_TRUE(contains(errors, "TEST_WEBHOOK_URL is not an http:// or https:// URL"));
  const std::string logged = log.text();
  EXPECT_TRUE(contains(logged, "webhook sink 'pager'"));
  EXPECT_TRUE(contains(
      logged, "answered 500: Cannot POST <redacted> as <redacted> (gave up after 3 attempts)"));
  expect_no_secret(errors, receiver);
  expect_no_secret(logged, receiver);
}

}  // namespace
}  // namespace shoplake::alert
