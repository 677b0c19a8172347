#include "shoplake/lake/delta_schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>

#include "json_text.hpp"

namespace shoplake::lake {
namespace {

using detail::Json;

// Thrown by the validators below, caught in parse_schema / duckdb_type_of: it carries the path of
// the offending element so the message says where.
struct SchemaError {
  std::string message;
};

[[noreturn]] void fail_schema(const std::string& where, std::string_view what) {
  throw SchemaError{fmt::format("{}: {}", where, what)};
}

constexpr std::array<std::string_view, 12> kPrimitiveTypes = {
    "string", "long",    "integer", "short", "byte",      "float",
    "double", "boolean", "binary",  "date",  "timestamp", "timestamp_ntz"};

struct Decimal {
  int precision = 10;
  int scale = 0;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<int> parse_small_int(std::string_view text) {
  text = trim(text);
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

// "<prefix>(p,s)" (any case, optional spaces) with 1 <= p <= 38 and 0 <= s <= p; nullopt if the
// text is not a decimal at all, an error if it is one with bad arguments.
std::optional<Decimal> parse_decimal(std::string_view text, std::string_view prefix,
                                     const std::string& where) {
  text = trim(text);
  if (text.size() < prefix.size()) return std::nullopt;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return std::nullopt;
  }
  std::string_view rest = trim(text.substr(prefix.size()));
  if (rest.empty()) return std::nullopt;
  if (rest.front() != '(' || rest.back() != ')') return std::nullopt;
  rest = rest.substr(1, rest.size() - 2);
  auto comma = rest.find(',');
  auto precision = parse_small_int(rest.substr(0, comma));
  auto scale = comma == std::string_view::npos ? std::optional<int>(0)
                                               : parse_small_int(rest.substr(comma + 1));
  if (!precision || !scale || *precision < 1 || *precision > 38 || *scale < 0 ||
      *scale > *precision) {
    fail_schema(
        where,
        fmt::format("invalid decimal type \"{}\" (precision 1-38, scale 0-precision)", text));
  }
  return Decimal{*precision, *scale};
}

// A primitive Delta type name in its canonical spelling ("decimal(8,5)"), or an error.
std::string canonical_primitive(std::string_view name, const std::string& where) {
  if (std::find(kPrimitiveTypes.begin(), kPrimitiveTypes.end(), name) != kPrimitiveTypes.end()) {
    return std::string(name);
  }
  if (name == "decimal") return "decimal(10,0)";  // Spark's default precision and scale
  if (auto decimal = parse_decimal(name, "decimal", where)) {
    return fmt::format("decimal({},{})", decimal->precision, decimal->scale);
  }
  fail_schema(where, fmt::format("unknown type \"{}\"", name));
}

const Json& required(const Json& object, const char* key, const std::string& where) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) fail_schema(where + "." + key, "missing");
  return *found;
}

// Checks a type (a name, or a struct/array/map object) all the way down, so a schema that parses
// can always be mapped onto DuckDB.
void validate_type(const Json& type, const std::string& where);

void validate_struct_fields(const Json& type, const std::string& where) {
  const Json& fields = required(type, "fields", where);
  if (!fields.is_array()) fail_schema(where + ".fields", "expected an array");
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string field_where = fmt::format("{}.fields[{}]", where, i);
    const Json& field = fields[i];
    if (!field.is_object()) fail_schema(field_where, "expected an object");
    if (!required(field, "name", field_where).is_string()) {
      fail_schema(field_where + ".name", "expected a string");
    }
    validate_type(required(field, "type", field_where), field_where + ".type");
  }
}

void validate_type(const Json& type, const std::string& where) {
  if (type.is_string()) {
    canonical_primitive(type.get<std::string>(), where);
    return;
  }
  if (!type.is_object()) fail_schema(where, "expected a type name or object");
  const Json& kind = required(type, "type", where);
  if (!kind.is_string()) fail_schema(where + ".type", "expected a string");
  const std::string name = kind.get<std::string>();
  if (name == "struct") {
    validate_struct_fields(type, where);
  } else if (name == "array") {
    validate_type(required(type, "elementType", where), where + ".elementType");
  } else if (name == "map") {
    validate_type(required(type, "keyType", where), where + ".keyType");
    validate_type(required(type, "valueType", where), where + ".valueType");
  } else {
    fail_schema(where + ".type", fmt::format("unknown type \"{}\"", name));
  }
}

std::string duck_primitive(std::string_view name) {
  if (name == "string") return "VARCHAR";
  if (name == "long") return "BIGINT";
  if (name == "integer") return "INTEGER";
  if (name == "short") return "SMALLINT";
  if (name == "byte") return "TINYINT";
  if (name == "float") return "FLOAT";
  if (name == "double") return "DOUBLE";
  if (name == "boolean") return "BOOLEAN";
  if (name == "binary") return "BLOB";
  if (name == "date") return "DATE";
  if (name == "timestamp") return "TIMESTAMP WITH TIME ZONE";
  if (name == "timestamp_ntz") return "TIMESTAMP";
  auto decimal = parse_decimal(name, "decimal", "type");
  return fmt::format("DECIMAL({},{})", decimal->precision, decimal->scale);
}

std::string quote_identifier(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// Only called on a validated type.
std::string duck_type(const Json& type) {
  if (type.is_string()) return duck_primitive(canonical_primitive(type.get<std::string>(), "type"));
  const std::string kind = type.at("type").get<std::string>();
  if (kind == "array") return duck_type(type.at("elementType")) + "[]";
  if (kind == "map") {
    return fmt::format("MAP({}, {})", duck_type(type.at("keyType")),
                       duck_type(type.at("valueType")));
  }
  std::string text = "STRUCT(";
  const Json& fields = type.at("fields");
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) text += ", ";
    text += quote_identifier(fields[i].at("name").get<std::string>()) + " " +
            duck_type(fields[i].at("type"));
  }
  return text + ")";
}

DeltaSchema parse_schema_json(const Json& root) {
  if (!root.is_object()) fail_schema("schemaString", "expected a JSON object");
  const Json& kind = required(root, "type", "schemaString");
  if (!kind.is_string() || kind.get<std::string>() != "struct") {
    fail_schema("schemaString.type", "expected \"struct\"");
  }
  const Json& fields = required(root, "fields", "schemaString");
  if (!fields.is_array()) fail_schema("schemaString.fields", "expected an array");
  DeltaSchema schema;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string where = fmt::format("schemaString: fields[{}]", i);
    const Json& field = fields[i];
    if (!field.is_object()) fail_schema(where, "expected an object");
    DeltaField parsed;
    const Json& name = required(field, "name", where);
    if (!name.is_string()) fail_schema(where + ".name", "expected a string");
    parsed.name = name.get<std::string>();
    const Json& type = required(field, "type", where);
    validate_type(type, where + ".type");
    parsed.type = type.is_string() ? canonical_primitive(type.get<std::string>(), where + ".type")
                                   : detail::dump_json(type);
    if (auto nullable = field.find("nullable"); nullable != field.end() && !nullable->is_null()) {
      if (!nullable->is_boolean()) fail_schema(where + ".nullable", "expected true or false");
      parsed.nullable = nullable->get<bool>();
    }
    if (auto metadata = field.find("metadata"); metadata != field.end() && !metadata->is_null()) {
      if (!metadata->is_object()) fail_schema(where + ".metadata", "expected an object");
      parsed.metadata_json = detail::dump_json(*metadata);
    }
    schema.fields.push_back(std::move(parsed));
  }
  return schema;
}

// A field's type or metadata kept as text goes back into the tree as JSON.
Json embedded(const std::string& text, Json fallback) {
  Json value;
  if (detail::parse_json(text, value)) return fallback;
  return value;
}

std::string upper(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

}  // namespace

const DeltaField* DeltaSchema::find(std::string_view name) const {
  for (const auto& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

core::Result<DeltaSchema> parse_schema(std::string_view schema_string) {
  Json root;
  if (auto error = detail::parse_json(schema_string, root)) {
    return core::Error{"schemaString: " + *error};
  }
  try {
    return parse_schema_json(root);
  } catch (const SchemaError& error) {
    return core::Error{error.message};
  } catch (const nlohmann::json::exception& error) {
    return core::Error{fmt::format("schemaString: {}", error.what())};
  }
}

std::string serialize_schema(const DeltaSchema& schema) {
  Json fields = Json::array();
  for (const auto& field : schema.fields) {
    Json object = Json::object();
    object["name"] = field.name;
    object["type"] =
        field.type.starts_with('{') ? embedded(field.type, Json(field.type)) : Json(field.type);
    object["nullable"] = field.nullable;
    object["metadata"] = embedded(field.metadata_json, Json::object());
    fields.push_back(std::move(object));
  }
  Json root = Json::object();
  root["type"] = "struct";
  root["fields"] = std::move(fields);
  return detail::dump_json(root);
}

core::Result<std::string> duckdb_type_of(std::string_view delta_type) {
  std::string_view text = trim(delta_type);
  Json type;
  if (text.starts_with('{')) {
    if (auto error = detail::parse_json(text, type)) return core::Error{"type: " + *error};
  } else {
    type = std::string(text);
  }
  try {
    validate_type(type, "type");
    return duck_type(type);
  } catch (const SchemaError& error) {
    return core::Error{error.message};
  } catch (const nlohmann::json::exception& error) {
    return core::Error{fmt::format("type: {}", error.what())};
  }
}

core::Result<std::string> delta_type_of(std::string_view duckdb_type) {
  const std::string type = upper(trim(duckdb_type));
  if (type == "VARCHAR" || type == "TEXT" || type == "STRING") return std::string("string");
  if (type == "BIGINT" || type == "INT8" || type == "LONG") return std::string("long");
  if (type == "INTEGER" || type == "INT" || type == "INT4") return std::string("integer");
  if (type == "SMALLINT" || type == "INT2") return std::string("short");
  if (type == "TINYINT" || type == "INT1") return std::string("byte");
  if (type == "DOUBLE" || type == "FLOAT8") return std::string("double");
  if (type == "FLOAT" || type == "REAL" || type == "FLOAT4") return std::string("float");
  if (type == "BOOLEAN" || type == "BOOL") return std::string("boolean");
  if (type == "BLOB" || type == "BYTEA") return std::string("binary");
  if (type == "DATE") return std::string("date");
  if (type == "TIMESTAMP WITH TIME ZONE" || type == "TIMESTAMPTZ") return std::string("timestamp");
  if (type == "DECIMAL") return std::string("decimal(18,3)");  // DuckDB's default
  try {
    if (auto decimal = parse_decimal(type, "decimal", "type")) {
      return fmt::format("decimal({},{})", decimal->precision, decimal->scale);
    }
  } catch (const SchemaError& error) {
    return core::Error{fmt::format("column type {}: {}", type, error.message)};
  }
  if (type == "UBIGINT" || type == "UINTEGER" || type == "USMALLINT" || type == "UTINYINT" ||
      type == "UHUGEINT") {
    return core::Error{fmt::format(
        "column type {}: Delta has no unsigned integers; cast to a signed type wide enough "
        "(e.g. BIGINT, or DECIMAL(20,0) for UBIGINT)",
        type)};
  }
  if (type == "HUGEINT") {
    return core::Error{"column type HUGEINT: Delta has no 128-bit integer; cast to DECIMAL(38,0)"};
  }
  if (type == "UUID") {
    return core::Error{"column type UUID: Delta has no UUID type; cast to VARCHAR"};
  }
  if (type == "TIMESTAMP" || type == "DATETIME" || type == "TIMESTAMP_US") {
    return core::Error{fmt::format(
        "column type {}: a timestamp without time zone would need Delta's timestamp_ntz, which "
        "needs reader version 3 / writer version 7; cast it to TIMESTAMPTZ",
        type)};
  }
  if (type == "INTERVAL") {
    return core::Error{"column type INTERVAL: Delta has no interval type; store it as BIGINT"};
  }
  return core::Error{fmt::format(
      "column type {}: no Delta type for it in a reader-1 / writer-2 table (supported: VARCHAR, "
      "BIGINT, INTEGER, SMALLINT, TINYINT, DOUBLE, FLOAT, BOOLEAN, BLOB, DATE, TIMESTAMPTZ, "
      "DECIMAL(p,s))",
      type)};
}

}  // namespace shoplake::lake
