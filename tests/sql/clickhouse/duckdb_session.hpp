// A plain in-memory DuckDB with the ClickHouse macros installed, for running translated queries.
#pragma once

#include <duckdb.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "shoplake/sql/clickhouse_dialect.hpp"
#include "shoplake/sql/statement_clock.hpp"

namespace shoplake::sql::testing {

struct Rows {
  std::string error;  // empty: success
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // every value as DuckDB's VARCHAR cast; "NULL"
};

class DuckDbSession {
 public:
  DuckDbSession() {
    duckdb_open(nullptr, &database_);
    duckdb_connect(database_, &connection_);
    for (const std::string& statement : clickhouse_function_macros()) {
      const Rows result = run(statement);
      EXPECT_EQ(result.error, "") << statement;
    }
  }
  ~DuckDbSession() {
    duckdb_disconnect(&connection_);
    duckdb_close(&database_);
  }
  DuckDbSession(const DuckDbSession&) = delete;
  DuckDbSession& operator=(const DuckDbSession&) = delete;

  // Binds the query's clock (kClockParameter) as the engine does, when the statement reads it.
  Rows run(const std::string& sql) {
    Rows out;
    duckdb_prepared_statement prepared = nullptr;
    if (duckdb_prepare(connection_, sql.c_str(), &prepared) == DuckDBError) {
      out.error = duckdb_prepare_error(prepared);
      duckdb_destroy_prepare(&prepared);
      return out;
    }
    const std::string clock_name(kClockParameter);
    idx_t clock_index = 0;
    if (duckdb_bind_parameter_index(prepared, &clock_index, clock_name.c_str()) == DuckDBSuccess) {
      duckdb_bind_int64(prepared, clock_index,
                        clock_parameter_value(std::chrono::system_clock::now()));
    }
    duckdb_result result;
    const bool failed = duckdb_execute_prepared(prepared, &result) == DuckDBError;
    duckdb_destroy_prepare(&prepared);
    if (failed) {
      out.error = duckdb_result_error(&result);
      duckdb_destroy_result(&result);
      return out;
    }
    const idx_t columns = duckdb_column_count(&result);
    for (idx_t c = 0; c < columns; ++c) out.columns.emplace_back(duckdb_column_name(&result, c));
    for (idx_t r = 0; r < duckdb_row_count(&result); ++r) {
      auto& row = out.rows.emplace_back();
      for (idx_t c = 0; c < columns; ++c) {
        char* value = duckdb_value_varchar(&result, c, r);
        row.emplace_back(value ? value : "NULL");
        duckdb_free(value);
      }
    }
    duckdb_destroy_result(&result);
    return out;
  }

  // Values as text whatever their type: the C API's varchar reader skips some types.
  Rows run_as_text(const std::string& sql) {
    return run("SELECT COLUMNS(*)::VARCHAR FROM (" + sql + ")");
  }

  // Translates a ClickHouse query and runs it; a translation failure is the error.
  Rows query(const std::string& clickhouse_sql) {
    const TranslationResult translated = translate_clickhouse_query(clickhouse_sql);
    if (!translated) return Rows{"translation: " + translated.error().message, {}, {}};
    Rows out = run_as_text(translated.value().sql);
    if (!out.error.empty()) out.error += "\n  SQL: " + translated.value().sql;
    return out;
  }

 private:
  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
};

}  // namespace shoplake::sql::testing
