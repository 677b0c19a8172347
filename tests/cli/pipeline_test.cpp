// The batch pipeline in the real `shoplake up`: history on an empty data directory, /v1/dags and
// `shoplake dag`, meta.* in SQL, and kill -9 in the middle of runs: the interrupted run is marked
// failed and retried at the next start, and the final gold is identical to an uninterrupted run.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "running_shoplake.hpp"

namespace shoplake::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kDag = "/v1/dags/lakehouse_batch_pipeline";
const char* const kGoldTables[] = {"daily_active_users",     "revenue_daily",
                                   "conversion_rate_daily",  "category_sales_daily",
                                   "cart_abandonment_daily", "events_by_source_daily",
                                   "funnel_daily",           "hourly_revenue"};

std::vector<std::string> history_args() {
  return {"--history", "--history-days",
          "2",         "--history-events-per-second",
          "0.5",       "--bronze-commit-interval-seconds",
          "0.2",       "--pipeline-retry-backoff-seconds",
          "0.1"};
}

json get_json(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  const auto response = client.Get(path);
  if (!response || response->status != 200) {
    ADD_FAILURE() << path << ": " << (response ? response->body : "no answer");
    return json::object();
  }
  return json::parse(response->body);
}

json post_json(int port, const std::string& path, const std::string& body, int expected = 201) {
  httplib::Client client("127.0.0.1", port);
  const auto response = client.Post(path, body, "application/json");
  if (!response || response->status != expected) {
    ADD_FAILURE() << path << ": " << (response ? response->body : "no answer");
    return json::object();
  }
  return json::parse(response->body);
}

// The rows of `sql` as JSON text ("data" of POST /v1/query).
std::string query_rows(int port, const std::string& sql) {
  const json answer = post_json(port, "/v1/query", json{{"sql", sql}}.dump(), 200);
  return answer.contains("data") ? answer["data"].dump() : "";
}

// Every gold table's rows, in a fixed order.
std::map<std::string, std::string> gold_of(int port) {
  std::map<std::string, std::string> gold;
  for (const char* table : kGoldTables) {
    gold[table] = query_rows(port, fmt::format("SELECT * FROM gold.{} ORDER BY ALL", table));
  }
  return gold;
}

json wait_for_run(int port, const std::string& run_id, std::chrono::seconds timeout = 120s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json run;
  while (std::chrono::steady_clock::now() < deadline) {
    run = get_json(port, std::string(kDag) + "/runs/" + run_id);
    const std::string state = run.value("state", "");
    if (state == "success" || state == "failed") return run;
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << "run " << run_id << " did not end: " << run.dump();
  return run;
}

TEST(Pipeline, HistoryOnAnEmptyDirectoryThenTheDagFromRestSqlAndTheCli) {
  TempDir dir;
  RunningShoplake shoplake(dir.path() + "/data", history_args());
  ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
  const int port = shoplake.port();

  const json dag = get_json(port, kDag);
  EXPECT_EQ(dag["schedule"], "5 * * * *");
  ASSERT_TRUE(dag["last_run"].is_object()) << dag.dump();
  EXPECT_EQ(dag["last_run"]["run_type"], "history");
  EXPECT_EQ(dag["last_run"]["state"], "success");
  // silver.events, silver.sessions, silver.purchases, eight gold tables, reconcile
  ASSERT_EQ(dag["tasks"].size(), 12u);
  EXPECT_EQ(dag["tasks"][0]["task"], "silver.events");
  EXPECT_EQ(dag["tasks"][11]["task"], "reconcile");

  // Three days (two full, from a minute two days ago to now), every event in silver once.
  EXPECT_EQ(query_rows(port, "SELECT count(*) FROM gold.revenue_daily"), R"([["3"]])");
  EXPECT_EQ(query_rows(port,
                       "SELECT (SELECT count(*) FROM bronze.events) = (SELECT count(*) "
                       "FROM silver.events)"),
            "[[1]]");
  EXPECT_EQ(query_rows(port,
                       "SELECT count(*), count(*) FILTER (WHERE state = 'success') FROM "
                       "meta.task_runs"),
            R"([["12","12"]])");
  EXPECT_EQ(query_rows(port, "SELECT DISTINCT kpi FROM meta.reconciliation ORDER BY 1"),
            R"([["events"],["orders"],["revenue"]])");

  const std::string port_text = std::to_string(port);
  const auto listed = run_shoplake({"dag", "list", "--port", port_text});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("lakehouse_batch_pipeline"), std::string::npos) << listed.out;

  const auto triggered = run_shoplake({"dag", "trigger", "--wait", "--port", port_text});
  EXPECT_EQ(triggered.exit_code, 0) << triggered.out << triggered.err;
  const auto runs = run_shoplake({"dag", "runs", "--port", port_text});
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_NE(runs.out.find("manual__"), std::string::npos) << runs.out;
  const json latest = get_json(port, std::string(kDag) + "/runs?limit=1");
  ASSERT_EQ(latest["runs"].size(), 1u);
  const std::string run_id = latest["runs"][0]["run_id"];
  EXPECT_EQ(latest["runs"][0]["state"], "success");
  const auto logs = run_shoplake({"dag", "logs", run_id, "silver.events", "--port", port_text});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  // Nothing arrived since the history run: nothing to recompute.
  EXPECT_NE(logs.out.find("nothing to"), std::string::npos) << logs.out;

  EXPECT_EQ(run_shoplake({"dag", "pause", "--port", port_text}).exit_code, 0);
  EXPECT_EQ(get_json(port, kDag)["paused"], true);
  EXPECT_EQ(run_shoplake({"dag", "unpause", "--port", port_text}).exit_code, 0);
  EXPECT_EQ(get_json(port, kDag)["paused"], false);
}

std::string events_at(std::int64_t ts_ms, const std::string& prefix, int count) {
  std::string body;
  for (int i = 0; i < count; ++i) {
    body += fmt::format(
        R"({{"event_id":"{}-{}","event_type":"view","ts":{},"user_id":"u{}","session_id":"s{}"}})",
        prefix, i, ts_ms, i % 7, i % 7);
    body += '\n';
  }
  return body;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Events later than the realtime engine's lateness are in gold, not in realtime: reconciliation
// records the drift and raises an alert.
TEST(Pipeline, DriftBetweenGoldAndRealtimeRaisesAnAlert) {
  TempDir dir;
  RunningShoplake shoplake(dir.path() + "/data", {"--allowed-lateness-seconds", "1",
                                                  "--bronze-commit-interval-seconds", "0.1"});
  ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
  const int port = shoplake.port();
  // Both batches must fall on one UTC day: in the first minutes of a day, wait them out.
  constexpr std::int64_t kDayMs = 86'400'000;
  constexpr std::int64_t kLateBehindMs = 180'000;
  if (now_ms() % kDayMs < kLateBehindMs + 5'000) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(kLateBehindMs + 5'000 - now_ms() % kDayMs));
  }
  const std::int64_t now = now_ms();
  httplib::Client client("127.0.0.1", port);
  auto on_time = client.Post("/v1/events", events_at(now, "on-time", 100), "application/x-ndjson");
  ASSERT_TRUE(on_time && on_time->status == 200);
  std::this_thread::sleep_for(200ms);
  // Three minutes behind the engine's clock, with a second of lateness allowed: counted late.
  // (One minute behind is not always late: in the first second of a minute, the minute before is
  // still open.)
  auto late =
      client.Post("/v1/events", events_at(now - kLateBehindMs, "late", 20), "application/x-ndjson");
  ASSERT_TRUE(late && late->status == 200);
  std::this_thread::sleep_for(500ms);  // a few bronze commits

  const auto run = post_json(port, std::string(kDag) + "/runs", "");
  ASSERT_EQ(wait_for_run(port, run.value("run_id", ""))["state"], "success");
  EXPECT_EQ(query_rows(port,
                       "SELECT gold, realtime, alerted FROM meta.reconciliation WHERE kpi = "
                       "'events'"),
            "[[120,100,1]]");
  const json alerts = get_json(port, "/v1/alerts?rule=reconciliation_drift");
  ASSERT_EQ(alerts["alerts"].size(), 1u) << alerts.dump();
  EXPECT_EQ(alerts["alerts"][0]["state"], "firing");
  EXPECT_NE(alerts["alerts"][0]["summary"].get<std::string>().find("gold 120.00, realtime 100.00"),
            std::string::npos)
      << alerts.dump();
}

// A model that fails: the run fails after its retries, `dag trigger --wait` exits 1 with the
// error, and the other models' tables are still written.
TEST(Pipeline, AFailingModelFailsTheRunAndTheWaitingTrigger) {
  TempDir dir;
  const std::filesystem::path models = dir.path() + "/models";
  std::filesystem::copy(SHOPLAKE_MODELS_DIR, models, std::filesystem::copy_options::recursive);
  {
    std::ofstream broken(models / "gold" / "broken.sql");
    broken << "-- inputs: silver.events\n"
              "SELECT event_date, error('this model is broken') AS n FROM silver_events\n";
  }
  RunningShoplake shoplake(dir.path() + "/data", {"--models", models.string(), "--pipeline-retries",
                                                  "1", "--pipeline-retry-backoff-seconds", "0.05",
                                                  "--bronze-commit-interval-seconds", "0.1"});
  ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
  httplib::Client client("127.0.0.1", shoplake.port());
  auto sent = client.Post("/v1/events", events_at(now_ms(), "e", 10), "application/x-ndjson");
  ASSERT_TRUE(sent && sent->status == 200);
  std::this_thread::sleep_for(500ms);
  const auto triggered =
      run_shoplake({"dag", "trigger", "--wait", "--port", std::to_string(shoplake.port())});
  EXPECT_EQ(triggered.exit_code, 1) << triggered.out << triggered.err;
  EXPECT_NE(triggered.err.find("this model is broken"), std::string::npos) << triggered.err;
  EXPECT_EQ(query_rows(shoplake.port(),
                       "SELECT task, state, attempt FROM meta.task_runs WHERE task IN "
                       "('gold.broken', 'gold.daily_active_users') ORDER BY task"),
            R"([["gold.broken","failed","2"],["gold.daily_active_users","success","1"]])");
}

TEST(Pipeline, KillNineDuringRunsThenRestartGivesTheSameGold) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  std::map<std::string, std::string> expected;
  {
    RunningShoplake shoplake(data, history_args());
    ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
    expected = gold_of(shoplake.port());
    ASSERT_NE(expected["revenue_daily"], "[]");
    shoplake.process().send_signal(SIGKILL);
    shoplake.process().wait(10s);
  }
  std::mt19937 random(7);
  int interrupted = 0;
  for (int cycle = 0; cycle < 3; ++cycle) {
    RunningShoplake shoplake(data, {"--pipeline-retry-backoff-seconds", "0.1"});
    ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
    const int port = shoplake.port();
    const json refused = post_json(port, std::string(kDag) + "/runs",
                                   R"({"from":"2000-01-01","to":"2099-12-31"})", 400);
    EXPECT_NE(refused.value("error", "").find("at most 3660 days"), std::string::npos)
        << refused.dump();
    // A backfill of every day recomputes all of silver and gold; kill it somewhere inside.
    const std::string today = query_rows(port,
                                         "SELECT CAST(max(event_date) AS VARCHAR) FROM "
                                         "bronze.events");
    const std::string first = query_rows(port,
                                         "SELECT CAST(min(event_date) AS VARCHAR) FROM "
                                         "bronze.events");
    const json backfill = post_json(
        port, std::string(kDag) + "/runs",
        json{{"from", json::parse(first)[0][0]}, {"to", json::parse(today)[0][0]}}.dump());
    const std::string run_id = backfill.value("run_id", "");
    ASSERT_FALSE(run_id.empty()) << backfill.dump();
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (get_json(port, std::string(kDag) + "/runs/" + run_id).value("state", "") != "running" &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 150)(random)));
    shoplake.process().send_signal(SIGKILL);
    shoplake.process().wait(10s);

    RunningShoplake restarted(data, {"--pipeline-retry-backoff-seconds", "0.1"});
    ASSERT_GT(restarted.port(), 0) << restarted.process().read_all_stderr();
    const json killed = get_json(restarted.port(), std::string(kDag) + "/runs/" + run_id);
    const bool finished_before_kill =
        killed.value("error", json(nullptr)).is_null() && killed.value("state", "") == "success";
    if (!finished_before_kill) {
      ++interrupted;
      EXPECT_EQ(killed["state"], "failed") << killed.dump();
      EXPECT_EQ(killed["error"], "interrupted: shoplake stopped during the run") << killed.dump();
      const json runs = get_json(restarted.port(), std::string(kDag) + "/runs?limit=5");
      std::string retry_id;
      for (const auto& candidate : runs["runs"]) {
        if (candidate.value("retry_of", json(nullptr)) == run_id) retry_id = candidate["run_id"];
      }
      ASSERT_FALSE(retry_id.empty()) << runs.dump();
      EXPECT_EQ(wait_for_run(restarted.port(), retry_id)["state"], "success");
    }
    EXPECT_EQ(query_rows(restarted.port(),
                         "SELECT count(*) FROM meta.dag_runs WHERE state IN ('queued', 'running')"),
              R"([["0"]])");
    EXPECT_EQ(gold_of(restarted.port()), expected) << "cycle " << cycle;
    restarted.process().send_signal(SIGKILL);
    restarted.process().wait(10s);
  }
  // The kills must have hit runs in progress, or this test proves nothing.
  EXPECT_GE(interrupted, 2);
}

}  // namespace
}  // namespace shoplake::testing
