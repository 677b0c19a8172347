// The built-in scheduler (the Airflow part): one DAG, lakehouse_batch_pipeline, whose tasks are the
// models in dependency order and then `reconcile`. Runs come from its cron schedule, a manual
// trigger, a backfill of a date range, or a retry of a run interrupted by a crash; at most one runs
// at a time (the others queue). Within a run, the tasks whose inputs are ready run side by side. A
// failed task is retried with exponential backoff; a task running longer than its timeout is
// interrupted; the tasks after a failed one are upstream_failed. After downtime one run catches up
// on every missed tick (each run takes everything new anyway). Paused, the schedule adds no runs;
// triggers still do.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/pipeline/model.hpp"
#include "shoplake/pipeline/model_runner.hpp"
#include "shoplake/pipeline/run_store.hpp"

namespace shoplake::pipeline {

inline constexpr const char* kPipelineDagId = "lakehouse_batch_pipeline";
inline constexpr const char* kReconcileTask = "reconcile";

struct SchedulerOptions {
  std::string schedule = "5 * * * *";  // cron, UTC
  bool catchup = true;
  int task_retries = 2;                                               // attempts after the first
  std::chrono::milliseconds retry_backoff{std::chrono::seconds(10)};  // doubles per retry
  std::chrono::milliseconds task_timeout{std::chrono::minutes(30)};
  std::size_t parallel_tasks = 2;    // tasks of a run side by side (those whose inputs are ready)
  std::filesystem::path state_file;  // pause/unpause survive restarts; empty: not kept
};

// Compares gold with the realtime tables on `dates` and returns one row per day and KPI; rows
// whose drift is above the threshold come back with alerted = true.
using Reconciler = std::function<core::Result<std::vector<ReconciliationRow>>(
    const std::string& run_id, const std::vector<std::string>& dates)>;
// Called for each reconciliation row with alerted = true.
using DriftListener = std::function<void(const ReconciliationRow& row)>;

struct TriggerRequest {
  std::string run_type = "manual";  // manual, backfill (from/to), history
  std::string from_date;            // backfill: YYYY-MM-DD, inclusive
  std::string to_date;
};

struct TaskInfo {
  std::string task;
  std::vector<std::string> inputs;
};

struct DagInfo {
  std::string dag_id;
  std::string schedule;
  bool paused = false;
  bool catchup = true;
  std::int64_t next_run_ms = 0;  // the next tick (0 while paused)
  std::vector<TaskInfo> tasks;   // in the order they run
  std::optional<DagRun> last_run;
  std::optional<DagRun> active_run;
  std::size_t queued_runs = 0;
};

class Scheduler {
 public:
  // Checks the schedule (the error names the cron field) and queues a retry of each run the store
  // found interrupted. Nothing runs before start().
  static core::Result<std::unique_ptr<Scheduler>> open(std::vector<Model> models,
                                                       ModelRunner& runner, RunStore& store,
                                                       SchedulerOptions options,
                                                       Reconciler reconciler = {},
                                                       DriftListener drift_listener = {});
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void start();
  // Interrupts the running task and stops. A run cut short stays "running" in the store, so the
  // next start marks it failed and retries it, as after a crash.
  void stop();

  // Queues a run; errors for a bad backfill range ("--from 2026-11-30 is after --to …").
  core::Result<DagRun> trigger(const TriggerRequest& request);
  // Blocks until the run has ended or the timeout passed; the run as it is then.
  std::optional<DagRun> wait(const std::string& run_id, std::chrono::milliseconds timeout) const;

  DagInfo info() const;
  core::Status pause();
  core::Status unpause();

 private:
  struct State;
  explicit Scheduler(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::pipeline
