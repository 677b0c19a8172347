#include "shoplake/pipeline/run_store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "shoplake/core/json_integer.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/pipeline/dates.hpp"

namespace shoplake::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kReconciliationRowsKept = 20'000;

template <typename Enum, std::size_t N>
std::optional<Enum> enum_named(const std::string_view (&names)[N], std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

// An integer field of a state line; one out of T's range makes the line count as damaged.
template <typename T>
T integer_at(const json& record, const char* name) {
  const json& value = record.at(name);
  if (!core::json_integer_fits<T>(value)) {
    throw std::runtime_error(fmt::format("field \"{}\" is not an integer in range", name));
  }
  return value.get<T>();
}

constexpr std::string_view kRunStateNames[] = {"queued", "running", "success", "failed"};
constexpr std::string_view kTaskStateNames[] = {"queued", "running",      "success",
                                                "failed", "up_for_retry", "upstream_failed"};

json to_json(const DagRun& run) {
  return {{"record", "run"},
          {"run_id", run.run_id},
          {"dag_id", run.dag_id},
          {"run_type", run.run_type},
          {"state", to_string(run.state)},
          {"logical_ms", run.logical_ms},
          {"queued_ms", run.queued_ms},
          {"started_ms", run.started_ms},
          {"ended_ms", run.ended_ms},
          {"from_date", run.from_date},
          {"to_date", run.to_date},
          {"retry_of", run.retry_of},
          {"error", run.error}};
}

json to_json(const TaskRun& task) {
  return {{"record", "task"},
          {"run_id", task.run_id},
          {"task", task.task},
          {"state", to_string(task.state)},
          {"attempt", task.attempt},
          {"started_ms", task.started_ms},
          {"ended_ms", task.ended_ms},
          {"rows_in", task.rows_in},
          {"rows_out", task.rows_out},
          {"rows_rejected", task.rows_rejected},
          {"dates", task.dates},
          {"versions_read", task.versions_read},
          {"versions_written", task.versions_written},
          {"expectations", task.expectations_json},
          {"error", task.error}};
}

json to_json(const ReconciliationRow& row) {
  return {{"record", "reconciliation"},
          {"run_id", row.run_id},
          {"event_date", row.event_date},
          {"kpi", row.kpi},
          {"gold", row.gold},
          {"realtime", row.realtime},
          {"drift", row.drift},
          {"alerted", row.alerted},
          {"checked_ms", row.checked_ms}};
}

DagRun run_from(const json& record) {
  DagRun run;
  run.run_id = record.at("run_id").get<std::string>();
  run.dag_id = record.at("dag_id").get<std::string>();
  run.run_type = record.at("run_type").get<std::string>();
  run.state = enum_named<RunState>(kRunStateNames, record.at("state").get<std::string>())
                  .value_or(RunState::failed);
  run.logical_ms = integer_at<std::int64_t>(record, "logical_ms");
  run.queued_ms = integer_at<std::int64_t>(record, "queued_ms");
  run.started_ms = integer_at<std::int64_t>(record, "started_ms");
  run.ended_ms = integer_at<std::int64_t>(record, "ended_ms");
  run.from_date = record.at("from_date").get<std::string>();
  run.to_date = record.at("to_date").get<std::string>();
  run.retry_of = record.at("retry_of").get<std::string>();
  run.error = record.at("error").get<std::string>();
  return run;
}

TaskRun task_from(const json& record) {
  TaskRun task;
  task.run_id = record.at("run_id").get<std::string>();
  task.task = record.at("task").get<std::string>();
  task.state = enum_named<TaskState>(kTaskStateNames, record.at("state").get<std::string>())
                   .value_or(TaskState::failed);
  task.attempt = integer_at<int>(record, "attempt");
  task.started_ms = integer_at<std::int64_t>(record, "started_ms");
  task.ended_ms = integer_at<std::int64_t>(record, "ended_ms");
  task.rows_in = integer_at<std::int64_t>(record, "rows_in");
  task.rows_out = integer_at<std::int64_t>(record, "rows_out");
  task.rows_rejected = integer_at<std::int64_t>(record, "rows_rejected");
  task.dates = record.at("dates").get<std::string>();
  task.versions_read = record.at("versions_read").get<std::string>();
  task.versions_written = record.at("versions_written").get<std::string>();
  task.expectations_json = record.at("expectations").get<std::string>();
  task.error = record.at("error").get<std::string>();
  return task;
}

ReconciliationRow reconciliation_from(const json& record) {
  ReconciliationRow row;
  row.run_id = record.at("run_id").get<std::string>();
  row.event_date = record.at("event_date").get<std::string>();
  row.kpi = record.at("kpi").get<std::string>();
  row.gold = record.at("gold").get<double>();
  row.realtime = record.at("realtime").get<double>();
  row.drift = record.at("drift").get<double>();
  row.alerted = record.at("alerted").get<bool>();
  row.checked_ms = integer_at<std::int64_t>(record, "checked_ms");
  return row;
}

// A task or run id as a file name: what is not a letter, digit, '.', '-' or '_' becomes '_'.
std::string file_name_of(std::string_view id) {
  std::string name(id);
  for (char& c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    if (!plain) c = '_';
  }
  return name;
}

}  // namespace

std::string_view to_string(RunState state) {
  return kRunStateNames[static_cast<std::size_t>(state)];
}
std::string_view to_string(TaskState state) {
  return kTaskStateNames[static_cast<std::size_t>(state)];
}

struct RunStore::State {
  fs::path directory;
  mutable std::mutex mutex;
  std::ofstream file;
  std::vector<std::string> run_order;  // oldest first
  std::map<std::string, DagRun> runs;
  std::map<std::string, std::vector<TaskRun>> tasks;
  std::deque<ReconciliationRow> reconciliation;
  std::vector<DagRun> interrupted;

  fs::path file_path() const { return directory / "runs.jsonl"; }

  void apply(const json& record) {
    const std::string kind = record.at("record").get<std::string>();
    if (kind == "run") {
      DagRun run = run_from(record);
      if (!runs.contains(run.run_id)) run_order.push_back(run.run_id);
      runs[run.run_id] = std::move(run);
    } else if (kind == "task") {
      TaskRun task = task_from(record);
      auto& list = tasks[task.run_id];
      const auto found = std::find_if(list.begin(), list.end(),
                                      [&task](const TaskRun& t) { return t.task == task.task; });
      if (found == list.end()) {
        list.push_back(std::move(task));
      } else {
        *found = std::move(task);
      }
    } else if (kind == "reconciliation") {
      reconciliation.push_back(reconciliation_from(record));
      if (reconciliation.size() > kReconciliationRowsKept) reconciliation.pop_front();
    }
  }

  core::Status append(const json& record) {
    file << record.dump() << '\n';
    file.flush();
    if (!file) return core::Error{fmt::format("cannot write {}", file_path().string())};
    return core::ok_status();
  }

  // Rewrites the file with only the latest record of each run and task.
  core::Status compact() {
    const fs::path temporary = directory / "runs.jsonl.tmp";
    {
      std::ofstream out(temporary, std::ios::trunc);
      for (const auto& id : run_order) {
        out << to_json(runs.at(id)).dump() << '\n';
        for (const auto& task : tasks[id]) out << to_json(task).dump() << '\n';
      }
      for (const auto& row : reconciliation) out << to_json(row).dump() << '\n';
      out.flush();
      if (!out) return core::Error{fmt::format("cannot write {}", temporary.string())};
    }
    std::error_code error;
    fs::rename(temporary, file_path(), error);
    if (error) {
      return core::Error{
          fmt::format("cannot replace {}: {}", file_path().string(), error.message())};
    }
    return core::ok_status();
  }
};

RunStore::RunStore(std::shared_ptr<State> state) : state_(std::move(state)) {}
RunStore::~RunStore() = default;

core::Result<std::unique_ptr<RunStore>> RunStore::open(const std::filesystem::path& directory) {
  auto state = std::make_shared<State>();
  state->directory = directory;
  std::error_code error;
  fs::create_directories(directory / "logs", error);
  if (error) {
    return core::Error{fmt::format("cannot create {}: {}", directory.string(), error.message())};
  }
  {
    std::ifstream in(state->file_path());
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty()) continue;
      try {
        state->apply(json::parse(line));
      } catch (const std::exception& failure) {
        // A torn last line after kill -9, or a damaged one: the rest still counts.
        spdlog::warn("pipeline: {} line {} skipped: {}", state->file_path().string(), number,
                     failure.what());
      }
    }
  }
  const std::int64_t now = core::now_ms();
  for (auto& [id, run] : state->runs) {
    if (run.state != RunState::queued && run.state != RunState::running) continue;
    const bool started = run.state == RunState::running;
    run.state = RunState::failed;
    run.ended_ms = now;
    run.error = started ? "interrupted: shoplake stopped during the run"
                        : "interrupted: shoplake stopped before the run started";
    for (auto& task : state->tasks[id]) {
      if (task.state == TaskState::running || task.state == TaskState::queued ||
          task.state == TaskState::up_for_retry) {
        task.state = TaskState::failed;
        task.ended_ms = now;
        task.error = "interrupted: shoplake stopped during the task";
      }
    }
    state->interrupted.push_back(run);
  }
  if (auto compacted = state->compact(); !compacted) return core::Error{compacted.error()};
  state->file.open(state->file_path(), std::ios::app);
  if (!state->file) {
    return core::Error{fmt::format("cannot open {}", state->file_path().string())};
  }
  return std::unique_ptr<RunStore>(new RunStore(std::move(state)));
}

core::Status RunStore::save(const DagRun& run) {
  const std::lock_guard lock(state_->mutex);
  const json record = to_json(run);
  state_->apply(record);
  return state_->append(record);
}

core::Status RunStore::save(const TaskRun& task) {
  const std::lock_guard lock(state_->mutex);
  const json record = to_json(task);
  state_->apply(record);
  return state_->append(record);
}

core::Status RunStore::save(const std::vector<ReconciliationRow>& rows) {
  const std::lock_guard lock(state_->mutex);
  for (const auto& row : rows) {
    const json record = to_json(row);
    state_->apply(record);
    if (auto appended = state_->append(record); !appended) return appended;
  }
  return core::ok_status();
}

std::vector<DagRun> RunStore::runs(const std::string& dag_id, std::size_t limit) const {
  const std::lock_guard lock(state_->mutex);
  std::vector<DagRun> newest;
  for (auto it = state_->run_order.rbegin(); it != state_->run_order.rend(); ++it) {
    const DagRun& run = state_->runs.at(*it);
    if (!dag_id.empty() && run.dag_id != dag_id) continue;
    newest.push_back(run);
    if (limit != 0 && newest.size() == limit) break;
  }
  return newest;
}

std::optional<DagRun> RunStore::run(const std::string& run_id) const {
  const std::lock_guard lock(state_->mutex);
  const auto found = state_->runs.find(run_id);
  if (found == state_->runs.end()) return std::nullopt;
  return found->second;
}

std::vector<TaskRun> RunStore::tasks(const std::string& run_id) const {
  const std::lock_guard lock(state_->mutex);
  const auto found = state_->tasks.find(run_id);
  return found == state_->tasks.end() ? std::vector<TaskRun>{} : found->second;
}

std::vector<ReconciliationRow> RunStore::reconciliation(std::size_t limit) const {
  const std::lock_guard lock(state_->mutex);
  std::vector<ReconciliationRow> newest;
  for (auto it = state_->reconciliation.rbegin(); it != state_->reconciliation.rend(); ++it) {
    newest.push_back(*it);
    if (limit != 0 && newest.size() == limit) break;
  }
  return newest;
}

std::vector<DagRun> RunStore::interrupted() const {
  const std::lock_guard lock(state_->mutex);
  return state_->interrupted;
}

std::filesystem::path RunStore::log_path(const std::string& run_id, const std::string& task) const {
  return state_->directory / "logs" / file_name_of(run_id) / (file_name_of(task) + ".log");
}

void RunStore::append_log(const std::string& run_id, const std::string& task,
                          const std::string& line) {
  const fs::path path = log_path(run_id, task);
  std::error_code ignored;
  fs::create_directories(path.parent_path(), ignored);
  std::ofstream out(path, std::ios::app);
  out << core::format_rfc3339_ms(core::now_ms()) << ' ' << line << '\n';
}

core::Result<std::string> RunStore::read_log(const std::string& run_id,
                                             const std::string& task) const {
  std::ifstream in(log_path(run_id, task));
  if (!in) {
    return core::Error{fmt::format("no log for task {} of run {}", task, run_id)};
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

using T = sql::TableColumnType;

// 0 (not yet) reads as NULL; the other columns leave `null` empty: none of theirs is NULL.
void push_time(sql::ColumnData& column, std::int64_t ms) {
  column.i64.push_back(ms);
  column.null.push_back(ms == 0 ? 1 : 0);
}

sql::ResultChunk dag_run_rows(const std::vector<DagRun>& runs) {
  sql::ResultChunk chunk;
  chunk.columns.resize(11);
  auto& c = chunk.columns;
  for (const DagRun& run : runs) {
    c[0].str.push_back(run.run_id);
    c[1].str.push_back(run.dag_id);
    c[2].str.push_back(run.run_type);
    c[3].str.emplace_back(to_string(run.state));
    push_time(c[4], run.logical_ms);
    push_time(c[5], run.started_ms);
    push_time(c[6], run.ended_ms);
    c[7].str.push_back(run.from_date);
    c[8].str.push_back(run.to_date);
    c[9].str.push_back(run.retry_of);
    c[10].str.push_back(run.error);
  }
  chunk.rows = runs.size();
  return chunk;
}

sql::ResultChunk task_run_rows(const std::vector<TaskRun>& tasks) {
  sql::ResultChunk chunk;
  chunk.columns.resize(14);
  auto& c = chunk.columns;
  for (const TaskRun& task : tasks) {
    c[0].str.push_back(task.run_id);
    c[1].str.push_back(task.task);
    c[2].str.emplace_back(to_string(task.state));
    c[3].i64.push_back(task.attempt);
    push_time(c[4], task.started_ms);
    push_time(c[5], task.ended_ms);
    c[6].i64.push_back(task.rows_in);
    c[7].i64.push_back(task.rows_out);
    c[8].i64.push_back(task.rows_rejected);
    c[9].str.push_back(task.dates);
    c[10].str.push_back(task.versions_read);
    c[11].str.push_back(task.versions_written);
    c[12].str.push_back(task.expectations_json);
    c[13].str.push_back(task.error);
  }
  chunk.rows = tasks.size();
  return chunk;
}

sql::ResultChunk reconciliation_rows(const std::vector<ReconciliationRow>& rows) {
  sql::ResultChunk chunk;
  chunk.columns.resize(8);
  auto& c = chunk.columns;
  for (const auto& row : rows) {
    c[0].str.push_back(row.run_id);
    c[1].i64.push_back(parse_date(row.event_date).value_or(0));  // a Date column holds days
    c[2].str.push_back(row.kpi);
    c[3].f64.push_back(row.gold);
    c[4].f64.push_back(row.realtime);
    c[5].f64.push_back(row.drift);
    c[6].i64.push_back(row.alerted ? 1 : 0);
    push_time(c[7], row.checked_ms);
  }
  chunk.rows = rows.size();
  return chunk;
}

}  // namespace

core::Status RunStore::publish_tables(sql::Catalog& catalog) {
  const std::weak_ptr<State> weak = state_;
  auto published = catalog.publish_live_table("meta", "dag_runs",
                                              {{"run_id", T::string},
                                               {"dag_id", T::string},
                                               {"run_type", T::string},
                                               {"state", T::string},
                                               {"logical_time", T::timestamp_ms},
                                               {"started_at", T::timestamp_ms},
                                               {"ended_at", T::timestamp_ms},
                                               {"from_date", T::string},
                                               {"to_date", T::string},
                                               {"retry_of", T::string},
                                               {"error", T::string}},
                                              [weak] {
                                                const auto state = weak.lock();
                                                std::vector<DagRun> runs;
                                                if (state) {
                                                  const std::lock_guard lock(state->mutex);
                                                  for (const auto& id : state->run_order)
                                                    runs.push_back(state->runs.at(id));
                                                }
                                                return dag_run_rows(runs);
                                              });
  if (!published) return published;
  published = catalog.publish_live_table("meta", "task_runs",
                                         {{"run_id", T::string},
                                          {"task", T::string},
                                          {"state", T::string},
                                          {"attempt", T::int64},
                                          {"started_at", T::timestamp_ms},
                                          {"ended_at", T::timestamp_ms},
                                          {"rows_in", T::int64},
                                          {"rows_out", T::int64},
                                          {"rows_rejected", T::int64},
                                          {"dates", T::string},
                                          {"versions_read", T::string},
                                          {"versions_written", T::string},
                                          {"expectations", T::string},
                                          {"error", T::string}},
                                         [weak] {
                                           const auto state = weak.lock();
                                           std::vector<TaskRun> tasks;
                                           if (state) {
                                             const std::lock_guard lock(state->mutex);
                                             for (const auto& id : state->run_order) {
                                               const auto found = state->tasks.find(id);
                                               if (found == state->tasks.end()) continue;
                                               tasks.insert(tasks.end(), found->second.begin(),
                                                            found->second.end());
                                             }
                                           }
                                           return task_run_rows(tasks);
                                         });
  if (!published) return published;
  return catalog.publish_live_table("meta", "reconciliation",
                                    {{"run_id", T::string},
                                     {"event_date", T::date},
                                     {"kpi", T::string},
                                     {"gold", T::float64},
                                     {"realtime", T::float64},
                                     {"drift", T::float64},
                                     {"alerted", T::boolean},
                                     {"checked_at", T::timestamp_ms}},
                                    [weak] {
                                      const auto state = weak.lock();
                                      std::vector<ReconciliationRow> rows;
                                      if (state) {
                                        const std::lock_guard lock(state->mutex);
                                        rows.assign(state->reconciliation.begin(),
                                                    state->reconciliation.end());
                                      }
                                      return reconciliation_rows(rows);
                                    });
}

}  // namespace shoplake::pipeline
