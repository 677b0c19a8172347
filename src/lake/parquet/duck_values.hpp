// Running queries on the lake's own DuckDB and reading typed values out of result chunks
// (internal to shoplake_lake_parquet). The chunk API is the only way to read MAP and STRUCT
// columns, which COPY … RETURN_STATS and parquet_schema() return.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::lake::parquet_detail {

// Runs `sql`; the error reads "<what>: <DuckDB's message>".
core::Result<sql::duck::Result> query(duckdb_connection connection, const std::string& sql,
                                      std::string_view what);
core::Status execute(duckdb_connection connection, const std::string& sql, std::string_view what);

// The index of the result column called `name`, if there is one.
std::optional<idx_t> column_index(duckdb_result* result, std::string_view name);

// Every chunk of a result, in order; `visit(chunk)` returns false to stop early.
template <typename Visit>
void for_each_chunk(duckdb_result* result, Visit&& visit) {
  while (true) {
    sql::duck::DataChunk chunk(duckdb_fetch_chunk(*result));
    if (!chunk) return;
    if (!visit(chunk.get())) return;
  }
}

bool is_valid(duckdb_vector vector, idx_t row);

// A VARCHAR value; nullopt for NULL.
std::optional<std::string> string_at(duckdb_vector vector, idx_t row);

// An integer of any width (TINYINT … UBIGINT, as DuckDB picks for counts); nullopt for NULL or
// a non-integer column, or a UBIGINT beyond int64.
std::optional<std::int64_t> integer_at(duckdb_vector vector, duckdb_type type, idx_t row);

// A MAP(VARCHAR, VARCHAR) value as its entries in order (NULL map: none).
using StringMap = std::vector<std::pair<std::string, std::optional<std::string>>>;
StringMap string_map_at(duckdb_vector vector, idx_t row);

// A MAP(VARCHAR, MAP(VARCHAR, VARCHAR)) value, e.g. RETURN_STATS' column_statistics.
using NestedStringMap = std::vector<std::pair<std::string, StringMap>>;
NestedStringMap nested_string_map_at(duckdb_vector vector, idx_t row);

}  // namespace shoplake::lake::parquet_detail
