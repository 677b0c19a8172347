// Small helpers for the pipeline's queries on the lake's DuckDB: errors as messages, one value.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::pipeline {

core::Status execute(duckdb_connection connection, const std::string& sql);
// The same, keeping the rows in `result`.
core::Status execute(duckdb_connection connection, const std::string& sql,
                     sql::duck::Result& result);
// The first column of the first row (NULL reads as "" / 0).
core::Result<std::string> query_text(duckdb_connection connection, const std::string& sql);
core::Result<std::int64_t> query_int(duckdb_connection connection, const std::string& sql);

}  // namespace shoplake::pipeline
