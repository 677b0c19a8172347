#include "shoplake/pipeline/model_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "background_checkpoints.hpp"
#include "duckdb_query.hpp"
#include "expectations.hpp"
#include "parquet_io.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/lake/delta_table.hpp"
#include "shoplake/lake/lake_catalog.hpp"
#include "shoplake/pipeline/dates.hpp"
#include "shoplake/sql/chunk_scan.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::pipeline {
namespace {

namespace fs = std::filesystem;
namespace duck = sql::duck;

// The model's output as the run reads it: a view over the rows held in memory, or over
// kOutputStorageTable.
constexpr const char* kOutputTable = "model_output";
constexpr const char* kOutputStorageTable = "model_output_rows";
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

// What the commits of `input` after `from_version` changed.
struct InputChanges {
  std::set<std::int64_t> days;  // whose data changed
  std::set<std::string> added;  // data files added (paths as the log has them)
  bool only_added = true;       // no data file removed: the input only gained rows
};

// nullopt when a commit in between cannot be read (then every day counts as changed).
std::optional<InputChanges> changes_since(const InputRead& input) {
  InputChanges changes;
  for (std::int64_t version = input.from_version + 1; version <= input.snapshot.version;
       ++version) {
    auto actions = lake::read_commit_actions(input.root, version);
    if (!actions) return std::nullopt;
    for (const auto& action : actions.value()) {
      if (const auto* add = std::get_if<lake::AddFile>(&action); add && add->data_change) {
        if (auto day = partition_day(add->partition_values)) changes.days.insert(*day);
        changes.added.insert(add->path);
      } else if (const auto* remove = std::get_if<lake::RemoveFile>(&action);
                 remove && remove->data_change) {
        if (auto day = partition_day(remove->partition_values)) changes.days.insert(*day);
        changes.only_added = false;
      }
    }
  }
  return changes;
}

// The snapshot restricted to the files `changes` added, when they are all still live (a later
// compaction may have folded them into others); nullopt otherwise.
std::optional<lake::Snapshot> added_rows(const lake::Snapshot& snapshot,
                                         const InputChanges& changes) {
  if (!changes.only_added) return std::nullopt;
  lake::Snapshot added = snapshot;
  std::erase_if(added.files, [&changes](const lake::AddFile& file) {
    return !changes.added.contains(file.path);
  });
  if (added.files.size() != changes.added.size()) return std::nullopt;
  return added;
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
  auto described = duck::describe(connection, "SELECT * FROM " + relation);
  if (!described) return core::Error{described.error()};
  lake::TableDefinition definition;
  definition.name = table_name;
  definition.partition_columns = {partition_column};
  bool has_partition = false;
  for (const auto& [name, type] : described.value()) {
    auto delta_type = lake::delta_type_of(type);
    if (!delta_type) {
      return core::Error{
          fmt::format("column {}: {} (cast it in the model)", name, delta_type.error())};
    }
    has_partition = has_partition || partition_column == name;
    definition.schema.fields.push_back({name, delta_type.value(), true, "{}"});
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

// How a run writes the model's output: replacing the days it recomputed, appending rows, or
// replacing the whole table under the output's columns (they changed since it was written).
enum class WriteMode { replace_days, append, replace_table_definition };

struct ModelRunner::State {
  fs::path lake_directory;
  lake::ParquetIo& parquet;
  TableCommitListener listener;
  std::int64_t max_input_rows_of_held_output;
  std::mutex mutex;
  std::map<std::string, duckdb_connection> running;  // by model: the connection of its run
  bool database_prepared = false;
  // The tables' snapshots as last seen, by root: catching up with a few commits costs far less
  // than loading a table again from its checkpoint, which every run of every model would.
  std::mutex snapshots_mutex;
  std::map<fs::path, lake::Snapshot> snapshots;
  std::unique_ptr<BackgroundCheckpoints> checkpoints;

  // The latest snapshot of the table at `root`. Read outside the lock: models running side by
  // side load their tables at once.
  core::Result<lake::Snapshot> snapshot_of(const fs::path& root) {
    const auto known = fs::exists(root / "_delta_log") ? known_snapshot(root) : std::nullopt;
    auto loaded = known ? lake::update_snapshot(*known) : lake::load_snapshot(root);
    const std::lock_guard lock(snapshots_mutex);
    if (!loaded) {
      snapshots.erase(root);
      return loaded;
    }
    // A side-by-side model may have stored a newer version meanwhile: keep the newest.
    const auto stored = snapshots.find(root);
    if (stored == snapshots.end() || stored->second.version <= loaded.value().version) {
      snapshots.insert_or_assign(root, loaded.value());
    }
    return loaded;
  }

  std::optional<lake::Snapshot> known_snapshot(const fs::path& root) {
    const std::lock_guard lock(snapshots_mutex);
    const auto cached = snapshots.find(root);
    if (cached == snapshots.end()) return std::nullopt;
    return cached->second;
  }

  void remember(const lake::Snapshot& snapshot) {
    const std::lock_guard lock(snapshots_mutex);
    snapshots.insert_or_assign(snapshot.table_root, snapshot);
  }

  // What every model's run expects of the lake's DuckDB, set up once: ten models an hour would
  // otherwise pay a few statements each for it.
  core::Status prepare_database() {
    const std::lock_guard lock(mutex);
    if (database_prepared) return core::ok_status();
    auto connection = parquet.connect();
    if (!connection) return core::Error{connection.error()};
    // A model's joins run as written: the right side is the one hashed (as in ClickHouse).
    // DuckDB's guess from estimates hashed the wide new rows of silver instead of the few ids
    // they are checked against, a third of the append's time. Nothing else joins in the lake's
    // DuckDB.
    if (auto kept = execute(connection.value().get(),
                            "SET GLOBAL disabled_optimizers = 'build_side_probe_side'");
        !kept) {
      return kept;
    }
    for (const char* function : model_function_definitions()) {
      if (auto created = execute(connection.value().get(), function); !created) return created;
    }
    if (auto registered = sql::register_chunk_scan(connection.value().get()); !registered) {
      return registered;
    }
    database_prepared = true;
    return core::ok_status();
  }

  // Writes the rows of `relation`, whose columns are `definition`'s, to the table it names.
  core::Result<lake::CommitResult> write(duckdb_connection connection,
                                         const lake::TableDefinition& definition,
                                         const std::string& relation, WriteMode mode,
                                         const std::set<std::int64_t>& days,
                                         const std::vector<lake::Txn>& txns) {
    const std::string& partition_column = definition.partition_columns.front();
    auto location = lake::locate_lake_table(lake_directory, definition.name);
    if (!location) return core::Error{location.error()};
    const bool exists = fs::exists(location.value().root / "_delta_log");
    const auto known = exists ? known_snapshot(location.value().root) : std::nullopt;
    lake::TableOptions options;
    options.checkpoint_interval = 0;  // written by `checkpoints`, off the run's path
    auto table = mode == WriteMode::replace_table_definition && exists
                     ? lake::DeltaTable::open(location.value().root, parquet, options)
                 : known ? lake::DeltaTable::open_from(*known, definition, parquet, options)
                         : lake::DeltaTable::open_or_create(location.value().root, definition,
                                                            parquet, options);
    if (!table) return core::Error{table.error()};
    const std::string column = duck::quote_identifier(partition_column);
    if (mode == WriteMode::append) {
      // Appending names each file's day; a row without one would be left out silently.
      auto undated = query_int(
          connection, fmt::format("SELECT count(*) FROM {} WHERE {} IS NULL", relation, column));
      if (!undated) return core::Error{undated.error()};
      if (undated.value() > 0) {
        return core::Error{
            fmt::format("{} row(s) have no {}, the partition", undated.value(), partition_column)};
      }
    }
    // A file a day the rows fall on, without DuckDB's PARTITION_BY (which buffers every row).
    std::vector<lake::PartitionRows> rows_by_day;
    std::vector<std::string> dates;
    for (const std::int64_t day : days) {
      dates.push_back(format_date(day));
      rows_by_day.push_back({{{partition_column, dates.back()}},
                             fmt::format("SELECT * EXCLUDE ({0}) FROM {1} WHERE {0} = DATE '{2}'",
                                         column, relation, dates.back())});
    }
    auto committed =
        mode == WriteMode::append ? table.value()->append_partitions(connection, rows_by_day, txns)
        : mode == WriteMode::replace_table_definition
            ? table.value()->overwrite_with_definition(connection, "SELECT * FROM " + relation,
                                                       dates, definition, txns)
            : table.value()->overwrite(connection, "SELECT * FROM " + relation, dates, txns);
    if (!committed) return core::Error{committed.error()};
    remember(table.value()->snapshot());
    checkpoints->committed(table.value()->snapshot());
    if (listener)
      listener(location.value().layer, location.value().name, table.value()->snapshot());
    return committed;
  }

  // How `definition` differs from the columns of the table it names ("" when they are the same,
  // or the table does not exist yet).
  core::Result<std::string> definition_change(const lake::TableDefinition& definition) {
    auto location = lake::locate_lake_table(lake_directory, definition.name);
    if (!location) return core::Error{location.error()};
    if (!fs::exists(location.value().root / "_delta_log")) return std::string();
    auto snapshot = snapshot_of(location.value().root);
    if (!snapshot) return core::Error{snapshot.error()};
    const std::string difference = lake::definition_difference(snapshot.value(), definition);
    return difference.empty() ? difference : fmt::format("{}: {}", definition.name, difference);
  }

  // The rows `model` wrote for `days` to its table and its rejected table, as `previous_output`
  // with the model's append columns; empty (untyped NULLs) when `days` is empty.
  core::Status bind_previous_output(duckdb_connection connection, const Model& model,
                                    const std::set<std::int64_t>& days) {
    std::vector<std::string> columns;
    for (const auto& column : model.append_columns)
      columns.push_back(duck::quote_identifier(column));
    const std::string listed = fmt::format("{}", fmt::join(columns, ", "));
    std::vector<std::string> parts;
    for (const auto* table :
         {&model.name, model.rejected_table ? &*model.rejected_table : nullptr}) {
      if (table == nullptr || days.empty()) continue;
      auto location = lake::locate_lake_table(lake_directory, *table);
      if (!location) return core::Error{location.error()};
      if (!fs::exists(location.value().root / "_delta_log")) continue;
      auto snapshot = snapshot_of(location.value().root);
      if (!snapshot) return core::Error{snapshot.error()};
      auto scan = parquet.scan_sql(restricted_to(snapshot.value(), days));
      if (!scan) return core::Error{scan.error()};
      parts.push_back(fmt::format("SELECT {} FROM ({})", listed, scan.value()));
    }
    if (parts.empty()) {
      std::vector<std::string> nulls;
      for (const auto& column : columns) nulls.push_back("NULL AS " + column);
      parts.push_back(fmt::format("SELECT {} WHERE false", fmt::join(nulls, ", ")));
    }
    return execute(connection,
                   fmt::format("CREATE OR REPLACE TEMP VIEW {} AS {}", kPreviousOutputRelation,
                               fmt::join(parts, "\nUNION ALL\n")));
  }
};

ModelRunner::ModelRunner(std::filesystem::path lake_directory, lake::ParquetIo& parquet,
                         TableCommitListener listener, std::int64_t max_input_rows_of_held_output)
    : state_(new State{std::move(lake_directory),
                       parquet,
                       std::move(listener),
                       max_input_rows_of_held_output,
                       {},
                       {},
                       false,
                       {},
                       {},
                       {}}) {
  state_->checkpoints =
      std::make_unique<BackgroundCheckpoints>(parquet, lake::TableOptions{}.checkpoint_interval);
}

ModelRunner::~ModelRunner() = default;

void ModelRunner::interrupt() {
  const std::lock_guard lock(state_->mutex);
  for (const auto& [model, connection] : state_->running) duckdb_interrupt(connection);
}

void ModelRunner::interrupt(const std::string& model) {
  const std::lock_guard lock(state_->mutex);
  if (const auto found = state_->running.find(model); found != state_->running.end()) {
    duckdb_interrupt(found->second);
  }
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
    auto loaded = state_->snapshot_of(output_location.value().root);
    if (!loaded) return fail(loaded.error());
    output = std::move(loaded).value();
  }

  // What changed in the inputs since the output was computed, as days of the output.
  std::vector<InputRead> inputs;
  std::set<std::int64_t> days;
  std::optional<lake::Snapshot> appended;  // an appending model's new input rows
  std::set<std::int64_t> appended_days;
  for (const auto& name : model.inputs) {
    auto location = lake::locate_lake_table(state_->lake_directory, name);
    if (!location) return fail(location.error());
    InputRead input{name, location.value().root, {}, -1};
    if (!fs::exists(input.root / "_delta_log")) {
      say(fmt::format("input {} does not exist yet: nothing to compute", name));
      return TaskOutcome{};
    }
    auto snapshot = state_->snapshot_of(input.root);
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
    } else if (auto since = changes_since(input)) {
      changed = since->days;
      say(fmt::format("{} versions {}..{}: {} day(s) changed", name, input.from_version + 1,
                      input.snapshot.version, changed.size()));
      if (model.appends() && request.dates.empty() && !changed.empty()) {
        appended = added_rows(input.snapshot, *since);
        appended_days = changed;
        if (!appended) say("rows were removed or compacted since: recomputing the days");
      }
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

  if (auto prepared = state_->prepare_database(); !prepared) return fail(prepared.error());
  auto connection = state_->parquet.connect();
  if (!connection) return fail(connection.error());
  duckdb_connection handle = connection.value().get();
  {
    const std::lock_guard lock(state_->mutex);
    state_->running[model.name] = handle;
  }
  struct ClearRunning {
    State& state;
    const std::string& model;
    ~ClearRunning() {
      const std::lock_guard lock(state.mutex);
      state.running.erase(model);
    }
  } clear_running{*state_, model.name};

  // The days being computed, for a model that can skip work on the days it reads only as context.
  // A macro over a list literal, so that DuckDB folds it into the filter (a subquery would not be).
  const auto bind_model_days = [&](const std::set<std::int64_t>& model_days) {
    return execute(handle, fmt::format("CREATE OR REPLACE TEMP MACRO {}(day) AS "
                                       "list_contains([{}], day)",
                                       kModelDaysMacro, date_list(model_days)));
  };
  const auto bind_input = [&](const InputRead& input, const lake::Snapshot& rows) -> core::Status {
    auto scan = state_->parquet.scan_sql(rows);
    if (!scan) return core::Error{scan.error()};
    if (auto created = execute(handle, fmt::format("CREATE OR REPLACE TEMP VIEW {} AS {}",
                                                   input_relation(input.name), scan.value()));
        !created) {
      return core::Error{fmt::format("reading {}: {}", input.name, created.error())};
    }
    return core::ok_status();
  };
  // The newline ends a trailing comment of the model before the closing parenthesis. OFFSET 0
  // keeps DuckDB from pushing the day filter into the model, where it would rewrite joins and
  // windows into a slower plan (twice the time for silver); the inputs hold only the days needed.
  const std::string partition = duck::quote_identifier(model.partition_column);
  std::unique_ptr<sql::ResultChunks> held_output;
  std::unique_ptr<sql::ChunkScan> held_output_scan;
  const auto compute = [&](const std::set<std::int64_t>& model_days) -> core::Status {
    const std::string select = fmt::format(
        "SELECT * FROM (SELECT * FROM (\n{}\n) OFFSET 0) WHERE {} IN ({}) OR {} IS NULL",
        without_final_semicolon(model.sql), partition, date_list(model_days), partition);
    held_output_scan.reset();
    held_output.reset();
    if (outcome.rows_in > state_->max_input_rows_of_held_output) {
      if (auto stored = execute(handle, fmt::format("CREATE OR REPLACE TEMP TABLE {} AS {}",
                                                    kOutputStorageTable, select));
          !stored) {
        return stored;
      }
      return execute(handle, fmt::format("CREATE OR REPLACE TEMP VIEW {} AS FROM {}", kOutputTable,
                                         kOutputStorageTable));
    }
    duck::Result result;
    if (auto computed = execute(handle, select, result); !computed) return computed;
    held_output = sql::ResultChunks::take(std::move(result));
    held_output_scan = std::make_unique<sql::ChunkScan>(*held_output);
    return execute(handle, fmt::format("CREATE OR REPLACE TEMP VIEW {} AS {}", kOutputTable,
                                       held_output_scan->select_sql()));
  };

  WriteMode mode = WriteMode::replace_days;
  if (appended && output) {
    // Only the new input rows, against what the output holds for the days around them.
    outcome.rows_in = records_of(*appended);
    if (auto bound = bind_input(inputs.front(), *appended); !bound) return fail(bound.error());
    if (auto bound = bind_model_days(appended_days); !bound) return fail(bound.error());
    if (auto bound =
            state_->bind_previous_output(handle, model, widen(appended_days, model.window_days));
        !bound) {
      return fail(bound.error());
    }
    if (auto computed = compute(appended_days); !computed) return fail(computed.error());
    auto blocking = query_int(handle, fmt::format("SELECT count(*) FROM {} WHERE {}", kOutputTable,
                                                  kNeedsRecomputeColumn));
    if (!blocking) return fail(blocking.error());
    if (blocking.value() == 0) {
      mode = WriteMode::append;
      days = appended_days;
      say(fmt::format("appending what {} new row(s) add to {} day(s)", outcome.rows_in,
                      days.size()));
    } else {
      say(fmt::format("{} new row(s) would change rows already written: recomputing the days",
                      blocking.value()));
    }
  }
  if (mode == WriteMode::replace_days) {
    // Each input restricted to the days the output days read.
    const std::set<std::int64_t> input_days = widen(days, model.window_days);
    outcome.rows_in = 0;
    for (const auto& input : inputs) {
      const lake::Snapshot restricted = restricted_to(input.snapshot, input_days);
      outcome.rows_in += records_of(restricted);
      if (auto bound = bind_input(input, restricted); !bound) return fail(bound.error());
    }
    if (auto bound = bind_model_days(days); !bound) return fail(bound.error());
    if (model.appends()) {
      if (auto bound = state_->bind_previous_output(handle, model, {}); !bound) {
        return fail(bound.error());
      }
    }
    say(fmt::format("recomputing {} day(s): {}{}", days.size(), format_date(*days.begin()),
                    days.size() > 1 ? " .. " + format_date(*days.rbegin()) : ""));
    if (auto computed = compute(days); !computed) return fail(computed.error());
  }
  for (const std::int64_t day : days) outcome.dates.push_back(format_date(day));
  outcome.appended = mode == WriteMode::append;
  say(fmt::format("computed in DuckDB from {} input row(s)", outcome.rows_in));

  // The output without the columns that steer the runner.
  std::vector<std::string> steering;
  if (model.rejected_table) steering.emplace_back(kRejectedRuleColumn);
  if (model.appends()) steering.emplace_back(kNeedsRecomputeColumn);
  const auto rows_where = [&](const std::string& condition) {
    return fmt::format(
        "(SELECT *{} FROM {}{})",
        steering.empty() ? std::string() : fmt::format(" EXCLUDE ({})", fmt::join(steering, ", ")),
        kOutputTable, condition.empty() ? condition : " WHERE " + condition);
  };
  const std::string accepted =
      rows_where(model.rejected_table ? fmt::format("{} IS NULL", kRejectedRuleColumn) : "");
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

  const std::string rejected = fmt::format(
      "(SELECT *{} FROM {} WHERE {} IS NOT NULL)",
      model.appends() ? fmt::format(" EXCLUDE ({})", kNeedsRecomputeColumn) : std::string(),
      kOutputTable, kRejectedRuleColumn);
  // The tables the run writes, the rejected one first (see below), each with the columns of its
  // rows, read once.
  struct Target {
    lake::TableDefinition definition;
    std::string relation;
  };
  std::vector<Target> targets;
  for (const auto& [table, relation] :
       {std::pair{model.rejected_table.value_or(""), rejected}, std::pair{model.name, accepted}}) {
    if (table.empty()) continue;
    auto definition = definition_of(handle, table, relation, model.partition_column);
    if (!definition) {
      return fail(table == model.name ? definition.error()
                                      : fmt::format("{}: {}", table, definition.error()));
    }
    targets.push_back({std::move(definition).value(), relation});
  }
  // Columns that changed since the tables were written (a model edited, a newer shoplake): every
  // day is recomputed, and the tables are written again whole under the new columns.
  std::vector<std::string> changed_columns;
  for (const Target& target : targets) {
    auto change = state_->definition_change(target.definition);
    if (!change) return fail(change.error());
    if (!change.value().empty()) changed_columns.push_back(std::move(change).value());
  }
  if (!changed_columns.empty()) {
    if (!request.full_refresh) {
      say(fmt::format("the columns changed ({}): recomputing every day",
                      fmt::join(changed_columns, "; ")));
      TaskRequest everything = request;
      everything.full_refresh = true;
      everything.dates.clear();
      return run(model, everything, log);
    }
    say(fmt::format("the columns changed ({}): writing the tables again under the new ones",
                    fmt::join(changed_columns, "; ")));
    mode = WriteMode::replace_table_definition;
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
    // crash in between redoes both (an appending model finds the rejected rows already written
    // in previous_output and leaves them out).
    const Target& target = targets.front();
    auto committed = state_->write(handle, target.definition, target.relation, mode, days, {});
    if (!committed) return fail(fmt::format("{}: {}", *model.rejected_table, committed.error()));
    outcome.rows_rejected = committed.value().rows_added;
    written.push_back(fmt::format("{}@{}", *model.rejected_table, committed.value().version));
  }
  const Target& target = targets.back();
  auto committed = state_->write(handle, target.definition, target.relation, mode, days, progress);
  if (!committed) return fail(committed.error());
  outcome.rows_out = committed.value().rows_added;
  written.push_back(fmt::format("{}@{}", model.name, committed.value().version));
  outcome.versions_written = fmt::format("{}", fmt::join(written, ", "));
  say(fmt::format(
      "{} {} row(s){} in {}", mode == WriteMode::append ? "appended" : "wrote", outcome.rows_out,
      model.rejected_table ? fmt::format(" and {} rejected", outcome.rows_rejected) : "",
      outcome.versions_written));
  // The connection, and its temporary objects with it, closes on return.
  return outcome;
}

}  // namespace shoplake::pipeline
