// The batch pipeline part of `shoplake up`: the models of models/ run by the scheduler
// (lakehouse_batch_pipeline) into silver.* and gold.*, its history in meta.dag_runs,
// meta.task_runs and meta.reconciliation, reconciliation drift raised as alerts, and, on an empty
// data directory, days of simulated history landed and computed before serving.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "lake_runtime.hpp"
#include "realtime_runtime.hpp"
#include "shoplake/log/event_log.hpp"
#include "shoplake/pipeline/run_store.hpp"
#include "shoplake/pipeline/scheduler.hpp"
#include "shoplake/server/main_server.hpp"
#include "shoplake/sql/engine.hpp"

namespace shoplake::cli {

struct PipelineOptions {
  std::string models;  // empty: found next to the build directory, else ./models
  std::string schedule = "5 * * * *";
  bool catchup = true;
  int task_retries = 2;
  double retry_backoff_seconds = 10;
  double task_timeout_minutes = 30;
  unsigned parallel_tasks = 0;  // 0: the cores
  double drift_threshold = 0.01;
  bool history = true;  // simulated history on an empty data directory
  int history_days = 7;
  double history_events_per_second = 5;
};

void add_pipeline_flags(CLI::App& command, PipelineOptions& options);

class PipelineRuntime {
 public:
  // Loads the models and opens the run store; throws CommandError naming what is wrong.
  static std::unique_ptr<PipelineRuntime> start(LakeRuntime& lake, sql::Engine& engine,
                                                RealtimeRuntime& realtime,
                                                const std::filesystem::path& data_dir,
                                                const PipelineOptions& options);
  ~PipelineRuntime();
  void stop();

  // When the data directory is empty: simulates options.history_days of shop traffic into the
  // event log, waits for bronze to land it and runs the pipeline once, printing progress.
  void backfill_history_if_empty(log::EventLog& log);

  pipeline::Scheduler& scheduler();
  pipeline::RunStore& store();
  void add_metrics(server::MainServer& http) const;
  std::string banner() const;

 private:
  struct State;
  explicit PipelineRuntime(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::cli
