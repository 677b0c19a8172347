#include "query_error_kind.hpp"

namespace shoplake::sql {
namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

QueryErrorKind classify_catalog(std::string_view message) {
  if (contains(message, "Schema with name") || contains(message, "Catalog with name") ||
      contains(message, "Catalog \"")) {
    return QueryErrorKind::unknown_database;
  }
  if (contains(message, "Function with name") || contains(message, "Macro Function with name") ||
      contains(message, "Function \"")) {
    return QueryErrorKind::unknown_function;
  }
  if (contains(message, "Table with name") || contains(message, "View with name")) {
    return QueryErrorKind::unknown_table;
  }
  return QueryErrorKind::internal;
}

QueryErrorKind classify_binder(std::string_view message) {
  if (contains(message, "Referenced column") || contains(message, "does not have a column")) {
    return QueryErrorKind::unknown_column;
  }
  if (contains(message, "Referenced table")) return QueryErrorKind::unknown_table;
  if (contains(message, "does not exist") &&
      (contains(message, "Catalog \"") || contains(message, "Schema \""))) {
    return QueryErrorKind::unknown_database;
  }
  return QueryErrorKind::bad_arguments;  // no function matching the arguments, wrong types, …
}

struct ErrorPrefix {
  std::string_view prefix;
  duckdb_error_type type;
};

constexpr ErrorPrefix kErrorPrefixes[] = {
    {"Parser Error", DUCKDB_ERROR_PARSER},
    {"Syntax Error", DUCKDB_ERROR_SYNTAX},
    {"Catalog Error", DUCKDB_ERROR_CATALOG},
    {"Binder Error", DUCKDB_ERROR_BINDER},
    {"Conversion Error", DUCKDB_ERROR_CONVERSION},
    {"Mismatch Type Error", DUCKDB_ERROR_MISMATCH_TYPE},
    {"Invalid type Error", DUCKDB_ERROR_INVALID_TYPE},
    {"Out of Range Error", DUCKDB_ERROR_OUT_OF_RANGE},
    {"Invalid Input Error", DUCKDB_ERROR_INVALID_INPUT},
    {"Parameter Not Resolved Error", DUCKDB_ERROR_PARAMETER_NOT_RESOLVED},
    {"Parameter Not Allowed Error", DUCKDB_ERROR_PARAMETER_NOT_ALLOWED},
    {"Permission Error", DUCKDB_ERROR_PERMISSION},
    {"Out of Memory Error", DUCKDB_ERROR_OUT_OF_MEMORY},
    {"INTERRUPT Error", DUCKDB_ERROR_INTERRUPT},
    {"TransactionContext Error", DUCKDB_ERROR_TRANSACTION},
};

}  // namespace

duckdb_error_type duckdb_error_type_of_message(std::string_view message) {
  for (const auto& [prefix, type] : kErrorPrefixes) {
    if (message.starts_with(prefix)) return type;
  }
  return DUCKDB_ERROR_INVALID;
}

QueryErrorKind classify_duckdb_error(duckdb_error_type type, std::string_view message) {
  switch (type) {
    case DUCKDB_ERROR_PARSER:
    case DUCKDB_ERROR_SYNTAX:
      return QueryErrorKind::syntax;
    case DUCKDB_ERROR_CATALOG:
      return classify_catalog(message);
    case DUCKDB_ERROR_BINDER:
      return classify_binder(message);
    case DUCKDB_ERROR_INVALID_INPUT:
      // The ClickHouse translation of DESCRIBE raises "Table db.t doesn't exist." through error().
      if (message.find("Table ") != std::string_view::npos &&
          message.find(" doesn't exist") != std::string_view::npos) {
        return QueryErrorKind::unknown_table;
      }
      return QueryErrorKind::bad_arguments;
    case DUCKDB_ERROR_MISMATCH_TYPE:
    case DUCKDB_ERROR_CONVERSION:
    case DUCKDB_ERROR_INVALID_TYPE:
    case DUCKDB_ERROR_OUT_OF_RANGE:
    case DUCKDB_ERROR_DIVIDE_BY_ZERO:
    case DUCKDB_ERROR_PARAMETER_NOT_RESOLVED:
    case DUCKDB_ERROR_PARAMETER_NOT_ALLOWED:
      return QueryErrorKind::bad_arguments;
    case DUCKDB_ERROR_PERMISSION:
      return QueryErrorKind::access_denied;
    case DUCKDB_ERROR_OUT_OF_MEMORY:
      return QueryErrorKind::memory_limit;
    case DUCKDB_ERROR_INTERRUPT:
      return QueryErrorKind::timeout;
    case DUCKDB_ERROR_TRANSACTION:
      // Writes that slip past the statement check fail in the read-only transaction.
      return contains(message, "read-only") ? QueryErrorKind::readonly : QueryErrorKind::internal;
    default:
      return QueryErrorKind::internal;
  }
}

}  // namespace shoplake::sql
