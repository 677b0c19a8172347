// The scheduler on real models and a real lake: a trigger runs every task in order; a failing task
// is retried with backoff and fails the run, its dependents upstream_failed; a task past its
// timeout is interrupted; a run interrupted by a crash is marked failed and retried at the next
// open; missed ticks are caught up once; pause is remembered.
#include "shoplake/pipeline/scheduler.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine_test_support.hpp"
#include "parquet_io.hpp"
#include "shoplake/core/time.hpp"
#include "small_bronze.hpp"

namespace shoplake::pipeline {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using sql::testing::TempDirectory;

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parquet = lake::ParquetIo::open();
    ASSERT_TRUE(parquet) << parquet.error();
    parquet_ = std::move(parquet).value();
    runner_ = std::make_unique<ModelRunner>(directory_.path() / "lake", *parquet_);
    write_model("silver", "events",
                "-- inputs: bronze.events\n"
                "SELECT * FROM bronze_events\n");
    seed_bronze();
  }

  void seed_bronze() {
    auto written = shoplake::testing::write_small_bronze(*parquet_, directory_.path() / "lake");
    ASSERT_TRUE(written) << written.error();
  }

  void write_model(const std::string& layer, const std::string& name, const std::string& text) {
    fs::create_directories(directory_.path() / "models" / layer);
    std::ofstream(directory_.path() / "models" / layer / (name + ".sql")) << text;
  }

  std::unique_ptr<RunStore> open_store() {
    auto store = RunStore::open(directory_.path() / "pipeline");
    EXPECT_TRUE(store) << store.error();
    return store ? std::move(store).value() : nullptr;
  }

  std::unique_ptr<Scheduler> open_scheduler(RunStore& store, SchedulerOptions options = {}) {
    auto models = load_models(directory_.path() / "models");
    EXPECT_TRUE(models) << models.error();
    options.retry_backoff = 10ms;
    options.state_file = directory_.path() / "pipeline" / "dag_state.json";
    auto scheduler = Scheduler::open(std::move(models).value(), *runner_, store, options);
    EXPECT_TRUE(scheduler) << scheduler.error();
    return scheduler ? std::move(scheduler).value() : nullptr;
  }

  DagRun run_to_end(Scheduler& scheduler, TriggerRequest request = {}) {
    auto triggered = scheduler.trigger(request);
    EXPECT_TRUE(triggered) << triggered.error();
    auto run = scheduler.wait(triggered.value().run_id, 60s);
    EXPECT_TRUE(run);
    return run.value_or(DagRun{});
  }

  TempDirectory directory_;
  std::unique_ptr<lake::ParquetIo> parquet_;
  std::unique_ptr<ModelRunner> runner_;
};

TEST_F(SchedulerTest, ATriggerRunsEveryTaskInOrderAndKeepsTheirHistory) {
  write_model("gold", "per_day",
              "-- inputs: silver.events\n"
              "SELECT event_date, count(*) AS n FROM silver_events GROUP BY ALL\n");
  auto store = open_store();
  auto scheduler = open_scheduler(*store);
  scheduler->start();
  const DagRun run = run_to_end(*scheduler);
  EXPECT_EQ(run.state, RunState::success) << run.error;
  EXPECT_EQ(run.run_type, "manual");
  const auto tasks = store->tasks(run.run_id);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].task, "silver.events");
  EXPECT_EQ(tasks[0].state, TaskState::success);
  EXPECT_EQ(tasks[0].rows_out, 30);
  EXPECT_EQ(tasks[0].dates, "2026-01-01..2026-01-03 (3)");
  EXPECT_EQ(tasks[1].task, "gold.per_day");
  EXPECT_EQ(tasks[1].rows_out, 3);
  EXPECT_EQ(tasks[1].versions_written, "gold.per_day@1");
  auto log = store->read_log(run.run_id, "gold.per_day");
  ASSERT_TRUE(log) << log.error();
  EXPECT_NE(log.value().find("recomputing 3 day(s): 2026-01-01 .. 2026-01-03"), std::string::npos)
      << log.value();

  // A backfill recomputes the days named, though nothing changed.
  TriggerRequest backfill{"backfill", "2026-01-02", "2026-01-02"};
  const DagRun refilled = run_to_end(*scheduler, backfill);
  EXPECT_EQ(refilled.state, RunState::success) << refilled.error;
  EXPECT_EQ(store->tasks(refilled.run_id)[1].dates, "2026-01-02");
  EXPECT_FALSE(scheduler->trigger({"backfill", "2026-01-03", "2026-01-02"}));
  EXPECT_EQ(scheduler->trigger({"backfill", "2026-01-03", "2026-01-02"}).error(),
            "from 2026-01-03 is after to 2026-01-02");
}

TEST_F(SchedulerTest, AFailingTaskIsRetriedThenFailsTheRunAndItsDependents) {
  write_model("gold", "broken",
              "-- inputs: silver.events\n"
              "SELECT event_date, error('the model is broken') AS n FROM silver_events\n");
  write_model("gold", "downstream",
              "-- inputs: gold.broken\n"
              "SELECT event_date, n FROM gold_broken\n");
  auto store = open_store();
  SchedulerOptions options;
  options.task_retries = 2;
  auto scheduler = open_scheduler(*store, options);
  scheduler->start();
  const DagRun run = run_to_end(*scheduler);
  EXPECT_EQ(run.state, RunState::failed);
  EXPECT_EQ(run.error.rfind("gold.broken: ", 0), 0u) << run.error;
  EXPECT_NE(run.error.find("the model is broken"), std::string::npos) << run.error;
  const auto tasks = store->tasks(run.run_id);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].state, TaskState::success);
  EXPECT_EQ(tasks[1].task, "gold.broken");
  EXPECT_EQ(tasks[1].state, TaskState::failed);
  EXPECT_EQ(tasks[1].attempt, 3);
  EXPECT_EQ(tasks[2].state, TaskState::upstream_failed);
  auto log = store->read_log(run.run_id, "gold.broken");
  ASSERT_TRUE(log);
  EXPECT_NE(log.value().find("retrying in 0.02 s"), std::string::npos) << log.value();
}

TEST_F(SchedulerTest, ATaskPastItsTimeoutIsInterrupted) {
  write_model(
      "gold", "slow",
      "-- inputs: silver.events\n"
      "SELECT event_date, count(*) AS n FROM silver_events, range(2000000000) GROUP BY ALL\n");
  auto store = open_store();
  SchedulerOptions options;
  options.task_retries = 0;
  options.task_timeout = 300ms;
  auto scheduler = open_scheduler(*store, options);
  scheduler->start();
  const auto started = std::chrono::steady_clock::now();
  const DagRun run = run_to_end(*scheduler);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  EXPECT_EQ(run.state, RunState::failed);
  EXPECT_EQ(run.error.rfind("gold.slow: timed out after 0.3 s (", 0), 0u) << run.error;
}

TEST_F(SchedulerTest, ARunInterruptedByACrashIsMarkedFailedAndRetried) {
  {
    auto store = open_store();
    DagRun crashed;
    crashed.run_id = "manual__2026-01-05T00:00:00.000Z";
    crashed.dag_id = kPipelineDagId;
    crashed.run_type = "manual";
    crashed.state = RunState::running;
    crashed.started_ms = 1;
    ASSERT_TRUE(store->save(crashed));
    TaskRun task;
    task.run_id = crashed.run_id;
    task.task = "silver.events";
    task.state = TaskState::running;
    ASSERT_TRUE(store->save(task));
  }
  auto store = open_store();
  const auto crashed = store->run("manual__2026-01-05T00:00:00.000Z");
  ASSERT_TRUE(crashed);
  EXPECT_EQ(crashed->state, RunState::failed);
  EXPECT_EQ(crashed->error, "interrupted: shoplake stopped during the run");
  EXPECT_EQ(store->tasks(crashed->run_id)[0].state, TaskState::failed);

  auto scheduler = open_scheduler(*store);
  const DagInfo queued = scheduler->info();
  EXPECT_EQ(queued.queued_runs, 1u);
  scheduler->start();
  const auto runs = store->runs(kPipelineDagId, 0);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].retry_of, crashed->run_id);
  const auto retried = scheduler->wait(runs[0].run_id, 60s);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->state, RunState::success) << retried->error;
}

// A time past 64 bits parses as a float, and 2^63 as an unsigned past int64: converting either
// would be undefined behaviour or another time, so such a state line is skipped as damaged.
TEST_F(SchedulerTest, AStateLineWithATimeOutOfRangeIsSkippedAsDamaged) {
  {
    auto store = open_store();
    for (const char* id : {"manual__a", "manual__b", "manual__c"}) {
      DagRun run;
      run.run_id = id;
      run.dag_id = kPipelineDagId;
      run.run_type = "manual";
      run.state = RunState::success;
      run.started_ms = 7;
      ASSERT_TRUE(store->save(run));
    }
  }
  const auto file = directory_.path() / "pipeline" / "runs.jsonl";
  std::stringstream original;
  original << std::ifstream(file).rdbuf();
  std::istringstream lines(original.str());
  std::string edited;
  for (std::string line; std::getline(lines, line);) {
    const auto at = line.find("\"started_ms\":7");
    if (line.find("manual__b") != std::string::npos && at != std::string::npos) {
      line.replace(at, 14, "\"started_ms\":1e300");
    } else if (line.find("manual__c") != std::string::npos && at != std::string::npos) {
      line.replace(at, 14, "\"started_ms\":9223372036854775808");
    }
    edited += line + "\n";
  }
  ASSERT_NE(edited, original.str());
  std::ofstream(file, std::ios::trunc) << edited;

  auto store = open_store();
  ASSERT_TRUE(store->run("manual__a"));
  EXPECT_EQ(store->run("manual__a")->started_ms, 7);
  EXPECT_FALSE(store->run("manual__b"));
  EXPECT_FALSE(store->run("manual__c"));
}

TEST_F(SchedulerTest, MissedTicksAreCaughtUpOnceAndPauseIsRemembered) {
  {
    auto store = open_store();
    DagRun old;
    old.run_id = "scheduled__old";
    old.dag_id = kPipelineDagId;
    old.run_type = "scheduled";
    old.state = RunState::success;
    old.logical_ms = core::now_ms() - 5 * core::kMillisPerHour;
    ASSERT_TRUE(store->save(old));
  }
  auto store = open_store();
  auto scheduler = open_scheduler(*store);
  EXPECT_EQ(scheduler->info().queued_runs, 1u);
  EXPECT_EQ(store->runs(kPipelineDagId, 1)[0].run_type, "scheduled");
  ASSERT_TRUE(scheduler->pause());
  EXPECT_EQ(scheduler->info().next_run_ms, 0);
  scheduler.reset();

  auto reopened = open_scheduler(*store);
  const DagInfo info = reopened->info();
  EXPECT_TRUE(info.paused);
  EXPECT_EQ(info.schedule, "5 * * * *");
  ASSERT_TRUE(reopened->unpause());
  EXPECT_FALSE(reopened->info().paused);
  EXPECT_GT(reopened->info().next_run_ms, core::now_ms());
}

TEST_F(SchedulerTest, ABadScheduleIsRefusedNamingTheField) {
  auto store = open_store();
  auto models = load_models(directory_.path() / "models");
  ASSERT_TRUE(models);
  SchedulerOptions options;
  options.schedule = "5 25 * * *";
  auto scheduler = Scheduler::open(std::move(models).value(), *runner_, *store, options);
  ASSERT_FALSE(scheduler);
  EXPECT_NE(scheduler.error().find("pipeline schedule: cron field 2 (hour) '25'"),
            std::string::npos)
      << scheduler.error();
}

}  // namespace
}  // namespace shoplake::pipeline
