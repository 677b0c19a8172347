// Owning C++ handles over DuckDB's C API objects, so every early return releases what it opened.
// Shared by the components that talk to DuckDB themselves: the SQL engine and the lake (which
// writes and reads Parquet through it).
#pragma once

#include <duckdb.h>

#include <initializer_list>
#include <vector>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "shoplake/core/result.hpp"

namespace shoplake::sql::duck {

// One owning handle: `Destroy` is the C API's destroy function, which takes a pointer to the
// handle.
template <typename Handle, auto Destroy>
class Owned {
 public:
  Owned() = default;
  explicit Owned(Handle handle) : handle_(handle) {}
  ~Owned() { reset(); }
  Owned(Owned&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Owned& operator=(Owned&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;

  Handle get() const { return handle_; }
  Handle* out() {
    reset();
    return &handle_;
  }
  explicit operator bool() const { return handle_ != nullptr; }
  void reset() {
    if (handle_ != nullptr) Destroy(&handle_);
    handle_ = nullptr;
  }

 private:
  Handle handle_ = nullptr;
};

using Database = Owned<duckdb_database, duckdb_close>;
using Connection = Owned<duckdb_connection, duckdb_disconnect>;
using Config = Owned<duckdb_config, duckdb_destroy_config>;
using PreparedStatement = Owned<duckdb_prepared_statement, duckdb_destroy_prepare>;
using PendingResult = Owned<duckdb_pending_result, duckdb_destroy_pending>;
using ExtractedStatements = Owned<duckdb_extracted_statements, duckdb_destroy_extracted>;
using DataChunk = Owned<duckdb_data_chunk, duckdb_destroy_data_chunk>;
using LogicalType = Owned<duckdb_logical_type, duckdb_destroy_logical_type>;
using Value = Owned<duckdb_value, duckdb_destroy_value>;
using TableFunction = Owned<duckdb_table_function, duckdb_destroy_table_function>;
using ScalarFunction = Owned<duckdb_scalar_function, duckdb_destroy_scalar_function>;

// duckdb_result is a struct, not a pointer, and must be destroyed even when the query failed.
class Result {
 public:
  Result() = default;
  ~Result() { reset(); }
  Result(Result&& other) noexcept
      : result_(other.result_), live_(std::exchange(other.live_, false)) {}
  Result& operator=(Result&& other) noexcept {
    if (this != &other) {
      reset();
      result_ = other.result_;
      live_ = std::exchange(other.live_, false);
    }
    return *this;
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  duckdb_result* out() {
    reset();
    live_ = true;
    return &result_;
  }
  duckdb_result* get() { return &result_; }
  void reset() {
    if (live_) duckdb_destroy_result(&result_);
    live_ = false;
  }

 private:
  duckdb_result result_{};
  bool live_ = false;
};

// A string DuckDB allocated with duckdb_malloc.
struct DuckFree {
  void operator()(char* text) const { duckdb_free(text); }
};
using DuckString = std::unique_ptr<char, DuckFree>;

struct StatementError {
  std::string message;
  duckdb_error_type type = DUCKDB_ERROR_INVALID;
};

inline StatementError error_of(Result& failed) {
  const char* message = duckdb_result_error(failed.get());
  return StatementError{message != nullptr ? message : "unknown DuckDB error",
                        duckdb_result_error_type(failed.get())};
}

// Runs trusted SQL (setup, DDL from publishers) to completion; the error when it failed.
inline std::optional<StatementError> run(duckdb_connection connection, const std::string& sql) {
  Result result;
  if (duckdb_query(connection, sql.c_str(), result.out()) == DuckDBSuccess) return std::nullopt;
  return error_of(result);
}

// A column of a query's result, as DuckDB's DESCRIBE names it and its type.
struct DescribedColumn {
  std::string name;
  std::string type;  // DuckDB's name, e.g. "TIMESTAMP WITH TIME ZONE", "DECIMAL(18,2)"
};

// The columns `select_sql` returns, in order; DuckDB's message when it does not form a query.
inline core::Result<std::vector<DescribedColumn>> describe(duckdb_connection connection,
                                                           const std::string& select_sql) {
  Result described;
  const std::string sql = "DESCRIBE " + select_sql;
  if (duckdb_query(connection, sql.c_str(), described.out()) != DuckDBSuccess) {
    return core::Error{error_of(described).message};
  }
  std::vector<DescribedColumn> columns;
  for (idx_t row = 0; row < duckdb_row_count(described.get()); ++row) {
    DuckString name(duckdb_value_varchar(described.get(), 0, row));
    DuckString type(duckdb_value_varchar(described.get(), 1, row));
    columns.push_back({name ? name.get() : "", type ? type.get() : ""});
  }
  return columns;
}

// Runs a trusted statement prepared once (BEGIN, ROLLBACK on every query: their parse and
// planning cost more than running them); prepares it into `prepared` on first use.
inline std::optional<StatementError> run_prepared(duckdb_connection connection,
                                                  PreparedStatement& prepared,
                                                  const std::string& sql) {
  if (!prepared) {
    if (duckdb_prepare(connection, sql.c_str(), prepared.out()) != DuckDBSuccess) {
      const char* message = duckdb_prepare_error(prepared.get());
      StatementError error{message != nullptr ? message : "unknown DuckDB error"};
      prepared.reset();
      return error;
    }
  }
  Result result;
  if (duckdb_execute_prepared(prepared.get(), result.out()) == DuckDBSuccess) return std::nullopt;
  return error_of(result);
}

struct DatabaseSetting {
  const char* name;
  std::string value;
};

// An in-memory DuckDB with `settings` (threads, memory_limit, …) applied at open. Extensions come
// from the DuckDB build only: nothing is downloaded or loaded at run time. `what` names the
// database in errors ("the lake's DuckDB").
inline core::Result<Database> open_in_memory(std::initializer_list<DatabaseSetting> settings,
                                             const std::string& what) {
  Config config;
  if (duckdb_create_config(config.out()) != DuckDBSuccess) {
    return core::Error{"cannot create a configuration for " + what};
  }
  std::vector<DatabaseSetting> all(settings);
  all.push_back({"autoinstall_known_extensions", "false"});
  all.push_back({"autoload_known_extensions", "false"});
  for (const auto& setting : all) {
    if (duckdb_set_config(config.get(), setting.name, setting.value.c_str()) != DuckDBSuccess) {
      return core::Error{"invalid setting for " + what + ": " + setting.name + " = '" +
                         setting.value + "'"};
    }
  }
  Database database;
  char* error = nullptr;
  if (duckdb_open_ext(nullptr, database.out(), config.get(), &error) != DuckDBSuccess) {
    std::string message = error != nullptr ? error : "unknown error";
    duckdb_free(error);
    return core::Error{"cannot open " + what + ": " + message};
  }
  return database;
}

// 'text' as a SQL string literal, and "name" as a quoted identifier.
inline std::string quote_literal(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}
inline std::string quote_identifier(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace shoplake::sql::duck
