// The ClickHouse dialect: turns the text a ClickHouse client sends (one query, perhaps ending in
// FORMAT and SETTINGS clauses) into one DuckDB statement, and provides the DuckDB macros that give
// ClickHouse's functions their meaning. docs/SQL.md lists what is supported.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "shoplake/sql/statement_clock.hpp"

namespace shoplake::sql {

struct ClickHouseSetting {
  std::string name;
  std::string value;  // a string literal's content, else the value's text as written
};

struct TranslatedQuery {
  std::string sql;     // DuckDB SQL, without FORMAT and SETTINGS
  std::string format;  // the FORMAT clause's name as written; empty: none
  std::vector<ClickHouseSetting> settings;
};

enum class TranslationErrorKind {
  syntax,       // the text is not ClickHouse SQL the translator can read (ClickHouse code 62)
  unsupported,  // valid ClickHouse, but shoplake has no equivalent (e.g. USE, LIMIT BY)
};

struct TranslationError {
  TranslationErrorKind kind = TranslationErrorKind::syntax;
  std::string message;
  std::size_t position = 0;  // byte offset into the query text
};

class [[nodiscard]] TranslationResult {
 public:
  TranslationResult(TranslatedQuery query) : state_(std::move(query)) {}   // NOLINT: like expected
  TranslationResult(TranslationError error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<TranslatedQuery>(state_); }
  explicit operator bool() const { return ok(); }
  const TranslatedQuery& value() const { return std::get<TranslatedQuery>(state_); }
  const TranslationError& error() const { return std::get<TranslationError>(state_); }

 private:
  std::variant<TranslatedQuery, TranslationError> state_;
};

struct TranslationOptions {
  // The DuckDB schema holding the views databases(name), tables(database, name, engine),
  // columns(database, table, name, type, position) and one(dummy), with DuckDB's main schema
  // called "default": ClickHouse's `system.x` becomes `<system_schema>.x`. It cannot be called
  // `system` in DuckDB, whose own catalog of that name makes `system.x` ambiguous; the engine
  // provides it as kClickHouseSystemSchema (catalog.hpp).
  std::string system_schema = "clickhouse_system";
  // The moment the query runs at; the engine must bind the same one (QueryRequest::clock).
  // today() and yesterday(), and toStartOfDay() and toDate() of now() or today(), become
  // literals of its UTC date: a prepared dashboard query then holds for the day, and DuckDB
  // plans it with a constant it can push into the scan.
  StatementClock clock = statement_clock_now();
  // In a SELECT (or WITH) query, now() reads the query's clock from the parameter
  // kClockParameter (statement_clock.hpp) through a one-row CTE, shoplake_clock, instead of
  // calling DuckDB's now(), with which DuckDB binds a prepared statement again on every run.
  // Off for a request that brings positional parameters: DuckDB cannot mix them with a named
  // one.
  bool clock_as_parameter = true;
  // Schemas whose tables DuckDB scans whole on every query (the stream engine's live tables take
  // no filter). A query whose every FROM and JOIN names one of them gets now() as the parameter
  // itself: a plain filter on the rows as they are scanned, where the CTE's would be a join of
  // every row with the clock's. Over tables that take filters, a parameter in a filter makes
  // DuckDB bind the statement again on every run, so there the CTE stays.
  std::vector<std::string> live_schemas = {"realtime"};
};

// Never throws. Unqualified names (SHOW TABLES, DESCRIBE t, EXISTS t) mean the DuckDB schema that
// current_schema() returns at run time, i.e. the request's database.
TranslationResult translate_clickhouse_query(std::string_view text,
                                             const TranslationOptions& options = {});

// Trusted CREATE OR REPLACE MACRO statements, to run once in the schema every query's search path
// reaches (DuckDB's main). None shadows a DuckDB builtin: where DuckDB has a function of the same
// name with another meaning, the macro is called clickhouse_<name> and the translator renames
// the call.
std::vector<std::string> clickhouse_function_macros();

}  // namespace shoplake::sql
