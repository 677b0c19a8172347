// A Delta table's schema: the JSON StructType of metaData.schemaString (PROTOCOL.md, "Schema
// Serialization Format"), and its mapping onto DuckDB types for reading and writing Parquet.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/result.hpp"

namespace shoplake::lake {

struct DeltaField {
  std::string name;
  // A primitive type name ("string", "long", "integer", "short", "byte", "float", "double",
  // "boolean", "binary", "date", "timestamp", "timestamp_ntz", "decimal(p,s)") or, for struct,
  // array and map, the type's JSON object as compact text.
  std::string type;
  bool nullable = true;
  std::string metadata_json = "{}";  // the field's metadata object, kept as written
  bool operator==(const DeltaField&) const = default;
};

struct DeltaSchema {
  std::vector<DeltaField> fields;
  const DeltaField* find(std::string_view name) const;
  bool operator==(const DeltaSchema&) const = default;
};

// Whether a type is struct, array or map (kept as JSON text) rather than a primitive.
inline bool is_nested_type(std::string_view delta_type) {
  return !delta_type.empty() && delta_type.front() == '{';
}

// Errors say where: "schemaString: fields[3].type: unknown type \"uint64\"".
core::Result<DeltaSchema> parse_schema(std::string_view schema_string);
std::string serialize_schema(const DeltaSchema& schema);

// The DuckDB type that reads a Delta type: long -> BIGINT, timestamp -> TIMESTAMP WITH TIME ZONE,
// struct -> STRUCT(…), array -> …[], map -> MAP(…, …), decimal(p,s) -> DECIMAL(p,s). Errors for a
// type this reader does not know.
core::Result<std::string> duckdb_type_of(std::string_view delta_type);

// The Delta type for a DuckDB column type written here. Refuses types Delta has no reader-1 form
// for (UBIGINT and other unsigned integers, HUGEINT, UUID, TIMESTAMP without time zone, …), with a
// message naming the type.
core::Result<std::string> delta_type_of(std::string_view duckdb_type);

}  // namespace shoplake::lake
