#include "live_vectors.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shoplake::sql {
namespace {

// The ColumnData vector holding a column's values, with its length, per catalog.hpp.
std::size_t value_count(TableColumnType type, const ColumnData& column) {
  switch (type) {
    case TableColumnType::boolean:
      return std::max(column.i64.size(), column.u64.size());
    case TableColumnType::uint64:
      return column.u64.size();
    case TableColumnType::float64:
      return column.f64.size();
    case TableColumnType::string:
      return column.str.size();
    default:
      return column.i64.size();
  }
}

}  // namespace

std::string check_live_shape(const std::string& table_name, const std::vector<TableColumn>& columns,
                             const ResultChunk& chunk) {
  if (chunk.columns.size() != columns.size()) {
    return fmt::format("live table {} produced {} columns, but declares {}", table_name,
                       chunk.columns.size(), columns.size());
  }
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const auto& column = chunk.columns[c];
    if (value_count(columns[c].type, column) < chunk.rows ||
        (!column.null.empty() && column.null.size() < chunk.rows)) {
      return fmt::format("live table {}: column {} holds fewer values than its {} rows", table_name,
                         columns[c].name, chunk.rows);
    }
  }
  return {};
}

void write_live_column(TableColumnType type, const ColumnData& column, std::size_t first,
                       idx_t count, duckdb_vector vector, idx_t at) {
  void* data = duckdb_vector_get_data(vector);
  for (idx_t i = 0; i < count; ++i) {
    const std::size_t source = first + i;
    const idx_t row = at + i;
    if (!column.null.empty() && column.null[source] != 0) {
      duckdb_vector_ensure_validity_writable(vector);
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), row);
      continue;
    }
    switch (type) {
      case TableColumnType::boolean:
        static_cast<bool*>(data)[row] =
            source < column.i64.size() ? column.i64[source] != 0 : column.u64[source] != 0;
        break;
      case TableColumnType::int64:
      case TableColumnType::timestamp_s:
      case TableColumnType::timestamp_ms:
        static_cast<std::int64_t*>(data)[row] = column.i64[source];
        break;
      case TableColumnType::uint64:
        static_cast<std::uint64_t*>(data)[row] = column.u64[source];
        break;
      case TableColumnType::float64:
        static_cast<double*>(data)[row] = column.f64[source];
        break;
      case TableColumnType::date:
        static_cast<std::int32_t*>(data)[row] = static_cast<std::int32_t>(column.i64[source]);
        break;
      case TableColumnType::string:
        duckdb_vector_assign_string_element_len(vector, row, column.str[source].data(),
                                                column.str[source].size());
        break;
    }
  }
}

duckdb_type live_column_duckdb_type(TableColumnType type) {
  switch (type) {
    case TableColumnType::boolean:
      return DUCKDB_TYPE_BOOLEAN;
    case TableColumnType::int64:
      return DUCKDB_TYPE_BIGINT;
    case TableColumnType::uint64:
      return DUCKDB_TYPE_UBIGINT;
    case TableColumnType::float64:
      return DUCKDB_TYPE_DOUBLE;
    case TableColumnType::string:
      return DUCKDB_TYPE_VARCHAR;
    case TableColumnType::date:
      return DUCKDB_TYPE_DATE;
    case TableColumnType::timestamp_s:
      return DUCKDB_TYPE_TIMESTAMP_S;
    case TableColumnType::timestamp_ms:
      return DUCKDB_TYPE_TIMESTAMP_MS;
  }
  return DUCKDB_TYPE_VARCHAR;
}

const char* live_column_duckdb_name(TableColumnType type) {
  switch (type) {
    case TableColumnType::boolean:
      return "BOOLEAN";
    case TableColumnType::int64:
      return "BIGINT";
    case TableColumnType::uint64:
      return "UBIGINT";
    case TableColumnType::float64:
      return "DOUBLE";
    case TableColumnType::string:
      return "VARCHAR";
    case TableColumnType::date:
      return "DATE";
    case TableColumnType::timestamp_s:
      return "TIMESTAMP_S";
    case TableColumnType::timestamp_ms:
      return "TIMESTAMP_MS";
  }
  return "VARCHAR";
}

}  // namespace shoplake::sql
