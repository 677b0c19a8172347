// A query result as shoplake passes it around: column names with their ClickHouse and DuckDB type
// names, then the rows in chunks of columns. The engine fills it from DuckDB; the output formats,
// the JSON API and the ClickHouse export read it. Nothing here knows DuckDB.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace shoplake::sql {

// How a column's values are held in ColumnData, and so how a format prints them.
enum class Storage : std::uint8_t {
  int64,       // Int8..Int64                               -> ColumnData::i64
  uint64,      // UInt8..UInt64 (DuckDB BOOLEAN is UInt8)     -> ColumnData::u64
  float32,     // Float32, widened                            -> ColumnData::f64
  float64,     // Float64                                     -> ColumnData::f64
  decimal,     // Decimal(P, S), as its exact decimal text    -> ColumnData::str
  string,      // String (also UUID, Int128, intervals, anything without a better match)
  date,        // Date: days since 1970-01-01                 -> ColumnData::i64
  datetime,    // DateTime: seconds since the epoch, UTC      -> ColumnData::i64
  datetime64,  // DateTime64(S): units of 10^-S s, UTC        -> ColumnData::i64
  array,       // Array(T): offsets into ColumnData::element
};

struct ColumnType {
  Storage storage = Storage::string;
  std::string clickhouse_name;  // "UInt64", "DateTime64(3)", "Decimal(18, 2)", "Array(String)"
  std::string duckdb_name;      // "UBIGINT", "TIMESTAMP_MS", "DECIMAL(18,2)", "VARCHAR[]"
  std::uint8_t scale = 0;       // digits after the point: Decimal and DateTime64
  std::shared_ptr<const ColumnType> element;  // Array's element type
};

struct ColumnInfo {
  std::string name;
  ColumnType type;
};

// One column of a chunk. Only the vector that the column's Storage names is filled; `null` has
// one entry per row (1 = NULL; the value slot at that row is then unspecified but present).
struct ColumnData {
  std::vector<std::uint8_t> null;
  std::vector<std::int64_t> i64;
  std::vector<std::uint64_t> u64;
  std::vector<double> f64;
  std::vector<std::string> str;
  std::vector<std::uint32_t>
      offsets;  // array: rows + 1 entries; row r is [offsets[r], offsets[r+1])
  std::unique_ptr<ColumnData> element;  // array: the elements of every row, end to end
};

struct ResultChunk {
  std::size_t rows = 0;
  std::vector<ColumnData> columns;  // in ColumnInfo order
};

// What ClickHouse reports in JSON's "statistics" and X-ClickHouse-Summary.
struct QueryStatistics {
  double elapsed_seconds = 0;
  std::uint64_t rows_read = 0;
  std::uint64_t bytes_read = 0;
};

}  // namespace shoplake::sql
