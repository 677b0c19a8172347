#include "duckdb_query.hpp"

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::pipeline {

namespace duck = sql::duck;

core::Status execute(duckdb_connection connection, const std::string& sql, duck::Result& result) {
  if (duckdb_query(connection, sql.c_str(), result.out()) == DuckDBSuccess) {
    return core::ok_status();
  }
  const char* message = duckdb_result_error(result.get());
  return core::Error{message != nullptr ? message : "unknown DuckDB error"};
}

core::Status execute(duckdb_connection connection, const std::string& sql) {
  duck::Result result;
  return execute(connection, sql, result);
}

core::Result<std::string> query_text(duckdb_connection connection, const std::string& sql) {
  duck::Result result;
  if (auto ran = execute(connection, sql, result); !ran) return core::Error{ran.error()};
  if (duckdb_row_count(result.get()) == 0) return std::string{};
  duck::DuckString value(duckdb_value_varchar(result.get(), 0, 0));
  return value ? std::string(value.get()) : std::string{};
}

core::Result<std::int64_t> query_int(duckdb_connection connection, const std::string& sql) {
  duck::Result result;
  if (auto ran = execute(connection, sql, result); !ran) return core::Error{ran.error()};
  if (duckdb_row_count(result.get()) == 0) return std::int64_t{0};
  return duckdb_value_int64(result.get(), 0, 0);
}

}  // namespace shoplake::pipeline
