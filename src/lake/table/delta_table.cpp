#include "shoplake/lake/delta_table.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "conflicts.hpp"
#include "parquet_io.hpp"
#include "shoplake/core/uuid.hpp"
#include "shoplake/lake/log_store.hpp"

namespace shoplake::lake {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Whether `value` has the shape DuckDB prints a date in (YYYY-MM-DD), so that a date equal to
// it prints as `value` again: '2026-11-1' would equal 2026-11-01 but name another partition.
bool has_date_text_shape(std::string_view value) {
  if (value.size() != 10 || value[4] != '-' || value[7] != '-') return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
}

// The condition that a row belongs to the partition whose logged value is `value`: the text
// DuckDB prints for the column equals it. A string column, and a date column against a value of
// a date's shape, are compared in their own type instead, with the same outcome: no row is cast
// and DuckDB skips whole row groups by their min/max (a day's scan of a full rebuild's 10 M rows
// 130 -> 10 ms). TRY_CAST keeps an impossible date such as '2026-13-45' matching nothing.
std::string partition_condition(const DeltaField& field, const std::string& value) {
  const std::string column = sql::duck::quote_identifier(field.name);
  const std::string literal = sql::duck::quote_literal(value);
  if (field.type == "string") return fmt::format("{} = {}", column, literal);
  if (field.type == "date" && has_date_text_shape(value)) {
    return fmt::format("{} = TRY_CAST({} AS DATE)", column, literal);
  }
  return fmt::format("CAST({} AS VARCHAR) = {}", column, literal);
}

std::string describe_partition_columns(const std::vector<std::string>& columns) {
  return columns.empty() ? "none" : fmt::format("[{}]", fmt::join(columns, ", "));
}

core::Status check_definition(const Snapshot& snapshot, const TableDefinition& definition) {
  if (std::string difference = definition_difference(snapshot, definition); !difference.empty()) {
    return core::Error{
        fmt::format("{}: the existing table does not match {}: {}", snapshot.table_root.string(),
                    definition.name.empty() ? "the writer" : definition.name, difference)};
  }
  return core::ok_status();
}

std::vector<Action> creation_actions(const TableDefinition& definition) {
  Metadata metadata;
  metadata.id = core::new_uuid_v4();
  if (!definition.name.empty()) metadata.name = definition.name;
  metadata.schema_string = serialize_schema(definition.schema);
  metadata.partition_columns = definition.partition_columns;
  metadata.created_time = now_ms();
  metadata.configuration = definition.configuration;
  return {Protocol{kSupportedReaderVersion, kSupportedWriterVersion, {}, {}}, std::move(metadata)};
}

std::int64_t stats_records(const AddFile& add) {
  if (!add.stats) return 0;
  auto stats = nlohmann::json::parse(*add.stats, nullptr, false);
  if (!stats.is_object()) return 0;
  auto records = stats.find("numRecords");
  return records != stats.end() && records->is_number_integer() ? records->get<std::int64_t>() : 0;
}

RemoveFile remove_of(const AddFile& add, bool data_change, std::int64_t when_ms) {
  RemoveFile remove;
  remove.path = add.path;
  remove.deletion_timestamp = when_ms;
  remove.data_change = data_change;
  remove.extended_file_metadata = true;
  remove.partition_values = add.partition_values;
  remove.size = add.size;
  return remove;
}

}  // namespace

std::string definition_difference(const Snapshot& snapshot, const TableDefinition& definition) {
  for (const DeltaField& expected : definition.schema.fields) {
    const DeltaField* actual = snapshot.schema.find(expected.name);
    if (actual == nullptr) {
      return fmt::format("column {} ({}) is not in the table", expected.name, expected.type);
    }
    if (actual->type != expected.type) {
      return fmt::format("column {} is {} in the table, {} in this writer", expected.name,
                         actual->type, expected.type);
    }
  }
  for (const DeltaField& actual : snapshot.schema.fields) {
    if (definition.schema.find(actual.name) == nullptr) {
      return fmt::format("the table has a column {} ({}) this writer does not know", actual.name,
                         actual.type);
    }
  }
  if (snapshot.metadata.partition_columns != definition.partition_columns) {
    return fmt::format("the table is partitioned by {}, this writer by {}",
                       describe_partition_columns(snapshot.metadata.partition_columns),
                       describe_partition_columns(definition.partition_columns));
  }
  return "";
}

std::string partition_path(const PartitionValues& values) {
  std::string path;
  for (const auto& [column, value] : values) {
    if (!path.empty()) path += '/';
    path += column + "=" + (value ? *value : "__HIVE_DEFAULT_PARTITION__");
  }
  return path;
}

DeltaTable::DeltaTable(std::filesystem::path root, ParquetIo& parquet, TableOptions options,
                       Snapshot snapshot)
    : root_(std::move(root)),
      parquet_(parquet),
      options_(options),
      snapshot_(std::move(snapshot)) {}

core::Result<std::unique_ptr<DeltaTable>> DeltaTable::open(const std::filesystem::path& root,
                                                           ParquetIo& parquet,
                                                           const TableOptions& options) {
  auto snapshot = load_snapshot(root);
  if (!snapshot) return core::Error{snapshot.error()};
  if (auto supported = check_writer_support(snapshot.value().protocol); !supported) {
    return core::Error{fmt::format("{}: {}", root.string(), supported.error())};
  }
  return std::unique_ptr<DeltaTable>(
      new DeltaTable(root, parquet, options, std::move(snapshot).value()));
}

core::Result<std::unique_ptr<DeltaTable>> DeltaTable::open_or_create(
    const std::filesystem::path& root, const TableDefinition& definition, ParquetIo& parquet,
    const TableOptions& options) {
  LogStore store(root);
  bool empty = !std::filesystem::exists(store.log_directory());
  if (!empty) {
    auto listed = store.list();
    if (!listed) return core::Error{listed.error()};
    empty = listed.value().empty();
  }
  if (empty) {
    std::vector<Action> actions = creation_actions(definition);
    CommitInfo info;
    info.timestamp = now_ms();
    info.operation = "CREATE TABLE";
    info.json =
        nlohmann::json{{"timestamp", *info.timestamp},
                       {"operation", info.operation},
                       {"operationParameters",
                        {{"partitionBy", nlohmann::json(definition.partition_columns).dump()}}},
                       {"engineInfo", "shoplake"}}
            .dump();
    actions.push_back(std::move(info));
    // Losing this race is fine: whoever won created the same definition, which is checked below.
    auto created = store.put_commit_if_absent(0, serialize_commit(actions));
    if (!created) return core::Error{created.error()};
  }
  auto table = open(root, parquet, options);
  if (!table) return table;
  if (auto matching = check_definition(table.value()->snapshot(), definition); !matching) {
    return core::Error{matching.error()};
  }
  return table;
}

core::Result<std::unique_ptr<DeltaTable>> DeltaTable::open_from(const Snapshot& known,
                                                                const TableDefinition& definition,
                                                                ParquetIo& parquet,
                                                                const TableOptions& options) {
  auto snapshot = update_snapshot(known);
  if (!snapshot) return core::Error{snapshot.error()};
  if (auto supported = check_writer_support(snapshot.value().protocol); !supported) {
    return core::Error{fmt::format("{}: {}", known.table_root.string(), supported.error())};
  }
  if (auto matching = check_definition(snapshot.value(), definition); !matching) {
    return core::Error{matching.error()};
  }
  return std::unique_ptr<DeltaTable>(
      new DeltaTable(known.table_root, parquet, options, std::move(snapshot).value()));
}

core::Status DeltaTable::refresh() {
  auto updated = update_snapshot(snapshot_);
  if (!updated) return core::Error{updated.error()};
  snapshot_ = std::move(updated).value();
  return core::ok_status();
}

core::Result<CommitResult> DeltaTable::commit(CommitRequest request) {
  LogStore store(root_);
  CommitResult result;
  std::vector<std::string> our_txn_apps;
  std::unordered_set<std::string> our_removes;
  for (const Action& action : request.actions) {
    if (const auto* add = std::get_if<AddFile>(&action)) {
      ++result.files_added;
      result.rows_added += stats_records(*add);
    } else if (const auto* remove = std::get_if<RemoveFile>(&action)) {
      ++result.files_removed;
      our_removes.insert(remove->path);
    } else if (const auto* txn = std::get_if<Txn>(&action)) {
      our_txn_apps.push_back(txn->app_id);
    }
  }
  const bool blind_append =
      request.replaced_partitions.empty() && !request.replaces_table && our_removes.empty();
  const std::int64_t read_version = snapshot_.version;
  for (int attempt = 1; attempt <= options_.max_commit_attempts; ++attempt) {
    const std::int64_t version = snapshot_.version + 1;
    // Timestamps never go backwards along versions, so time travel by timestamp stays a search.
    const std::int64_t timestamp = std::max(now_ms(), snapshot_.timestamp_ms + 1);
    nlohmann::json parameters = nlohmann::json::parse(
        request.operation_parameters_json.empty() ? "{}" : request.operation_parameters_json,
        nullptr, false);
    CommitInfo info;
    info.timestamp = timestamp;
    info.operation = request.operation;
    info.json = nlohmann::json{{"timestamp", timestamp},
                               {"operation", request.operation},
                               {"operationParameters",
                                parameters.is_discarded() ? nlohmann::json::object() : parameters},
                               {"readVersion", read_version},
                               {"isBlindAppend", blind_append},
                               {"engineInfo", "shoplake"}}
                    .dump();
    std::vector<Action> actions = request.actions;
    actions.push_back(std::move(info));
    auto put = store.put_commit_if_absent(version, serialize_commit(actions));
    if (!put) return core::Error{put.error()};
    if (put.value() == PutOutcome::written) {
      result.version = version;
      result.attempts = attempt;
      if (auto refreshed = refresh(); !refreshed) return core::Error{refreshed.error()};
      if (options_.checkpoint_interval > 0 && version % options_.checkpoint_interval == 0) {
        // A failed checkpoint costs readers time, not data: the commit stands.
        if (auto written = checkpoint(); !written) {
          spdlog::warn("lake: {}: checkpoint at version {} failed: {}", root_.string(), version,
                       written.error());
        }
      }
      return result;
    }
    // Another writer took this version: see what it did before trying the next one.
    auto winners = read_commit_actions(root_, version);
    if (!winners) return core::Error{winners.error()};
    if (std::string conflict = find_conflict(request, our_txn_apps, our_removes, winners.value());
        !conflict.empty()) {
      return core::Error{fmt::format("{}: {} conflicts with version {}: {}", root_.string(),
                                     request.operation, version, conflict)};
    }
    if (auto refreshed = refresh(); !refreshed) return core::Error{refreshed.error()};
  }
  return core::Error{
      fmt::format("{}: {} lost the race for a version {} times in a row; the "
                  "table is too busy, try again",
                  root_.string(), request.operation, options_.max_commit_attempts)};
}

core::Status DeltaTable::check_schema(duckdb_connection connection, const std::string& select_sql,
                                      const DeltaSchema& schema) const {
  auto described = sql::duck::describe(connection, select_sql);
  if (!described) {
    return core::Error{fmt::format("{}: the rows to write do not form a query: {}", root_.string(),
                                   described.error())};
  }
  std::vector<std::string> seen;
  for (const auto& [column, type] : described.value()) {
    const DeltaField* field = schema.find(column);
    if (field == nullptr) {
      return core::Error{fmt::format("{}: column {} is not in the table's schema (columns: {})",
                                     root_.string(), column, [&] {
                                       std::vector<std::string> names;
                                       for (const auto& f : schema.fields) {
                                         names.push_back(f.name);
                                       }
                                       return fmt::format("{}", fmt::join(names, ", "));
                                     }())};
    }
    auto delta_type = delta_type_of(type);
    if (!delta_type) {
      return core::Error{
          fmt::format("{}: column {}: {}", root_.string(), column, delta_type.error())};
    }
    if (delta_type.value() != field->type) {
      return core::Error{fmt::format("{}: column {} is {} in the table; the write has {} ({})",
                                     root_.string(), column, field->type, delta_type.value(),
                                     type)};
    }
    seen.push_back(column);
  }
  for (const DeltaField& field : schema.fields) {
    if (std::find(seen.begin(), seen.end(), field.name) == seen.end()) {
      return core::Error{fmt::format("{}: the write has no column {} ({})", root_.string(),
                                     field.name, field.type)};
    }
  }
  return core::ok_status();
}

core::Result<CommitResult> DeltaTable::append(duckdb_connection connection,
                                              const std::string& select_sql,
                                              const std::vector<Txn>& txns) {
  if (auto checked = check_schema(connection, select_sql, snapshot_.schema); !checked) {
    return core::Error{checked.error()};
  }
  auto files = parquet_.write_data_files(connection, select_sql, root_, snapshot_.schema,
                                         snapshot_.metadata.partition_columns);
  if (!files) return core::Error{files.error()};
  CommitRequest request;
  request.operation = "WRITE";
  request.operation_parameters_json = R"({"mode":"Append"})";
  for (AddFile& add : files.value()) request.actions.emplace_back(std::move(add));
  for (const Txn& txn : txns) request.actions.emplace_back(txn);
  if (request.actions.empty()) return CommitResult{snapshot_.version, 0, 0, 0, 0};
  return commit(std::move(request));
}

core::Result<CommitResult> DeltaTable::append_partitions(
    duckdb_connection connection, const std::vector<PartitionRows>& partitions,
    const std::vector<Txn>& txns) {
  CommitRequest request;
  request.operation = "WRITE";
  request.operation_parameters_json = R"({"mode":"Append"})";
  for (const PartitionRows& rows : partitions) {
    auto files = parquet_.write_partition_file(connection, rows.select_sql, root_, snapshot_.schema,
                                               rows.partition);
    if (!files) return core::Error{files.error()};
    for (AddFile& add : files.value()) request.actions.emplace_back(std::move(add));
  }
  for (const Txn& txn : txns) request.actions.emplace_back(txn);
  if (request.actions.empty()) return CommitResult{snapshot_.version, 0, 0, 0, 0};
  return commit(std::move(request));
}

core::Result<CommitResult> DeltaTable::overwrite(duckdb_connection connection,
                                                 const std::string& select_sql,
                                                 const std::vector<std::string>& partitions,
                                                 const std::vector<Txn>& txns) {
  return replace(connection, select_sql, partitions, nullptr, txns);
}

core::Result<CommitResult> DeltaTable::overwrite_with_definition(
    duckdb_connection connection, const std::string& select_sql,
    const std::vector<std::string>& partitions, const TableDefinition& definition,
    const std::vector<Txn>& txns) {
  return replace(connection, select_sql, partitions, &definition, txns);
}

core::Result<CommitResult> DeltaTable::replace(duckdb_connection connection,
                                               const std::string& select_sql,
                                               const std::vector<std::string>& partitions,
                                               const TableDefinition* definition,
                                               const std::vector<Txn>& txns) {
  const DeltaSchema& schema = definition != nullptr ? definition->schema : snapshot_.schema;
  const auto& partition_columns =
      definition != nullptr ? definition->partition_columns : snapshot_.metadata.partition_columns;
  if (!partitions.empty() && partition_columns.empty()) {
    return core::Error{fmt::format("{}: replaceWhere needs a partitioned table", root_.string())};
  }
  if (auto checked = check_schema(connection, select_sql, schema); !checked) {
    return core::Error{checked.error()};
  }
  const DeltaField* partition_field =
      partition_columns.empty() ? nullptr : schema.find(partition_columns.front());
  if (!partitions.empty()) {
    if (partition_field == nullptr) {
      return core::Error{fmt::format("{}: partition column {} is not in the schema", root_.string(),
                                     partition_columns.front())};
    }
    // Rows outside the replaced partitions would silently add to partitions nobody replaced.
    std::vector<std::string> inside;
    for (const std::string& value : partitions) {
      inside.push_back(partition_condition(*partition_field, value));
    }
    const std::string outside = fmt::format(
        "SELECT CAST({0} AS VARCHAR) FROM ({1}) WHERE NOT coalesce({2}, false) OR {0} IS NULL "
        "LIMIT 1",
        sql::duck::quote_identifier(partition_columns.front()), select_sql,
        fmt::join(inside, " OR "));
    sql::duck::Result found;
    if (duckdb_query(connection, outside.c_str(), found.out()) == DuckDBError) {
      return core::Error{fmt::format("{}: cannot check the rows' partitions: {}", root_.string(),
                                     duckdb_result_error(found.get()))};
    }
    if (duckdb_row_count(found.get()) > 0) {
      sql::duck::DuckString value(duckdb_value_varchar(found.get(), 0, 0));
      return core::Error{fmt::format(
          "{}: a row has {} = {}, outside the partitions being replaced ({})", root_.string(),
          partition_columns.front(), value ? value.get() : "NULL", fmt::join(partitions, ", "))};
    }
  }
  core::Result<std::vector<AddFile>> files = std::vector<AddFile>{};
  if (partitions.empty()) {
    files = parquet_.write_data_files(connection, select_sql, root_, schema, partition_columns);
  } else {
    // One file a partition without PARTITION_BY, which buffers every row before encoding: the
    // SELECT runs once a partition, so callers pass a table or a cheap view.
    const std::string column = sql::duck::quote_identifier(partition_columns.front());
    for (const std::string& value : partitions) {
      auto written = parquet_.write_partition_file(
          connection,
          fmt::format("SELECT * EXCLUDE ({}) FROM ({}) WHERE {}", column, select_sql,
                      partition_condition(*partition_field, value)),
          root_, schema, {{partition_columns.front(), value}});
      if (!written) return core::Error{written.error()};
      for (AddFile& add : written.value()) files.value().push_back(std::move(add));
    }
  }
  if (!files) return core::Error{files.error()};

  CommitRequest request;
  request.operation = "WRITE";
  nlohmann::json parameters{{"mode", "Overwrite"}};
  const std::int64_t when = now_ms();
  if (definition != nullptr) {
    Metadata metadata = snapshot_.metadata;
    metadata.schema_string = serialize_schema(definition->schema);
    metadata.partition_columns = definition->partition_columns;
    request.actions.emplace_back(std::move(metadata));
    parameters["overwriteSchema"] = true;
  }
  if (partitions.empty() || definition != nullptr) {
    request.replaces_table = true;
  } else {
    std::vector<std::string> predicates;
    for (const std::string& value : partitions) {
      request.replaced_partitions.insert(partition_path({{partition_columns.front(), value}}));
      predicates.push_back(fmt::format("{} = '{}'", partition_columns.front(), value));
    }
    parameters["predicate"] = fmt::format("{}", fmt::join(predicates, " OR "));
  }
  request.operation_parameters_json = parameters.dump();
  for (const AddFile& live : snapshot_.files) {
    bool replaced = request.replaces_table;
    if (!replaced && !live.partition_values.empty()) {
      const auto& value = live.partition_values.front().second;
      replaced =
          value && std::find(partitions.begin(), partitions.end(), *value) != partitions.end();
    }
    if (replaced) request.actions.emplace_back(remove_of(live, true, when));
  }
  for (AddFile& add : files.value()) request.actions.emplace_back(std::move(add));
  if (request.actions.empty() && txns.empty()) return CommitResult{snapshot_.version, 0, 0, 0, 0};
  for (const Txn& txn : txns) request.actions.emplace_back(txn);
  return commit(std::move(request));
}

core::Result<OptimizeResult> DeltaTable::optimize(std::uint64_t target_file_bytes) {
  if (auto refreshed = refresh(); !refreshed) return core::Error{refreshed.error()};
  // Bins of small files per partition, each up to about the target size.
  std::map<std::string, std::vector<std::vector<const AddFile*>>> bins;
  std::map<std::string, std::vector<const AddFile*>> small_files;
  for (const AddFile& file : snapshot_.files) {
    if (static_cast<std::uint64_t>(file.size) < target_file_bytes) {
      small_files[partition_path(file.partition_values)].push_back(&file);
    }
  }
  for (auto& [partition, files] : small_files) {
    std::vector<const AddFile*> bin;
    std::uint64_t bytes = 0;
    for (const AddFile* file : files) {
      bin.push_back(file);
      bytes += static_cast<std::uint64_t>(file->size);
      if (bytes >= target_file_bytes) {
        if (bin.size() > 1) bins[partition].push_back(std::move(bin));
        bin.clear();
        bytes = 0;
      }
    }
    if (bin.size() > 1) bins[partition].push_back(std::move(bin));
  }
  OptimizeResult result;
  if (bins.empty()) return result;

  auto connection = parquet_.connect();
  if (!connection) return core::Error{connection.error()};
  CommitRequest request;
  request.operation = "OPTIMIZE";
  request.operation_parameters_json = nlohmann::json{{"targetSize", target_file_bytes}}.dump();
  const std::int64_t when = now_ms();
  for (const auto& [partition, partition_bins] : bins) {
    for (const auto& bin : partition_bins) {
      Snapshot subset = snapshot_;
      subset.files.clear();
      for (const AddFile* file : bin) subset.files.push_back(*file);
      auto select = parquet_.scan_sql(subset);
      if (!select) return core::Error{select.error()};
      auto written =
          parquet_.write_data_files(connection.value().get(), select.value(), root_,
                                    snapshot_.schema, snapshot_.metadata.partition_columns, false);
      if (!written) return core::Error{written.error()};
      for (const AddFile* file : bin) request.actions.emplace_back(remove_of(*file, false, when));
      result.files_removed += bin.size();
      result.files_added += written.value().size();
      for (AddFile& add : written.value()) request.actions.emplace_back(std::move(add));
    }
    ++result.partitions_compacted;
  }
  auto committed = commit(std::move(request));
  if (!committed) return core::Error{committed.error()};
  result.version = committed.value().version;
  return result;
}

core::Result<VacuumResult> DeltaTable::vacuum(std::chrono::hours retention, bool dry_run) {
  if (auto refreshed = refresh(); !refreshed) return core::Error{refreshed.error()};
  const std::int64_t cutoff_ms =
      now_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(retention).count();
  std::unordered_set<std::string> referenced;
  for (const AddFile& file : snapshot_.files) {
    auto decoded = decode_path(file.path);
    if (decoded) referenced.insert(std::filesystem::path(decoded.value()).lexically_normal());
  }
  // A file removed within the retention is still read by time travel to the versions before it.
  for (const RemoveFile& removed : snapshot_.tombstones) {
    if (removed.deletion_timestamp.value_or(0) >= cutoff_ms) {
      auto decoded = decode_path(removed.path);
      if (decoded) referenced.insert(std::filesystem::path(decoded.value()).lexically_normal());
    }
  }
  VacuumResult result;
  result.dry_run = dry_run;
  std::error_code error;
  std::filesystem::recursive_directory_iterator walk(root_, error);
  if (error) return core::Error{fmt::format("cannot list {}: {}", root_.string(), error.message())};
  for (auto it = walk; it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (error) {
      return core::Error{fmt::format("cannot list {}: {}", root_.string(), error.message())};
    }
    const std::filesystem::path relative = it->path().lexically_relative(root_);
    const std::string first = relative.begin()->string();
    // The log, and hidden or underscore folders (_change_data, …) belong to Delta, not to data.
    if (!first.empty() && (first.front() == '_' || first.front() == '.')) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    if (referenced.contains(relative.lexically_normal().string())) continue;
    const auto modified =
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::file_clock::to_sys(it->last_write_time()).time_since_epoch())
            .count();
    if (modified >= cutoff_ms) continue;
    result.bytes += it->file_size();
    result.deleted.push_back(it->path());
  }
  std::sort(result.deleted.begin(), result.deleted.end());
  if (!dry_run) {
    for (const auto& path : result.deleted) {
      if (!std::filesystem::remove(path, error) && error) {
        return core::Error{
            fmt::format("vacuum: cannot delete {}: {}", path.string(), error.message())};
      }
    }
  }
  return result;
}

core::Result<std::int64_t> DeltaTable::checkpoint() {
  return checkpoint(snapshot_, parquet_);
}

core::Result<std::int64_t> DeltaTable::checkpoint(const Snapshot& snapshot, ParquetIo& parquet) {
  auto actions = parquet.write_checkpoint(snapshot);
  if (!actions) return core::Error{actions.error()};
  LogStore store(snapshot.table_root);
  if (auto written = store.write_last_checkpoint({snapshot.version, actions.value(), {}});
      !written) {
    return core::Error{written.error()};
  }
  return snapshot.version;
}

}  // namespace shoplake::lake
