// Sorting DuckDB's errors into the kinds a ClickHouse client understands.
#pragma once

#include <duckdb.h>

#include <string_view>

#include "shoplake/sql/engine.hpp"

namespace shoplake::sql {

// From DuckDB's error type, refined by its message where one type covers several kinds (a
// catalog error may be about a table, a schema or a function).
QueryErrorKind classify_duckdb_error(duckdb_error_type type, std::string_view message);

// DuckDB's error type from the "Binder Error: …" prefix of a message, for the C API calls that
// report only a message (duckdb_prepare_error, duckdb_extract_statements_error).
duckdb_error_type duckdb_error_type_of_message(std::string_view message);

}  // namespace shoplake::sql
