// StagedRows read back through DuckDB: a batch after clear() holds exactly its own rows, NULLs
// and strings, whatever the batch before it left in the memory it reuses.
#include "staged_rows.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_test_support.hpp"
#include "parquet_io.hpp"

namespace shoplake::lake {
namespace {

class StagedRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parquet = ParquetIo::open();
    ASSERT_TRUE(parquet) << parquet.error();
    parquet_ = std::move(parquet).value();
    auto connection = parquet_->connect();
    ASSERT_TRUE(connection) << connection.error();
    connection_ = std::move(connection).value();
    ASSERT_TRUE(StagedRows::register_function(connection_.get()));
  }

  // Every staged row as "text|number", in staging order.
  std::vector<std::string> rows_of(const StagedRows& staged) {
    sql::duck::Result result;
    const std::string sql = fmt::format(
        "SELECT coalesce(text, 'NULL') || '|' || coalesce(CAST(number AS VARCHAR), 'NULL') "
        "FROM ({}) ORDER BY rowid_in_batch",
        staged.select_sql());
    if (duckdb_query(connection_.get(), sql.c_str(), result.out()) == DuckDBError) {
      ADD_FAILURE() << duckdb_result_error(result.get());
      return {};
    }
    std::vector<std::string> rows;
    for (idx_t row = 0; row < duckdb_row_count(result.get()); ++row) {
      sql::duck::DuckString value(duckdb_value_varchar(result.get(), 0, row));
      rows.push_back(value.get());
    }
    return rows;
  }

  std::unique_ptr<ParquetIo> parquet_;
  sql::duck::Connection connection_;
};

// Stages `count` rows: a text (long, so that it lives in the string blocks, or short and inlined)
// on rows where `text_set` holds, the number elsewhere, and the row's index in the batch.
std::vector<std::string> stage(StagedRows& staged, int count, bool long_texts,
                               bool (*text_set)(int)) {
  std::vector<std::string> expected;
  for (int row = 0; row < count; ++row) {
    const std::string text = long_texts
                                 ? fmt::format("a text longer than twelve bytes, row {}", row)
                                 : fmt::format("r{}", row);
    if (text_set(row)) {
      staged.set_string(0, text);
      expected.push_back(text + "|NULL");
    } else {
      staged.set_int64(1, row * 7);
      expected.push_back(fmt::format("NULL|{}", row * 7));
    }
    staged.set_int64(2, row);
    staged.end_row();
  }
  return expected;
}

TEST_F(StagedRowsTest, ABatchAfterClearHoldsExactlyItsOwnRows) {
  StagedRows staged({{"text", DUCKDB_TYPE_VARCHAR},
                     {"number", DUCKDB_TYPE_BIGINT},
                     {"rowid_in_batch", DUCKDB_TYPE_BIGINT}});
  // Three chunks of long texts on even rows.
  auto expected = stage(staged, 5000, true, [](int row) { return row % 2 == 0; });
  EXPECT_EQ(staged.rows(), 5000u);
  EXPECT_EQ(rows_of(staged), expected);

  // Fewer rows, and the NULLs where the batch before had values: nothing of it may show.
  staged.clear();
  EXPECT_EQ(staged.rows(), 0u);
  EXPECT_TRUE(rows_of(staged).empty());
  expected = stage(staged, 10, false, [](int row) { return row % 2 == 1; });
  EXPECT_EQ(rows_of(staged), expected);

  // Larger again than what the small batch kept.
  staged.clear();
  expected = stage(staged, 7000, true, [](int row) { return row % 3 == 0; });
  EXPECT_EQ(rows_of(staged), expected);
}

}  // namespace
}  // namespace shoplake::lake
