#include "duck_values.hpp"

#include <limits>

namespace shoplake::lake::parquet_detail {

namespace duck = sql::duck;

core::Result<duck::Result> query(duckdb_connection connection, const std::string& sql,
                                 std::string_view what) {
  duck::Result result;
  if (duckdb_query(connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    const char* message = duckdb_result_error(result.get());
    return core::Error{std::string(what) + ": " +
                       (message != nullptr ? message : "unknown DuckDB error")};
  }
  return result;
}

core::Status execute(duckdb_connection connection, const std::string& sql, std::string_view what) {
  auto result = query(connection, sql, what);
  if (!result) return core::Error{result.error()};
  return core::ok_status();
}

std::optional<idx_t> column_index(duckdb_result* result, std::string_view name) {
  const idx_t count = duckdb_column_count(result);
  for (idx_t i = 0; i < count; ++i) {
    const char* column = duckdb_column_name(result, i);
    if (column != nullptr && name == column) return i;
  }
  return std::nullopt;
}

bool is_valid(duckdb_vector vector, idx_t row) {
  std::uint64_t* validity = duckdb_vector_get_validity(vector);
  return validity == nullptr || duckdb_validity_row_is_valid(validity, row);
}

std::optional<std::string> string_at(duckdb_vector vector, idx_t row) {
  if (!is_valid(vector, row)) return std::nullopt;
  auto* strings = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
  duckdb_string_t* value = &strings[row];
  return std::string(duckdb_string_t_data(value), duckdb_string_t_length(*value));
}

std::optional<std::int64_t> integer_at(duckdb_vector vector, duckdb_type type, idx_t row) {
  if (!is_valid(vector, row)) return std::nullopt;
  void* data = duckdb_vector_get_data(vector);
  switch (type) {
    case DUCKDB_TYPE_TINYINT:
      return static_cast<const std::int8_t*>(data)[row];
    case DUCKDB_TYPE_SMALLINT:
      return static_cast<const std::int16_t*>(data)[row];
    case DUCKDB_TYPE_INTEGER:
      return static_cast<const std::int32_t*>(data)[row];
    case DUCKDB_TYPE_BIGINT:
      return static_cast<const std::int64_t*>(data)[row];
    case DUCKDB_TYPE_UTINYINT:
      return static_cast<const std::uint8_t*>(data)[row];
    case DUCKDB_TYPE_USMALLINT:
      return static_cast<const std::uint16_t*>(data)[row];
    case DUCKDB_TYPE_UINTEGER:
      return static_cast<const std::uint32_t*>(data)[row];
    case DUCKDB_TYPE_UBIGINT: {
      const std::uint64_t value = static_cast<const std::uint64_t*>(data)[row];
      if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<std::int64_t>(value);
    }
    default:
      return std::nullopt;
  }
}

namespace {

// The (key, value) pairs of a MAP(VARCHAR, …) cell, each value read by `read_value(values, i)`.
template <typename Map, typename ReadValue>
Map map_at(duckdb_vector vector, idx_t row, ReadValue read_value) {
  Map entries;
  if (!is_valid(vector, row)) return entries;
  const auto* lists = static_cast<const duckdb_list_entry*>(duckdb_vector_get_data(vector));
  const duckdb_list_entry list = lists[row];
  duckdb_vector pairs = duckdb_list_vector_get_child(vector);
  duckdb_vector keys = duckdb_struct_vector_get_child(pairs, 0);
  duckdb_vector values = duckdb_struct_vector_get_child(pairs, 1);
  entries.reserve(list.length);
  for (idx_t i = list.offset; i < list.offset + list.length; ++i) {
    auto key = string_at(keys, i);
    if (!key) continue;  // MAP keys are never NULL; a defensive skip
    entries.emplace_back(std::move(*key), read_value(values, i));
  }
  return entries;
}

}  // namespace

StringMap string_map_at(duckdb_vector vector, idx_t row) {
  return map_at<StringMap>(vector, row, string_at);
}

NestedStringMap nested_string_map_at(duckdb_vector vector, idx_t row) {
  return map_at<NestedStringMap>(vector, row, string_map_at);
}

}  // namespace shoplake::lake::parquet_detail
