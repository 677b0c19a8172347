// ClickHouse query text -> one DuckDB statement: tail clauses, metadata statements, and the
// syntax a macro cannot express, rewritten token by token.
#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "column_name.hpp"
#include "functions.hpp"
#include "lexer.hpp"
#include "shoplake/sql/clickhouse_dialect.hpp"
#include "shoplake/sql/statement_clock.hpp"

namespace shoplake::sql {
namespace clickhouse {
namespace {

// Deeper nesting is refused instead of recursing without bound.
constexpr std::size_t kMaxNesting = 200;

struct Failure {
  TranslationErrorKind kind;
  std::string message;
  std::size_t position;
};

// Clause words that end a select list, a LIMIT or a PREWHERE condition at their own level.
constexpr std::array<std::string_view, 18> kClauseWords = {
    "FROM",   "WHERE",     "PREWHERE", "GROUP",   "ORDER",    "HAVING", "LIMIT", "OFFSET", "UNION",
    "EXCEPT", "INTERSECT", "WINDOW",   "QUALIFY", "SETTINGS", "FORMAT", "INTO",  "BY",     "WITH"};

std::string current_database_sql(const TranslationOptions& options) {
  return "CASE current_schema() WHEN 'main' THEN 'default' WHEN '" + options.system_schema +
         "' THEN 'system' ELSE current_schema() END";
}

// ClickHouse's counting aggregates answer UInt64; DuckDB's answer BIGINT.
bool counts_as_uint64(std::string_view name) {
  for (std::string_view counting :
       {"count", "countIf", "uniq", "uniqExact", "uniqIf", "uniqCombined", "uniqHLL12"}) {
    if (equals_ignore_case(name, counting)) return true;
  }
  return false;
}

class Translator {
 public:
  Translator(std::string_view text, std::vector<Token> tokens, const TranslationOptions& options)
      : text_(text), tokens_(std::move(tokens)), options_(options) {}

  TranslatedQuery run() {
    if (tokens_.empty()) fail(TranslationErrorKind::syntax, "empty query", text_.size());
    match_brackets();
    std::size_t end = tokens_.size();
    while (end > 0 && is_symbol(tokens_[end - 1], ";")) --end;
    for (std::size_t i = 0; i < end; ++i) {
      if (is_symbol(tokens_[i], ";")) {
        fail(TranslationErrorKind::unsupported, "only one statement per query is supported", i);
      }
      if (is_word(tokens_[i], "INTO") && i + 1 < end && is_word(tokens_[i + 1], "OUTFILE")) {
        fail(TranslationErrorKind::unsupported,
             "INTO OUTFILE is not supported: the result is the HTTP response", i);
      }
    }
    end = take_tail_clauses(end);
    if (end == 0) fail(TranslationErrorKind::syntax, "empty query", tokens_[0].offset);
    clock_as_relation_ = options_.clock_as_parameter &&
                         (is_word(tokens_[0], "SELECT") || is_word(tokens_[0], "WITH"));
    clock_inline_ = clock_as_relation_ && reads_only_live_tables(end);
    statement(end);
    result_.sql = uses_clock_ ? with_clock(std::move(out_)) : std::move(out_);
    return std::move(result_);
  }

 private:
  // The query's clock as a one-row CTE that reads the engine's clock parameter: DuckDB binds a
  // prepared statement again on every run when it calls now() or has a parameter in a WHERE
  // clause, and a dashboard query's bind costs more than the query itself; a parameter read in a
  // CTE's select list does not make it bind again.
  static constexpr std::string_view kClockRelation = "shoplake_clock";
  static constexpr std::string_view kClockColumn = "clock_now";

  std::string clock_expression() const {
    if (clock_inline_) return clock_value();
    return "(SELECT " + std::string(kClockColumn) + " FROM " + std::string(kClockRelation) + ")";
  }
  static std::string clock_value() {
    return "CAST(make_timestamp(CAST($" + std::string(kClockParameter) +
           " AS BIGINT)) AS TIMESTAMP_S)";
  }

  // Whether every FROM and JOIN of the query names a table of TranslationOptions::live_schemas,
  // as `schema.table [[AS] alias]`; anything else (a subquery, a table function, FROM inside a
  // function call, a comma join) answers no.
  bool reads_only_live_tables(std::size_t end) const {
    bool any = false;
    for (std::size_t i = 0; i < end; ++i) {
      if (!is_word(tokens_[i], "FROM") && !is_word(tokens_[i], "JOIN")) continue;
      if (i + 3 >= end || !is_name(tokens_[i + 1]) || !is_symbol(tokens_[i + 2], ".") ||
          !is_name(tokens_[i + 3])) {
        return false;
      }
      const auto& live = options_.live_schemas;
      if (std::find(live.begin(), live.end(), name_of(tokens_[i + 1])) == live.end()) return false;
      std::size_t after = i + 4;
      if (word_at(after, end, "AS")) ++after;
      if (after < end && is_name(tokens_[after])) ++after;  // an alias, or a clause's first word
      if (symbol_at(after, end, ",")) return false;
      any = true;
    }
    return any;
  }

  // The query's UTC date, `days_before` days back, as DuckDB reads a DATE literal.
  std::string clock_date_text(int days_before) const {
    const std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(options_.clock) -
                                           std::chrono::days{days_before}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return text;
  }

  // `now()` or `today()`, alone: its day is the clock's.
  bool is_clock_call(std::pair<std::size_t, std::size_t> range) const {
    const auto [first, last] = range;
    return last == first + 3 && tokens_[first].kind == TokenKind::word &&
           (equals_ignore_case(tokens_[first].text, "now") ||
            equals_ignore_case(tokens_[first].text, "today")) &&
           is_symbol(tokens_[first + 1], "(") && is_symbol(tokens_[first + 2], ")");
  }

  // Where `now() ± INTERVAL n unit …` starting at the call `now_token` ends, the call ending
  // before `after`; `after` when no interval follows or the shift does not stand alone. ClickHouse
  // keeps DateTime ± INTERVAL a DateTime; so does the translation, which also lets DuckDB compare
  // a DateTime column with it directly (a filter it can push into the scan) instead of widening
  // every row to TIMESTAMP.
  std::size_t clock_shift_end(std::size_t now_token, std::size_t after) const {
    const auto is_arithmetic = [&](std::size_t k) {
      return k < tokens_.size() && tokens_[k].kind == TokenKind::symbol &&
             (tokens_[k].text == "+" || tokens_[k].text == "-" || tokens_[k].text == "*" ||
              tokens_[k].text == "/" || tokens_[k].text == "%");
    };
    if (now_token > 0 && is_arithmetic(now_token - 1)) return after;
    std::size_t end = after;
    while (end + 3 < tokens_.size() &&
           (is_symbol(tokens_[end], "-") || is_symbol(tokens_[end], "+")) &&
           is_word(tokens_[end + 1], "INTERVAL") && tokens_[end + 2].kind == TokenKind::number &&
           tokens_[end + 3].kind == TokenKind::word && is_interval_unit(tokens_[end + 3].text)) {
      end += 4;
    }
    if (is_arithmetic(end) && !is_symbol(tokens_[end], "-") && !is_symbol(tokens_[end], "+")) {
      return after;  // `* 2` would bind to the interval alone
    }
    return end;
  }

  static bool is_interval_unit(std::string_view word) {
    for (std::string_view unit :
         {"SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}) {
      if (equals_ignore_case(word, unit)) return true;
    }
    return false;
  }

  std::string with_clock(std::string sql) const {
    const std::string cte = std::string(kClockRelation) + " AS (SELECT " + clock_value() + " AS " +
                            std::string(kClockColumn) + ")";
    if (!is_word(tokens_[0], "WITH")) return "WITH " + cte + " " + sql;
    // After WITH [RECURSIVE]: one more CTE before the query's own.
    std::size_t at = sql.find_first_not_of(' ', 4);
    if (tokens_.size() > 1 && is_word(tokens_[1], "RECURSIVE")) {
      at = sql.find_first_not_of(' ', at + 9);
    }
    return sql.substr(0, at) + cte + ", " + sql.substr(at);
  }

  [[noreturn]] void fail(TranslationErrorKind kind, std::string message, std::size_t token) {
    throw Failure{kind, std::move(message),
                  token < tokens_.size() ? tokens_[token].offset : text_.size()};
  }
  [[noreturn]] void fail_at_offset(TranslationErrorKind kind, std::string message,
                                   std::size_t offset) {
    throw Failure{kind, std::move(message), offset};
  }

  void match_brackets() {
    match_.assign(tokens_.size(), 0);
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      if (is_symbol(t, "(") || is_symbol(t, "[")) {
        if (open.size() >= kMaxNesting) {
          fail(TranslationErrorKind::unsupported, "brackets nested too deeply", i);
        }
        open.push_back(i);
      } else if (is_symbol(t, ")") || is_symbol(t, "]")) {
        const char* expected = is_symbol(t, ")") ? "(" : "[";
        if (open.empty() || !is_symbol(tokens_[open.back()], expected)) {
          fail(TranslationErrorKind::syntax, "unmatched '" + std::string(t.text) + "'", i);
        }
        match_[open.back()] = i;
        match_[i] = open.back();
        open.pop_back();
      }
    }
    if (!open.empty()) {
      fail(TranslationErrorKind::syntax,
           "unclosed '" + std::string(tokens_[open.back()].text) + "'", open.back());
    }
  }

  bool word_at(std::size_t i, std::size_t end, std::string_view upper) const {
    return i < end && is_word(tokens_[i], upper);
  }
  bool symbol_at(std::size_t i, std::size_t end, std::string_view s) const {
    return i < end && is_symbol(tokens_[i], s);
  }
  // The next token at the same level: a bracketed group counts as one.
  std::size_t next(std::size_t i) const {
    if (is_symbol(tokens_[i], "(") || is_symbol(tokens_[i], "[")) return match_[i] + 1;
    return i + 1;
  }
  bool is_clause_word(const Token& t) const {
    for (std::string_view word : kClauseWords) {
      if (is_word(t, word)) return true;
    }
    return false;
  }
  std::size_t clause_end(std::size_t i, std::size_t end) const {
    while (i < end && !is_clause_word(tokens_[i])) i = next(i);
    return i;
  }
  std::vector<std::pair<std::size_t, std::size_t>> split_commas(std::size_t begin,
                                                                std::size_t end) const {
    std::vector<std::pair<std::size_t, std::size_t>> parts;
    std::size_t start = begin;
    for (std::size_t i = begin; i < end; i = next(i)) {
      if (is_symbol(tokens_[i], ",")) {
        parts.emplace_back(start, i);
        start = i + 1;
      }
    }
    if (start < end || !parts.empty()) parts.emplace_back(start, end);
    return parts;
  }

  // FORMAT name and SETTINGS k = v, … at the very end, in either order.
  std::size_t take_tail_clauses(std::size_t end) {
    for (int round = 0; round < 2; ++round) {
      if (end >= 2 && result_.format.empty() && is_word(tokens_[end - 2], "FORMAT") &&
          is_name(tokens_[end - 1])) {
        result_.format = name_of(tokens_[end - 1]);
        end -= 2;
        continue;
      }
      std::size_t settings = end;
      for (std::size_t i = 0; i < end; i = next(i)) {
        if (is_word(tokens_[i], "SETTINGS")) settings = i;
      }
      if (settings == end || !result_.settings.empty()) break;
      for (auto [b, e] : split_commas(settings + 1, end)) {
        if (e - b != 3 || !is_name(tokens_[b]) || !is_symbol(tokens_[b + 1], "=")) {
          fail(TranslationErrorKind::syntax, "expected SETTINGS name = value, …", b);
        }
        const Token& value = tokens_[b + 2];
        if (value.kind == TokenKind::symbol)
          fail(TranslationErrorKind::syntax, "expected a setting's value", b + 2);
        result_.settings.push_back({name_of(tokens_[b]), value.kind == TokenKind::number
                                                             ? std::string(value.text)
                                                             : value.value});
      }
      if (result_.settings.empty()) {
        fail(TranslationErrorKind::syntax, "expected SETTINGS name = value, …", settings);
      }
      end = settings;
    }
    return end;
  }

  void statement(std::size_t end) {
    const Token& first = tokens_[0];
    if (is_word(first, "USE")) {
      fail(TranslationErrorKind::unsupported,
           "USE is not supported: choose the database with the `database` URL parameter, e.g. "
           "/?database=gold",
           0);
    }
    if (is_word(first, "SHOW")) return show(end);
    if (is_word(first, "DESCRIBE") || is_word(first, "DESC")) return describe(end);
    if (is_word(first, "EXISTS") && !symbol_at(1, end, "(")) return exists(end);
    emit(0, end);
  }

  std::string system_view(std::string_view name) const {
    return duckdb_identifier(options_.system_schema) + "." + std::string(name);
  }

  // [db.]table starting at i; returns the SQL for the database (a literal or the current one).
  std::pair<std::string, std::string> table_name(std::size_t& i, std::size_t end) {
    if (i >= end || !is_name(tokens_[i]))
      fail(TranslationErrorKind::syntax, "expected a table name", i);
    std::string database = current_database_sql(options_);
    std::string table = name_of(tokens_[i++]);
    if (symbol_at(i, end, ".")) {
      if (i + 1 >= end || !is_name(tokens_[i + 1])) {
        fail(TranslationErrorKind::syntax, "expected a table name after '.'", i + 1);
      }
      database = duckdb_string_literal(table);
      table = name_of(tokens_[i + 1]);
      i += 2;
    }
    return {database, duckdb_string_literal(table)};
  }

  void expect_end(std::size_t i, std::size_t end) {
    if (i < end)
      fail(TranslationErrorKind::syntax, "unexpected '" + std::string(tokens_[i].text) + "'", i);
  }

  // [NOT] LIKE|ILIKE 'pattern' and LIMIT n, as SHOW accepts them.
  std::string show_filters(std::size_t& i, std::size_t end, std::string& limit) {
    std::string where;
    const bool negated = word_at(i, end, "NOT");
    if (negated) ++i;
    if (word_at(i, end, "LIKE") || word_at(i, end, "ILIKE")) {
      const std::string op = is_word(tokens_[i], "LIKE") ? " LIKE " : " ILIKE ";
      if (i + 1 >= end || tokens_[i + 1].kind != TokenKind::string) {
        fail(TranslationErrorKind::syntax, "expected a pattern string", i + 1);
      }
      where = " AND name" + std::string(negated ? " NOT" : "") + op +
              duckdb_string_literal(tokens_[i + 1].value);
      i += 2;
    } else if (negated) {
      fail(TranslationErrorKind::syntax, "expected LIKE or ILIKE after NOT", i);
    }
    if (word_at(i, end, "LIMIT")) {
      if (i + 1 >= end || tokens_[i + 1].kind != TokenKind::number) {
        fail(TranslationErrorKind::syntax, "expected a number after LIMIT", i + 1);
      }
      limit = " LIMIT " + std::string(tokens_[i + 1].text);
      i += 2;
    }
    return where;
  }

  void show(std::size_t end) {
    std::size_t i = 1;
    std::string limit;
    if (word_at(i, end, "DATABASES")) {
      ++i;
      const std::string where = show_filters(i, end, limit);
      expect_end(i, end);
      out_ = "SELECT name FROM " + system_view("databases") + " WHERE true" + where +
             " ORDER BY name" + limit;
      return;
    }
    if (!word_at(i, end, "TABLES")) {
      fail(TranslationErrorKind::unsupported, "only SHOW DATABASES and SHOW TABLES are supported",
           i);
    }
    ++i;
    std::string database = current_database_sql(options_);
    if (word_at(i, end, "FROM") || word_at(i, end, "IN")) {
      if (i + 1 >= end || !is_name(tokens_[i + 1])) {
        fail(TranslationErrorKind::syntax, "expected a database name", i + 1);
      }
      database = duckdb_string_literal(name_of(tokens_[i + 1]));
      i += 2;
    }
    const std::string where = show_filters(i, end, limit);
    expect_end(i, end);
    out_ = "SELECT name FROM " + system_view("tables") + " WHERE database = " + database + where +
           " ORDER BY name" + limit;
  }

  // Newer ClickHouse's seven DESCRIBE columns (18.16 has five, the last named
  // comment_expression): clients written against current servers read `comment`. A missing
  // table is an error, as in ClickHouse, not an empty result.
  void describe(std::size_t end) {
    std::size_t i = 1;
    if (word_at(i, end, "TABLE")) ++i;
    if (symbol_at(i, end, "(")) {
      fail(TranslationErrorKind::unsupported, "DESCRIBE of a query is not supported", i);
    }
    const auto [database, table] = table_name(i, end);
    expect_end(i, end);
    const std::string message =
        "'Table ' || " + database + " || '.' || " + table + " || ' doesn''t exist.'";
    out_ =
        "SELECT name, type, '' AS default_type, '' AS default_expression, '' AS comment, "
        "'' AS codec_expression, '' AS ttl_expression FROM (SELECT name, type, position FROM " +
        system_view("columns") + " WHERE database = " + database + " AND \"table\" = " + table +
        " UNION ALL SELECT error(" + message + "), NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM " +
        system_view("tables") + " WHERE database = " + database + " AND name = " + table +
        ")) ORDER BY position";
  }

  void exists(std::size_t end) {
    std::size_t i = 1;
    if (word_at(i, end, "TEMPORARY")) ++i;
    if (word_at(i, end, "TABLE")) ++i;
    const auto [database, table] = table_name(i, end);
    expect_end(i, end);
    out_ = "SELECT CAST(EXISTS (SELECT 1 FROM " + system_view("tables") +
           " WHERE database = " + database + " AND name = " + table + ") AS UTINYINT) AS result";
  }

  // Appends text, after a space if asked (or if emit_range asked for one), never right after a
  // space or an opening bracket.
  void put(std::string_view text, bool space = true) {
    if ((space || pending_space_) && !out_.empty() && out_.back() != ' ' && out_.back() != '(' &&
        out_.back() != '[') {
      out_ += ' ';
    }
    pending_space_ = false;
    out_ += text;
  }

  // Rewrites tokens [begin, end), one bracket level, into out_.
  void emit(std::size_t begin, std::size_t end) {
    std::size_t i = begin;
    while (i < end) i = emit_one(i, end);
  }

  std::size_t emit_one(std::size_t i, std::size_t end) {
    const Token& t = tokens_[i];
    const bool space = t.space_before;
    if (is_symbol(t, "(") || is_symbol(t, "[")) {
      put(t.text, space);
      emit(i + 1, match_[i]);
      put(tokens_[match_[i]].text, tokens_[match_[i]].space_before);
      return match_[i] + 1;
    }
    switch (t.kind) {
      case TokenKind::string:
        if (t.value.find('\0') != std::string::npos) {
          fail(TranslationErrorKind::unsupported, "NUL characters in strings are not supported", i);
        }
        put(duckdb_string_literal(t.value), space);
        return i + 1;
      case TokenKind::number:
        put(number_sql(t.text), space);
        return i + 1;
      case TokenKind::quoted_identifier:
      case TokenKind::word:
        break;
      case TokenKind::symbol:
        if (is_symbol(t, "::")) {
          put("::", space);
          std::size_t j = i + 1;
          put(duckdb_type(j, end), false);
          return j;
        }
        put(t.text, space);
        return i + 1;
    }
    const bool qualified = i > 0 && is_symbol(tokens_[i - 1], ".");
    if (!qualified && symbol_at(i + 1, end, ".") && i + 2 < end && is_name(tokens_[i + 2])) {
      if (name_of(t) == "system") return system_table(i, end);
      if (name_of(t) == "default") {
        put("main", space);
        return i + 1;
      }
    }
    if (t.kind == TokenKind::word) {
      if (is_word(t, "SELECT")) return select_list(i, end);
      if (is_word(t, "LIMIT")) return limit(i, end);
      if (is_word(t, "PREWHERE")) return prewhere(i, end);
      if (!qualified && symbol_at(i + 1, end, "(")) return function_call(i);
      if (is_word(t, "GLOBAL") &&
          (word_at(i + 1, end, "IN") || word_at(i + 1, end, "NOT") || word_at(i + 1, end, "JOIN") ||
           word_at(i + 1, end, "ANY") || word_at(i + 1, end, "ALL") ||
           word_at(i + 1, end, "INNER") || word_at(i + 1, end, "LEFT"))) {
        return i + 1;  // one machine: GLOBAL changes nothing
      }
      if (is_word(t, "SAMPLE") || (is_word(t, "ARRAY") && word_at(i + 1, end, "JOIN"))) {
        fail(TranslationErrorKind::unsupported,
             std::string(is_word(t, "SAMPLE") ? "SAMPLE" : "ARRAY JOIN") + " is not supported", i);
      }
      // ClickHouse lets `table` name a column (system.columns has one; Grafana and DBeaver ask
      // for it); DuckDB reserves the word. Statements where TABLE is a keyword never get here.
      if (is_word(t, "TABLE")) {
        put("\"table\"", space);
        return i + 1;
      }
      put(t.text, space);
    } else {
      put(duckdb_identifier(t.value), space);
    }
    return i + 1;
  }

  std::string number_sql(std::string_view text) const {
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
      unsigned long long value = 0;
      for (char c : text.substr(2)) {
        const int digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        if (value > (~0ULL >> 4)) return std::string(text);  // DuckDB reports the overflow
        value = value * 16 + static_cast<unsigned>(digit);
      }
      return std::to_string(value);
    }
    return std::string(text);
  }

  // system.one is ClickHouse's one-row table; other system tables are the engine's views.
  std::size_t system_table(std::size_t i, std::size_t end) {
    const std::string table = name_of(tokens_[i + 2]);
    if (table != "one") {
      const Token& t = tokens_[i + 2];
      put(system_view(t.kind == TokenKind::word ? table : duckdb_identifier(table)),
          tokens_[i].space_before);
      return i + 3;
    }
    put("(SELECT CAST(0 AS UTINYINT) AS dummy)", tokens_[i].space_before);
    const std::size_t after = i + 3;
    const bool aliased =
        after < end &&
        (is_word(tokens_[after], "AS") || tokens_[after].kind == TokenKind::quoted_identifier ||
         (tokens_[after].kind == TokenKind::word && !is_clause_word(tokens_[after]) &&
          !is_word(tokens_[after], "JOIN") && !is_word(tokens_[after], "ON")));
    if (!aliased) put("AS one");
    return after;
  }

  // A ClickHouse type as DuckDB spells it: UInt32 -> UINTEGER, Nullable(T) -> T, …
  std::string duckdb_type(std::size_t& i, std::size_t end) {
    if (i >= end || !is_name(tokens_[i])) fail(TranslationErrorKind::syntax, "expected a type", i);
    const std::string name = name_of(tokens_[i++]);
    std::vector<std::string> args;
    std::vector<std::string> raw_args;
    if (symbol_at(i, end, "(")) {
      const std::size_t close = match_[i];
      for (auto [b, e] : split_commas(i + 1, close)) {
        if (e == b + 1 && tokens_[b].kind == TokenKind::number) {
          args.emplace_back(tokens_[b].text);
        } else {
          std::size_t j = b;
          args.push_back(duckdb_type(j, e));
          if (j != e) fail(TranslationErrorKind::syntax, "unexpected token in a type", j);
        }
      }
      i = close + 1;
    }
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kTypes = {{
        {"UInt8", "UTINYINT"},
        {"UInt16", "USMALLINT"},
        {"UInt32", "UINTEGER"},
        {"UInt64", "UBIGINT"},
        {"Int8", "TINYINT"},
        {"Int16", "SMALLINT"},
        {"Int32", "INTEGER"},
        {"Int64", "BIGINT"},
        {"Float32", "FLOAT"},
        {"Float64", "DOUBLE"},
        {"String", "VARCHAR"},
        {"DateTime", "TIMESTAMP_S"},
        {"Bool", "BOOLEAN"},
    }};
    if (args.empty()) {
      for (const auto& [from, to] : kTypes) {
        if (name == from) return std::string(to);
      }
      if (name == "DateTime64") return "TIMESTAMP_MS";
      return name;
    }
    if ((name == "Nullable" || name == "LowCardinality") && args.size() == 1) return args[0];
    if (name == "Array" && args.size() == 1) return args[0] + "[]";
    if (name == "DateTime" && args.size() == 1) return "TIMESTAMP_S";  // a time zone: all UTC
    if (name == "DateTime64") {
      static constexpr std::array<std::string_view, 4> kByPrecision = {
          "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP", "TIMESTAMP_NS"};
      const int digits = std::atoi(args[0].c_str());
      return std::string(kByPrecision[std::min(3, std::max(0, (digits + 2) / 3))]);
    }
    std::string out = name + "(";
    for (std::size_t k = 0; k < args.size(); ++k) out += (k ? ", " : "") + args[k];
    return out + ")";
  }

  std::size_t select_list(std::size_t i, std::size_t end) {
    put(tokens_[i].text, tokens_[i].space_before);
    std::size_t begin = i + 1;
    if (word_at(begin, end, "DISTINCT") || word_at(begin, end, "ALL")) {
      put(tokens_[begin].text);
      ++begin;
    }
    const std::size_t list_end = clause_end(begin, end);
    bool first = true;
    for (auto [b, e] : split_commas(begin, list_end)) {
      if (!first) put(",", false);
      first = false;
      emit(b, e);
      if (const auto name = generated_name(b, e)) put("AS " + duckdb_identifier(*name));
    }
    return list_end;
  }

  // The name ClickHouse would give an unaliased item; none for names, *, and aliased items.
  std::optional<std::string> generated_name(std::size_t b, std::size_t e) const {
    if (e - b >= 2 && is_word(tokens_[e - 2], "AS")) return std::nullopt;
    bool plain = true;
    for (std::size_t k = b; k < e; ++k) {
      plain = plain && (k - b) % 2 == 0 ? is_name(tokens_[k]) || is_symbol(tokens_[k], "*")
                                        : is_symbol(tokens_[k], ".");
    }
    if (plain) return std::nullopt;
    auto name = clickhouse_column_name(tokens_, b, e);
    if (name && e == b + 1 && *name == tokens_[b].text) return std::nullopt;  // DuckDB's name too
    return name;
  }

  // LIMIT offset, count -> LIMIT count OFFSET offset.
  std::size_t limit(std::size_t i, std::size_t end) {
    const std::size_t stop = clause_end(i + 1, end);
    if (word_at(stop, end, "BY")) {
      fail(TranslationErrorKind::unsupported,
           "LIMIT … BY is not supported: use row_number() OVER (PARTITION BY …)", i);
    }
    const auto parts = split_commas(i + 1, stop);
    put(tokens_[i].text, tokens_[i].space_before);
    if (parts.size() == 2) {
      emit(parts[1].first, parts[1].second);
      put("OFFSET");
      emit(parts[0].first, parts[0].second);
    } else {
      emit(i + 1, stop);
    }
    return stop;
  }

  // PREWHERE a [WHERE b] -> WHERE (a) AND (b): without parts to skip reading, the same filter.
  std::size_t prewhere(std::size_t i, std::size_t end) {
    const std::size_t stop = clause_end(i + 1, end);
    put("WHERE", tokens_[i].space_before);
    if (!word_at(stop, end, "WHERE")) {
      emit(i + 1, stop);
      return stop;
    }
    const std::size_t where_end = clause_end(stop + 1, end);
    put("(");
    emit(i + 1, stop);
    put(")", false);
    put("AND (");
    emit(stop + 1, where_end);
    put(")", false);
    return where_end;
  }

  // Emits tokens [b, e) of an argument moved elsewhere, apart from what precedes it.
  void emit_range(std::pair<std::size_t, std::size_t> range) {
    pending_space_ = true;
    emit(range.first, range.second);
  }

  std::size_t function_call(std::size_t i) {
    const Token& name_token = tokens_[i];
    const std::string name(name_token.text);
    const std::size_t open = i + 1;
    const std::size_t close = match_[open];
    const auto args = split_commas(open + 1, close);
    const bool space = name_token.space_before;
    auto is = [&](std::string_view n) { return equals_ignore_case(name, n); };

    if (close + 1 < tokens_.size() && is_symbol(tokens_[close + 1], "(")) {
      return parametric_call(i, args, close + 1);
    }
    if (is("multiIf")) {
      if (args.size() < 3 || args.size() % 2 == 0) {
        fail(TranslationErrorKind::syntax, "multiIf needs an odd number of arguments, at least 3",
             i);
      }
      put("CASE", space);
      for (std::size_t k = 0; k + 1 < args.size(); k += 2) {
        put("WHEN");
        emit_range(args[k]);
        put("THEN");
        emit_range(args[k + 1]);
      }
      put("ELSE");
      emit_range(args.back());
      put("END");
      return close + 1;
    }
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kLambdaFirst = {{
        {"arrayMap", "list_transform"},
        {"arrayFilter", "list_filter"},
        {"arrayExists", "list_filter"},
        {"arrayAll", "list_filter"},
        {"arrayCount", "list_filter"},
    }};
    for (const auto& [clickhouse_name, duckdb_name] : kLambdaFirst) {
      if (!is(clickhouse_name)) continue;
      if (args.size() != 2) {
        fail(TranslationErrorKind::unsupported,
             std::string(clickhouse_name) + " is supported with one lambda and one array", i);
      }
      const bool counted = is("arrayExists") || is("arrayAll") || is("arrayCount");
      if (counted) put("len(", space);
      put(std::string(duckdb_name) + "(", !counted && space);
      emit_range(args[1]);
      put(",", false);
      emit_range(args[0]);
      put(")", false);
      if (is("arrayExists")) put(") > 0", false);
      if (is("arrayCount")) put(")", false);
      if (is("arrayAll")) {
        put(") = len(", false);
        emit_range(args[1]);
        put(")", false);
      }
      return close + 1;
    }
    for (const auto& [clickhouse_name, precision] : std::array<std::pair<std::string_view, int>, 3>{
             {{"toDecimal32", 9}, {"toDecimal64", 18}, {"toDecimal128", 38}}}) {
      if (!is(clickhouse_name)) continue;
      if (args.size() != 2 || args[1].second != args[1].first + 1 ||
          tokens_[args[1].first].kind != TokenKind::number) {
        fail(TranslationErrorKind::unsupported,
             std::string(clickhouse_name) + " needs a constant scale, e.g. " +
                 std::string(clickhouse_name) + "(x, 2)",
             i);
      }
      put("CAST(", space);
      emit_range(args[0]);
      put("AS DECIMAL(" + std::to_string(precision) + ", " +
          std::string(tokens_[args[1].first].text) + "))");
      return close + 1;
    }
    if (is("CAST") && args.size() == 2 && args[1].second == args[1].first + 1 &&
        tokens_[args[1].first].kind == TokenKind::string) {
      // CAST(x, 'Type'): ClickHouse's function form.
      auto type_tokens = tokenize(tokens_[args[1].first].value);
      if (auto* list = std::get_if<std::vector<Token>>(&type_tokens)) {
        Translator type_reader(tokens_[args[1].first].value, std::move(*list), options_);
        type_reader.match_brackets();
        std::size_t j = 0;
        const std::string type = type_reader.tokens_.empty()
                                     ? ""
                                     : type_reader.duckdb_type(j, type_reader.tokens_.size());
        if (!type.empty() && j == type_reader.tokens_.size()) {
          put("CAST(", space);
          emit_range(args[0]);
          put("AS " + type + ")");
          return close + 1;
        }
      }
      fail(TranslationErrorKind::syntax, "expected a type name", args[1].first);
    }
    if (is("CAST") && args.size() == 1) {
      std::size_t as = close;
      for (std::size_t k = open + 1; k < close; k = next(k)) {
        if (is_word(tokens_[k], "AS")) as = k;
      }
      if (as != close) {
        put(name, space);
        put("(", false);
        emit(open + 1, as);
        put("AS");
        std::size_t j = as + 1;
        put(duckdb_type(j, close));
        if (j != close) fail(TranslationErrorKind::syntax, "unexpected token in a type", j);
        put(")", false);
        return close + 1;
      }
    }
    if (args.empty() && (is("today") || is("yesterday"))) {
      put("DATE '" + clock_date_text(is("yesterday") ? 1 : 0) + "'", space);
      return close + 1;
    }
    if (args.size() == 1 && (is("toDate") || is("toStartOfDay")) && is_clock_call(args[0])) {
      put(is("toDate") ? "DATE '" + clock_date_text(0) + "'"
                       : "TIMESTAMP_S '" + clock_date_text(0) + " 00:00:00'",
          space);
      return close + 1;
    }
    if (args.empty() && is("now")) {
      const std::size_t end = clock_shift_end(i, close + 1);
      if (end != close + 1) put("CAST(", space);
      if (clock_as_relation_) {
        uses_clock_ = !clock_inline_;
        put(clock_expression(), space && end == close + 1);
      } else {
        put(std::string(renamed_function(name)) + "()", space && end == close + 1);
      }
      if (end == close + 1) return end;
      emit(close + 1, end);
      put("AS TIMESTAMP_S)");
      return end;
    }
    std::string_view target = renamed_function(name);
    if ((is("position") || is("arrayStringConcat")) && args.size() != 2) target = {};
    if (is("any") && word_at(open + 1, close, "SELECT")) target = {};  // x = ANY (subquery)
    // Not under OVER or FILTER, which must follow the aggregate itself.
    const bool followed_by_clause =
        close + 1 < tokens_.size() &&
        (is_word(tokens_[close + 1], "OVER") || is_word(tokens_[close + 1], "FILTER"));
    const bool as_uint64 = counts_as_uint64(name) && !followed_by_clause;
    if (as_uint64) put("CAST(", space);
    put(target.empty() ? std::string_view(name) : target, space && !as_uint64);
    put("(", tokens_[open].space_before);
    emit(open + 1, close);
    put(")", tokens_[close].space_before);
    if (as_uint64) put("AS UBIGINT)");
    return close + 1;
  }

  // name(parameters)(arguments): ClickHouse's parametric aggregates.
  std::size_t parametric_call(std::size_t i,
                              const std::vector<std::pair<std::size_t, std::size_t>>& params,
                              std::size_t open) {
    const std::string name(tokens_[i].text);
    const std::size_t close = match_[open];
    const auto args = split_commas(open + 1, close);
    auto is = [&](std::string_view n) { return equals_ignore_case(name, n); };
    const bool space = tokens_[i].space_before;
    const bool conditional = is("quantileIf") || is("quantilesIf");
    const bool interpolated = is("quantile") || is("quantileTiming") || is("quantileTDigest") ||
                              is("quantileIf") || is("median");
    if ((interpolated || is("quantileExact")) && params.size() == 1 &&
        args.size() == (conditional ? 2u : 1u)) {
      if (is("quantileExact")) {
        // The element at floor(p * n) of the sorted values, as ClickHouse picks it.
        put("list_sort(list(", space);
        emit_range(args[0]);
        put(") FILTER (WHERE", false);
        emit_range(args[0]);
        put("IS NOT NULL))[least(CAST(floor(");
        emit_range(params[0]);
        put("* count(");
        emit_range(args[0]);
        put(")) AS BIGINT), count(", false);
        emit_range(args[0]);
        put(") - 1) + 1]", false);
        return close + 1;
      }
      put("quantile_cont(", space);
      emit_range(args[0]);
      put(",", false);
      emit_range(params[0]);
      put(")", false);
      if (conditional) {
        put("FILTER (WHERE");
        emit_range(args[1]);
        put(")", false);
      }
      return close + 1;
    }
    if (is("quantiles") && !params.empty() && args.size() == 1) {
      put("quantile_cont(", space);
      emit_range(args[0]);
      put(", [", false);
      for (std::size_t k = 0; k < params.size(); ++k) {
        if (k) put(",", false);
        emit_range(params[k]);
      }
      put("])", false);
      return close + 1;
    }
    if (is("topK") && params.size() == 1 && args.size() == 1) {
      put("approx_top_k(", space);
      emit_range(args[0]);
      put(",", false);
      emit_range(params[0]);
      put(")", false);
      return close + 1;
    }
    fail(TranslationErrorKind::unsupported,
         "the parametric aggregate " + name + "(…)(…) is not supported in this form", i);
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  const TranslationOptions& options_;
  std::vector<std::size_t> match_;
  std::string out_;
  bool pending_space_ = false;
  bool clock_as_relation_ = false;
  bool clock_inline_ = false;  // now() is the parameter itself (reads_only_live_tables)
  bool uses_clock_ = false;
  TranslatedQuery result_;
};

}  // namespace
}  // namespace clickhouse

TranslationResult translate_clickhouse_query(std::string_view text,
                                             const TranslationOptions& options) {
  auto tokens = clickhouse::tokenize(text);
  if (auto* error = std::get_if<clickhouse::LexError>(&tokens)) {
    return TranslationError{TranslationErrorKind::syntax, error->message, error->position};
  }
  try {
    return clickhouse::Translator(text, std::move(std::get<std::vector<clickhouse::Token>>(tokens)),
                                  options)
        .run();
  } catch (const clickhouse::Failure& failure) {
    return TranslationError{failure.kind, failure.message, failure.position};
  } catch (const std::exception& error) {
    return TranslationError{TranslationErrorKind::syntax, error.what(), 0};
  }
}

}  // namespace shoplake::sql
