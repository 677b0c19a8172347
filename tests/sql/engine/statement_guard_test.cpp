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

TEST(StatementGuardTest, FindsStateChangingCallsOutsideLiteralsAndComments) {
  EXPECT_EQ(state_changing_function("SELECT * FROM enable_logging()"), "enable_logging");
  EXPECT_EQ(state_changing_function("SELECT \"SetSeed\" (1)"), "SetSeed");
  EXPECT_EQ(state_changing_function("SELECT $1, nextval('s')"), "nextval");
  EXPECT_EQ(state_changing_function("SELECT e'it\\'s', query('x')"), "query");
  EXPECT_FALSE(state_changing_function("SELECT 'it''s query(1)'"));
  EXPECT_FALSE(state_changing_function("SELECT 'it\\', 1 AS \"checkpoint\""));
  EXPECT_FALSE(state_changing_function("SELECT 1 -- checkpoint()"));
  EXPECT_FALSE(state_changing_function("SELECT 1 /* checkpoint() */"));
  EXPECT_FALSE(state_changing_function("SELECT $q$ checkpoint() $q$"));
  EXPECT_FALSE(state_changing_function("SELECT checkpoints(), query_count FROM t"));
  EXPECT_FALSE(state_changing_function("SELECT 1 /* unterminated checkpoint("));
}

}  // namespace
}  // namespace shoplake::sql
