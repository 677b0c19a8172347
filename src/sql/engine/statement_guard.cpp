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

// DuckDB functions that a SELECT may call and that change state beyond the query: the
// database's logging, a checkpoint, a pooled connection's sequence or random seed, or that run SQL
// held in a string, which no check here can read.
constexpr std::string_view kStateChangingFunctions[] = {
    "checkpoint",
    "disable_logging",
    "enable_logging",
    "force_checkpoint",
    "json_execute_serialized_sql",
    "nextval",
    "query",
    "query_table",
    "setseed",
    "truncate_duckdb_logs",
    "write_log",
};

bool is_identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_identifier_part(char c) {
  return is_identifier_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

// Skips a literal opened by `quote` at sql[at]; a doubled quote stands for itself, and a backslash
// escapes the next character in an E'…' string. Returns the index after the closing quote.
std::size_t skip_quoted(std::string_view sql, std::size_t at, char quote, bool backslash_escapes) {
  std::size_t i = at + 1;
  while (i < sql.size()) {
    if (backslash_escapes && sql[i] == '\\') {
      i += 2;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return sql.size();
}

// Skips a dollar-quoted string ($$…$$ or $tag$…$tag$) opened at sql[at]; npos when sql[at] does not
// open one (a $1 parameter).
std::size_t skip_dollar_quoted(std::string_view sql, std::size_t at) {
  std::size_t tag_end = at + 1;
  while (tag_end < sql.size() && is_identifier_part(sql[tag_end]) && sql[tag_end] != '$') ++tag_end;
  if (tag_end >= sql.size() || sql[tag_end] != '$' ||
      (tag_end > at + 1 && std::isdigit(static_cast<unsigned char>(sql[at + 1])))) {
    return std::string_view::npos;
  }
  const std::string_view tag = sql.substr(at, tag_end - at + 1);
  const std::size_t close = sql.find(tag, tag_end + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

bool names_state_changing_function(std::string_view name) {
  for (auto function : kStateChangingFunctions) {
    if (name.size() != function.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(name[i])) == function[i];
    }
    if (same) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> state_changing_function(std::string_view sql) {
  std::optional<std::string> called_before;  // the identifier just read, if a call may follow
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (sql.substr(i).starts_with("--") || sql.substr(i).starts_with("/*")) {
      const std::string_view rest = skip_blank(sql.substr(i));
      i = rest.empty() ? sql.size() : static_cast<std::size_t>(rest.data() - sql.data());
      continue;
    }
    if (c == '(' && called_before && names_state_changing_function(*called_before)) {
      return called_before;
    }
    called_before.reset();
    if (c == '"') {
      const std::size_t end = skip_quoted(sql, i, '"', false);
      std::string name;
      for (std::size_t k = i + 1; k + 1 < end; ++k) {
        if (sql[k] == '"') ++k;  // a doubled quote inside the name
        name += sql[k];
      }
      called_before = std::move(name);
      i = end;
    } else if (c == '\'') {
      const bool escapes = i > 0 && (sql[i - 1] == 'e' || sql[i - 1] == 'E') &&
                           (i < 2 || !is_identifier_part(sql[i - 2]));
      i = skip_quoted(sql, i, '\'', escapes);
    } else if (c == '$') {
      const std::size_t end = skip_dollar_quoted(sql, i);
      i = end == std::string_view::npos ? i + 1 : end;
    } else if (is_identifier_start(c)) {
      std::size_t end = i;
      while (end < sql.size() && is_identifier_part(sql[end])) ++end;
      called_before = std::string(sql.substr(i, end - i));
      i = end;
    } else {
      ++i;
    }
  }
  return std::nullopt;
}

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
