// /v1/dags over HTTP against a real scheduler running a real model on a real lake: the DAG, a
// trigger that runs to success, the run's history, tasks and logs, backfill validation, pause.
#include "shoplake/server/dag_routes.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "engine_test_support.hpp"
#include "parquet_io.hpp"
#include "shoplake/pipeline/scheduler.hpp"
#include "shoplake/server/main_server.hpp"
#include "small_bronze.hpp"

namespace shoplake::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using sql::testing::TempDirectory;

const std::string kDag = "/v1/dags/lakehouse_batch_pipeline";
const std::regex kTimeMs(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");

json parse(const httplib::Result& response) {
  EXPECT_TRUE(response);
  if (!response) return json();
  json body = json::parse(response->body, nullptr, false);
  EXPECT_FALSE(body.is_discarded()) << response->body;
  return body;
}

class DagRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parquet = lake::ParquetIo::open();
    ASSERT_TRUE(parquet) << parquet.error();
    parquet_ = std::move(parquet).value();
    runner_ = std::make_unique<pipeline::ModelRunner>(directory_.path() / "lake", *parquet_);
    fs::create_directories(directory_.path() / "models" / "gold");
    std::ofstream(directory_.path() / "models" / "gold" / "x.sql")
        << "-- inputs: bronze.events\nSELECT * FROM bronze_events\n";
    seed_bronze();

    auto store = pipeline::RunStore::open(directory_.path() / "pipeline");
    ASSERT_TRUE(store) << store.error();
    store_ = std::move(store).value();
    auto models = pipeline::load_models(directory_.path() / "models");
    ASSERT_TRUE(models) << models.error();
    pipeline::SchedulerOptions options;
    options.retry_backoff = 10ms;
    options.state_file = directory_.path() / "pipeline" / "dag_state.json";
    auto scheduler =
        pipeline::Scheduler::open(std::move(models).value(), *runner_, *store_, options);
    ASSERT_TRUE(scheduler) << scheduler.error();
    scheduler_ = std::move(scheduler).value();
    scheduler_->start();

    routes_ = std::make_unique<DagRoutes>(*scheduler_, *store_);
    routes_->install(server_.routes());
    const auto bound = server_.listen();
    ASSERT_TRUE(bound.ok()) << bound.error();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", bound.value());
    serving_ = std::thread([this] { server_.serve(); });
  }

  void TearDown() override {
    server_.stop();
    if (serving_.joinable()) serving_.join();
    if (scheduler_) scheduler_->stop();
  }

  // 30 rows over three days, so the model has something to count.
  void seed_bronze() {
    auto written = shoplake::testing::write_small_bronze(*parquet_, directory_.path() / "lake");
    ASSERT_TRUE(written) << written.error();
  }

  json trigger(const std::string& body = "") {
    const auto response = client_->Post(kDag + "/runs", body, "application/json");
    EXPECT_TRUE(response);
    if (!response) return json();
    EXPECT_EQ(response->status, 201) << response->body;
    return parse(response);
  }

  // The run's detail once it has ended (or as it is after a minute).
  json wait_for_end(const std::string& run_id) {
    json run;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      run = parse(client_->Get(kDag + "/runs/" + run_id));
      if (run.value("state", "") == "success" || run.value("state", "") == "failed") break;
      std::this_thread::sleep_for(20ms);
    }
    return run;
  }

  TempDirectory directory_;
  std::unique_ptr<lake::ParquetIo> parquet_;
  std::unique_ptr<pipeline::ModelRunner> runner_;
  std::unique_ptr<pipeline::RunStore> store_;
  std::unique_ptr<pipeline::Scheduler> scheduler_;
  std::unique_ptr<DagRoutes> routes_;
  MainServer server_{ServerOptions{"127.0.0.1", 0}};
  std::unique_ptr<httplib::Client> client_;
  std::thread serving_;
};

TEST_F(DagRoutesTest, ListsTheDagWithItsScheduleAndTasks) {
  const auto response = client_->Get("/v1/dags");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), "application/json");
  const json body = parse(response);
  ASSERT_EQ(body["dags"].size(), 1u) << body;
  const json& dag = body["dags"][0];
  EXPECT_EQ(dag["dag_id"], "lakehouse_batch_pipeline");
  EXPECT_EQ(dag["schedule"], "5 * * * *");
  EXPECT_EQ(dag["paused"], false);
  EXPECT_EQ(dag["catchup"], true);
  ASSERT_TRUE(dag["next_run"].is_string()) << dag;
  EXPECT_TRUE(std::regex_match(dag["next_run"].get<std::string>(), kTimeMs)) << dag;
  EXPECT_TRUE(dag["last_run"].is_null());
  EXPECT_TRUE(dag["active_run"].is_null());
  EXPECT_EQ(dag["queued_runs"], 0);
  ASSERT_FALSE(dag["tasks"].empty()) << dag;
  EXPECT_EQ(dag["tasks"][0]["task"], "gold.x");
  EXPECT_EQ(dag["tasks"][0]["inputs"], json::array({"bronze.events"}));

  EXPECT_EQ(parse(client_->Get(kDag)), dag);
}

TEST_F(DagRoutesTest, UnknownDagIs404NamingTheDagThereIs) {
  for (const auto& response : {client_->Get("/v1/dags/nope"), client_->Get("/v1/dags/nope/runs"),
                               client_->Post("/v1/dags/nope/runs", "", "application/json"),
                               client_->Post("/v1/dags/nope/pause", "", "application/json")}) {
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 404);
    EXPECT_EQ(parse(response)["error"], "no DAG named 'nope' (lakehouse_batch_pipeline)");
  }
}

TEST_F(DagRoutesTest, ATriggeredRunSucceedsAndShowsItsTasksAndLogs) {
  const json queued = trigger();
  EXPECT_EQ(queued["run_type"], "manual");
  EXPECT_EQ(queued["dag_id"], "lakehouse_batch_pipeline");
  EXPECT_TRUE(queued["from_date"].is_null());
  EXPECT_TRUE(queued["error"].is_null());
  EXPECT_TRUE(std::regex_match(queued["queued_at"].get<std::string>(), kTimeMs)) << queued;
  const std::string run_id = queued["run_id"];
  EXPECT_EQ(run_id.rfind("manual__", 0), 0u) << run_id;

  const json run = wait_for_end(run_id);
  ASSERT_EQ(run["state"], "success") << run;
  EXPECT_TRUE(std::regex_match(run["started_at"].get<std::string>(), kTimeMs)) << run;
  EXPECT_TRUE(std::regex_match(run["ended_at"].get<std::string>(), kTimeMs)) << run;
  ASSERT_TRUE(run["tasks"].is_array()) << run;
  ASSERT_FALSE(run["tasks"].empty()) << run;
  const json& task = run["tasks"][0];
  EXPECT_EQ(task["task"], "gold.x");
  EXPECT_EQ(task["state"], "success");
  EXPECT_EQ(task["attempt"], 1);
  EXPECT_EQ(task["rows_out"], 30);
  EXPECT_EQ(task["dates"], "2026-01-01..2026-01-03 (3)");
  EXPECT_TRUE(task["expectations"].is_array()) << task;
  EXPECT_TRUE(task["error"].is_null()) << task;

  // The ':' of the run id reaches the route whether the client sends it as is or encoded.
  std::string encoded = run_id;
  for (std::size_t at = encoded.find(':'); at != std::string::npos; at = encoded.find(':', at)) {
    encoded.replace(at, 1, "%3A");
  }
  EXPECT_EQ(parse(client_->Get(kDag + "/runs/" + encoded))["run_id"], run_id);

  const json runs = parse(client_->Get(kDag + "/runs"));
  ASSERT_EQ(runs["runs"].size(), 1u) << runs;
  EXPECT_EQ(runs["runs"][0]["run_id"], run_id);
  EXPECT_FALSE(runs["runs"][0].contains("tasks"));
  EXPECT_EQ(parse(client_->Get(kDag))["last_run"]["run_id"], run_id);

  const auto log = client_->Get(kDag + "/runs/" + run_id + "/tasks/gold.x/logs");
  ASSERT_TRUE(log);
  EXPECT_EQ(log->status, 200);
  EXPECT_EQ(log->get_header_value("Content-Type").rfind("text/plain", 0), 0u);
  EXPECT_NE(log->body.find("recomputing"), std::string::npos) << log->body;
}

TEST_F(DagRoutesTest, RunsAreListedNewestFirstUpToTheLimit) {
  const std::string first = wait_for_end(trigger()["run_id"])["run_id"];
  std::this_thread::sleep_for(5ms);  // run ids carry the trigger time in milliseconds
  const std::string second = wait_for_end(trigger()["run_id"])["run_id"];
  ASSERT_NE(first, second);
  const json all = parse(client_->Get(kDag + "/runs"));
  ASSERT_EQ(all["runs"].size(), 2u) << all;
  EXPECT_EQ(all["runs"][0]["run_id"], second);
  EXPECT_EQ(all["runs"][1]["run_id"], first);
  const json one = parse(client_->Get(kDag + "/runs?limit=1"));
  ASSERT_EQ(one["runs"].size(), 1u) << one;
  EXPECT_EQ(one["runs"][0]["run_id"], second);

  for (const std::string limit : {"0", "1001", "ten", "-1", "5x"}) {
    const auto response = client_->Get(kDag + "/runs?limit=" + limit);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << limit;
    EXPECT_NE(parse(response)["error"].get<std::string>().find("limit must be"), std::string::npos);
  }
}

TEST_F(DagRoutesTest, UnknownRunOrTaskIs404) {
  const auto run = client_->Get(kDag + "/runs/manual__2000-01-01T00:00:00.000Z");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, 404);
  EXPECT_NE(parse(run)["error"].get<std::string>().find("manual__2000-01-01T00:00:00.000Z"),
            std::string::npos);

  const std::string run_id = wait_for_end(trigger()["run_id"])["run_id"];
  for (const std::string task : {"gold.nope", "..", "%2E%2E"}) {
    const auto log = client_->Get(kDag + "/runs/" + run_id + "/tasks/" + task + "/logs");
    ASSERT_TRUE(log);
    EXPECT_EQ(log->status, 404) << task;
    EXPECT_TRUE(parse(log).contains("error"));
  }
  const auto log = client_->Get(kDag + "/runs/nope/tasks/gold.x/logs");
  ASSERT_TRUE(log);
  EXPECT_EQ(log->status, 404);
}

TEST_F(DagRoutesTest, BackfillNeedsBothDatesInOrder) {
  const auto backwards = client_->Post(kDag + "/runs", R"({"from":"2026-01-03","to":"2026-01-01"})",
                                       "application/json");
  ASSERT_TRUE(backwards);
  EXPECT_EQ(backwards->status, 400);
  EXPECT_NE(parse(backwards)["error"].get<std::string>().find("2026-01-03"), std::string::npos)
      << backwards->body;

  const auto only_from =
      client_->Post(kDag + "/runs", R"({"from":"2026-01-01"})", "application/json");
  ASSERT_TRUE(only_from);
  EXPECT_EQ(only_from->status, 400);
  EXPECT_EQ(parse(only_from)["error"], "a backfill needs \"to\" as well as \"from\" (YYYY-MM-DD)");

  const auto only_to = client_->Post(kDag + "/runs", R"({"to":"2026-01-01"})", "application/json");
  ASSERT_TRUE(only_to);
  EXPECT_EQ(only_to->status, 400);
  EXPECT_NE(parse(only_to)["error"].get<std::string>().find("\"from\""), std::string::npos);

  for (const std::string body : {"{not json", "[1]", R"({"form":"2026-01-01"})", R"({"from":1})"}) {
    const auto response = client_->Post(kDag + "/runs", body, "application/json");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << body;
    EXPECT_TRUE(parse(response).contains("error")) << body;
  }

  const json backfill = trigger(R"({"from":"2026-01-01","to":"2026-01-02"})");
  EXPECT_EQ(backfill["run_type"], "backfill");
  EXPECT_EQ(backfill["from_date"], "2026-01-01");
  EXPECT_EQ(backfill["to_date"], "2026-01-02");
  EXPECT_EQ(wait_for_end(backfill["run_id"])["state"], "success");
  EXPECT_EQ(trigger("{}")["run_type"], "manual");
}

TEST_F(DagRoutesTest, PauseAndUnpauseAreReflectedInTheDag) {
  const auto paused = client_->Post(kDag + "/pause", "", "application/json");
  ASSERT_TRUE(paused);
  EXPECT_EQ(paused->status, 200);
  EXPECT_EQ(parse(paused)["paused"], true);
  const json dag = parse(client_->Get(kDag));
  EXPECT_EQ(dag["paused"], true);
  EXPECT_TRUE(dag["next_run"].is_null()) << dag;

  const auto unpaused = client_->Post(kDag + "/unpause", "", "application/json");
  ASSERT_TRUE(unpaused);
  EXPECT_EQ(unpaused->status, 200);
  EXPECT_EQ(parse(unpaused)["paused"], false);
  const json again = parse(client_->Get("/v1/dags"))["dags"][0];
  EXPECT_EQ(again["paused"], false);
  EXPECT_TRUE(again["next_run"].is_string()) << again;
}

}  // namespace
}  // namespace shoplake::server
