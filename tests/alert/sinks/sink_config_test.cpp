#include <gtest/gtest.h>

#include <map>

#include "shoplake/alert/sinks.hpp"
#include "text_assertions.hpp"

namespace shoplake::alert {
namespace {

using std::chrono::milliseconds;
using testing::contains;
using testing::lacks;

constexpr std::string_view kSlackUrl = "https://hooks.slack.com/services/T000/B000/SECRETSECRET";
constexpr std::string_view kHookUrl = "https://alerts.example.com/hook?token=SECRETTOKEN";

class FakeEnvironment {
 public:
  FakeEnvironment() = default;
  explicit FakeEnvironment(std::initializer_list<std::pair<const std::string, std::string>> values)
      : values_(values) {}
  EnvLookup lookup() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      const auto found = values_.find(name);
      if (found == values_.end()) return std::nullopt;
      return found->second;
    };
  }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

const FakeEnvironment kEnvironment{{"OPS_SLACK_URL", std::string(kSlackUrl)},
                                   {"HOOK_URL", std::string(kHookUrl)},
                                   {"HOOK_TOKEN", "Bearer SECRETBEARER"},
                                   {"NOT_A_URL", "hooks.slack.com/services/SECRETPATH"}};

core::Result<std::vector<SinkConfig>> parse(std::string_view text) {
  return parse_sink_configs(text, kEnvironment.lookup());
}

std::string error_of(std::string_view text) {
  auto parsed = parse(text);
  EXPECT_FALSE(parsed.ok()) << text;
  return parsed.ok() ? std::string() : parsed.error();
}

TEST(SinkConfig, ReadsEverySinkTypeWithItsSettings) {
  auto parsed = parse(R"(
[[rules]]
name = "traffic_spike"

[[sinks]]
name = "ops"
type = "slack"
url_env = "OPS_SLACK_URL"
min_interval_ms = 1500
max_attempts = 7

[[sinks]]
name = "pager"
type = "webhook"
url_env = "HOOK_URL"
backoff_ms = 250
max_backoff_ms = 4000
timeout_ms = 3000
queue_capacity = 20
[sinks.headers]
Authorization = "env:HOOK_TOKEN"
X-Source = "shoplake"

[[sinks]]
type = "log"
)");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const auto& sinks = parsed.value();
  ASSERT_EQ(sinks.size(), 3u);

  EXPECT_EQ(sinks[0].name, "ops");
  EXPECT_EQ(sinks[0].type, SinkType::slack);
  EXPECT_EQ(sinks[0].url_env, "OPS_SLACK_URL");
  EXPECT_EQ(sinks[0].url, kSlackUrl);
  EXPECT_EQ(sinks[0].min_interval, milliseconds(1500));
  EXPECT_EQ(sinks[0].max_attempts, 7);

  EXPECT_EQ(sinks[1].type, SinkType::webhook);
  EXPECT_EQ(sinks[1].url, kHookUrl);
  EXPECT_EQ(sinks[1].first_backoff, milliseconds(250));
  EXPECT_EQ(sinks[1].max_backoff, milliseconds(4000));
  EXPECT_EQ(sinks[1].timeout, milliseconds(3000));
  EXPECT_EQ(sinks[1].queue_capacity, 20u);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Bearer SECRETBEARER"}, {"X-Source", "shoplake"}};
  EXPECT_EQ(sinks[1].headers, headers);

  EXPECT_EQ(sinks[2].name, "log");  // a name defaults to the type
  EXPECT_EQ(sinks[2].type, SinkType::log);
  EXPECT_EQ(sink_label(sinks[0]), "slack sink 'ops'");
}

TEST(SinkConfig, AFileWithoutSinksHasNone) {
  auto parsed = parse("[[rules]]\nname = \"traffic_drop\"\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_TRUE(parsed.value().empty());
}

TEST(SinkConfig, ErrorsNameTheEntryLineAndKey) {
  const std::string error = error_of(R"(
[[sinks]]
name = "ops"
type = "slack"
url_env = "OPS_SLACK_URL"

[[sinks]]
name = "second"
type = "slack"
url_env = "OPS_SLACK_URL"
min_interval_ms = "fast"
)");
  EXPECT_TRUE(contains(error, "entry 2"));
  EXPECT_TRUE(contains(error, "line 7"));
  EXPECT_TRUE(contains(error, "'second'"));
  EXPECT_TRUE(contains(error, "'min_interval_ms'"));
  EXPECT_TRUE(contains(error, "whole number"));
}

TEST(SinkConfig, RejectsAnUnknownType) {
  const std::string error = error_of("[[sinks]]\ntype = \"teams\"\n");
  EXPECT_TRUE(contains(error, "key 'type'"));
  EXPECT_TRUE(contains(error, "unknown sink type 'teams'"));
  EXPECT_TRUE(contains(error_of("[[sinks]]\nname = \"x\"\n"), "key 'type': missing"));
}

TEST(SinkConfig, AnHttpSinkNeedsUrlEnvAndTheVariableSet) {
  EXPECT_TRUE(contains(error_of("[[sinks]]\ntype = \"slack\"\n"), "key 'url_env': missing"));
  const std::string unset = error_of("[[sinks]]\ntype = \"webhook\"\nurl_env = \"UNSET_VAR\"\n");
  EXPECT_TRUE(contains(unset, "key 'url_env'"));
  EXPECT_TRUE(contains(unset, "UNSET_VAR is not set"));
}

TEST(SinkConfig, RejectsBadNumbers) {
  const std::string base = "[[sinks]]\ntype = \"slack\"\nurl_env = \"OPS_SLACK_URL\"\n";
  EXPECT_TRUE(contains(error_of(base + "max_attempts = 0\n"), "'max_attempts'"));
  EXPECT_TRUE(contains(error_of(base + "max_attempts = 2.5\n"), "a fractional number"));
  EXPECT_TRUE(contains(error_of(base + "min_interval_ms = -1\n"), "got -1"));
  EXPECT_TRUE(contains(error_of(base + "timeout_ms = 9999999999\n"), "'timeout_ms'"));
  EXPECT_TRUE(
      contains(error_of(base + "backoff_ms = 500\nmax_backoff_ms = 100\n"), "'max_backoff_ms'"));
}

TEST(SinkConfig, RejectsUnknownKeysAndHeadersWhereTheyDoNotBelong) {
  const std::string base = "[[sinks]]\ntype = \"slack\"\nurl_env = \"OPS_SLACK_URL\"\n";
  EXPECT_TRUE(contains(error_of(base + "min_intervall_ms = 5\n"), "'min_intervall_ms': unknown"));
  EXPECT_TRUE(contains(error_of(base + "[sinks.headers]\nA = \"b\"\n"), "'headers'"));
  EXPECT_TRUE(
      contains(error_of("[[sinks]]\ntype = \"log\"\nurl_env = \"OPS_SLACK_URL\"\n"), "'url_env'"));
}

TEST(SinkConfig, ChecksHeaders) {
  const std::string base =
      "[[sinks]]\ntype = \"webhook\"\nurl_env = \"HOOK_URL\"\n[sinks.headers]\n";
  EXPECT_TRUE(contains(error_of(base + "Authorization = \"env:NO_SUCH_TOKEN\"\n"),
                       "'headers.Authorization': environment variable NO_SUCH_TOKEN is not set"));
  EXPECT_TRUE(contains(error_of(base + "\"Bad Name\" = \"x\"\n"), "'headers.Bad Name'"));
  EXPECT_TRUE(contains(error_of(base + "X-Evil = \"a\\r\\nHost: b\"\n"), "line break"));
  EXPECT_TRUE(contains(error_of(base + "Content-Length = \"1\"\n"), "set by shoplake"));
  EXPECT_TRUE(contains(error_of(base + "X-Count = 3\n"), "expected a string"));
}

TEST(SinkConfig, RejectsDuplicateNames) {
  const std::string error =
      error_of("[[sinks]]\ntype = \"log\"\n[[sinks]]\nname = \"log\"\ntype = \"log\"\n");
  EXPECT_TRUE(contains(error, "entry 2"));
  EXPECT_TRUE(contains(error, "'name'"));
}

TEST(SinkConfig, ReportsTomlSyntaxErrorsWithTheirPosition) {
  EXPECT_TRUE(contains(error_of("[[sinks]]\ntype = \n"), "line 2"));
  EXPECT_TRUE(contains(error_of("[sinks]\ntype = \"log\"\n"), "[[sinks]] entries"));
  EXPECT_TRUE(contains(error_of("sinks = [1, 2]\n"), "entry 1 must be a table"));
}

TEST(SinkConfig, NeverQuotesAUrl) {
  const std::string in_file = error_of(
      "[[sinks]]\ntype = \"slack\"\nurl = \"https://hooks.slack.com/services/SECRETPATH\"\n");
  EXPECT_TRUE(contains(in_file, "key 'url'"));
  EXPECT_TRUE(contains(in_file, "url_env"));
  EXPECT_TRUE(lacks(in_file, "SECRETPATH"));

  const std::string not_url = error_of("[[sinks]]\ntype = \"slack\"\nurl_env = \"NOT_A_URL\"\n");
  EXPECT_TRUE(contains(not_url, "NOT_A_URL is not an http:// or https:// URL"));
  EXPECT_TRUE(lacks(not_url, "SECRETPATH"));
  EXPECT_TRUE(lacks(not_url, "hooks.slack.com"));
}

TEST(DefaultSinks, TheLogSinkIsAlwaysThere) {
  std::vector<SinkConfig> sinks;
  ASSERT_TRUE(add_default_sinks(sinks, FakeEnvironment().lookup()).ok());
  ASSERT_EQ(sinks.size(), 1u);
  EXPECT_EQ(sinks[0].type, SinkType::log);
  EXPECT_EQ(sinks[0].name, "log");
  ASSERT_TRUE(add_default_sinks(sinks, FakeEnvironment().lookup()).ok());
  EXPECT_EQ(sinks.size(), 1u);
}

TEST(DefaultSinks, ExportedUrlsAreEnoughWithoutAFile) {
  const FakeEnvironment environment{{"SHOPLAKE_SLACK_WEBHOOK_URL", std::string(kSlackUrl)},
                                    {"SHOPLAKE_ALERT_WEBHOOK_URL", std::string(kHookUrl)},
                                    {"SHOPLAKE_ALERT_WEBHOOK_AUTHORIZATION", "Bearer SECRET"}};
  std::vector<SinkConfig> sinks;
  ASSERT_TRUE(add_default_sinks(sinks, environment.lookup()).ok());
  ASSERT_EQ(sinks.size(), 3u);
  EXPECT_EQ(sink_label(sinks[0]), "slack sink 'slack'");
  EXPECT_EQ(sinks[0].url, kSlackUrl);
  EXPECT_EQ(sink_label(sinks[1]), "webhook sink 'webhook'");
  EXPECT_EQ(sinks[1].url, kHookUrl);
  ASSERT_EQ(sinks[1].headers.size(), 1u);
  EXPECT_EQ(sinks[1].headers[0].first, "Authorization");
  EXPECT_EQ(sinks[2].type, SinkType::log);
}

TEST(DefaultSinks, AConfiguredSinkReadingTheVariableIsNotDoubled) {
  const FakeEnvironment environment{{"SHOPLAKE_SLACK_WEBHOOK_URL", std::string(kSlackUrl)}};
  auto parsed = parse_sink_configs(
      "[[sinks]]\nname = \"ops\"\ntype = \"slack\"\nurl_env = \"SHOPLAKE_SLACK_WEBHOOK_URL\"\n",
      environment.lookup());
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_TRUE(add_default_sinks(parsed.value(), environment.lookup()).ok());
  ASSERT_EQ(parsed.value().size(), 2u);
  EXPECT_EQ(parsed.value()[0].name, "ops");
  EXPECT_EQ(parsed.value()[1].type, SinkType::log);
}

TEST(DefaultSinks, ABadExportedUrlIsAnErrorThatDoesNotQuoteIt) {
  const FakeEnvironment environment{
      {"SHOPLAKE_SLACK_WEBHOOK_URL", "ftp://hooks.slack.com/services/SECRETPATH"}};
  std::vector<SinkConfig> sinks;
  const auto added = add_default_sinks(sinks, environment.lookup());
  ASSERT_FALSE(added.ok());
  EXPECT_TRUE(contains(added.error(), "SHOPLAKE_SLACK_WEBHOOK_URL"));
  EXPECT_TRUE(lacks(added.error(), "SECRETPATH"));
}

}  // namespace
}  // namespace shoplake::alert
