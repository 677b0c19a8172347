#include "statement_guard.hpp"

#include <cctype>

namespace shoplake::sql {
namespace {

// Skips spaces and SQL comments.
std::string_view skip_blank(std::string_view sql) {
  while (!sql.empty()) {
    if (std::isspace(static_cast<unsigned char>(sql.front()))) {
      sql.remove_prefix(1);
    } else if (sql.starts_with("--")) {
      auto end = sql.find('\n');
      sql.remove_prefix(end == std::string_view::npos ? sql.size() : end + 1);
    } else if (sql.starts_with("/*")) {
      auto end = sql.find("*/", 2);
      if (end == std::string_view::npos) return {};
      sql.remove_prefix(end + 2);
    } else {
      break;
    }
  }
  return sql;
}

// Consumes `keyword` (case-insensitive, as a whole word) from the front of `sql`.
bool take_keyword(std::string_view& sql, std::string_view keyword) {
  if (sql.size() < keyword.size()) return false;
  for (std::size_t i = 0; i < keyword.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(sql[i])) != keyword[i]) return false;
  }
  if (sql.size() > keyword.size()) {
    unsigned char next = static_cast<unsigned char>(sql[keyword.size()]);
    if (std::isalnum(next) || next == '_') return false;
  }
  sql.remove_prefix(keyword.size());
  return true;
}

constexpr std::string_view kWritingKeywords[] = {
    "ABORT",   "ALTER",  "ANALYZE",  "ATTACH", "BEGIN",      "CALL",   "CHECKPOINT",
    "COMMENT", "COMMIT", "COPY",     "CREATE", "DEALLOCATE", "DELETE", "DETACH",
    "DROP",    "END",    "EXECUTE",  "EXPORT", "FORCE",      "IMPORT", "INSERT",
    "INSTALL", "LOAD",   "MERGE",    "PRAGMA", "PREPARE",    "RESET",  "ROLLBACK",
    "SET",     "START",  "TRUNCATE", "UPDATE", "USE",        "VACUUM",
};

}  // namespace

std::optional<std::string> writing_keyword(std::string_view sql) {
  sql = skip_blank(sql);
  for (auto keyword : kWritingKeywords) {
    if (take_keyword(sql, keyword)) return std::string(keyword);
  }
  return std::nullopt;
}

std::string_view statement_kind_name(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_SELECT:
      return "SELECT";
    case DUCKDB_STATEMENT_TYPE_INSERT:
      return "INSERT";
    case DUCKDB_STATEMENT_TYPE_UPDATE:
      return "UPDATE";
    case DUCKDB_STATEMENT_TYPE_EXPLAIN:
      return "EXPLAIN";
    case DUCKDB_STATEMENT_TYPE_DELETE:
      return "DELETE";
    case DUCKDB_STATEMENT_TYPE_PREPARE:
      return "PREPARE";
    case DUCKDB_STATEMENT_TYPE_CREATE:
      return "CREATE";
    case DUCKDB_STATEMENT_TYPE_EXECUTE:
      return "EXECUTE";
    case DUCKDB_STATEMENT_TYPE_ALTER:
      return "ALTER";
    case DUCKDB_STATEMENT_TYPE_TRANSACTION:
      return "a transaction statement";
    case DUCKDB_STATEMENT_TYPE_COPY:
      return "COPY";
    case DUCKDB_STATEMENT_TYPE_ANALYZE:
      return "ANALYZE";
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET:
      return "SET VARIABLE";
    case DUCKDB_STATEMENT_TYPE_CREATE_FUNC:
      return "CREATE FUNCTION";
    case DUCKDB_STATEMENT_TYPE_DROP:
      return "DROP";
    case DUCKDB_STATEMENT_TYPE_EXPORT:
      return "EXPORT";
    case DUCKDB_STATEMENT_TYPE_PRAGMA:
      return "PRAGMA";
    case DUCKDB_STATEMENT_TYPE_VACUUM:
      return "VACUUM";
    case DUCKDB_STATEMENT_TYPE_CALL:
      return "CALL";
    case DUCKDB_STATEMENT_TYPE_SET:
      return "SET";
    case DUCKDB_STATEMENT_TYPE_LOAD:
      return "LOAD/INSTALL";
    case DUCKDB_STATEMENT_TYPE_RELATION:
      return "a relation";
    case DUCKDB_STATEMENT_TYPE_EXTENSION:
      return "an extension statement";
    case DUCKDB_STATEMENT_TYPE_LOGICAL_PLAN:
      return "a logical plan";
    case DUCKDB_STATEMENT_TYPE_ATTACH:
      return "ATTACH";
    case DUCKDB_STATEMENT_TYPE_DETACH:
      return "DETACH";
    case DUCKDB_STATEMENT_TYPE_MULTI:
      return "several statements";
    default:
      return "an unknown statement";
  }
}

bool is_read_only_kind(duckdb_statement_type type) {
  return type == DUCKDB_STATEMENT_TYPE_SELECT || type == DUCKDB_STATEMENT_TYPE_EXPLAIN;
}

bool starts_with_explain(std::string_view sql) {
  sql = skip_blank(sql);
  return take_keyword(sql, "EXPLAIN");
}

std::optional<std::string> explained_statement(std::string_view sql) {
  sql = skip_blank(sql);
  if (!take_keyword(sql, "EXPLAIN")) return std::nullopt;
  sql = skip_blank(sql);
  if (take_keyword(sql, "ANALYZE") || take_keyword(sql, "ANALYSE")) sql = skip_blank(sql);
  if (sql.starts_with("(")) {  // EXPLAIN (FORMAT json, …): options hold no parentheses or quotes
    auto end = sql.find(')');
    if (end == std::string_view::npos) return std::nullopt;
    auto options = sql.substr(0, end);
    if (options.find_first_of("'\"(", 1) != std::string_view::npos) return std::nullopt;
    sql = skip_blank(sql.substr(end + 1));
  }
  if (sql.empty()) return std::nullopt;
  return std::string(sql);
}

}  // namespace shoplake::sql
