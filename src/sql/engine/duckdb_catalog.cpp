#include "duckdb_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "live_vectors.hpp"
#include "system_schema.hpp"

namespace shoplake::sql {
namespace {

std::string qualified(const std::string& schema, const std::string& name) {
  return duck::quote_identifier(schema) + "." + duck::quote_identifier(name);
}

bool is_inside(const std::filesystem::path& file, const std::filesystem::path& directory) {
  auto normal = file.lexically_normal();
  auto relative = normal.lexically_relative(directory);
  return file.is_absolute() && !relative.empty() && *relative.begin() != "..";
}

}  // namespace

DuckdbCatalog::DuckdbCatalog(duck::Connection connection, LiveTableRegistry& live_tables,
                             LakeScanRegistry& lake_scans, std::filesystem::path lake_directory)
    : connection_(std::move(connection)),
      live_tables_(live_tables),
      lake_scans_(lake_scans),
      lake_directory_(std::move(lake_directory)) {}

core::Status DuckdbCatalog::replace_view(const std::string& schema, const std::string& name,
                                         const std::string& select, const char* engine) {
  std::string view = qualified(schema, name);
  return run_switch(
      view,
      {"BEGIN TRANSACTION", fmt::format("CREATE OR REPLACE VIEW {} AS {}", view, select),
       fmt::format("COMMENT ON VIEW {} IS '{}'", view, engine)},
      "");
}

core::Status DuckdbCatalog::replace_with_copy(const std::string& schema, const std::string& name,
                                              const std::string& files_select) {
  const std::string view = qualified(schema, name);
  const std::string copy =
      qualified(kSnapshotSchema, fmt::format("{}.{}#{}", schema, name, next_copy_++));
  std::vector<std::string> statements = {
      "BEGIN TRANSACTION",
      fmt::format("CREATE TABLE {} AS {}", copy, files_select),
      fmt::format("CREATE OR REPLACE VIEW {} AS SELECT * FROM {}", view, copy),
      fmt::format("COMMENT ON VIEW {} IS 'DeltaLake'", view),
  };
  return run_switch(view, std::move(statements), copy);
}

core::Status DuckdbCatalog::run_switch(const std::string& view, std::vector<std::string> statements,
                                       const std::string& new_copy) {
  // The copy the view read until now goes with the switch; queries that began before it keep
  // reading it (DuckDB's catalog is versioned like its data).
  const auto previous = copy_of_.find(view);
  if (previous != copy_of_.end()) statements.push_back("DROP TABLE IF EXISTS " + previous->second);
  statements.push_back("COMMIT");
  version_.fetch_add(1, std::memory_order_acq_rel);
  for (const auto& statement : statements) {
    if (auto error = duck::run(connection_.get(), statement)) {
      duck::run(connection_.get(), "ROLLBACK");
      version_.fetch_add(1, std::memory_order_acq_rel);
      return core::Error{fmt::format("cannot publish {}: {}", view, error->message)};
    }
  }
  version_.fetch_add(1, std::memory_order_acq_rel);
  lake_scan_of_.erase(view);
  if (new_copy.empty()) {
    copy_of_.erase(view);
  } else {
    copy_of_[view] = new_copy;
  }
  return core::ok_status();
}

core::Status DuckdbCatalog::publish_live_table(const std::string& schema, const std::string& name,
                                               std::vector<TableColumn> columns,
                                               LiveTableScan scan) {
  if (columns.empty()) {
    return core::Error{fmt::format("live table {}.{} has no columns", schema, name)};
  }
  if (!scan) return core::Error{fmt::format("live table {}.{} has no scan function", schema, name)};
  std::lock_guard lock(mutex_);
  settled_rows_.erase(qualified(schema, name));
  return publish_live_version(
      schema, name,
      LiveTable{schema + "." + name, std::move(columns),
                [scan = std::move(scan)](std::int64_t /*from*/) { return scan(); }, nullptr});
}

core::Status DuckdbCatalog::publish_live_version(const std::string& schema, const std::string& name,
                                                 LiveTable table) {
  std::string key = live_tables_.add(schema, name, std::move(table));
  auto replaced = replace_view(schema, name,
                               fmt::format("SELECT * FROM {}({})", LiveTableRegistry::kFunctionName,
                                           duck::quote_literal(key)),
                               "Memory");
  if (replaced) {
    live_tables_.commit(schema, name, key);
  } else {
    live_tables_.abandon(key);
  }
  return replaced;
}

core::Status DuckdbCatalog::publish_time_series(const std::string& schema, const std::string& name,
                                                std::vector<TableColumn> columns,
                                                const std::string& time_column,
                                                TimeSeriesScan scan) {
  const auto time = std::find_if(columns.begin(), columns.end(), [&](const TableColumn& column) {
    return column.name == time_column;
  });
  if (time == columns.end() || time->type != TableColumnType::timestamp_s) {
    return core::Error{
        fmt::format("time series {}.{} has no timestamp_s column {}", schema, name, time_column)};
  }
  if (!scan) return core::Error{fmt::format("live table {}.{} has no scan function", schema, name)};
  auto settled = std::make_shared<SettledRows>(schema + "." + name, columns,
                                               static_cast<std::size_t>(time - columns.begin()));
  std::lock_guard lock(mutex_);
  auto published = publish_live_version(
      schema, name, LiveTable{schema + "." + name, std::move(columns), std::move(scan), settled});
  if (published) settled_rows_[qualified(schema, name)] = std::move(settled);
  return published;
}

core::Status DuckdbCatalog::settle_time_series(const std::string& schema, const std::string& name,
                                               ResultChunk rows, std::int64_t boundary,
                                               std::int64_t keep_from) {
  std::shared_ptr<SettledRows> settled;
  {
    std::lock_guard lock(mutex_);
    const auto found = settled_rows_.find(qualified(schema, name));
    if (found == settled_rows_.end()) {
      return core::Error{fmt::format("{}.{} is not a published time series", schema, name)};
    }
    settled = found->second;
  }
  return settled->settle(rows, boundary, keep_from);
}

core::Status DuckdbCatalog::publish_parquet_snapshot(const std::string& schema,
                                                     const std::string& name,
                                                     std::vector<TableColumn> columns,
                                                     std::vector<std::filesystem::path> files) {
  std::string select;
  if (files.empty()) {
    if (columns.empty()) {
      return core::Error{fmt::format("{}.{} has neither files nor columns", schema, name)};
    }
    for (const auto& column : columns) {
      select += select.empty() ? "SELECT " : ", ";
      select += fmt::format("CAST(NULL AS {}) AS {}", live_column_duckdb_name(column.type),
                            duck::quote_identifier(column.name));
    }
    select += " WHERE false";
    std::lock_guard lock(mutex_);
    return replace_view(schema, name, select, "DeltaLake");
  }
  std::string list;
  for (const auto& file : files) {
    list += (list.empty() ? "" : ", ") + duck::quote_literal(file.lexically_normal().string());
  }
  return publish_file_snapshot(
      schema, name, fmt::format("SELECT * FROM read_parquet([{}], union_by_name = true)", list),
      std::move(files));
}

core::Status DuckdbCatalog::publish_file_snapshot(const std::string& schema,
                                                  const std::string& name,
                                                  const std::string& select_sql,
                                                  std::vector<std::filesystem::path> files,
                                                  bool copy_when_small) {
  std::uintmax_t bytes = 0;
  for (const auto& file : files) {
    if (lake_directory_.empty() || !is_inside(file, lake_directory_)) {
      return core::Error{fmt::format("{}.{}: {} is not inside the lake directory {}", schema, name,
                                     file.string(), lake_directory_.string())};
    }
    std::error_code size_error;
    const std::uintmax_t size = std::filesystem::file_size(file, size_error);
    bytes += size_error ? kMaterializeBytes : size;
  }
  std::lock_guard lock(mutex_);
  if (files.empty()) return replace_view(schema, name, select_sql, "DeltaLake");
  if (copy_when_small && bytes <= kMaterializeBytes) {
    return replace_with_copy(schema, name, select_sql);
  }
  return publish_lake_scan(schema, name, select_sql);
}

core::Status DuckdbCatalog::publish_lake_scan(const std::string& schema, const std::string& name,
                                              const std::string& select_sql) {
  const std::string view = qualified(schema, name);
  auto columns = described_columns(select_sql);
  if (!columns) return core::Error{fmt::format("cannot publish {}: {}", view, columns.error())};
  if (const auto found = lake_scan_of_.find(view);
      found != lake_scan_of_.end() && found->second.columns == columns.value()) {
    lake_scans_.set(found->second.key, select_sql);
    return core::ok_status();
  }
  // New columns get a new key: a query that began before the view is replaced binds the old
  // view, whose columns its key's SQL still returns.
  const std::string key = fmt::format("{}.{}#{}", schema, name, next_scan_++);
  lake_scans_.set(key, select_sql);
  auto replaced =
      replace_view(schema, name,
                   fmt::format("SELECT * FROM query({}({}))", LakeScanRegistry::kFunctionName,
                               duck::quote_literal(key)),
                   "DeltaLake");
  if (replaced) lake_scan_of_[view] = LakeScanView{key, std::move(columns).value()};
  return replaced;
}

core::Result<std::string> DuckdbCatalog::described_columns(const std::string& select_sql) {
  auto described = duck::describe(connection_.get(), select_sql);
  if (!described) return core::Error{described.error()};
  std::string columns;
  for (const auto& column : described.value()) {
    columns += fmt::format("{} {}\n", column.name, column.type);
  }
  return columns;
}

core::Status DuckdbCatalog::drop_table(const std::string& schema, const std::string& name) {
  std::lock_guard lock(mutex_);
  const std::string view = qualified(schema, name);
  if (auto dropped = run_switch(view, {"BEGIN TRANSACTION", "DROP VIEW IF EXISTS " + view}, "");
      !dropped) {
    return dropped;
  }
  settled_rows_.erase(view);
  live_tables_.remove(schema, name);
  return core::ok_status();
}

void DuckdbCatalog::set_time_travel_resolver(TimeTravelResolver resolver) {
  std::lock_guard lock(resolver_mutex_);
  time_travel_resolver_ = std::move(resolver);
}

TimeTravelResolver DuckdbCatalog::time_travel_resolver() const {
  std::lock_guard lock(resolver_mutex_);
  return time_travel_resolver_;
}

}  // namespace shoplake::sql
