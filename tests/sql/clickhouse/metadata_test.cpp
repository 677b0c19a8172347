// SHOW, DESCRIBE and EXISTS run against the `system` views an engine provides; here a tiny
// stand-in over two schemas.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "duckdb_session.hpp"

namespace shoplake::sql {
namespace {

using Table = std::vector<std::vector<std::string>>;

class Metadata : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* statement : {
             "CREATE SCHEMA gold",
             "CREATE TABLE main.events (ts TIMESTAMP_S, price DOUBLE)",
             "CREATE TABLE gold.revenue_daily (event_date DATE, revenue DOUBLE)",
             "CREATE TABLE gold.top_products (sku VARCHAR)",
             "CREATE SCHEMA clickhouse_system",
             "CREATE VIEW clickhouse_system.databases AS SELECT * FROM (VALUES ('default'), "
             "('gold'), "
             "('system')) v(name)",
             "CREATE VIEW clickhouse_system.tables AS SELECT CASE schema_name WHEN 'main' THEN "
             "'default' ELSE schema_name END AS database, table_name AS name, 'Delta' AS engine "
             "FROM duckdb_tables()",
             "CREATE VIEW clickhouse_system.columns AS SELECT CASE schema_name WHEN 'main' THEN "
             "'default' ELSE schema_name END AS database, table_name AS \"table\", column_name AS "
             "name, data_type AS type, column_index AS position FROM duckdb_columns() WHERE NOT "
             "internal",
         }) {
      ASSERT_EQ(duckdb_.run(statement).error, "") << statement;
    }
  }

  Table rows(const std::string& clickhouse_sql) {
    const testing::Rows result = duckdb_.query(clickhouse_sql);
    EXPECT_EQ(result.error, "") << clickhouse_sql;
    return result.rows;
  }

  testing::DuckDbSession duckdb_;
};

TEST_F(Metadata, ShowDatabases) {
  EXPECT_EQ(rows("SHOW DATABASES"), (Table{{"default"}, {"gold"}, {"system"}}));
  EXPECT_EQ(rows("SHOW DATABASES LIKE 'g%' FORMAT JSON"), (Table{{"gold"}}));
}

TEST_F(Metadata, ShowTablesUsesTheCurrentDatabaseOrTheNamedOne) {
  EXPECT_EQ(rows("SHOW TABLES"), (Table{{"events"}}));
  EXPECT_EQ(rows("SHOW TABLES FROM gold"), (Table{{"revenue_daily"}, {"top_products"}}));
  EXPECT_EQ(rows("SHOW TABLES IN gold LIKE '%daily'"), (Table{{"revenue_daily"}}));
  EXPECT_EQ(rows("SHOW TABLES FROM gold NOT LIKE '%daily' LIMIT 5"), (Table{{"top_products"}}));
  ASSERT_EQ(duckdb_.run("SET schema = 'gold'").error, "");
  EXPECT_EQ(rows("SHOW TABLES"), (Table{{"revenue_daily"}, {"top_products"}}));
}

TEST_F(Metadata, DescribeHasClickHousesColumns) {
  const testing::Rows result = duckdb_.query("DESCRIBE TABLE gold.revenue_daily");
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.columns,
            (std::vector<std::string>{"name", "type", "default_type", "default_expression",
                                      "comment", "codec_expression", "ttl_expression"}));
  EXPECT_EQ(result.rows, (Table{{"event_date", "DATE", "", "", "", "", ""},
                                {"revenue", "DOUBLE", "", "", "", "", ""}}));
  EXPECT_EQ(rows("DESC events").size(), 2u);
  EXPECT_EQ(rows("describe `default`.\"events\"").size(), 2u);
}

TEST_F(Metadata, DescribeOfAMissingTableFails) {
  const testing::Rows result = duckdb_.query("DESCRIBE gold.nope");
  EXPECT_NE(result.error.find("Table gold.nope doesn't exist."), std::string::npos) << result.error;
}

TEST_F(Metadata, Exists) {
  const testing::Rows result = duckdb_.query("EXISTS TABLE gold.revenue_daily");
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.columns, (std::vector<std::string>{"result"}));
  EXPECT_EQ(result.rows, (Table{{"1"}}));
  EXPECT_EQ(rows("EXISTS events"), (Table{{"1"}}));
  EXPECT_EQ(rows("EXISTS TABLE gold.nope"), (Table{{"0"}}));
}

TEST_F(Metadata, SystemTablesAndSystemOne) {
  EXPECT_EQ(rows("SELECT name FROM system.tables WHERE database = 'gold' ORDER BY name"),
            (Table{{"revenue_daily"}, {"top_products"}}));
  const testing::Rows one = duckdb_.query("SELECT * FROM system.one");
  ASSERT_EQ(one.error, "");
  EXPECT_EQ(one.columns, (std::vector<std::string>{"dummy"}));
  EXPECT_EQ(one.rows, (Table{{"0"}}));
  EXPECT_EQ(rows("SELECT o.dummy + 1 AS x FROM system.one o"), (Table{{"1"}}));
}

TEST_F(Metadata, MalformedStatementsAreSyntaxErrors) {
  for (const char* text : {"SHOW TABLES FROM", "DESCRIBE", "EXISTS TABLE a.", "SHOW TABLES x",
                           "SHOW DATABASES LIKE 1"}) {
    const TranslationResult result = translate_clickhouse_query(text);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_EQ(result.error().kind, TranslationErrorKind::syntax) << text;
  }
  EXPECT_EQ(translate_clickhouse_query("SHOW PROCESSLIST").error().kind,
            TranslationErrorKind::unsupported);
}

}  // namespace
}  // namespace shoplake::sql
