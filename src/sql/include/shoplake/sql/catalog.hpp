// Where components publish tables for users to query, without knowing DuckDB. Schemas realtime,
// bronze, silver, gold and meta exist from the start; a published table replaces the previous
// version atomically, so a reader sees the old snapshot or the new one, never a mix.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/result.hpp"

namespace shoplake::sql {

// The column types a publisher can declare.
// timestamp_s is ClickHouse's DateTime (whole seconds), timestamp_ms its DateTime64(3).
// event_type is one of the contract's event types (core::EventType): clients see a String, and
// DuckDB holds it as an ENUM of the names in byte order, which groups and sorts as a small
// integer (a dashboard's GROUP BY and ORDER BY event_type cost a third of its time as VARCHAR)
// while ORDER BY still gives the names' order.
enum class TableColumnType {
  boolean,
  int64,
  uint64,
  float64,
  string,
  date,
  timestamp_s,
  timestamp_ms,
  event_type
};

struct TableColumn {
  std::string name;
  TableColumnType type;
};

// A live table's current rows, produced when a query scans it. Fill one ColumnData per column,
// with the Storage that TableColumnType maps to (int64/boolean->i64 and u64, float64->f64,
// string->str, date->i64 days, timestamp_s->i64 seconds, timestamp_ms->i64 milliseconds,
// event_type->u64 holding the core::EventType; a value out of its range reads as NULL).
using LiveTableScan = std::function<ResultChunk()>;

// A live table of rows keyed by a time column, whose rows become final once their time falls
// before a boundary the publisher moves forward (closed minutes). The engine keeps final rows as
// DuckDB vectors that every query reads without a copy, so the publisher builds each row once,
// not once per query; a query asks `scan(from)` only for the rows whose time, in epoch seconds,
// is at or after `from` (the boundary, or the lowest int64 before the first settle).
using TimeSeriesScan = std::function<ResultChunk(std::int64_t from_seconds)>;

// Where the engine keeps ClickHouse's system.databases/tables/columns/one views (DuckDB's own
// catalog called `system` makes a schema of that name ambiguous).
inline constexpr const char* kClickHouseSystemSchema = "clickhouse_system";

// A point in a Delta table's history, for time travel: a version or a time (UTC epoch ms).
struct TimeTravelPoint {
  std::optional<std::int64_t> version;
  std::optional<std::int64_t> timestamp_ms;
};
// The SELECT returning schema.name at `point` (built by the lake), or why there is none.
using TimeTravelResolver = std::function<core::Result<std::string>(
    const std::string& schema, const std::string& name, const TimeTravelPoint& point)>;

class Catalog {
 public:
  virtual ~Catalog() = default;
  static constexpr const char* kSchemas[] = {"realtime", "bronze", "silver", "gold", "meta"};

  // realtime.*: rows come from `scan` at query time (the stream engine's in-memory state).
  virtual core::Status publish_live_table(const std::string& schema, const std::string& name,
                                          std::vector<TableColumn> columns, LiveTableScan scan) = 0;
  // A live table whose rows settle (TimeSeriesScan); `time_column` names a timestamp_s column.
  virtual core::Status publish_time_series(const std::string& schema, const std::string& name,
                                           std::vector<TableColumn> columns,
                                           const std::string& time_column, TimeSeriesScan scan) = 0;
  // Hands rows that are now final to the engine: `rows` are those whose time lies in [the previous
  // boundary, `boundary`) (rows before the previous boundary are left out, so a retry after a
  // failure adds nothing twice). Rows before `keep_from` are no longer shown (the retention).
  // Readers switch to the new boundary atomically. Times are epoch seconds.
  virtual core::Status settle_time_series(const std::string& schema, const std::string& name,
                                          ResultChunk rows, std::int64_t boundary,
                                          std::int64_t keep_from) = 0;
  // bronze/silver/gold.*: the current snapshot of a Delta table, as its Parquet files (under the
  // lake directory). No files: the table exists with `columns` and zero rows.
  virtual core::Status publish_parquet_snapshot(const std::string& schema, const std::string& name,
                                                std::vector<TableColumn> columns,
                                                std::vector<std::filesystem::path> files) = 0;
  // bronze/silver/gold.*, the general form: a Delta snapshot as a SELECT the lake builds over its
  // Parquet files (partition values come from the Delta log, not from the files). Every path in
  // `files` must be inside the lake directory; `select_sql` is trusted and must read no others.
  // With `copy_when_small`, a snapshot of a few MB is copied into memory, which makes queries on
  // tables that change rarely (gold) fast; tables committed every few seconds (bronze) should
  // not pay a copy per commit.
  virtual core::Status publish_file_snapshot(const std::string& schema, const std::string& name,
                                             const std::string& select_sql,
                                             std::vector<std::filesystem::path> files,
                                             bool copy_when_small = true) = 0;
  virtual core::Status drop_table(const std::string& schema, const std::string& name) = 0;
  // Makes `schema.name VERSION AS OF n` / `TIMESTAMP AS OF '…'` work in queries.
  virtual void set_time_travel_resolver(TimeTravelResolver resolver) = 0;
};

}  // namespace shoplake::sql
