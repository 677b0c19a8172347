#include "clickhouse_errors.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shoplake::server {
namespace {

// What version() answers (see the engine's system schema); clients print it with errors.
constexpr std::string_view kVersion = "24.3.0.0-shoplake";

ClickHouseError make(int code, std::string_view name, int http_status, std::string message) {
  return ClickHouseError{code, name, http_status, std::move(message)};
}

}  // namespace

std::string ClickHouseError::body() const {
  return fmt::format("Code: {}. DB::Exception: {}. ({}) (version {})\n", code, message, name,
                     kVersion);
}

ClickHouseError from_query_error(const sql::QueryError& error) {
  using Kind = sql::QueryErrorKind;
  switch (error.kind) {
    case Kind::syntax:
      return make(62, "SYNTAX_ERROR", 400, error.message);
    case Kind::unknown_table:
      return make(60, "UNKNOWN_TABLE", 404, error.message);
    case Kind::unknown_database:
      return make(81, "UNKNOWN_DATABASE", 404, error.message);
    case Kind::unknown_column:
      return make(47, "UNKNOWN_IDENTIFIER", 404, error.message);
    case Kind::unknown_function:
      return make(46, "UNKNOWN_FUNCTION", 404, error.message);
    case Kind::bad_arguments:
      return make(43, "ILLEGAL_TYPE_OF_ARGUMENT", 400, error.message);
    case Kind::readonly:
      return make(164, "READONLY", 403, error.message);
    case Kind::access_denied:
      return make(497, "ACCESS_DENIED", 403, error.message);
    case Kind::timeout:
      return make(159, "TIMEOUT_EXCEEDED", 500, error.message);
    case Kind::too_many_rows:
      return make(396, "TOO_MANY_ROWS_OR_BYTES", 500, error.message);
    case Kind::memory_limit:
      return make(241, "MEMORY_LIMIT_EXCEEDED", 500, error.message);
    case Kind::internal:
      break;
  }
  return make(1001, "STD_EXCEPTION", 500, error.message);
}

ClickHouseError from_translation_error(const sql::TranslationError& error, std::string_view text) {
  const std::size_t position = std::min(error.position, text.size());
  // Like ClickHouse: where it failed, shown as the text from there on (cut short).
  std::string_view rest = text.substr(position);
  if (rest.size() > 40) rest = rest.substr(0, 40);
  std::string message =
      fmt::format("{} (at position {}, near '{}')", error.message, position + 1, rest);
  if (error.kind == sql::TranslationErrorKind::unsupported) {
    return make(48, "NOT_IMPLEMENTED", 501, std::move(message));
  }
  return make(62, "SYNTAX_ERROR", 400, std::move(message));
}

ClickHouseError authentication_failed() {
  return make(516, "AUTHENTICATION_FAILED", 401,
              "Authentication failed: password is incorrect, or there is no user with such name");
}

ClickHouseError empty_query() {
  return make(62, "SYNTAX_ERROR", 400, "Empty query");
}

ClickHouseError unknown_format(const std::string& name) {
  return make(
      73, "UNKNOWN_FORMAT", 400,
      fmt::format("Unknown output format {} (docs/SQL.md lists the formats shoplake has)", name));
}

ClickHouseError bad_setting(const std::string& name, const std::string& value) {
  return make(27, "CANNOT_PARSE_INPUT_ASSERTION_FAILED", 400,
              fmt::format("Cannot parse the value '{}' of setting {}: expected a number (or for "
                          "result_overflow_mode, throw or break)",
                          value, name));
}

}  // namespace shoplake::server
