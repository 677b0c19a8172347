#include "duckdb_catalog.hpp"

#include <fmt/format.h>

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
                             std::filesystem::path lake_directory)
    : connection_(std::move(connection)),
      live_tables_(live_tables),
      lake_directory_(std::move(lake_directory)) {}

core::Status DuckdbCatalog::replace_view(const std::string& schema, const std::string& name,
                                         const std::string& select, const char* engine) {
  std::string view = qualified(schema, name);
  const std::string statements[] = {
      "BEGIN TRANSACTION",
      fmt::format("CREATE OR REPLACE VIEW {} AS {}", view, select),
      fmt::format("COMMENT ON VIEW {} IS '{}'", view, engine),
      "COMMIT",
  };
  for (const auto& statement : statements) {
    if (auto error = duck::run(connection_.get(), statement)) {
      duck::run(connection_.get(), "ROLLBACK");
      return core::Error{fmt::format("cannot publish {}.{}: {}", schema, name, error->message)};
    }
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
  std::string key = live_tables_.add(
      schema, name, LiveTable{schema + "." + name, std::move(columns), std::move(scan)});
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
  } else {
    std::string list;
    for (const auto& file : files) {
      if (lake_directory_.empty() || !is_inside(file, lake_directory_)) {
        return core::Error{fmt::format("{}.{}: {} is not inside the lake directory {}", schema,
                                       name, file.string(), lake_directory_.string())};
      }
      list += (list.empty() ? "" : ", ") + duck::quote_literal(file.lexically_normal().string());
    }
    select = fmt::format("SELECT * FROM read_parquet([{}], union_by_name = true)", list);
  }
  std::lock_guard lock(mutex_);
  return replace_view(schema, name, select, "DeltaLake");
}

core::Status DuckdbCatalog::drop_table(const std::string& schema, const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto error = duck::run(connection_.get(), "DROP VIEW IF EXISTS " + qualified(schema, name))) {
    return core::Error{fmt::format("cannot drop {}.{}: {}", schema, name, error->message)};
  }
  live_tables_.remove(schema, name);
  return core::ok_status();
}

}  // namespace shoplake::sql
