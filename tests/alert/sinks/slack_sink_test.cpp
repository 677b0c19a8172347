// What Slack receives, captured by a real HTTP server.
#include <gtest/gtest.h>

#include "receiver.hpp"
#include "shoplake/alert/sinks.hpp"
#include "sink_test_support.hpp"
#include "text_assertions.hpp"

namespace shoplake::alert {
namespace {

using nlohmann::json;
using testing::contains;
using testing::lacks;
using testing::Receiver;

json send_to_slack(const Alert& alert) {
  Receiver receiver;
  const auto results = send_test_alert({testing::sink_for(receiver, SinkType::slack)}, alert);
  EXPECT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].status.ok()) << results[0].status.error();
  const auto requests = receiver.requests();
  EXPECT_EQ(requests.size(), 1u);
  if (requests.empty()) return json();
  EXPECT_EQ(requests[0].path, testing::kSecretPath);
  const auto content_type = requests[0].headers.find("Content-Type");
  EXPECT_TRUE(content_type != requests[0].headers.end() &&
              content_type->second == "application/json");
  return testing::body_of(requests[0]);
}

// Every "text" string anywhere in the blocks.
void collect_texts(const json& node, std::vector<std::string>& texts) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "text" && value.is_string()) texts.push_back(value.get<std::string>());
      collect_texts(value, texts);
    }
  } else if (node.is_array()) {
    for (const auto& element : node) collect_texts(element, texts);
  }
}

std::string all_text(const json& message) {
  std::vector<std::string> texts;
  collect_texts(message, texts);
  std::string joined;
  for (const auto& text : texts) joined += text + "\n";
  return joined;
}

std::size_t characters(const std::string& utf8) {
  std::size_t count = 0;
  for (const char c : utf8) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

TEST(SlackSink, SendsAFallbackTextAndBlocksWithEveryDetail) {
  const json message = send_to_slack(testing::traffic_spike());
  ASSERT_TRUE(message.contains("text"));
  ASSERT_TRUE(message["text"].is_string());
  EXPECT_TRUE(
      contains(message["text"].get<std::string>(), "Critical: Views of electronics at 310/min"));
  ASSERT_TRUE(message.contains("blocks"));
  const json& blocks = message["blocks"];
  ASSERT_TRUE(blocks.is_array());
  ASSERT_GE(blocks.size(), 3u);
  EXPECT_EQ(blocks[0]["type"], "header");
  EXPECT_EQ(blocks[0]["text"]["type"], "plain_text");
  for (const auto& block : blocks) {
    const std::string type = block["type"];
    EXPECT_TRUE(type == "header" || type == "section" || type == "context") << type;
  }

  const std::string text = all_text(message);
  EXPECT_TRUE(contains(text, "Views of electronics at 310/min, 3.1x the usual 100/min"));
  EXPECT_TRUE(contains(text, "*Observed*\n310 (+210%)"));
  EXPECT_TRUE(contains(text, "*Expected*\n100"));
  EXPECT_TRUE(contains(text, "*Severity*\nCritical"));
  EXPECT_TRUE(contains(text, "*Rule*\ntraffic_spike"));
  EXPECT_TRUE(contains(text, "*Dimensions*\ncategory=electronics"));
  EXPECT_TRUE(contains(text, "*Started*\n2024-05-01 12:03 UTC"));
  EXPECT_TRUE(contains(text, "source=mobile moved most"));
  EXPECT_TRUE(contains(text, "traffic_spike-5d41402a-20240501T1203Z"));
  EXPECT_TRUE(lacks(text, "Resolved"));
  EXPECT_TRUE(lacks(text, "Reminder"));
}

TEST(SlackSink, KeepsEveryTextUnderSlacksLimitsHoweverLongTheAlert) {
  Alert alert = testing::traffic_spike();
  alert.summary = std::string(10'000, 's');
  alert.hint = std::string(5'000, 'h') + std::string(5'000, '<');  // each '<' escapes to 4 bytes
  alert.dimensions = std::string(3'000, 'd');
  alert.rule = std::string(500, 'r');
  const json message = send_to_slack(alert);
  std::vector<std::string> texts;
  collect_texts(message, texts);
  ASSERT_GE(texts.size(), 6u);
  for (const std::string& text : texts) {
    EXPECT_LT(characters(text), 3000u);
    EXPECT_LT(text.size(), 3000u);
  }
  EXPECT_LE(characters(message["blocks"][0]["text"]["text"].get<std::string>()), 150u);
  const std::string hint_text = message["blocks"][3]["text"]["text"];
  EXPECT_TRUE(hint_text.ends_with("…")) << hint_text.substr(hint_text.size() - 20);
  EXPECT_TRUE(lacks(hint_text, "<"));
  const std::string summary_text = message["blocks"][1]["text"]["text"];
  EXPECT_TRUE(summary_text.ends_with("…"));
  EXPECT_GT(summary_text.size(), 2000u);  // cut near the limit, not to a stub
}

TEST(SlackSink, SaysResolvedWhenTheIncidentIsOver) {
  Alert alert = testing::traffic_spike();
  alert.state = AlertState::resolved;
  alert.summary = "Views of electronics back to 105/min";
  const json message = send_to_slack(alert);
  EXPECT_TRUE(message["text"].get<std::string>().starts_with("Resolved: Views of electronics"));
  const std::string header = message["blocks"][0]["text"]["text"];
  EXPECT_TRUE(contains(header, "Resolved: traffic_spike (category=electronics)"));
  EXPECT_TRUE(contains(header, ":white_check_mark:"));
  EXPECT_TRUE(contains(all_text(message), "*Resolved*\n2024-05-01 12:05 UTC"));
}

TEST(SlackSink, SaysReminderForARepeat) {
  Alert alert = testing::traffic_spike();
  alert.repeat = true;
  const json message = send_to_slack(alert);
  EXPECT_TRUE(message["text"].get<std::string>().starts_with("Reminder, still firing: "));
  EXPECT_TRUE(
      contains(message["blocks"][0]["text"]["text"].get<std::string>(), "Reminder, still firing"));
  EXPECT_TRUE(contains(all_text(message), "*Still firing at*\n2024-05-01 12:05 UTC"));
}

TEST(SlackSink, EscapesMarkupSoThatDataCannotMentionAnyone) {
  Alert alert = testing::traffic_spike();
  alert.summary = "Category <!channel> & <https://evil.example|click> spiked";
  const json message = send_to_slack(alert);
  const std::string text = all_text(message);
  EXPECT_TRUE(contains(text, "Category &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"));
  EXPECT_TRUE(lacks(text, "<!channel>"));
}

TEST(SlackSink, SendsValidJsonForMalformedUtf8) {
  Alert alert = testing::traffic_spike();
  alert.summary = "bad \xC3\x28 bytes \xFF and fine caf\xC3\xA9";
  alert.dimensions = "category=\xE2\x82";
  const json message = send_to_slack(alert);  // the receiver's parse would throw otherwise
  const std::string text = all_text(message);
  EXPECT_TRUE(contains(text, "bad \xEF\xBF\xBD( bytes \xEF\xBF\xBD and fine caf\xC3\xA9"));
}

}  // namespace
}  // namespace shoplake::alert
