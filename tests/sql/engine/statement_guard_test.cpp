#include "statement_guard.hpp"

#include <gtest/gtest.h>

namespace shoplake::sql {
namespace {

TEST(StatementGuardTest, FindsTheExplainedStatement) {
  EXPECT_EQ(explained_statement("EXPLAIN SELECT 1"), "SELECT 1");
  EXPECT_EQ(explained_statement("  -- why\n explain analyze\nSELECT 1"), "SELECT 1");
  EXPECT_EQ(explained_statement("/* c */ EXPLAIN (FORMAT json) SELECT 1"), "SELECT 1");
  EXPECT_EQ(explained_statement("EXPLAIN ANALYSE INSERT INTO t VALUES (1)"),
            "INSERT INTO t VALUES (1)");
}

TEST(StatementGuardTest, RefusesWhatItDoesNotUnderstand) {
  EXPECT_FALSE(explained_statement("SELECT 1"));
  EXPECT_FALSE(explained_statement("EXPLAINX SELECT 1"));
  EXPECT_FALSE(explained_statement("EXPLAIN"));
  EXPECT_FALSE(explained_statement("EXPLAIN (FORMAT 'json') SELECT 1"));
}

TEST(StatementGuardTest, AllowsOnlySelectAndExplain) {
  EXPECT_TRUE(is_read_only_kind(DUCKDB_STATEMENT_TYPE_SELECT));
  EXPECT_TRUE(is_read_only_kind(DUCKDB_STATEMENT_TYPE_EXPLAIN));
  EXPECT_FALSE(is_read_only_kind(DUCKDB_STATEMENT_TYPE_INSERT));
  EXPECT_FALSE(is_read_only_kind(DUCKDB_STATEMENT_TYPE_PRAGMA));
  EXPECT_EQ(statement_kind_name(DUCKDB_STATEMENT_TYPE_ATTACH), "ATTACH");
}

}  // namespace
}  // namespace shoplake::sql
