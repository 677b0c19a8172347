#include "shoplake/pipeline/scheduler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "shoplake/core/time.hpp"
#include "shoplake/pipeline/cron.hpp"
#include "shoplake/pipeline/dag_execution.hpp"
#include "shoplake/pipeline/dates.hpp"

namespace shoplake::pipeline {
namespace {

constexpr std::int64_t kMaxBackfillDays = 3660;

std::string run_id_for(const std::string& run_type, std::int64_t logical_ms) {
  return fmt::format("{}__{}", run_type, core::format_rfc3339_ms(logical_ms));
}

std::string dates_summary(const std::vector<std::string>& dates) {
  if (dates.empty()) return "";
  if (dates.size() == 1) return dates.front();
  return fmt::format("{}..{} ({})", dates.front(), dates.back(), dates.size());
}

std::string expectations_json(const std::vector<ExpectationResult>& results) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& result : results) {
    list.push_back({{"expectation", result.expectation},
                    {"severity", result.severity == ExpectationSeverity::warn ? "warn" : "error"},
                    {"failing_rows", result.failing_rows},
                    {"sample", result.sample_json.empty()
                                   ? nlohmann::json(nullptr)
                                   : nlohmann::json::parse(result.sample_json, nullptr, false)}});
  }
  return list.dump();
}

TaskRun new_task(const std::string& run_id, const std::string& name) {
  TaskRun task;
  task.run_id = run_id;
  task.task = name;
  return task;
}

}  // namespace

struct Scheduler::State {
  State(std::vector<Model> models_, ModelRunner& runner_, RunStore& store_,
        SchedulerOptions options_, Reconciler reconciler_, DriftListener drift_listener_,
        CronSchedule schedule_)
      : models(std::move(models_)),
        runner(runner_),
        store(store_),
        options(std::move(options_)),
        reconciler(std::move(reconciler_)),
        drift_listener(std::move(drift_listener_)),
        schedule(std::move(schedule_)) {}

  std::vector<Model> models;
  ModelRunner& runner;
  RunStore& store;
  SchedulerOptions options;
  Reconciler reconciler;
  DriftListener drift_listener;
  CronSchedule schedule;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::deque<DagRun> queue;
  std::optional<DagRun> active;
  bool paused = false;
  bool stopping = false;
  std::int64_t last_tick_ms = 0;  // the last tick a run was queued for (or skipped while paused)
  std::thread worker;

  void save_paused() const {
    if (options.state_file.empty()) return;
    std::ofstream out(options.state_file, std::ios::trunc);
    out << nlohmann::json{{"paused", paused}}.dump() << '\n';
  }

  // Returns the run as queued.
  DagRun enqueue(DagRun run) {
    run.queued_ms = core::now_ms();
    run.state = RunState::queued;
    if (auto saved = store.save(run); !saved) spdlog::warn("pipeline: {}", saved.error());
    queue.push_back(run);
    changed.notify_all();
    return run;
  }

  // Sleeps until `deadline` unless stopping; false when stopping.
  bool sleep_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex);
    changed.wait_until(lock, deadline, [this] { return stopping; });
    return !stopping;
  }

  // One attempt of a model task under the timeout; the runner is interrupted when it passes.
  core::Result<TaskOutcome> attempt(const Model& model, const TaskRequest& request,
                                    const std::string& run_id, bool& timed_out) {
    std::mutex watch_mutex;
    std::condition_variable watch;
    bool done = false;
    timed_out = false;
    std::thread watchdog([&] {
      std::unique_lock lock(watch_mutex);
      if (!watch.wait_for(lock, options.task_timeout, [&] { return done; })) {
        timed_out = true;
        runner.interrupt(model.name);
      }
    });
    auto outcome = runner.run(model, request, [this, &run_id, &model](const std::string& line) {
      store.append_log(run_id, model.name, line);
    });
    {
      const std::lock_guard lock(watch_mutex);
      done = true;
    }
    watch.notify_all();
    watchdog.join();
    return outcome;
  }

  // Runs one task with its retries; true when it succeeded.
  bool run_model_task(const Model& model, const TaskRequest& request, TaskRun& task,
                      std::vector<std::string>& gold_dates) {
    const int attempts = 1 + std::max(0, options.task_retries);
    for (int number = 1; number <= attempts; ++number) {
      task.attempt = number;
      task.state = TaskState::running;
      task.started_ms = core::now_ms();
      task.ended_ms = 0;
      task.error.clear();
      (void)store.save(task);
      store.append_log(task.run_id, task.task, fmt::format("attempt {} of {}", number, attempts));
      bool timed_out = false;
      auto outcome = attempt(model, request, task.run_id, timed_out);
      task.ended_ms = core::now_ms();
      if (outcome) {
        const TaskOutcome& done = outcome.value();
        task.state = TaskState::success;
        task.rows_in = done.rows_in;
        task.rows_out = done.rows_out;
        task.rows_rejected = done.rows_rejected;
        task.dates = dates_summary(done.dates);
        task.versions_read = done.versions_read;
        task.versions_written = done.versions_written;
        task.expectations_json = expectations_json(done.expectations);
        if (model.layer == "gold") {
          gold_dates.insert(gold_dates.end(), done.dates.begin(), done.dates.end());
        }
        (void)store.save(task);
        store.append_log(task.run_id, task.task,
                         fmt::format("success in {} ms", task.ended_ms - task.started_ms));
        return true;
      }
      // The runner's errors start with the model's name; a timeout says so first.
      task.error = timed_out ? fmt::format("{}: timed out after {} s ({})", model.name,
                                           options.task_timeout.count() / 1000.0, outcome.error())
                             : outcome.error();
      store.append_log(task.run_id, task.task, "failed: " + task.error);
      {
        const std::lock_guard lock(mutex);
        if (stopping) return false;  // left running in the store: retried at the next start
      }
      if (number == attempts) break;
      task.state = TaskState::up_for_retry;
      (void)store.save(task);
      const auto backoff = options.retry_backoff * (1 << std::min(number - 1, 16));
      store.append_log(task.run_id, task.task,
                       fmt::format("retrying in {} s", backoff.count() / 1000.0));
      if (!sleep_until(std::chrono::steady_clock::now() + backoff)) return false;
    }
    task.state = TaskState::failed;
    (void)store.save(task);
    spdlog::warn("pipeline: task {} of run {} failed: {}", task.task, task.run_id, task.error);
    return false;
  }

  void reconcile(const std::string& run_id, std::vector<std::string> dates) {
    TaskRun task = new_task(run_id, kReconcileTask);
    task.attempt = 1;
    task.state = TaskState::running;
    task.started_ms = core::now_ms();
    (void)store.save(task);
    std::sort(dates.begin(), dates.end());
    dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
    auto rows = reconciler(run_id, dates);
    task.ended_ms = core::now_ms();
    if (!rows) {
      // Reconciliation checks the work; it failing does not undo it.
      task.state = TaskState::failed;
      task.error = rows.error();
      store.append_log(run_id, kReconcileTask, "failed: " + rows.error());
      (void)store.save(task);
      return;
    }
    (void)store.save(rows.value());
    std::size_t alerted = 0;
    for (const auto& row : rows.value()) {
      store.append_log(
          run_id, kReconcileTask,
          fmt::format("{} {}: gold {} realtime {} drift {:.4f}{}", row.event_date, row.kpi,
                      row.gold, row.realtime, row.drift, row.alerted ? " ALERT" : ""));
      if (row.alerted) {
        ++alerted;
        if (drift_listener) drift_listener(row);
      }
    }
    task.state = TaskState::success;
    task.rows_in = static_cast<std::int64_t>(rows.value().size());
    task.dates = dates_summary(dates);
    (void)store.save(task);
    store.append_log(
        run_id, kReconcileTask,
        fmt::format("{} comparison(s), {} above the threshold", rows.value().size(), alerted));
  }

  void execute(DagRun& run) {
    run.state = RunState::running;
    run.started_ms = core::now_ms();
    (void)store.save(run);
    spdlog::info("pipeline: run {} started", run.run_id);
    TaskRequest request;
    if (run.run_type == "backfill") {
      const auto from = parse_date(run.from_date);
      const auto to = parse_date(run.to_date);
      for (auto day = *from; day <= *to; ++day) request.dates.push_back(format_date(day));
    }
    std::vector<TaskRun> tasks;
    for (const Model& model : models) {
      tasks.push_back(new_task(run.run_id, model.name));
      (void)store.save(tasks.back());
    }
    std::mutex gold_mutex;
    std::vector<std::string> gold_dates;
    DagExecution execution;
    execution.run_task = [&](std::size_t i) {
      std::vector<std::string> dates;
      const bool succeeded = run_model_task(models[i], request, tasks[i], dates);
      const std::lock_guard lock(gold_mutex);
      gold_dates.insert(gold_dates.end(), dates.begin(), dates.end());
      return succeeded;
    };
    execution.upstream_failed = [&](std::size_t i) {
      tasks[i].state = TaskState::upstream_failed;
      (void)store.save(tasks[i]);
    };
    execution.stopping = [this] {
      const std::lock_guard lock(mutex);
      return stopping;
    };
    execute_dag(models, options.parallel_tasks, execution);
    if (execution.stopping()) return;  // left running in the store: retried at the next start
    std::string first_error;           // of the first failed task in the models' order
    for (const TaskRun& task : tasks) {
      if (task.state == TaskState::failed && first_error.empty()) first_error = task.error;
    }
    if (reconciler && first_error.empty() && !gold_dates.empty()) {
      reconcile(run.run_id, std::move(gold_dates));
    }
    run.ended_ms = core::now_ms();
    run.state = first_error.empty() ? RunState::success : RunState::failed;
    run.error = first_error;
    (void)store.save(run);
    spdlog::info("pipeline: run {} {} in {} ms{}", run.run_id, to_string(run.state),
                 run.ended_ms - run.started_ms, first_error.empty() ? "" : ": " + first_error);
  }

  std::int64_t next_tick_ms() const { return schedule.next_after(last_tick_ms); }

  void loop() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      const std::int64_t now = core::now_ms();
      if (now >= next_tick_ms()) {
        const auto tick = schedule.last_at_or_before(now).value_or(now);
        last_tick_ms = tick;
        if (!paused) {
          DagRun run;
          run.run_id = run_id_for("scheduled", tick);
          run.dag_id = kPipelineDagId;
          run.run_type = "scheduled";
          run.logical_ms = tick;
          enqueue(std::move(run));
        }
        continue;
      }
      if (!queue.empty()) {
        active = std::move(queue.front());
        queue.pop_front();
        lock.unlock();
        execute(*active);
        lock.lock();
        active.reset();
        changed.notify_all();
        continue;
      }
      const auto wait = std::chrono::milliseconds(std::min<std::int64_t>(
          next_tick_ms() - now, 60'000));  // the wall clock may jump: look again each minute
      changed.wait_for(lock, wait);
    }
  }
};

Scheduler::Scheduler(std::unique_ptr<State> state) : state_(std::move(state)) {}

Scheduler::~Scheduler() {
  stop();
}

core::Result<std::unique_ptr<Scheduler>> Scheduler::open(std::vector<Model> models,
                                                         ModelRunner& runner, RunStore& store,
                                                         SchedulerOptions options,
                                                         Reconciler reconciler,
                                                         DriftListener drift_listener) {
  auto schedule = CronSchedule::parse(options.schedule);
  if (!schedule) return core::Error{"pipeline schedule: " + schedule.error()};
  auto state =
      std::make_unique<State>(std::move(models), runner, store, options, std::move(reconciler),
                              std::move(drift_listener), std::move(schedule).value());
  if (!options.state_file.empty()) {
    std::ifstream in(options.state_file);
    if (in) {
      std::stringstream text;
      text << in.rdbuf();
      const auto saved = nlohmann::json::parse(text.str(), nullptr, false);
      if (saved.is_object() && saved.contains("paused") && saved["paused"].is_boolean()) {
        state->paused = saved["paused"].get<bool>();
      }
    }
  }
  // Catch-up: the ticks missed while shoplake was down get one run, if a scheduled run ever ran
  // (a fresh install starts with the next tick).
  const std::int64_t now = core::now_ms();
  state->last_tick_ms = state->schedule.last_at_or_before(now).value_or(now);
  std::int64_t last_scheduled = -1;
  for (const auto& run : store.runs(kPipelineDagId, 0)) {
    if (run.run_type == "scheduled") last_scheduled = std::max(last_scheduled, run.logical_ms);
  }
  for (const auto& interrupted : store.interrupted()) {
    DagRun retry;
    retry.dag_id = kPipelineDagId;
    retry.run_type = "retry";
    retry.logical_ms = now;
    retry.run_id = run_id_for("retry", now) + "__" + interrupted.run_id;
    retry.retry_of = interrupted.run_id;
    retry.from_date = interrupted.from_date;
    retry.to_date = interrupted.to_date;
    if (interrupted.run_type == "backfill") retry.run_type = "backfill";
    spdlog::warn("pipeline: run {} was interrupted; retrying it as {}", interrupted.run_id,
                 retry.run_id);
    state->enqueue(std::move(retry));
  }
  if (options.catchup && !state->paused && last_scheduled >= 0 &&
      last_scheduled < state->last_tick_ms) {
    DagRun run;
    run.run_id = run_id_for("scheduled", state->last_tick_ms);
    run.dag_id = kPipelineDagId;
    run.run_type = "scheduled";
    run.logical_ms = state->last_tick_ms;
    spdlog::info("pipeline: catching up on the ticks missed since {}",
                 core::format_rfc3339_ms(last_scheduled));
    state->enqueue(std::move(run));
  }
  return std::unique_ptr<Scheduler>(new Scheduler(std::move(state)));
}

void Scheduler::start() {
  std::lock_guard lock(state_->mutex);
  if (state_->worker.joinable() || state_->stopping) return;
  state_->worker = std::thread([state = state_.get()] { state->loop(); });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) return;
    state_->stopping = true;
  }
  state_->changed.notify_all();
  state_->runner.interrupt();
  if (state_->worker.joinable()) state_->worker.join();
}

core::Result<DagRun> Scheduler::trigger(const TriggerRequest& request) {
  DagRun run;
  run.dag_id = kPipelineDagId;
  run.run_type = request.run_type;
  run.logical_ms = core::now_ms();
  if (request.run_type == "backfill") {
    const auto from = parse_date(request.from_date);
    const auto to = parse_date(request.to_date);
    if (!from)
      return core::Error{fmt::format("from: '{}' is not a date (YYYY-MM-DD)", request.from_date)};
    if (!to)
      return core::Error{fmt::format("to: '{}' is not a date (YYYY-MM-DD)", request.to_date)};
    if (*from > *to) {
      return core::Error{fmt::format("from {} is after to {}", request.from_date, request.to_date)};
    }
    if (*to - *from >= kMaxBackfillDays) {
      return core::Error{fmt::format("a backfill covers at most {} days; split {}..{}",
                                     kMaxBackfillDays, request.from_date, request.to_date)};
    }
    run.from_date = request.from_date;
    run.to_date = request.to_date;
  } else if (request.run_type != "manual" && request.run_type != "history") {
    return core::Error{
        fmt::format("unknown run type '{}' (manual, backfill, history)", request.run_type)};
  }
  std::lock_guard lock(state_->mutex);
  if (state_->stopping) return core::Error{"the scheduler is stopping"};
  run.run_id = run_id_for(run.run_type, run.logical_ms);
  // Two triggers in one millisecond would share an id.
  while (state_->store.run(run.run_id)) run.run_id += "_";
  return state_->enqueue(std::move(run));
}

std::optional<DagRun> Scheduler::wait(const std::string& run_id,
                                      std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  const auto finished = [&] {
    const auto run = state_->store.run(run_id);
    return !run || run->state == RunState::success || run->state == RunState::failed ||
           state_->stopping;
  };
  state_->changed.wait_for(lock, timeout, finished);
  return state_->store.run(run_id);
}

DagInfo Scheduler::info() const {
  std::lock_guard lock(state_->mutex);
  DagInfo info;
  info.dag_id = kPipelineDagId;
  info.schedule = state_->schedule.text();
  info.paused = state_->paused;
  info.catchup = state_->options.catchup;
  info.next_run_ms = state_->paused ? 0 : state_->next_tick_ms();
  for (const Model& model : state_->models) info.tasks.push_back({model.name, model.inputs});
  if (state_->reconciler) {
    std::vector<std::string> gold;
    for (const Model& model : state_->models) {
      if (model.layer == "gold") gold.push_back(model.name);
    }
    info.tasks.push_back({kReconcileTask, gold});
  }
  for (const auto& run : state_->store.runs(kPipelineDagId, 0)) {
    if (run.state == RunState::success || run.state == RunState::failed) {
      info.last_run = run;
      break;
    }
  }
  info.active_run = state_->active;
  if (info.active_run) {
    if (auto current = state_->store.run(info.active_run->run_id)) info.active_run = current;
  }
  info.queued_runs = state_->queue.size();
  return info;
}

core::Status Scheduler::pause() {
  std::lock_guard lock(state_->mutex);
  state_->paused = true;
  state_->save_paused();
  state_->changed.notify_all();
  return core::ok_status();
}

core::Status Scheduler::unpause() {
  std::lock_guard lock(state_->mutex);
  state_->paused = false;
  // Unpausing does not run the ticks skipped while paused, as Airflow with catchup off.
  state_->last_tick_ms = std::max(state_->last_tick_ms,
                                  state_->schedule.last_at_or_before(core::now_ms()).value_or(0));
  state_->save_paused();
  state_->changed.notify_all();
  return core::ok_status();
}

}  // namespace shoplake::pipeline
