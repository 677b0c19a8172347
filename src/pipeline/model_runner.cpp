#include "shoplake/pipeline/model_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "duckdb_query.hpp"
#include "expectations.hpp"
#include "parquet_io.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/lake/delta_table.hpp"
#include "shoplake/lake/lake_catalog.hpp"
#include "shoplake/pipeline/dates.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::pipeline {
namespace {

namespace fs = std::filesystem;
namespace duck = sql::duck;

constexpr const char* kOutputTable = "model_output";
constexpr const char* kModelDaysMacro = "in_model_days";

struct InputRead {
  std::string name;
  fs::path root;
  lake::Snapshot snapshot;
  std::int64_t from_version = -1;  // the version the output was last computed from
};

std::optional<std::int64_t> partition_day(const lake::PartitionValues& values) {
  if (values.empty() || !values.front().second) return std::nullopt;
  return parse_date(*values.front().second);
}

// The days whose data changed in `input` after `from_version`; nullopt when a commit in between
// cannot be read (then every day counts as changed).
std::optional<std::set<std::int64_t>> changed_days(const InputRead& input) {
  std::set<std::int64_t> days;
  for (std::int64_t version = input.from_version + 1; version <= input.snapshot.version;
       ++version) {
    auto actions = lake::read_commit_actions(input.root, version);
    if (!actions) return std::nullopt;
    for (const auto& action : actions.value()) {
      if (const auto* add = std::get_if<lake::AddFile>(&action); add && add->data_change) {
        if (auto day = partition_day(add->partition_values)) days.insert(*day);
      } else if (const auto* remove = std::get_if<lake::RemoveFile>(&action);
                 remove && remove->data_change) {
        if (auto day = partition_day(remove->partition_values)) days.insert(*day);
      }
    }
  }
  return days;
}

std::set<std::int64_t> all_days(const lake::Snapshot& snapshot) {
  std::set<std::int64_t> days;
  for (const auto& file : snapshot.files) {
    if (auto day = partition_day(file.partition_values)) days.insert(*day);
  }
  return days;
}

std::set<std::int64_t> widen(const std::set<std::int64_t>& days, int window) {
  std::set<std::int64_t> widened;
  for (const std::int64_t day : days) {
    for (int offset = -window; offset <= window; ++offset) widened.insert(day + offset);
  }
  return widened;
}

std::string date_list(const std::set<std::int64_t>& days) {
  std::vector<std::string> literals;
  for (const std::int64_t day : days) literals.push_back("DATE '" + format_date(day) + "'");
  return fmt::format("{}", fmt::join(literals, ", "));
}

// The snapshot restricted to the files of `days`, so that a scan reads nothing else.
lake::Snapshot restricted_to(const lake::Snapshot& snapshot, const std::set<std::int64_t>& days) {
  lake::Snapshot restricted = snapshot;
  std::erase_if(restricted.files, [&days](const lake::AddFile& file) {
    const auto day = partition_day(file.partition_values);
    return !day || !days.contains(*day);
  });
  return restricted;
}

std::int64_t records_of(const lake::Snapshot& snapshot) {
  const std::int64_t records = snapshot.num_records();
  return records < 0 ? 0 : records;
}

// The Delta definition of a relation's columns, from DuckDB's DESCRIBE.
core::Result<lake::TableDefinition> definition_of(duckdb_connection connection,
                                                  const std::string& table_name,
                                                  const std::string& relation,
                                                  const std::string& partition_column) {
  duck::Result described;
  const std::string sql = fmt::format("DESCRIBE SELECT * FROM {}", relation);
  if (duckdb_query(connection, sql.c_str(), described.out()) == DuckDBError) {
    return core::Error{duckdb_result_error(described.get())};
  }
  lake::TableDefinition definition;
  definition.name = table_name;
  definition.partition_columns = {partition_column};
  bool has_partition = false;
  for (idx_t row = 0; row < duckdb_row_count(described.get()); ++row) {
    duck::DuckString name(duckdb_value_varchar(described.get(), 0, row));
    duck::DuckString type(duckdb_value_varchar(described.get(), 1, row));
    auto delta_type = lake::delta_type_of(type.get());
    if (!delta_type) {
      return core::Error{
          fmt::format("column {}: {} (cast it in the model)", name.get(), delta_type.error())};
    }
    has_partition = has_partition || partition_column == name.get();
    definition.schema.fields.push_back({name.get(), delta_type.value(), true, "{}"});
  }
  if (!has_partition) {
    return core::Error{
        fmt::format("the output has no column {} (its partition)", partition_column)};
  }
  return definition;
}

}  // namespace

std::string progress_app_id(const std::string& model, const std::string& input) {
  return fmt::format("shoplake.pipeline:{}<{}", model, input);
}

struct ModelRunner::State {
  fs::path lake_directory;
  lake::ParquetIo& parquet;
  TableCommitListener listener;
  std::mutex mutex;
  duckdb_connection running = nullptr;  // the connection of the query in progress

  core::Result<lake::CommitResult> replace_days(
      duckdb_connection connection, const std::string& table_name, const std::string& relation,
      const std::string& partition_column, const std::set<std::int64_t>& days,
      const std::vector<lake::Txn>& txns, lake::Snapshot& written) {
    auto location = lake::locate_lake_table(lake_directory, table_name);
    if (!location) return core::Error{location.error()};
    auto definition = definition_of(connection, table_name, relation, partition_column);
    if (!definition) return core::Error{definition.error()};
    auto table =
        lake::DeltaTable::open_or_create(location.value().root, definition.value(), parquet);
    if (!table) return core::Error{table.error()};
    std::vector<std::string> partitions;
    for (const std::int64_t day : days) partitions.push_back(format_date(day));
    auto committed =
        table.value()->overwrite(connection, "SELECT * FROM " + relation, partitions, txns);
    if (!committed) return core::Error{committed.error()};
    written = table.value()->snapshot();
    if (listener) listener(location.value().layer, location.value().name, written);
    return committed;
  }
};

ModelRunner::ModelRunner(std::filesystem::path lake_directory, lake::ParquetIo& parquet,
                         TableCommitListener listener)
    : state_(new State{std::move(lake_directory), parquet, std::move(listener), {}, nullptr}) {}

ModelRunner::~ModelRunner() = default;

void ModelRunner::interrupt() {
  const std::lock_guard lock(state_->mutex);
  if (state_->running != nullptr) duckdb_interrupt(state_->running);
}

core::Result<TaskOutcome> ModelRunner::run(const Model& model, const TaskRequest& request,
                                           const TaskLog& log) {
  const auto say = [&log](const std::string& line) {
    if (log) log(line);
  };
  const auto fail = [&model](const std::string& what) {
    return core::Error{fmt::format("{}: {}", model.name, what)};
  };
  auto output_location = lake::locate_lake_table(state_->lake_directory, model.name);
  if (!output_location) return fail(output_location.error());
  std::optional<lake::Snapshot> output;
  if (fs::exists(output_location.value().root / "_delta_log")) {
    auto loaded = lake::load_snapshot(output_location.value().root);
    if (!loaded) return fail(loaded.error());
    output = std::move(loaded).value();
  }

  // What changed in the inputs since the output was computed, as days of the output.
  std::vector<InputRead> inputs;
  std::set<std::int64_t> days;
  for (const auto& name : model.inputs) {
    auto location = lake::locate_lake_table(state_->lake_directory, name);
    if (!location) return fail(location.error());
    InputRead input{name, location.value().root, {}, -1};
    if (!fs::exists(input.root / "_delta_log")) {
      say(fmt::format("input {} does not exist yet: nothing to compute", name));
      return TaskOutcome{};
    }
    auto snapshot = lake::load_snapshot(input.root);
    if (!snapshot) return fail(snapshot.error());
    input.snapshot = std::move(snapshot).value();
    if (output) {
      const auto found = output->app_versions.find(progress_app_id(model.name, name));
      if (found != output->app_versions.end()) input.from_version = found->second;
    }
    std::set<std::int64_t> changed;
    if (request.full_refresh || input.from_version < 0) {
      changed = all_days(input.snapshot);
      say(fmt::format("{} version {}: computing every day it holds ({})", name,
                      input.snapshot.version, changed.size()));
    } else if (auto since = changed_days(input)) {
      changed = std::move(*since);
      say(fmt::format("{} versions {}..{}: {} day(s) changed", name, input.from_version + 1,
                      input.snapshot.version, changed.size()));
    } else {
      changed = all_days(input.snapshot);
      say(fmt::format("{}: a commit after version {} cannot be read: computing every day", name,
                      input.from_version));
    }
    const auto widened = widen(changed, model.spread_days.value_or(model.window_days));
    days.insert(widened.begin(), widened.end());
    inputs.push_back(std::move(input));
  }
  for (const auto& date : request.dates) {
    const auto day = parse_date(date);
    if (!day) return fail(fmt::format("'{}' is not a date (YYYY-MM-DD)", date));
    days.insert(*day);
  }

  TaskOutcome outcome;
  std::vector<std::string> read;
  for (const auto& input : inputs) {
    read.push_back(
        input.from_version + 1 >= input.snapshot.version || input.from_version < 0
            ? fmt::format("{}@{}", input.name, input.snapshot.version)
            : fmt::format("{}@{}..{}", input.name, input.from_version + 1, input.snapshot.version));
  }
  outcome.versions_read = fmt::format("{}", fmt::join(read, ", "));
  const bool progressed = std::any_of(inputs.begin(), inputs.end(), [](const InputRead& input) {
    return input.snapshot.version > input.from_version;
  });
  if (days.empty()) {
    say(progressed ? "no data changed: nothing to recompute" : "inputs unchanged: nothing to do");
    return outcome;
  }
  for (const std::int64_t day : days) outcome.dates.push_back(format_date(day));
  say(fmt::format("recomputing {} day(s): {}{}", days.size(), outcome.dates.front(),
                  days.size() > 1 ? " .. " + outcome.dates.back() : ""));

  auto connection = state_->parquet.connect();
  if (!connection) return fail(connection.error());
  duckdb_connection handle = connection.value().get();
  {
    const std::lock_guard lock(state_->mutex);
    state_->running = handle;
  }
  struct ClearRunning {
    State& state;
    ~ClearRunning() {
      const std::lock_guard lock(state.mutex);
      state.running = nullptr;
    }
  } clear_running{*state_};

  // Each input as the relation the SQL names, restricted to the days the output days read.
  const std::set<std::int64_t> input_days = widen(days, model.window_days);
  for (const auto& input : inputs) {
    const lake::Snapshot restricted = restricted_to(input.snapshot, input_days);
    outcome.rows_in += records_of(restricted);
    auto scan = state_->parquet.scan_sql(restricted);
    if (!scan) return fail(scan.error());
    if (auto created = execute(handle, fmt::format("CREATE OR REPLACE TEMP VIEW {} AS {}",
                                                   input_relation(input.name), scan.value()));
        !created) {
      return fail(fmt::format("reading {}: {}", input.name, created.error()));
    }
  }
  // The days being computed, for a model that can skip work on the days it reads only as context.
  // A macro over a list literal, so that DuckDB folds it into the filter (a subquery would not be).
  if (auto listed = execute(handle, fmt::format("CREATE OR REPLACE TEMP MACRO {}(day) AS "
                                                "list_contains([{}], day)",
                                                kModelDaysMacro, date_list(days)));
      !listed) {
    return fail(listed.error());
  }
  // The newline ends a trailing comment of the model before the closing parenthesis. OFFSET 0
  // keeps DuckDB from pushing the day filter into the model, where it would rewrite joins and
  // windows into a slower plan (twice the time for silver); the inputs hold only the days needed.
  const std::string partition = duck::quote_identifier(model.partition_column);
  if (auto computed = execute(
          handle, fmt::format("CREATE OR REPLACE TEMP TABLE {} AS SELECT * FROM (SELECT * FROM "
                              "(\n{}\n) OFFSET 0) WHERE {} IN ({}) OR {} IS NULL",
                              kOutputTable, without_final_semicolon(model.sql), partition,
                              date_list(days), partition));
      !computed) {
    return fail(computed.error());
  }
  say(fmt::format("computed in DuckDB from {} input row(s)", outcome.rows_in));

  const std::string accepted =
      model.rejected_table ? fmt::format("(SELECT * EXCLUDE ({}) FROM {} WHERE {} IS NULL)",
                                         kRejectedRuleColumn, kOutputTable, kRejectedRuleColumn)
                           : std::string(kOutputTable);
  auto checked = check_expectations(handle, model.expectations, accepted);
  if (!checked) return fail(checked.error());
  outcome.expectations = std::move(checked).value();
  for (const auto& result : outcome.expectations) {
    if (result.failing_rows == 0) {
      say(fmt::format("expectation {}: passed", result.expectation));
      continue;
    }
    const std::string failure =
        fmt::format("expectation {} failed on {} row(s), e.g. {}", result.expectation,
                    result.failing_rows, result.sample_json);
    say((result.severity == ExpectationSeverity::warn ? "warning: " : "error: ") + failure);
    if (result.severity == ExpectationSeverity::error) return fail(failure);
  }

  std::vector<lake::Txn> progress;
  for (const auto& input : inputs) {
    lake::Txn txn;
    txn.app_id = progress_app_id(model.name, input.name);
    txn.version = input.snapshot.version;
    txn.last_updated = core::now_ms();
    progress.push_back(std::move(txn));
  }
  std::vector<std::string> written;
  if (model.rejected_table) {
    // The rejected rows first: the progress recorded with the accepted ones covers both, so a
    // crash in between recomputes both.
    const std::string rejected =
        fmt::format("(SELECT * FROM {} WHERE {} IS NOT NULL)", kOutputTable, kRejectedRuleColumn);
    auto count = query_int(handle, "SELECT count(*) FROM " + rejected);
    if (!count) return fail(count.error());
    outcome.rows_rejected = count.value();
    lake::Snapshot snapshot;
    auto committed = state_->replace_days(handle, *model.rejected_table, rejected,
                                          model.partition_column, days, {}, snapshot);
    if (!committed) return fail(fmt::format("{}: {}", *model.rejected_table, committed.error()));
    written.push_back(fmt::format("{}@{}", *model.rejected_table, committed.value().version));
  }
  auto count = query_int(handle, "SELECT count(*) FROM " + accepted);
  if (!count) return fail(count.error());
  outcome.rows_out = count.value();
  lake::Snapshot snapshot;
  auto committed = state_->replace_days(handle, model.name, accepted, model.partition_column, days,
                                        progress, snapshot);
  if (!committed) return fail(committed.error());
  written.push_back(fmt::format("{}@{}", model.name, committed.value().version));
  outcome.versions_written = fmt::format("{}", fmt::join(written, ", "));
  say(fmt::format(
      "wrote {} row(s){} in {}", outcome.rows_out,
      model.rejected_table ? fmt::format(" and {} rejected", outcome.rows_rejected) : "",
      outcome.versions_written));
  // The connection, and its temporary objects with it, closes on return.
  return outcome;
}

}  // namespace shoplake::pipeline
