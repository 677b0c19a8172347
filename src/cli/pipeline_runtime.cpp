#include "pipeline_runtime.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <thread>

#include "commands.hpp"
#include "models_directory.hpp"
#include "shoplake/alert/alert.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/ingest/ingestor.hpp"
#include "shoplake/pipeline/dates.hpp"
#include "shoplake/pipeline/model_runner.hpp"
#include "shoplake/pipeline/reconciliation.hpp"
#include "shoplake/sim/runner.hpp"

namespace shoplake::cli {

namespace fs = std::filesystem;

void add_pipeline_flags(CLI::App& command, PipelineOptions& options) {
  with_env(command.add_option("--models", options.models,
                              "Directory of the batch models (silver/*.sql, gold/*.sql; default: "
                              "<checkout>/models next to the build directory, else ./models)"));
  with_env(command
               .add_option("--pipeline-schedule", options.schedule,
                           "Cron schedule (UTC) of the batch pipeline lakehouse_batch_pipeline")
               ->capture_default_str());
  with_env(command
               .add_option("--pipeline-catchup", options.catchup,
                           "After downtime, run once for the schedule's missed ticks")
               ->capture_default_str());
  with_env(command
               .add_option("--pipeline-retries", options.task_retries,
                           "Attempts after the first of a failed pipeline task")
               ->check(CLI::Range(0, 20))
               ->capture_default_str());
  with_env(command
               .add_option("--pipeline-retry-backoff-seconds", options.retry_backoff_seconds,
                           "Wait before a task's first retry; doubles on each further one")
               ->check(CLI::Range(0.0, 86400.0))
               ->capture_default_str());
  with_env(command
               .add_option("--pipeline-task-timeout-minutes", options.task_timeout_minutes,
                           "A pipeline task running longer is stopped and counts as failed")
               ->check(CLI::Range(0.001, 1440.0))
               ->capture_default_str());
  with_env(command
               .add_option("--pipeline-parallel-tasks", options.parallel_tasks,
                           "Tasks of a pipeline run side by side, where their inputs allow "
                           "(the gold models after silver); 0: one per core")
               ->check(CLI::Range(0u, 64u)));
  with_env(command
               .add_option("--reconcile-drift-threshold", options.drift_threshold,
                           "Relative difference between gold and realtime (per day and KPI) "
                           "above which reconciliation raises an alert")
               ->check(CLI::Range(0.0, 1.0))
               ->capture_default_str());
  with_env(command.add_flag("--history,!--no-history", options.history,
                            "On an empty data directory, simulate --history-days of shop traffic "
                            "and run the pipeline once before serving (default: on)"));
  with_env(command
               .add_option("--history-days", options.history_days,
                           "Days of simulated history on an empty data directory")
               ->check(CLI::Range(1, 30))
               ->capture_default_str());
  with_env(command
               .add_option("--history-events-per-second", options.history_events_per_second,
                           "Mean rate of the simulated history, in events per second of event "
                           "time (the original platform's producer sent 5)")
               ->check(CLI::Range(0.01, 1000.0))
               ->capture_default_str());
}

struct PipelineRuntime::State {
  PipelineOptions options;
  fs::path data_dir;
  fs::path models_directory;
  std::size_t model_count = 0;
  LakeRuntime* lake = nullptr;
  std::unique_ptr<pipeline::RunStore> store;
  std::unique_ptr<pipeline::ModelRunner> runner;
  std::unique_ptr<pipeline::Scheduler> scheduler;
};

namespace {

alert::Alert drift_alert(const pipeline::ReconciliationRow& row) {
  alert::Alert raised;
  const std::int64_t now = core::now_ms();
  const auto day = pipeline::parse_date(row.event_date).value_or(0);
  raised.id = fmt::format("reconciliation_drift:{}:{}", row.kpi, row.event_date);
  raised.rule = "reconciliation_drift";
  raised.dimensions = fmt::format("kpi={},event_date={}", row.kpi, row.event_date);
  raised.state = alert::AlertState::firing;
  raised.severity = alert::Severity::warning;
  raised.started_ms = day * core::kMillisPerDay;
  raised.minute_ms = now / core::kMillisPerMinute * core::kMillisPerMinute;
  raised.emitted_at_ms = now;
  raised.value = row.gold;
  raised.expected = row.realtime;
  raised.summary = fmt::format(
      "gold and realtime disagree on {} for {}: gold {:.2f}, realtime {:.2f} ({:.1f}% apart)",
      row.kpi, row.event_date, row.gold, row.realtime, row.drift * 100);
  raised.hint =
      "events later than the realtime engine's allowed lateness, or duplicates it counted, make "
      "the layers differ; gold is the accurate one. Recompute a day with `shoplake dag backfill`";
  return raised;
}

}  // namespace

PipelineRuntime::PipelineRuntime(std::unique_ptr<State> state) : state_(std::move(state)) {}

PipelineRuntime::~PipelineRuntime() {
  stop();
}

std::unique_ptr<PipelineRuntime> PipelineRuntime::start(LakeRuntime& lake, sql::Engine& engine,
                                                        RealtimeRuntime& realtime,
                                                        const fs::path& data_dir,
                                                        const PipelineOptions& options) {
  auto state = std::make_unique<State>();
  state->options = options;
  state->data_dir = data_dir;
  state->lake = &lake;
  state->models_directory = find_models_directory(options.models, "silver/events.sql");
  auto models = pipeline::load_models(state->models_directory);
  if (!models) throw CommandError{2, "models: " + models.error()};
  state->model_count = models.value().size();
  auto store = pipeline::RunStore::open(data_dir / "pipeline");
  if (!store) throw CommandError{1, "pipeline: " + store.error()};
  state->store = std::move(store).value();
  if (auto published = state->store->publish_tables(engine.catalog()); !published) {
    throw CommandError{1, "pipeline: " + published.error()};
  }
  state->runner = std::make_unique<pipeline::ModelRunner>(
      lake.lake_directory(), lake.parquet(),
      [&lake](const std::string& layer, const std::string& table, const lake::Snapshot& snapshot) {
        lake.publish(layer, table, snapshot);
      });
  pipeline::SchedulerOptions scheduler_options;
  scheduler_options.schedule = options.schedule;
  scheduler_options.catchup = options.catchup;
  scheduler_options.task_retries = options.task_retries;
  scheduler_options.retry_backoff =
      std::chrono::milliseconds(std::llround(options.retry_backoff_seconds * 1000));
  scheduler_options.task_timeout =
      std::chrono::milliseconds(std::llround(options.task_timeout_minutes * 60'000));
  scheduler_options.parallel_tasks = options.parallel_tasks != 0
                                         ? options.parallel_tasks
                                         : std::max(1u, std::thread::hardware_concurrency());
  scheduler_options.state_file = data_dir / "pipeline" / "dag_state.json";
  auto scheduler = pipeline::Scheduler::open(
      std::move(models).value(), *state->runner, *state->store, scheduler_options,
      pipeline::engine_reconciler(engine, {options.drift_threshold}),
      [&realtime](const pipeline::ReconciliationRow& row) { realtime.raise(drift_alert(row)); });
  if (!scheduler) throw CommandError{2, scheduler.error()};
  state->scheduler = std::move(scheduler).value();
  state->scheduler->start();
  return std::unique_ptr<PipelineRuntime>(new PipelineRuntime(std::move(state)));
}

void PipelineRuntime::stop() {
  if (state_ && state_->scheduler) state_->scheduler->stop();
}

void PipelineRuntime::backfill_history_if_empty(log::EventLog& log) {
  const PipelineOptions& options = state_->options;
  if (!options.history || log.appended_end_offset() > 0 ||
      fs::exists(state_->lake->lake_directory() / "silver" / "events" / "_delta_log")) {
    return;
  }
  const std::int64_t now = core::now_ms();
  sim::SimulatorConfig config;
  config.end_ms = now / core::kMillisPerMinute * core::kMillisPerMinute;
  config.start_ms = config.end_ms - options.history_days * core::kMillisPerDay;
  config.events_per_second = options.history_events_per_second;
  sim::Simulator simulator(config);
  fmt::print(
      "  history         empty data directory: simulating {} days of shop traffic "
      "({} events/s on average)\n",
      options.history_days, options.history_events_per_second);
  std::fflush(stdout);
  ingest::Ingestor ingestor(log, {});
  std::uint64_t stored_end = 0;
  const auto progress = sim::run_simulation(
      simulator, {},
      [&](std::string_view ndjson) {
        while (true) {
          const ingest::IngestResult result = ingestor.ingest(ndjson);
          if (result.status == ingest::IngestStatus::stored) {
            stored_end = result.end_offset;
            return;
          }
          if (result.status != ingest::IngestStatus::overloaded) {
            throw CommandError{
                1, "history: the event log refused the simulated events: " + result.message};
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      },
      [](const sim::RunProgress& at) {
        if (at.finished) return;
        fmt::print("  history         {} events stored\n", at.events);
        std::fflush(stdout);
      });
  fmt::print("  history         {} events in the event log; landing them in bronze\n",
             progress.events);
  std::fflush(stdout);
  if (!state_->lake->wait_for_bronze(stored_end, std::chrono::minutes(30))) {
    throw CommandError{1, "history: bronze did not land the simulated events within 30 minutes"};
  }
  fmt::print("  history         landed; running the batch pipeline\n");
  std::fflush(stdout);
  pipeline::TriggerRequest request;
  request.run_type = "history";
  auto triggered = state_->scheduler->trigger(request);
  if (!triggered) throw CommandError{1, "history: " + triggered.error()};
  const auto run = state_->scheduler->wait(triggered.value().run_id, std::chrono::hours(2));
  if (!run || run->state != pipeline::RunState::success) {
    // The platform still serves; the run's error is in `shoplake dag runs`.
    spdlog::warn("history: the pipeline run {} did not succeed: {}", triggered.value().run_id,
                 run ? run->error : "no such run");
    return;
  }
  fmt::print("  history         silver and gold computed in {:.1f} s\n",
             static_cast<double>(run->ended_ms - run->started_ms) / 1000.0);
  std::fflush(stdout);
}

pipeline::Scheduler& PipelineRuntime::scheduler() {
  return *state_->scheduler;
}

pipeline::RunStore& PipelineRuntime::store() {
  return *state_->store;
}

void PipelineRuntime::add_metrics(server::MainServer& http) const {
  http.add_metrics([store = state_->store.get()](server::MetricsText& metrics) {
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0;
    std::optional<pipeline::DagRun> last;
    for (const auto& run : store->runs(pipeline::kPipelineDagId, 0)) {
      if (run.state == pipeline::RunState::success) ++succeeded;
      if (run.state == pipeline::RunState::failed) ++failed;
      const bool ended =
          run.state == pipeline::RunState::success || run.state == pipeline::RunState::failed;
      if (ended && !last) last = run;
    }
    metrics.counter("shoplake_pipeline_runs_succeeded_total", "Pipeline runs that succeeded.",
                    static_cast<double>(succeeded));
    metrics.counter("shoplake_pipeline_runs_failed_total", "Pipeline runs that failed.",
                    static_cast<double>(failed));
    if (last) {
      metrics.gauge("shoplake_pipeline_last_run_success",
                    "1 if the latest finished pipeline run succeeded, else 0.",
                    last->state == pipeline::RunState::success ? 1 : 0);
      metrics.gauge("shoplake_pipeline_last_run_seconds",
                    "Duration of the latest finished pipeline run.",
                    static_cast<double>(last->ended_ms - last->started_ms) / 1000.0);
    }
  });
}

std::string PipelineRuntime::banner() const {
  const pipeline::DagInfo info = state_->scheduler->info();
  return fmt::format(
      "  pipeline        {} ({} models from {}), schedule '{}'{}; /v1/dags, `shoplake dag`\n",
      info.dag_id, state_->model_count, state_->models_directory.string(), info.schedule,
      info.paused ? " (paused)" : "");
}

}  // namespace shoplake::cli
