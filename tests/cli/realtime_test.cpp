// The real-time engine from the outside: simulated traffic with injected anomalies sent to a real
// `shoplake up`, the realtime.* tables, GET /v1/alerts, and Slack and webhook receivers on
// loopback that record what shoplake sends them.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "receiver.hpp"
#include "running_shoplake.hpp"

namespace shoplake::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::int64_t kDayMs = 24 * kHourMs;

// Midnight (UTC) `days` ago plus `hours`: recent, because the collector refuses events older than
// 30 days, and in the past, so that no event is stamped ahead of the wall clock.
std::int64_t days_ago_at(int days, int hours) {
  const auto now =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return now / kDayMs * kDayMs - days * kDayMs + hours * kHourMs;
}

std::string rfc3339(std::int64_t ms) {
  const std::time_t seconds_since_epoch = ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds_since_epoch, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The event times are hours old: the wall clock must not close their minutes meanwhile.
const std::vector<std::string> kUpArgs = {"--idle-advance-seconds", "0"};

std::string collector_url(const RunningShoplake& shoplake) {
  return "http://127.0.0.1:" + std::to_string(shoplake.port());
}

json get_json(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(seconds(30));
  const auto response = client.Get(path);
  if (!response || response->status != 200) {
    ADD_FAILURE() << "GET " << path << " failed" << (response ? ": " + response->body : "");
    return json::object();
  }
  return json::parse(response->body);
}

std::string clickhouse_query(int port, const std::string& sql) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(seconds(30));
  const auto response = client.Post("/", sql, "text/plain");
  if (!response || response->status != 200) {
    ADD_FAILURE() << sql << ": " << (response ? response->body : "no answer");
    return {};
  }
  return response->body;
}

std::uint64_t metric(int port, const std::string& name) {
  httplib::Client client("127.0.0.1", port);
  const auto response = client.Get("/metrics");
  if (!response) return 0;
  const auto at = response->body.find("\n" + name + " ");
  if (at == std::string::npos) return 0;
  return std::stoull(response->body.substr(at + name.size() + 2));
}

struct Injection {
  std::string kind;  // the simulator's --inject kind
  std::string rule;  // the rule that must fire
  std::int64_t offset_ms;
};

// A span of simulated shop: its start, length, traffic and injected anomalies (15 minutes each).
struct Scenario {
  std::int64_t start_ms;
  std::int64_t hours;
  std::vector<std::string> shop;  // simulator flags: rate, users
  std::vector<Injection> injections;

  std::vector<std::string> simulate_args(const std::string& to) const {
    std::vector<std::string> args = {"simulate", "--start", rfc3339(start_ms), "--end",
                                     rfc3339(start_ms + hours * kHourMs)};
    args.insert(args.end(), shop.begin(), shop.end());
    for (const auto& injection : injections) {
      args.push_back("--inject");
      args.push_back(injection.kind + "@" + std::to_string(injection.offset_ms / kMinuteMs) + "m");
    }
    args.insert(args.end(), {"--to", to});
    return args;
  }
};

constexpr std::int64_t kInjectionMs = 15 * kMinuteMs;

// The default shop (1,000 users) at 20 events/s: noon two days ago to 14:00 yesterday, a normal
// day, then the traffic anomalies in yesterday's morning. Purchases are too few in this shop for
// any 3-minute window to tell an outage from chance (docs/ALERTS.md), so it tests traffic only.
Scenario traffic_scenario() {
  return Scenario{days_ago_at(2, 12),
                  26,
                  {"--rate", "20"},
                  {{"traffic_spike", "traffic_spike", 22 * kHourMs},
                   {"traffic_drop", "traffic_drop", 23 * kHourMs}}};
}

// A big shop (4 million users at 300 events/s, about 60 orders a minute) on yesterday's daytime,
// where the purchase rules can judge every 3 minutes.
Scenario purchase_scenario() {
  return Scenario{days_ago_at(1, 9),
                  4,
                  {"--rate", "300", "--users", "4000000"},
                  {{"revenue_drop", "revenue_drop", 120 * kMinuteMs},
                   {"zero_purchases", "zero_purchases", 160 * kMinuteMs},
                   {"conversion_drop", "conversion_low", 200 * kMinuteMs}}};
}

// Sends the scenario and waits until the stream engine has counted all of it.
void simulate_into(RunningShoplake& shoplake, const Scenario& scenario) {
  const auto sent = run_shoplake(scenario.simulate_args(collector_url(shoplake)), {}, seconds(600));
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  const auto accepted_at = sent.err.find("the collector accepted ");
  ASSERT_NE(accepted_at, std::string::npos) << sent.err;
  const std::uint64_t accepted = std::stoull(sent.err.substr(accepted_at + 23));
  const auto deadline = std::chrono::steady_clock::now() + seconds(120);
  while (metric(shoplake.port(), "shoplake_stream_events_total") < accepted &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(metric(shoplake.port(), "shoplake_stream_events_total"), accepted);
}

// Each injection fired its rule on a minute within 3 minutes of its start, that incident resolved
// after it ended, and nothing fired that an injection does not explain (the hours before the
// first one are a normal day or more of traffic).
void expect_alerts_match(const json& alerts, const Scenario& scenario) {
  ASSERT_FALSE(alerts.empty());
  for (const auto& injection : scenario.injections) {
    SCOPED_TRACE(injection.kind);
    const std::int64_t start = scenario.start_ms + injection.offset_ms;
    const std::int64_t end = start + kInjectionMs;
    const json* fired = nullptr;
    for (const auto& alert : alerts) {
      if (alert["rule"] == injection.rule && alert["state"] == "firing" && !alert["repeat"] &&
          alert["minute_ms"] >= start && alert["minute_ms"] < end) {
        fired = &alert;
      }
    }
    ASSERT_NE(fired, nullptr) << alerts.dump(1);
    EXPECT_LE((*fired)["minute_ms"].get<std::int64_t>(), start + 3 * kMinuteMs) << fired->dump();
    EXPECT_FALSE((*fired)["summary"].get<std::string>().empty());
    const bool resolved = std::any_of(alerts.begin(), alerts.end(), [&](const json& alert) {
      return alert["id"] == (*fired)["id"] && alert["state"] == "resolved" &&
             alert["minute_ms"] >= end;
    });
    EXPECT_TRUE(resolved) << "no resolution after the injection for " << (*fired)["id"];
  }
  for (const auto& alert : alerts) {
    const std::int64_t started = alert["started_ms"];
    const bool explained = std::any_of(
        scenario.injections.begin(), scenario.injections.end(), [&](const Injection& i) {
          const std::int64_t start = scenario.start_ms + i.offset_ms;
          return started >= start && started < start + kInjectionMs + 15 * kMinuteMs;
        });
    EXPECT_TRUE(explained) << "a false alarm: " << alert.dump();
  }
}

TEST(Realtime, TrafficAnomaliesFireWithinThreeMinutesAndResolveAndANormalDayIsQuiet) {
  TempDir dir;
  RunningShoplake shoplake(dir.path(), kUpArgs);
  ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
  const Scenario scenario = traffic_scenario();
  simulate_into(shoplake, scenario);
  const json alerts = get_json(shoplake.port(), "/v1/alerts?limit=1000")["alerts"];
  expect_alerts_match(alerts, scenario);
  // The same history is the SQL table realtime.alerts.
  EXPECT_EQ(clickhouse_query(shoplake.clickhouse_port(), "SELECT count() FROM realtime.alerts"),
            std::to_string(alerts.size()) + "\n");
  // Old incidents are recorded, not paged: these minutes are hours old.
  EXPECT_EQ(metric(shoplake.port(), "shoplake_alert_deliveries_total"), 0U);
}

TEST(Realtime, PurchaseAnomaliesFireWithinThreeMinutesAndResolveOnABigShop) {
  TempDir dir;
  RunningShoplake shoplake(dir.path(), kUpArgs);
  ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
  const Scenario scenario = purchase_scenario();
  simulate_into(shoplake, scenario);
  expect_alerts_match(get_json(shoplake.port(), "/v1/alerts?limit=1000")["alerts"], scenario);
}

// Yesterday 08:00 to 12:00, a spike at 10:00 and a drop at 11:00: four messages at least.
Scenario short_traffic_scenario() {
  return Scenario{days_ago_at(1, 8),
                  4,
                  {"--rate", "20"},
                  {{"traffic_spike", "traffic_spike", 120 * kMinuteMs},
                   {"traffic_drop", "traffic_drop", 180 * kMinuteMs}}};
}

TEST(Realtime, TablesSurviveARestartWithoutCountingTwice) {
  TempDir dir;
  std::string before;
  {
    RunningShoplake shoplake(dir.path(), kUpArgs);
    ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
    simulate_into(shoplake, short_traffic_scenario());
    before = clickhouse_query(shoplake.clickhouse_port(),
                              "SELECT sum(event_count) FROM realtime.events_per_minute");
    before += clickhouse_query(shoplake.clickhouse_port(),
                               "SELECT round(sum(revenue), 2), sum(orders) FROM "
                               "realtime.revenue_per_minute");
    before += clickhouse_query(shoplake.clickhouse_port(),
                               "SELECT day, dau_count, orders FROM realtime.kpis_today");
    before += clickhouse_query(shoplake.clickhouse_port(), "SELECT count() FROM realtime.alerts");
    EXPECT_EQ(shoplake.stop(), 0);
  }
  RunningShoplake shoplake(dir.path(), kUpArgs);
  ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
  std::string after = clickhouse_query(shoplake.clickhouse_port(),
                                       "SELECT sum(event_count) FROM realtime.events_per_minute");
  after += clickhouse_query(shoplake.clickhouse_port(),
                            "SELECT round(sum(revenue), 2), sum(orders) FROM "
                            "realtime.revenue_per_minute");
  after += clickhouse_query(shoplake.clickhouse_port(),
                            "SELECT day, dau_count, orders FROM realtime.kpis_today");
  after += clickhouse_query(shoplake.clickhouse_port(), "SELECT count() FROM realtime.alerts");
  EXPECT_EQ(after, before);

  // The alert API names a wrong parameter.
  httplib::Client client("127.0.0.1", shoplake.port());
  for (const auto& [query, expected] : std::vector<std::pair<std::string, std::string>>{
           {"state=burning", "state must be firing or resolved"},
           {"limit=0", "limit must be a whole number from 1 to 10000"},
           {"active=maybe", "active must be true or false"}}) {
    const auto response = client.Get("/v1/alerts?" + query);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << query;
    EXPECT_NE(response->body.find(expected), std::string::npos) << response->body;
  }
  EXPECT_NE(before.find(rfc3339(short_traffic_scenario().start_ms).substr(0, 10)),
            std::string::npos)
      << before;
}

TEST(Realtime, SlackAndWebhookReceiveTheAlertsAtMostOneASecond) {
  alert::testing::Receiver slack;
  alert::testing::Receiver webhook;
  TempDir dir;
  std::vector<std::string> args = kUpArgs;
  // These incidents are hours old: send them anyway, as a replay would not.
  args.insert(args.end(), {"--alert-delivery-max-age-minutes", "10000000"});
  RunningShoplake shoplake(
      dir.path(), args,
      {"SHOPLAKE_SLACK_WEBHOOK_URL=" + slack.url(), "SHOPLAKE_ALERT_WEBHOOK_URL=" + webhook.url()});
  ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
  simulate_into(shoplake, short_traffic_scenario());

  const json alerts = get_json(shoplake.port(), "/v1/alerts?limit=1000")["alerts"];
  ASSERT_GE(alerts.size(), 4U) << "two incidents, each firing and resolved";
  ASSERT_TRUE(slack.wait_for(alerts.size(), seconds(60)));
  ASSERT_TRUE(webhook.wait_for(alerts.size(), seconds(60)));

  const auto slack_messages = slack.requests();
  bool saw_resolved = false;
  for (std::size_t i = 0; i < slack_messages.size(); ++i) {
    const json message = json::parse(slack_messages[i].body);
    ASSERT_TRUE(message.contains("text")) << message.dump();
    ASSERT_TRUE(message["blocks"].is_array()) << message.dump();
    for (const auto& block : message["blocks"]) {
      if (block.contains("text")) {
        EXPECT_LT(block["text"]["text"].get<std::string>().size(), 3000U);
      }
    }
    saw_resolved |= message["text"].get<std::string>().find("Resolved") != std::string::npos;
    if (i > 0) {
      EXPECT_GE(slack_messages[i].at - slack_messages[i - 1].at, milliseconds(900))
          << "Slack gets at most about one message a second";
    }
  }
  EXPECT_TRUE(saw_resolved);

  std::map<std::string, int> webhook_rules;
  for (const auto& request : webhook.requests()) {
    const json body = json::parse(request.body);
    ++webhook_rules[body["rule"].get<std::string>()];
    EXPECT_TRUE(body.contains("started_at") && body.contains("summary") && body.contains("hint"));
  }
  EXPECT_GT(webhook_rules["traffic_spike"], 0);
  EXPECT_GT(webhook_rules["traffic_drop"], 0);

  EXPECT_EQ(shoplake.stop(), 0);
  const std::string log = shoplake.process().read_all_stderr();
  EXPECT_EQ(log.find(std::string(alert::testing::kSecretPath)), std::string::npos)
      << "a webhook URL reached the log";
}

TEST(Realtime, AlertsTestSendsASampleToEachSinkAndFailsWhenOneRefuses) {
  alert::testing::Receiver slack;
  const auto sent = run_shoplake({"alerts", "test"}, {"SHOPLAKE_SLACK_WEBHOOK_URL=" + slack.url()});
  EXPECT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_NE(sent.out.find("slack sink 'slack': sent"), std::string::npos) << sent.out;
  EXPECT_NE(sent.out.find("log sink 'log': sent"), std::string::npos) << sent.out;
  ASSERT_EQ(slack.requests().size(), 1U);
  EXPECT_TRUE(json::parse(slack.requests()[0].body).contains("blocks"));

  slack.script({alert::testing::status(404)});
  const auto refused =
      run_shoplake({"alerts", "test"}, {"SHOPLAKE_SLACK_WEBHOOK_URL=" + slack.url()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("slack sink 'slack': FAILED"), std::string::npos) << refused.out;
  EXPECT_EQ(refused.out.find(std::string(alert::testing::kSecretPath)), std::string::npos);
  EXPECT_EQ(refused.err.find(std::string(alert::testing::kSecretPath)), std::string::npos);
}

TEST(Realtime, UpRefusesABadTimeZoneAndABadAlertsFile) {
  TempDir dir;
  const auto zone = run_shoplake({"up", "--data-dir", dir.path(), "--time-zone", "Mars/Olympus"});
  EXPECT_EQ(zone.exit_code, 2);
  EXPECT_NE(zone.err.find("--time-zone: unknown time zone 'Mars/Olympus'"), std::string::npos)
      << zone.err;
  const std::string config = dir.path() + "/alerts.toml";
  std::ofstream(config) << "[rules.traffic_spike]\nfactor = \"two\"\n";
  const auto rules = run_shoplake({"up", "--data-dir", dir.path(), "--alerts-config", config});
  EXPECT_EQ(rules.exit_code, 2);
  EXPECT_NE(rules.err.find("factor"), std::string::npos) << rules.err;
}

}  // namespace
}  // namespace shoplake::testing
