// What the lake's tests share: the lake's own DuckDB (a ParquetIo and a connection to it) and
// the first column of a query's rows as text.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "parquet_io.hpp"

namespace shoplake::lake::testing {

struct LakeDuck {
  std::unique_ptr<ParquetIo> parquet;
  sql::duck::Connection connection;
};

// Fails the test (and returns nothing usable) when the lake's DuckDB does not open.
inline void open_lake_duck(LakeDuck& duck) {
  auto parquet = ParquetIo::open();
  ASSERT_TRUE(parquet) << parquet.error();
  duck.parquet = std::move(parquet).value();
  auto connection = duck.parquet->connect();
  ASSERT_TRUE(connection) << connection.error();
  duck.connection = std::move(connection).value();
}

// The first column of every row of `sql`, as text ("NULL" for NULL); a failed query fails the
// test and returns no rows.
inline std::vector<std::string> first_column_texts(duckdb_connection connection,
                                                   const std::string& sql) {
  sql::duck::Result result;
  if (duckdb_query(connection, sql.c_str(), result.out()) == DuckDBError) {
    ADD_FAILURE() << duckdb_result_error(result.get());
    return {};
  }
  std::vector<std::string> rows;
  for (idx_t row = 0; row < duckdb_row_count(result.get()); ++row) {
    sql::duck::DuckString value(duckdb_value_varchar(result.get(), 0, row));
    rows.push_back(value ? value.get() : "NULL");
  }
  return rows;
}

}  // namespace shoplake::lake::testing
