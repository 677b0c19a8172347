// The SQL engine: an embedded DuckDB behind a read-only front door. Users' queries (DuckDB SQL;
// the ClickHouse HTTP layer translates its dialect first) run on pooled connections with a
// timeout, a row limit and the memory limit; the other components publish their tables through
// catalog() without knowing DuckDB.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/catalog.hpp"
#include "shoplake/sql/result.hpp"
#include "shoplake/sql/statement_clock.hpp"

namespace shoplake::sql {

struct EngineOptions {
  // DuckDB threads for one query. Each query also runs on its own connection's thread, so
  // concurrent queries use every core whatever this is; above 1, a small query pays for waking
  // DuckDB's workers (a dashboard query's p50 1.0 -> 1.5 ms, docs/BENCHMARKS.md), a large scan
  // runs faster.
  int threads = 1;
  std::string memory_limit = "1GB";      // DuckDB syntax
  std::filesystem::path lake_directory;  // the only directory queries may read files from
  std::chrono::milliseconds query_timeout{30'000};
  std::uint64_t max_result_rows = 1'000'000;  // per query unless the request asks for fewer
  // Trusted statements run once at open, after the schemas exist: e.g. the ClickHouse function
  // macros (clickhouse_dialect.hpp). Users can never run such statements themselves.
  std::vector<std::string> setup_sql;
};

// A bound parameter of POST /v1/query: $1, $2, … (or $name) in DuckDB syntax.
using QueryParameter = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string>;

struct QueryRequest {
  std::string sql;       // DuckDB SQL, one statement
  std::string database;  // the schema unqualified names resolve in; empty: "default" (= main)
  std::vector<QueryParameter> parameters;
  std::vector<std::pair<std::string, QueryParameter>> named_parameters;
  std::optional<std::uint64_t> max_result_rows;      // lowers EngineOptions' limit
  std::optional<std::chrono::milliseconds> timeout;  // lowers EngineOptions' timeout
  // The query's now (kClockParameter), when the caller fixed it, as a translated ClickHouse
  // query's date literals were; empty: the moment it starts.
  std::optional<StatementClock> clock;
};

// Why a query failed; the ClickHouse HTTP layer maps each to ClickHouse's error code.
enum class QueryErrorKind {
  syntax,            // 62 SYNTAX_ERROR
  unknown_table,     // 60 UNKNOWN_TABLE
  unknown_database,  // 81 UNKNOWN_DATABASE
  unknown_column,    // 47 UNKNOWN_IDENTIFIER
  unknown_function,  // 46 UNKNOWN_FUNCTION
  bad_arguments,     // 43 ILLEGAL_TYPE_OF_ARGUMENT / 42 NUMBER_OF_ARGUMENTS_DOESNT_MATCH
  readonly,          // 164 READONLY: DDL, DML, SET, PRAGMA, … or several statements
  access_denied,     // 497 ACCESS_DENIED: file access outside the lake
  timeout,           // 159 TIMEOUT_EXCEEDED
  too_many_rows,     // 396 TOO_MANY_ROWS_OR_BYTES
  memory_limit,      // 241 MEMORY_LIMIT_EXCEEDED
  internal,          // 1001 STD_EXCEPTION
};

struct QueryError {
  QueryErrorKind kind = QueryErrorKind::internal;
  std::string message;  // says what to change, e.g. "only SELECT … is allowed; got INSERT"
};

// A running query's rows, chunk by chunk, so a large result streams. Holds a pooled connection
// (and the query's read-only transaction) until destroyed; destroy it before the Engine.
class ResultStream {
 public:
  virtual ~ResultStream() = default;
  virtual const std::vector<ColumnInfo>& columns() const = 0;
  // Fills `chunk` with the next rows; false at the end. A failure mid-way (timeout, row limit)
  // comes back as the error.
  virtual std::variant<bool, QueryError> next(ResultChunk& chunk) = 0;
  // rows_read and bytes_read count what the query returned so far (rows, and bytes of values):
  // DuckDB's C API reports rows scanned only with profiling on, which costs every query.
  virtual QueryStatistics statistics() const = 0;
};

class Engine {
 public:
  static core::Result<std::unique_ptr<Engine>> open(const EngineOptions& options);
  virtual ~Engine() = default;

  virtual std::variant<std::unique_ptr<ResultStream>, QueryError> query(
      const QueryRequest& request) = 0;
  virtual Catalog& catalog() = 0;
  virtual std::string duckdb_version() const = 0;
};

}  // namespace shoplake::sql
