// StagedRows read back through DuckDB: a batch after clear() holds exactly its own rows, NULLs
// and strings, whatever the batch before it left in the memory it reuses.
#include "staged_rows.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/lake_test_support.hpp"

namespace shoplake::lake {
namespace {

class StagedRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::open_lake_duck(duck_));
    ASSERT_TRUE(StagedRows::register_function(duck_.connection.get()));
  }

  // Every staged row as "text|number", in staging order.
  std::vector<std::string> rows_of(const StagedRows& staged) {
    return testing::first_column_texts(
        duck_.connection.get(),
        fmt::format("SELECT coalesce(text, 'NULL') || '|' || "
                    "coalesce(CAST(number AS VARCHAR), 'NULL') FROM ({}) ORDER BY rowid_in_batch",
                    staged.select_sql()));
  }

  testing::LakeDuck duck_;
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

// Strings of every length up to past DuckDB's 12 inlined bytes, each staged twice into a chunk
// that held other bytes before: both copies read back whole and equal to the same string made by
// DuckDB, which an inlined string is only when the bytes after it are zero.
TEST_F(StagedRowsTest, StringsOfEveryLengthReadBackAndCompareEqual) {
  StagedRows staged({{"text", DUCKDB_TYPE_VARCHAR},
                     {"number", DUCKDB_TYPE_BIGINT},
                     {"rowid_in_batch", DUCKDB_TYPE_BIGINT}});
  for (int row = 0; row < 100; ++row) {
    staged.set_string(0, "##############################");
    staged.set_int64(2, row);
    staged.end_row();
  }
  staged.clear();
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz";
  std::vector<std::string> expected;
  for (std::size_t length = 0; length <= 20; ++length) {
    const std::string text = alphabet.substr(length % 7, length);
    for (int copy = 0; copy < 2; ++copy) {
      staged.set_string(0, text);
      staged.set_int64(2, static_cast<std::int64_t>(expected.size()));
      staged.end_row();
    }
    expected.push_back(fmt::format("{}|{}|2", length, text));
  }
  EXPECT_EQ(testing::first_column_texts(
                duck_.connection.get(),
                fmt::format("SELECT length(text) || '|' || text || '|' || count(*) FROM ({}) "
                            "WHERE text = substr('{}', length(text) % 7 + 1, length(text)) "
                            "GROUP BY text ORDER BY length(text)",
                            staged.select_sql(), alphabet)),
            expected);
}

}  // namespace
}  // namespace shoplake::lake
