// Expectations counted on a model's output: unique() is first checked on the keys' hashes, and
// the keys themselves decide whenever two hashes are equal.
#include "expectations.hpp"

#include <gtest/gtest.h>

#include <string>

namespace shoplake::pipeline {
namespace {

class ExpectationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(duckdb_open(nullptr, &database_), DuckDBSuccess);
    ASSERT_EQ(duckdb_connect(database_, &connection_), DuckDBSuccess);
  }
  void TearDown() override {
    duckdb_disconnect(&connection_);
    duckdb_close(&database_);
  }

  void run(const std::string& sql) {
    duckdb_result result;
    ASSERT_EQ(duckdb_query(connection_, sql.c_str(), &result), DuckDBSuccess)
        << duckdb_result_error(&result);
    duckdb_destroy_result(&result);
  }

  ExpectationResult check(const Expectation& expectation) {
    auto results = check_expectations(connection_, {expectation}, "t");
    EXPECT_TRUE(results) << (results ? "" : results.error());
    return results && !results.value().empty() ? results.value()[0] : ExpectationResult{};
  }

  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
};

Expectation unique(std::vector<std::string> columns) {
  Expectation expectation;
  expectation.kind = ExpectationKind::unique;
  expectation.columns = std::move(columns);
  expectation.text = "unique(...)";
  return expectation;
}

TEST_F(ExpectationsTest, UniqueCountsEveryCopyOfARepeatedKey) {
  run("CREATE TABLE t AS SELECT 'id-' || range AS id, range % 7 AS day, range AS n "
      "FROM range(100000)");
  EXPECT_EQ(check(unique({"id"})).failing_rows, 0);
  EXPECT_EQ(check(unique({"day", "n"})).failing_rows, 0);

  // 'id-5' three times and 'id-9' twice: five failing rows, sampled.
  run("INSERT INTO t VALUES ('id-5', 1, -1), ('id-5', 2, -2), ('id-9', 3, -3)");
  const ExpectationResult repeated = check(unique({"id"}));
  EXPECT_EQ(repeated.failing_rows, 5);
  EXPECT_NE(repeated.sample_json.find("id-5"), std::string::npos);
  // Over two columns, a key repeats only when both do.
  EXPECT_EQ(check(unique({"id", "day"})).failing_rows, 0);
  run("INSERT INTO t VALUES ('id-5', 1, -4)");
  EXPECT_EQ(check(unique({"id", "day"})).failing_rows, 2);
}

TEST_F(ExpectationsTest, NullKeysAreNotRepeatedKeys) {
  // Equal hashes (NULL hashes alike) but no equal keys: the exact check has the last word.
  run("CREATE TABLE t AS SELECT CASE WHEN range < 3 THEN NULL ELSE range END AS id FROM range(10)");
  EXPECT_EQ(check(unique({"id"})).failing_rows, 0);
}

}  // namespace
}  // namespace shoplake::pipeline
