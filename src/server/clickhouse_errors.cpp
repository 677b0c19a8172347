#include "clickhouse_errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

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
  // 404, as ClickHouse answers every UNKNOWN_* error (18.16 and current servers alike).
  return make(
      73, "UNKNOWN_FORMAT", 404,
      fmt::format("Unknown output format {} (docs/SQL.md lists the formats shoplake has)", name));
}

ClickHouseError bad_setting(const std::string& name, const std::string& value) {
  return make(27, "CANNOT_PARSE_INPUT_ASSERTION_FAILED", 400,
              fmt::format("Cannot parse the value '{}' of setting {}: expected a number (or for "
                          "result_overflow_mode, throw or break)",
                          value, name));
}

std::optional<ClickHouseError> refuse_writing_statement(std::string_view text) {
  // Blanks and comments first, as the engine's own guard skips them.
  for (;;) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
      text.remove_prefix(1);
    }
    if (text.starts_with("--")) {
      const auto end = text.find('\n');
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    } else if (text.starts_with("/*")) {
      const auto end = text.find("*/", 2);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 2);
    } else {
      break;
    }
  }
  std::size_t length = 0;
  while (length < text.size() &&
         (std::isalpha(static_cast<unsigned char>(text[length])) != 0 || text[length] == '_')) {
    ++length;
  }
  std::string keyword(text.substr(0, length));
  for (char& c : keyword) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static constexpr std::string_view kWriting[] = {
      "ALTER",  "ATTACH", "CHECKPOINT", "COPY",   "CREATE",  "DELETE",   "DETACH", "DROP",
      "EXPORT", "GRANT",  "IMPORT",     "INSERT", "INSTALL", "KILL",     "LOAD",   "OPTIMIZE",
      "PRAGMA", "RENAME", "REVOKE",     "SET",    "SYSTEM",  "TRUNCATE", "UPDATE", "VACUUM"};
  for (const std::string_view writing : kWriting) {
    if (keyword == writing) {
      return make(164, "READONLY", 403,
                  fmt::format("shoplake's SQL is read-only: only SELECT and EXPLAIN are allowed, "
                              "got {}",
                              keyword));
    }
  }
  return std::nullopt;
}

}  // namespace shoplake::server
