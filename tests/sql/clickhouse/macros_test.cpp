// Each ClickHouse function, translated and run in DuckDB with the macros, against the value
// clickhouse-server 18.16 prints for the same expression (TSV), or, for functions 18.16 does not
// have, the value newer ClickHouse documents.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "duckdb_session.hpp"
#include "functions.hpp"

namespace shoplake::sql {
namespace {

// ClickHouse prints booleans as UInt8 (and so does shoplake's output) and whole floats bare.
std::string as_clickhouse_prints(std::string value) {
  if (value == "true") return "1";
  if (value == "false") return "0";
  if (value.size() > 2 && value.ends_with(".0")) value.resize(value.size() - 2);
  return value;
}

void expect_values(testing::DuckDbSession& duckdb,
                   const std::vector<std::pair<std::string, std::string>>& cases,
                   const std::string& from = "") {
  for (const auto& [expression, expected] : cases) {
    const testing::Rows rows = duckdb.query("SELECT " + expression + " AS v" + from);
    ASSERT_EQ(rows.error, "") << expression;
    ASSERT_EQ(rows.rows.size(), 1u) << expression;
    EXPECT_EQ(as_clickhouse_prints(rows.rows[0][0]), expected) << expression;
  }
}

TEST(Macros, ScalarFunctionsMatchClickHouse) {
  testing::DuckDbSession duckdb;
  expect_values(
      duckdb,
      {
          {"toDate('2020-01-08')", "2020-01-08"},
          {"toDate(toDateTime('2020-01-08 10:11:12'))", "2020-01-08"},
          {"toDate(17000)", "2016-07-18"},
          {"toDateTime('2020-01-08 10:11:12')", "2020-01-08 10:11:12"},
          {"toDateTime(1494410783)", "2017-05-10 10:06:23"},
          {"toStartOfMinute(toDateTime('2020-01-08 10:11:12'))", "2020-01-08 10:11:00"},
          {"toStartOfFiveMinute(toDateTime('2020-01-08 10:11:12'))", "2020-01-08 10:10:00"},
          {"toStartOfFifteenMinutes(toDateTime('2020-01-08 10:11:12'))", "2020-01-08 10:00:00"},
          {"toStartOfHour(toDateTime('2020-01-08 10:11:12'))", "2020-01-08 10:00:00"},
          {"toStartOfDay(toDateTime('2020-01-08 10:11:12'))", "2020-01-08 00:00:00"},
          {"toMonday(toDate('2020-01-08'))", "2020-01-06"},
          {"toStartOfMonth(toDate('2020-01-08'))", "2020-01-01"},
          {"toStartOfQuarter(toDate('2020-05-08'))", "2020-04-01"},
          {"toStartOfYear(toDateTime('2020-05-08 10:00:00'))", "2020-01-01"},
          {"toYYYYMM(toDate('2020-01-08'))", "202001"},
          {"toYYYYMMDD(toDateTime('2020-01-08 23:59:59'))", "20200108"},
          {"toYear(toDate('2020-01-08'))", "2020"},
          {"toMonth(toDate('2020-01-08'))", "1"},
          {"toDayOfMonth(toDate('2020-01-08'))", "8"},
          {"toDayOfWeek(toDate('2020-01-05'))", "7"},
          {"toDayOfWeek(toDate('2020-01-06'))", "1"},
          {"toHour(toDateTime('2020-01-08 13:14:15'))", "13"},
          {"toMinute(toDateTime('2020-01-08 13:14:15'))", "14"},
          {"toSecond(toDateTime('2020-01-08 13:14:15'))", "15"},
          {"toUnixTimestamp(toDateTime('2020-01-01 00:00:00'))", "1577836800"},
          {"toUnixTimestamp('2020-01-01 00:00:10')", "1577836810"},
          {"addHours(toDateTime('2020-01-01 00:00:00'), 3)", "2020-01-01 03:00:00"},
          {"addMinutes(toDateTime('2020-01-01 00:00:00'), 90)", "2020-01-01 01:30:00"},
          {"subtractDays(toDateTime('2020-01-05 10:00:00'), 2)", "2020-01-03 10:00:00"},
          {"addMonths(toDateTime('2020-01-31 10:00:00'), 1)", "2020-02-29 10:00:00"},
          {"dateDiff('day', toDate('2020-01-01'), toDate('2020-01-03'))", "2"},
          {"dateDiff('hour', toDateTime('2020-01-01 00:00:00'), toDateTime('2020-01-01 05:30:00'))",
           "5"},
          {"formatDateTime(toDateTime('2020-01-08 10:11:12'), '%Y/%m/%d %H')", "2020/01/08 10"},
          {"formatReadableSize(100)", "100.00 B"},
          {"formatReadableSize(1536)", "1.50 KiB"},
          {"formatReadableSize(123456789)", "117.74 MiB"},
          {"formatReadableSize(5000000000000)", "4.55 TiB"},
          {"toString(toDate('2020-01-02'))", "2020-01-02"},
          {"toString(toDateTime('2020-01-02 03:04:05'))", "2020-01-02 03:04:05"},
          {"toString(42)", "42"},
          {"toUInt8(2.7)", "2"},
          {"toInt32(-2.7)", "-2"},
          {"toUInt32(toDateTime('2020-01-01 00:00:00'))", "1577836800"},
          {"toUInt16(toDate('2020-01-01'))", "18262"},
          {"toInt64('123')", "123"},
          {"toUInt64(12)", "12"},
          {"toFloat64('1.5')", "1.5"},
          {"ifNull(NULL, 5)", "5"},
          {"nullIf(1, 1)", "NULL"},
          {"nullIf(1, 2)", "1"},
          {"multiIf(1 > 2, 'a', 2 > 1, 'b', 'c')", "b"},
          {"if(1 > 2, 'a', 'b')", "b"},
          {"empty('')", "1"},
          {"empty('x')", "0"},
          {"notEmpty([1])", "1"},
          {"length('hello')", "5"},
          {"lower('AbC')", "abc"},
          {"upper('AbC')", "ABC"},
          {"concat('a', 'b', 'c')", "abc"},
          {"substring('hello', 2, 3)", "ell"},
          {"position('hello', 'l')", "3"},
          {"replaceAll('aXbX', 'X', 'y')", "ayby"},
          {"replaceOne('aXbX', 'X', 'y')", "aybX"},
          {"replaceRegexpAll('a1b22', '[0-9]+', '#')", "a#b#"},
          {"startsWith('hello', 'he')", "1"},
          {"endsWith('hello', 'lo')", "1"},
          {"match('abc123', '[0-9]+')", "1"},
          {"length(splitByChar(',', 'a,b,c'))", "3"},
          {"has(splitByChar(',', 'a,b'), 'b')", "1"},
          {"has([1, 2], 3)", "0"},
          {"indexOf([5, 6, 7], 6)", "2"},
          {"arrayStringConcat(['a', 'b'], '-')", "a-b"},
          {"arraySum([1, 2, 3])", "6"},
          {"arrayElement([10, 20], 2)", "20"},
          {"length(arrayMap(x -> x * 2, [1, 2, 3]))", "3"},
          {"arraySum(arrayMap(x -> x * 2, [1, 2, 3]))", "12"},
          {"arraySum(arrayFilter(x -> x > 1, [1, 2, 3]))", "5"},
          {"arrayExists(x -> x > 2, [1, 2, 3])", "1"},
          {"arrayAll(x -> x > 2, [1, 2, 3])", "0"},
          {"arrayCount(x -> x > 1, [1, 2, 3])", "2"},
          {"intDiv(-7, 2)", "-3"},
          {"intDiv(7.5, 2)", "3"},
          {"intDivOrZero(1, 0)", "0"},
          {"modulo(-7, 2)", "-1"},
          {"-7 % 2", "-1"},
          {"greatest(1, 3)", "3"},
          {"least(1, 3)", "1"},
          {"round(2.5)", "3"},
          {"round(3.14159, 2)", "3.14"},
          {"floor(2.7)", "2"},
          {"toDate(toDateTime('2020-01-08 10:11:12')) = toDate('2020-01-08')", "1"},
          {"today() = toDate(now())", "1"},
          {"yesterday() = today() - 1", "1"},
          {"toDecimal32(3.14159, 2)", "3.14"},
          {"CAST('42' AS UInt32) + 1", "43"},
          {"log(exp(2))", "2"},
          {"plus(1, 2)", "3"},
          {"negate(5)", "-5"},
          {"isNull(NULL)", "1"},
          {"currentDatabase()", "default"},
      });
}

TEST(Macros, FunctionsNewerThanClickHouse18) {
  testing::DuckDbSession duckdb;
  expect_values(
      duckdb, {
                  {"toDate(1494410783)", "2017-05-10"},
                  {"toStartOfWeek(toDate('2020-01-08'))", "2020-01-05"},
                  {"toStartOfWeek(toDate('2020-01-08'), 1)", "2020-01-06"},
                  {"toStartOfTenMinutes(toDateTime('2020-01-08 10:19:59'))", "2020-01-08 10:10:00"},
                  {"toStartOfInterval(toDateTime('2020-01-08 10:11:12'), INTERVAL 5 "
                   "MINUTE)",
                   "2020-01-08 10:10:00"},
                  {"toStartOfInterval(toDateTime('2020-01-08 10:11:12'), INTERVAL 1 "
                   "HOUR)",
                   "2020-01-08 10:00:00"},
                  {"formatReadableQuantity(1234567)", "1.23 million"},
                  {"formatReadableQuantity(12)", "12.00"},
                  {"toDateTime('2020-01-08 10:11:12.999')", "2020-01-08 10:11:12"},
                  {"timezone()", "Etc/UTC"},
              });
}

TEST(Macros, AggregatesMatchClickHouse) {
  testing::DuckDbSession duckdb;
  // clickhouse-server 18.16 over SELECT arrayJoin([1, 2, 3, 10]) AS x.
  expect_values(duckdb,
                {
                    {"count()", "4"},
                    {"countIf(x > 1)", "3"},
                    {"sumIf(x, x > 2)", "13"},
                    {"sumIf(x, x > 100)", "0"},
                    {"avgIf(x, x > 2)", "6.5"},
                    {"minIf(x, x > 1)", "2"},
                    {"maxIf(x, x < 10)", "3"},
                    {"uniq(x)", "4"},
                    {"uniqExact(x % 2)", "2"},
                    {"uniq(x, x % 2)", "4"},
                    {"uniqIf(x, x > 2)", "2"},
                    {"anyLast(x)", "10"},
                    {"argMax(x, -x)", "1"},
                    {"argMin(x, -x)", "10"},
                    {"median(x)", "2.5"},
                    {"quantile(0.5)(x)", "2.5"},
                    {"quantile(0.9)(x)", "7.900000000000001"},
                    {"quantileExact(0.5)(x)", "3"},
                    {"length(groupArray(x))", "4"},
                    {"length(quantiles(0.5, 0.9)(x))", "2"},
                    {"intDiv(sum(x), 3)", "5"},
                },
                " FROM (SELECT arrayJoin([1, 2, 3, 10]) AS x)");
}

TEST(Macros, DateTimeIsTimestampSecondsAndDateIsDate) {
  testing::DuckDbSession duckdb;
  for (const auto& [expression, type] : std::vector<std::pair<std::string, std::string>>{
           {"now()", "TIMESTAMP_S"},
           {"toDateTime('2020-01-08 10:11:12')", "TIMESTAMP_S"},
           {"toStartOfMinute(now())", "TIMESTAMP_S"},
           {"toStartOfFiveMinute(now())", "TIMESTAMP_S"},
           {"toStartOfHour(now())", "TIMESTAMP_S"},
           {"addHours(now(), 1)", "TIMESTAMP_S"},
           {"now() - INTERVAL 6 HOUR", "TIMESTAMP_S"},
           {"now() + INTERVAL 1 DAY - INTERVAL 30 MINUTE", "TIMESTAMP_S"},
           {"today()", "DATE"},
           {"yesterday()", "DATE"},
           {"toDate(now())", "DATE"},
           {"toMonday(now())", "DATE"},
           {"toStartOfMonth(now())", "DATE"},
           {"toYYYYMM(now())", "UINTEGER"},
           {"toUnixTimestamp(now())", "UINTEGER"},
           {"toHour(now())", "UTINYINT"},
       }) {
    const testing::Rows rows = duckdb.query("SELECT typeof(" + expression + ") AS t");
    ASSERT_EQ(rows.error, "") << expression;
    EXPECT_EQ(rows.rows.at(0).at(0), type) << expression;
  }
}

// A macro with a builtin's name would change what plain DuckDB SQL means.
TEST(Macros, NoneShadowsADuckDbBuiltin) {
  duckdb_database database;
  duckdb_connection connection;
  ASSERT_EQ(duckdb_open(nullptr, &database), DuckDBSuccess);
  ASSERT_EQ(duckdb_connect(database, &connection), DuckDBSuccess);
  for (const std::string& name : clickhouse::macro_names()) {
    duckdb_result result;
    const std::string sql =
        "SELECT count(*) FROM duckdb_functions() WHERE lower(function_name) = lower('" + name +
        "')";
    ASSERT_EQ(duckdb_query(connection, sql.c_str(), &result), DuckDBSuccess);
    EXPECT_EQ(duckdb_value_int64(&result, 0, 0), 0) << name << " is a DuckDB builtin";
    duckdb_destroy_result(&result);
  }
  duckdb_disconnect(&connection);
  duckdb_close(&database);
}

}  // namespace
}  // namespace shoplake::sql
