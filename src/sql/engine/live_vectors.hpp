// Rows a publisher produced (ResultChunk columns) written into DuckDB vectors: the one way live
// rows reach DuckDB, for a query's scan and for the settled rows of a time series alike.
#pragma once

#include <duckdb.h>

#include <cstddef>
#include <string>
#include <vector>

#include "shoplake/sql/catalog.hpp"
#include "shoplake/sql/result.hpp"

namespace shoplake::sql {

// The DuckDB type of a column of `type`; the caller destroys it.
duckdb_logical_type create_live_column_type(TableColumnType type);
// Its name in DuckDB's SQL (CAST(NULL AS <name>)).
std::string live_column_duckdb_name(TableColumnType type);

// Why `chunk` cannot be the rows of a table with `columns` (named `table_name` in the message),
// or empty when it can.
std::string check_live_shape(const std::string& table_name, const std::vector<TableColumn>& columns,
                             const ResultChunk& chunk);

// Rows [first, first + count) of `column` into `vector` from row `at` on.
void write_live_column(TableColumnType type, const ColumnData& column, std::size_t first,
                       idx_t count, duckdb_vector vector, idx_t at = 0);

}  // namespace shoplake::sql
