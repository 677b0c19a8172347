#include "live_vectors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "shoplake/core/event.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

// The event type names in byte order, and each core::EventType's position among them: the
// ENUM's members and the value stored for each type.
struct EventTypeMembers {
  std::array<std::string_view, core::kEventTypeCount> names{};
  std::array<std::uint8_t, core::kEventTypeCount> position_of{};
};

constexpr EventTypeMembers sorted_event_types() {
  EventTypeMembers members;
  members.names = core::kEventTypeNamesInByteOrder;
  for (std::size_t type = 0; type < core::kEventTypeCount; ++type) {
    for (std::size_t position = 0; position < core::kEventTypeCount; ++position) {
      if (members.names[position] == core::kEventTypeNames[type]) {
        members.position_of[type] = static_cast<std::uint8_t>(position);
      }
    }
  }
  return members;
}

constexpr EventTypeMembers kEventTypeMembers = sorted_event_types();

// The ColumnData vector holding a column's values, with its length, per catalog.hpp.
std::size_t value_count(TableColumnType type, const ColumnData& column) {
  switch (type) {
    case TableColumnType::boolean:
      return std::max(column.i64.size(), column.u64.size());
    case TableColumnType::uint64:
    case TableColumnType::event_type:
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
    if ((!column.null.empty() && column.null[source] != 0) ||
        (type == TableColumnType::event_type && column.u64[source] >= core::kEventTypeCount)) {
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
      case TableColumnType::event_type:  // an ENUM of at most 255 members is stored in a byte
        static_cast<std::uint8_t*>(data)[row] = kEventTypeMembers.position_of[column.u64[source]];
        break;
    }
  }
}

duckdb_logical_type create_live_column_type(TableColumnType type) {
  switch (type) {
    case TableColumnType::boolean:
      return duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    case TableColumnType::int64:
      return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    case TableColumnType::uint64:
      return duckdb_create_logical_type(DUCKDB_TYPE_UBIGINT);
    case TableColumnType::float64:
      return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
    case TableColumnType::string:
      return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    case TableColumnType::date:
      return duckdb_create_logical_type(DUCKDB_TYPE_DATE);
    case TableColumnType::timestamp_s:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_S);
    case TableColumnType::timestamp_ms:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_MS);
    case TableColumnType::event_type: {
      std::array<std::string, core::kEventTypeCount> names;
      std::array<const char*, core::kEventTypeCount> members{};
      for (std::size_t i = 0; i < names.size(); ++i) {
        names[i] = std::string(kEventTypeMembers.names[i]);
        members[i] = names[i].c_str();
      }
      return duckdb_create_enum_type(members.data(), members.size());
    }
  }
  return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
}

std::string live_column_duckdb_name(TableColumnType type) {
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
    case TableColumnType::event_type: {
      std::string name = "ENUM(";
      for (std::string_view member : kEventTypeMembers.names) {
        if (name.size() > 5) name += ", ";
        name += duck::quote_literal(std::string(member));
      }
      return name + ")";
    }
  }
  return "VARCHAR";
}

}  // namespace shoplake::sql
