// Where components publish tables for users to query, without knowing DuckDB. Schemas realtime,
// bronze, silver, gold and meta exist from the start; a published table replaces the previous
// version atomically, so a reader sees the old snapshot or the new one, never a mix.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/result.hpp"

namespace shoplake::sql {

// The column types a publisher can declare.
// timestamp_s is ClickHouse's DateTime (whole seconds), timestamp_ms its DateTime64(3).
enum class TableColumnType {
  boolean,
  int64,
  uint64,
  float64,
  string,
  date,
  timestamp_s,
  timestamp_ms
};

struct TableColumn {
  std::string name;
  TableColumnType type;
};

// A live table's current rows, produced when a query scans it. Fill one ColumnData per column,
// with the Storage that TableColumnType maps to (int64/boolean->i64 and u64, float64->f64,
// string->str, date->i64 days, timestamp_s->i64 seconds, timestamp_ms->i64 milliseconds).
using LiveTableScan = std::function<ResultChunk()>;

// Where the engine keeps ClickHouse's system.databases/tables/columns/one views (DuckDB's own
// catalog called `system` makes a schema of that name ambiguous).
inline constexpr const char* kClickHouseSystemSchema = "clickhouse_system";

class Catalog {
 public:
  virtual ~Catalog() = default;
  static constexpr const char* kSchemas[] = {"realtime", "bronze", "silver", "gold", "meta"};

  // realtime.*: rows come from `scan` at query time (the stream engine's in-memory state).
  virtual core::Status publish_live_table(const std::string& schema, const std::string& name,
                                          std::vector<TableColumn> columns, LiveTableScan scan) = 0;
  // bronze/silver/gold.*: the current snapshot of a Delta table, as its Parquet files (under the
  // lake directory). No files: the table exists with `columns` and zero rows.
  virtual core::Status publish_parquet_snapshot(const std::string& schema, const std::string& name,
                                                std::vector<TableColumn> columns,
                                                std::vector<std::filesystem::path> files) = 0;
  virtual core::Status drop_table(const std::string& schema, const std::string& name) = 0;
};

}  // namespace shoplake::sql
