// Typical dashboard queries, pasted as ClickHouse users write them, over a small event table.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "duckdb_session.hpp"

namespace shoplake::sql {
namespace {

using Table = std::vector<std::vector<std::string>>;

class Dashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* statement : {
             "CREATE SCHEMA gold",
             "CREATE TABLE main.events (ts TIMESTAMP_MS, event_type VARCHAR, user_id BIGINT, "
             "sku VARCHAR, price DOUBLE)",
             "INSERT INTO main.events VALUES "
             "('2024-03-01 10:00:05', 'page_view', 1, 'a', NULL), "
             "('2024-03-01 10:00:40', 'add_to_cart', 1, 'a', 10.0), "
             "('2024-03-01 10:01:10', 'purchase', 1, 'a', 10.0), "
             "('2024-03-01 10:02:00', 'page_view', 2, 'b', NULL), "
             "('2024-03-02 09:00:00', 'page_view', 3, 'b', NULL), "
             "('2024-03-02 09:00:30', 'purchase', 3, 'b', 25.5), "
             "('2024-03-02 09:05:00', 'purchase', 2, 'a', 10.0)",
             "CREATE TABLE gold.revenue_daily AS SELECT CAST(ts AS DATE) AS event_date, "
             "sum(price) AS revenue, count(*) AS events FROM main.events GROUP BY 1",
         }) {
      ASSERT_EQ(duckdb_.run(statement).error, "") << statement;
    }
  }

  testing::Rows run(const std::string& clickhouse_sql) {
    testing::Rows rows = duckdb_.query(clickhouse_sql);
    EXPECT_EQ(rows.error, "") << clickhouse_sql;
    return rows;
  }

  testing::DuckDbSession duckdb_;
};

TEST_F(Dashboard, RevenuePerDay) {
  const testing::Rows rows =
      run("SELECT toDate(ts) AS d, sumIf(price, event_type = 'purchase') AS revenue, count() "
          "FROM events WHERE ts >= toDateTime('2024-03-01 00:00:00') GROUP BY d ORDER BY d DESC "
          "LIMIT 10 FORMAT JSONCompact");
  EXPECT_EQ(rows.columns, (std::vector<std::string>{"d", "revenue", "count()"}));
  EXPECT_EQ(rows.rows, (Table{{"2024-03-02", "35.5", "3"}, {"2024-03-01", "10.0", "4"}}));
}

TEST_F(Dashboard, GoldTableWithTodayArithmetic) {
  const testing::Rows rows =
      run("SELECT event_date, revenue FROM gold.revenue_daily WHERE event_date >= "
          "toDate('2024-03-02') - 7 ORDER BY event_date DESC LIMIT 1 FORMAT Vertical");
  EXPECT_EQ(rows.rows, (Table{{"2024-03-02", "35.5"}}));
}

TEST_F(Dashboard, FunnelWithCountIf) {
  const testing::Rows rows =
      run("SELECT countIf(event_type = 'page_view') AS views, countIf(event_type = "
          "'add_to_cart') AS carts, countIf(event_type = 'purchase') AS purchases, "
          "round(purchases / views, 2) AS conversion FROM events");
  EXPECT_EQ(rows.rows, (Table{{"3", "1", "3", "1.0"}}));
}

TEST_F(Dashboard, TopProducts) {
  const testing::Rows rows =
      run("SELECT sku, sum(price) AS revenue, uniq(user_id) AS buyers FROM events "
          "WHERE event_type = 'purchase' GROUP BY sku ORDER BY revenue DESC LIMIT 0, 5");
  EXPECT_EQ(rows.rows, (Table{{"b", "25.5", "1"}, {"a", "20.0", "2"}}));
}

TEST_F(Dashboard, ActiveUsersPerDay) {
  const testing::Rows rows =
      run("SELECT toStartOfDay(ts) AS day, uniq(user_id) AS dau, uniqIf(user_id, event_type = "
          "'purchase') AS buyers FROM events GROUP BY day ORDER BY day");
  EXPECT_EQ(rows.rows,
            (Table{{"2024-03-01 00:00:00", "2", "1"}, {"2024-03-02 00:00:00", "2", "2"}}));
}

TEST_F(Dashboard, PerMinuteSeries) {
  const testing::Rows rows =
      run("SELECT toStartOfMinute(ts) AS t, count() AS c FROM events WHERE toDate(ts) = "
          "'2024-03-01' GROUP BY t ORDER BY t");
  EXPECT_EQ(rows.rows, (Table{{"2024-03-01 10:00:00", "2"},
                              {"2024-03-01 10:01:00", "1"},
                              {"2024-03-01 10:02:00", "1"}}));
}

// What Grafana's ClickHouse plugin sends for $timeSeries and $timeFilter.
TEST_F(Dashboard, GrafanaTimeSeries) {
  const testing::Rows rows =
      run("SELECT (intDiv(toUInt32(ts), 3600) * 3600) * 1000 AS t, count() FROM events WHERE "
          "toDate(ts) >= toDate(1709251200) AND ts >= toDateTime(1709251200) GROUP BY t ORDER "
          "BY t");
  EXPECT_EQ(rows.columns, (std::vector<std::string>{"t", "count()"}));
  EXPECT_EQ(rows.rows, (Table{{"1709287200000", "4"}, {"1709370000000", "3"}}));
}

TEST_F(Dashboard, QuantilesAndMultiIf) {
  const testing::Rows rows =
      run("SELECT multiIf(price < 15, 'cheap', price < 30, 'mid', 'dear') AS band, "
          "quantile(0.5)(price) AS p50, any(sku) FROM events WHERE isNotNull(price) GROUP BY band "
          "ORDER BY band");
  EXPECT_EQ(rows.columns, (std::vector<std::string>{"band", "p50", "any(sku)"}));
  EXPECT_EQ(rows.rows, (Table{{"cheap", "10.0", "a"}, {"mid", "25.5", "b"}}));
}

TEST_F(Dashboard, NumbersAndArrayJoin) {
  EXPECT_EQ(run("SELECT number, number * 2 FROM numbers(3) ORDER BY number").rows,
            (Table{{"0", "0"}, {"1", "2"}, {"2", "4"}}));
  EXPECT_EQ(run("SELECT arrayJoin(['a', 'b']) AS x ORDER BY x").rows, (Table{{"a"}, {"b"}}));
}

}  // namespace
}  // namespace shoplake::sql
