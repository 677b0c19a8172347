// Shared by the lake Parquet tests: a scratch directory, and query results as text.
#pragma once

#include <duckdb.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "duck_values.hpp"
#include "engine_test_support.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::lake::testing {

// A fresh directory under the system temp dir, removed with everything in it.
using ScratchDir = sql::testing::TempDirectory;

using Row = std::vector<std::optional<std::string>>;

// Every value of `sql`'s result as VARCHAR text (NULL: nullopt). Fails the test on an error.
inline std::vector<Row> text_rows(duckdb_connection connection, const std::string& sql) {
  const std::string as_text = "SELECT COLUMNS(*)::VARCHAR FROM (" + sql + ")";
  auto result = parquet_detail::query(connection, as_text, "test query");
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error()) << "\n" << sql;
  std::vector<Row> rows;
  if (!result) return rows;
  duckdb_result* raw = result.value().get();
  const idx_t columns = duckdb_column_count(raw);
  parquet_detail::for_each_chunk(raw, [&](duckdb_data_chunk chunk) {
    const idx_t count = duckdb_data_chunk_get_size(chunk);
    for (idx_t row = 0; row < count; ++row) {
      Row values;
      for (idx_t column = 0; column < columns; ++column) {
        values.push_back(
            parquet_detail::string_at(duckdb_data_chunk_get_vector(chunk, column), row));
      }
      rows.push_back(std::move(values));
    }
    return true;
  });
  return rows;
}

// The single value of a one-row, one-column query.
inline std::optional<std::string> text_value(duckdb_connection connection, const std::string& sql) {
  auto rows = text_rows(connection, sql);
  EXPECT_EQ(rows.size(), 1u) << sql;
  if (rows.size() != 1 || rows[0].empty()) return std::nullopt;
  return rows[0][0];
}

inline void run_ok(duckdb_connection connection, const std::string& sql) {
  auto error = sql::duck::run(connection, sql);
  ASSERT_FALSE(error.has_value()) << error->message << "\n" << sql;
}

}  // namespace shoplake::lake::testing
