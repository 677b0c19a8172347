// The one mapping from DuckDB types to ClickHouse types: used for query results and for the
// `type` column of system.columns (through the SQL function clickhouse_type).
#pragma once

#include <duckdb.h>

#include <string>
#include <string_view>

#include "shoplake/sql/result.hpp"

namespace shoplake::sql {

// DuckDB's name of a type as duckdb_columns() prints it: "DECIMAL(18,2)", "VARCHAR[]",
// "TIMESTAMP WITH TIME ZONE". Unknown or composite names map to String.
ColumnType column_type_from_duckdb_name(std::string_view duckdb_name);

// The DuckDB name of a result column's type, in the same spelling.
std::string duckdb_type_name(duckdb_logical_type type);

}  // namespace shoplake::sql
