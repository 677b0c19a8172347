// The pipeline's history: every DAG run and task run with its state, times, rows, the lake
// versions it read and wrote and its error (meta.dag_runs, meta.task_runs), and each task's log.
// Kept in <data>/pipeline/: runs.jsonl (a record per change, the last one of an id wins; compacted
// at open) and logs/<run id>/<task>.log.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::pipeline {

enum class RunState { queued, running, success, failed };
enum class TaskState { queued, running, success, failed, up_for_retry, upstream_failed };
std::string_view to_string(RunState state);
std::string_view to_string(TaskState state);

struct DagRun {
  std::string run_id;  // "scheduled__2026-11-26T10:05:00Z", "manual__…", "backfill__…"
  std::string dag_id;
  std::string run_type;  // scheduled, manual, backfill, retry, history
  RunState state = RunState::queued;
  std::int64_t logical_ms = 0;  // the schedule's tick or the trigger time
  std::int64_t queued_ms = 0;
  std::int64_t started_ms = 0;  // 0: not yet
  std::int64_t ended_ms = 0;
  std::string from_date;  // backfill range, YYYY-MM-DD; empty otherwise
  std::string to_date;
  std::string retry_of;  // the run this one retries
  std::string error;
};

struct TaskRun {
  std::string run_id;
  std::string task;  // model name, or "reconcile"
  TaskState state = TaskState::queued;
  int attempt = 0;  // 1 on the first try
  std::int64_t started_ms = 0;
  std::int64_t ended_ms = 0;
  std::int64_t rows_in = 0;
  std::int64_t rows_out = 0;
  std::int64_t rows_rejected = 0;
  std::string dates;  // days recomputed: "2026-11-24..2026-11-26 (3)"
  std::string versions_read;
  std::string versions_written;
  std::string expectations_json = "[]";  // [{"expectation","severity","failing_rows","sample"}]
  std::string error;
};

struct ReconciliationRow {
  std::string run_id;
  std::string event_date;
  std::string kpi;  // events, revenue, orders
  double gold = 0;
  double realtime = 0;
  double drift = 0;  // |gold - realtime| / max(|gold|, 1)
  bool alerted = false;
  std::int64_t checked_ms = 0;
};

class RunStore {
 public:
  // Opens <directory>/runs.jsonl; runs left queued or running by a process that died are marked
  // failed ("interrupted: shoplake stopped during the run"), and returned by interrupted().
  static core::Result<std::unique_ptr<RunStore>> open(const std::filesystem::path& directory);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  core::Status save(const DagRun& run);
  core::Status save(const TaskRun& task);
  core::Status save(const std::vector<ReconciliationRow>& rows);

  std::vector<DagRun> runs(const std::string& dag_id, std::size_t limit) const;  // newest first
  std::optional<DagRun> run(const std::string& run_id) const;
  std::vector<TaskRun> tasks(const std::string& run_id) const;  // in the order first saved
  std::vector<ReconciliationRow> reconciliation(std::size_t limit) const;  // newest first
  // Runs found unfinished at open, which the scheduler retries.
  std::vector<DagRun> interrupted() const;

  // The task's log file, and appending a line to it (prefixed with the UTC time).
  std::filesystem::path log_path(const std::string& run_id, const std::string& task) const;
  void append_log(const std::string& run_id, const std::string& task, const std::string& line);
  core::Result<std::string> read_log(const std::string& run_id, const std::string& task) const;

  // meta.dag_runs, meta.task_runs, meta.reconciliation as live tables.
  core::Status publish_tables(sql::Catalog& catalog);

 private:
  struct State;
  explicit RunStore(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace shoplake::pipeline
