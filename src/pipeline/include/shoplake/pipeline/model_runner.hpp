// Runs one model incrementally. Its output commits carry a txn per input (appId
// "shoplake.pipeline:<model><<input>", version = the input version read), which is the model's
// progress: a run reads the input commits after it, takes the days their data changes touch,
// widens them by the model's window, recomputes exactly those days from the inputs' current
// snapshots and replaces those partitions (replaceWhere) in one commit with the new progress. So a
// rerun finds nothing new and changes nothing, a late event recomputes its day, and a run killed
// before its commit is redone whole by the next one. A model with `append:` (model.hpp) instead
// appends what the new input rows add, when the input only gained rows and they change no row
// already written, in one commit that carries the progress too.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/lake/snapshot.hpp"
#include "shoplake/pipeline/model.hpp"

namespace shoplake::lake {
class ParquetIo;
}

namespace shoplake::pipeline {

struct TaskRequest {
  std::vector<std::string> dates;  // days to recompute whatever changed (backfill), YYYY-MM-DD
  bool full_refresh = false;       // recompute every day the inputs hold
};

struct ExpectationResult {
  std::string expectation;  // as written
  ExpectationSeverity severity = ExpectationSeverity::error;
  std::int64_t failing_rows = 0;
  std::string sample_json;  // up to 5 failing rows, a JSON array of objects
};

struct TaskOutcome {
  std::vector<std::string> dates;               // the days recomputed or appended to, sorted
  bool appended = false;                        // rows were appended, no day recomputed
  std::int64_t rows_in = 0;                     // input rows read
  std::int64_t rows_out = 0;                    // rows written to the model's table
  std::int64_t rows_rejected = 0;               // rows written to its rejected table
  std::string versions_read;                    // "bronze.events@4..9"
  std::string versions_written;                 // "silver.rejected@3, silver.events@5"
  std::vector<ExpectationResult> expectations;  // every expectation checked, passed or not
};

// Receives the lines of the task's log.
using TaskLog = std::function<void(const std::string& line)>;
// Called after each commit with the table's new snapshot, e.g. to switch the SQL catalog.
using TableCommitListener = std::function<void(const std::string& layer, const std::string& table,
                                               const lake::Snapshot& snapshot)>;

// The txn appId recording which version of `input` the table of `model` was computed from.
std::string progress_app_id(const std::string& model, const std::string& input);

// A run computes the model's output once, then checks and writes it. An output computed from at
// most this many input rows is held as its query's result (read by reference, on every thread),
// a larger one in a temporary table, which DuckDB can spill to disk within its memory limit. A
// held result is outside that limit: 1 M rows of silver held 800 MB, so the bound keeps a held
// output near 200 MB, above the busiest hour's 107,000 events.
inline constexpr std::int64_t kMaxInputRowsOfHeldOutput = 250'000;

class ModelRunner {
 public:
  ModelRunner(std::filesystem::path lake_directory, lake::ParquetIo& parquet,
              TableCommitListener listener = {},
              std::int64_t max_input_rows_of_held_output = kMaxInputRowsOfHeldOutput);
  ~ModelRunner();

  // Errors name the model and what failed: a query (with DuckDB's message), an expectation of
  // severity error (with the failing row count and a sample), a schema change, a commit.
  core::Result<TaskOutcome> run(const Model& model, const TaskRequest& request,
                                const TaskLog& log = {});
  // Stops the queries run() is executing, from another thread (stopping the scheduler): run()
  // then returns an error. Runs of different models may go on side by side.
  void interrupt();
  // The same for the run of one model (a task's timeout).
  void interrupt(const std::string& model);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::pipeline
