// What ClickHouse tools expect besides the data: system.databases, system.tables,
// system.columns, system.one, version() and currentDatabase().
//
// DuckDB's own catalog is called `system`, and a schema of that name would make every
// `system.x` ambiguous, so the views live in schema clickhouse_system; the ClickHouse dialect
// turns `system.x` into `clickhouse_system.x` (DuckDB SQL names it so directly).
#pragma once

#include <duckdb.h>

#include <string>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::sql {

inline constexpr const char* kSystemSchema = kClickHouseSystemSchema;
// Where the catalog keeps in-memory copies of small Parquet snapshots (duckdb_catalog.hpp).
inline constexpr const char* kSnapshotSchema = "shoplake_snapshots";

// ClickHouse database name -> DuckDB schema: "" and "default" are main, "system" is
// clickhouse_system.
std::string schema_for_database(const std::string& database);

// Creates the system views and the functions they use; run once, at open.
core::Status install_system_schema(duckdb_connection connection);

// The per-connection part: version() and currentDatabase() as temporary macros, so they shadow
// DuckDB's version() on users' connections only.
core::Status install_connection_macros(duckdb_connection connection);

}  // namespace shoplake::sql
