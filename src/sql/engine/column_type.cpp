#include "column_type.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

struct ScalarMapping {
  std::string_view duckdb_name;
  std::string_view clickhouse_name;
  Storage storage;
  std::uint8_t scale;
};

// HUGEINT has no 64-bit slot, so it travels as its decimal text, printed as a number (like a
// Decimal of scale 0), not as a quoted string.
constexpr std::array kScalars = {
    ScalarMapping{"BOOLEAN", "UInt8", Storage::uint64, 0},
    ScalarMapping{"TINYINT", "Int8", Storage::int64, 0},
    ScalarMapping{"SMALLINT", "Int16", Storage::int64, 0},
    ScalarMapping{"INTEGER", "Int32", Storage::int64, 0},
    ScalarMapping{"BIGINT", "Int64", Storage::int64, 0},
    ScalarMapping{"UTINYINT", "UInt8", Storage::uint64, 0},
    ScalarMapping{"USMALLINT", "UInt16", Storage::uint64, 0},
    ScalarMapping{"UINTEGER", "UInt32", Storage::uint64, 0},
    ScalarMapping{"UBIGINT", "UInt64", Storage::uint64, 0},
    ScalarMapping{"HUGEINT", "Int128", Storage::decimal, 0},
    ScalarMapping{"UHUGEINT", "UInt128", Storage::decimal, 0},
    ScalarMapping{"FLOAT", "Float32", Storage::float32, 0},
    ScalarMapping{"DOUBLE", "Float64", Storage::float64, 0},
    ScalarMapping{"VARCHAR", "String", Storage::string, 0},
    ScalarMapping{"BLOB", "String", Storage::string, 0},
    ScalarMapping{"DATE", "Date", Storage::date, 0},
    ScalarMapping{"TIMESTAMP_S", "DateTime", Storage::datetime, 0},
    ScalarMapping{"TIMESTAMP_MS", "DateTime64(3)", Storage::datetime64, 3},
    ScalarMapping{"TIMESTAMP", "DateTime64(6)", Storage::datetime64, 6},
    ScalarMapping{"TIMESTAMP_NS", "DateTime64(9)", Storage::datetime64, 9},
    ScalarMapping{"TIMESTAMP WITH TIME ZONE", "DateTime64(6)", Storage::datetime64, 6},
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// "DECIMAL(18,2)" -> {18, 2}; false when `name` is not a decimal.
bool parse_decimal(std::string_view name, int& precision, int& scale) {
  constexpr std::string_view kPrefix = "DECIMAL(";
  if (!name.starts_with(kPrefix) || !name.ends_with(")")) return false;
  std::string_view inner = name.substr(kPrefix.size(), name.size() - kPrefix.size() - 1);
  auto comma = inner.find(',');
  if (comma == std::string_view::npos) return false;
  std::string_view p = trim(inner.substr(0, comma)), s = trim(inner.substr(comma + 1));
  return std::from_chars(p.data(), p.data() + p.size(), precision).ec == std::errc{} &&
         std::from_chars(s.data(), s.data() + s.size(), scale).ec == std::errc{};
}

std::string owned_name(char* text) {
  duck::DuckString holder(text);
  return holder ? std::string(holder.get()) : std::string();
}

}  // namespace

ColumnType column_type_from_duckdb_name(std::string_view duckdb_name) {
  std::string_view name = trim(duckdb_name);
  ColumnType type;
  type.duckdb_name = std::string(name);
  if (name.ends_with("[]")) {
    auto element = column_type_from_duckdb_name(name.substr(0, name.size() - 2));
    type.storage = Storage::array;
    type.clickhouse_name = "Array(" + element.clickhouse_name + ")";
    type.element = std::make_shared<const ColumnType>(std::move(element));
    return type;
  }
  int precision = 0, scale = 0;
  if (parse_decimal(name, precision, scale)) {
    type.storage = Storage::decimal;
    type.clickhouse_name = fmt::format("Decimal({}, {})", precision, scale);
    type.scale = static_cast<std::uint8_t>(scale);
    return type;
  }
  for (const auto& scalar : kScalars) {
    if (scalar.duckdb_name == name) {
      type.storage = scalar.storage;
      type.clickhouse_name = std::string(scalar.clickhouse_name);
      type.scale = scalar.scale;
      return type;
    }
  }
  type.storage = Storage::string;
  type.clickhouse_name = "String";
  return type;
}

std::string duckdb_type_name(duckdb_logical_type type) {
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIME_NS:
      return "TIME_NS";
    case DUCKDB_TYPE_TIME_TZ:
      return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_BIT:
      return "BIT";
    case DUCKDB_TYPE_BIGNUM:
      return "BIGNUM";
    case DUCKDB_TYPE_SQLNULL:
      return "\"NULL\"";
    case DUCKDB_TYPE_DECIMAL:
      return fmt::format("DECIMAL({},{})", duckdb_decimal_width(type), duckdb_decimal_scale(type));
    case DUCKDB_TYPE_ENUM: {
      std::string name = "ENUM(";
      for (idx_t i = 0; i < duckdb_enum_dictionary_size(type); ++i) {
        if (i > 0) name += ", ";
        name += duck::quote_literal(owned_name(duckdb_enum_dictionary_value(type, i)));
      }
      return name + ")";
    }
    case DUCKDB_TYPE_LIST: {
      duck::LogicalType child(duckdb_list_type_child_type(type));
      return duckdb_type_name(child.get()) + "[]";
    }
    case DUCKDB_TYPE_ARRAY: {
      duck::LogicalType child(duckdb_array_type_child_type(type));
      return fmt::format("{}[{}]", duckdb_type_name(child.get()),
                         duckdb_array_type_array_size(type));
    }
    case DUCKDB_TYPE_MAP: {
      duck::LogicalType key(duckdb_map_type_key_type(type));
      duck::LogicalType value(duckdb_map_type_value_type(type));
      return fmt::format("MAP({}, {})", duckdb_type_name(key.get()), duckdb_type_name(value.get()));
    }
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_UNION: {
      bool is_struct = duckdb_get_type_id(type) == DUCKDB_TYPE_STRUCT;
      idx_t count =
          is_struct ? duckdb_struct_type_child_count(type) : duckdb_union_type_member_count(type);
      std::string name = is_struct ? "STRUCT(" : "UNION(";
      for (idx_t i = 0; i < count; ++i) {
        if (i > 0) name += ", ";
        duck::LogicalType child(is_struct ? duckdb_struct_type_child_type(type, i)
                                          : duckdb_union_type_member_type(type, i));
        name +=
            duck::quote_identifier(owned_name(is_struct ? duckdb_struct_type_child_name(type, i)
                                                        : duckdb_union_type_member_name(type, i)));
        name += " " + duckdb_type_name(child.get());
      }
      return name + ")";
    }
    default:
      return "VARCHAR";
  }
}

}  // namespace shoplake::sql
