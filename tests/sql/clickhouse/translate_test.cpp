#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "duckdb_session.hpp"
#include "lexer.hpp"
#include "shoplake/sql/clickhouse_dialect.hpp"

namespace shoplake::sql {
namespace {

TranslatedQuery ok(std::string_view text) {
  const TranslationResult result = translate_clickhouse_query(text);
  EXPECT_TRUE(result.ok()) << text << ": " << (result.ok() ? "" : result.error().message);
  return result.ok() ? result.value() : TranslatedQuery{};
}

TranslationError failed(std::string_view text) {
  const TranslationResult result = translate_clickhouse_query(text);
  EXPECT_FALSE(result.ok()) << text << " -> " << (result.ok() ? result.value().sql : "");
  return result.ok() ? TranslationError{} : result.error();
}

// now() is a parameter the engine binds, read through a one-row CTE so that a prepared
// dashboard query is not bound again each time; with positional parameters (which DuckDB cannot
// mix with a named one) and outside SELECT, DuckDB's own clock is used. The day of the clock is
// a literal, taken from the same clock the engine binds.
TEST(Translate, NowReadsTheClockParameterAndItsDayIsALiteral) {
  TranslationOptions options;
  options.clock = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1} + std::chrono::hours{23} +
                  std::chrono::minutes{59} + std::chrono::seconds{59};
  const auto with = [&](std::string_view text) {
    const TranslationResult result = translate_clickhouse_query(text, options);
    EXPECT_TRUE(result.ok()) << text << ": " << (result.ok() ? "" : result.error().message);
    return result.ok() ? result.value().sql : std::string();
  };
  const std::string clock =
      "shoplake_clock AS (SELECT CAST(make_timestamp(CAST($shoplake_clock_us AS BIGINT)) AS "
      "TIMESTAMP_S) AS clock_now)";
  const std::string now = "(SELECT clock_now FROM shoplake_clock)";
  EXPECT_EQ(
      with("SELECT now() AS n, today() AS t, yesterday() AS y"),
      "WITH " + clock + " SELECT " + now + " AS n, DATE '2026-03-01' AS t, DATE '2026-02-28' AS y");
  EXPECT_EQ(with("SELECT today() - 29 AS d"), "SELECT DATE '2026-03-01' - 29 AS d");
  EXPECT_EQ(with("SELECT toStartOfDay(now()) AS s, toDate(now()) AS d, TODATE(Today()) AS e"),
            "SELECT TIMESTAMP_S '2026-03-01 00:00:00' AS s, DATE '2026-03-01' AS d, DATE "
            "'2026-03-01' AS e");
  // Anything else of the clock is computed from it as written.
  EXPECT_EQ(with("SELECT toStartOfDay(now() - 1) AS s"),
            "WITH " + clock + " SELECT toStartOfDay(" + now + " - 1) AS s");
  EXPECT_EQ(with("WITH w AS (SELECT now() AS n) SELECT n FROM w"),
            "WITH " + clock + ", w AS (SELECT " + now + " AS n) SELECT n FROM w");
  EXPECT_EQ(with("WITH RECURSIVE w AS (SELECT 1 AS n) SELECT now() AS n FROM w"),
            "WITH RECURSIVE " + clock + ", w AS (SELECT 1 AS n) SELECT " + now + " AS n FROM w");
  options.clock_as_parameter = false;
  EXPECT_EQ(with("SELECT now() AS n, today() AS t, yesterday() AS y"),
            "SELECT clickhouse_now() AS n, DATE '2026-03-01' AS t, DATE '2026-02-28' AS y");
  options.clock_as_parameter = true;
  EXPECT_EQ(ok("EXPLAIN SELECT now()").sql.find("shoplake_clock"), std::string::npos);
  // A column of that name is left alone.
  EXPECT_EQ(ok("SELECT now FROM t").sql, "SELECT now FROM t");
  EXPECT_EQ(ok("SELECT toDate(now) AS d FROM t").sql, "SELECT toDate(now) AS d FROM t");
}

// DateTime ± INTERVAL stays a DateTime, as in ClickHouse; DuckDB would widen it to TIMESTAMP and
// then compare every row of a DateTime column as a TIMESTAMP, which no filter can skip.
TEST(Translate, NowShiftedByIntervalsStaysADateTime) {
  const std::string clock =
      "WITH shoplake_clock AS (SELECT CAST(make_timestamp(CAST($shoplake_clock_us AS BIGINT)) AS "
      "TIMESTAMP_S) AS clock_now) ";
  const std::string now = "(SELECT clock_now FROM shoplake_clock)";
  EXPECT_EQ(
      ok("SELECT 1 FROM t WHERE minute >= now() - INTERVAL 6 HOUR").sql,
      clock + "SELECT 1 FROM t WHERE minute >= CAST(" + now + " - INTERVAL 6 HOUR AS TIMESTAMP_S)");
  EXPECT_EQ(
      ok("SELECT now() + INTERVAL 1 DAY - INTERVAL 2 MINUTE AS x").sql,
      clock + "SELECT CAST(" + now + " + INTERVAL 1 DAY - INTERVAL 2 MINUTE AS TIMESTAMP_S) AS x");
  // Where the shift would not stand alone, the expression is left as written.
  EXPECT_EQ(ok("SELECT x - now() - INTERVAL 1 HOUR AS d FROM t").sql,
            clock + "SELECT x - " + now + " - INTERVAL 1 HOUR AS d FROM t");
  EXPECT_EQ(ok("SELECT now() - INTERVAL 1 HOUR * 2 AS d").sql,
            clock + "SELECT " + now + " - INTERVAL 1 HOUR * 2 AS d");
  EXPECT_EQ(ok("SELECT now() - 60 AS d").sql, clock + "SELECT " + now + " - 60 AS d");
  TranslationOptions options;
  options.clock_as_parameter = false;
  const TranslationResult plain =
      translate_clickhouse_query("SELECT now() - INTERVAL 6 HOUR AS x", options);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.value().sql,
            "SELECT CAST(clickhouse_now() - INTERVAL 6 HOUR AS TIMESTAMP_S) AS x");
}

// Over the live tables alone (which DuckDB scans whole), now() is the parameter itself: a plain
// filter. Anything else keeps the CTE, so that DuckDB does not bind the statement on every run.
TEST(Translate, NowOverLiveTablesAloneIsTheParameterItself) {
  const std::string value =
      "CAST(make_timestamp(CAST($shoplake_clock_us AS BIGINT)) AS TIMESTAMP_S)";
  EXPECT_EQ(ok("SELECT minute FROM realtime.events_per_minute WHERE minute >= now() - INTERVAL 6 "
               "HOUR ORDER BY minute")
                .sql,
            "SELECT minute FROM realtime.events_per_minute WHERE minute >= CAST(" + value +
                " - INTERVAL 6 HOUR AS TIMESTAMP_S) ORDER BY minute");
  EXPECT_EQ(ok("SELECT now() AS n FROM realtime.a AS x JOIN realtime.b y ON x.m = y.m").sql,
            "SELECT " + value + " AS n FROM realtime.a AS x JOIN realtime.b y ON x.m = y.m");
  for (const char* mixed :
       {"SELECT now() FROM realtime.a JOIN gold.b ON true", "SELECT now() FROM realtime.a, gold.b",
        "SELECT now() FROM realtime.a x, gold.b",
        "SELECT now() FROM realtime.a WHERE m IN (SELECT m FROM b)",
        "SELECT now() FROM (SELECT * FROM realtime.a)", "SELECT now() FROM realtime_a",
        "SELECT now()", "SELECT extract(HOUR FROM now()) FROM realtime.a"}) {
    EXPECT_NE(ok(mixed).sql.find("shoplake_clock AS"), std::string::npos) << mixed;
  }
  TranslationOptions options;
  options.live_schemas = {};
  const TranslationResult none =
      translate_clickhouse_query("SELECT now() FROM realtime.a", options);
  ASSERT_TRUE(none.ok());
  EXPECT_NE(none.value().sql.find("shoplake_clock AS"), std::string::npos);
}

TEST(Translate, FormatAndSettingsAreTakenOffTheEnd) {
  const TranslatedQuery q = ok("SELECT 1 SETTINGS max_threads = 2, mode = 'x y' FORMAT Vertical;");
  EXPECT_EQ(q.format, "Vertical");
  ASSERT_EQ(q.settings.size(), 2u);
  EXPECT_EQ(q.settings[0].name, "max_threads");
  EXPECT_EQ(q.settings[0].value, "2");
  EXPECT_EQ(q.settings[1].value, "x y");
  EXPECT_EQ(q.sql, "SELECT 1");

  const TranslatedQuery reversed = ok("SELECT 1 FORMAT JSON SETTINGS a = 1");
  EXPECT_EQ(reversed.format, "JSON");
  EXPECT_EQ(reversed.settings.size(), 1u);
  EXPECT_EQ(reversed.sql, "SELECT 1");
}

TEST(Translate, FormatInsideStringsCommentsOrSubqueriesIsNotAClause) {
  EXPECT_EQ(ok("SELECT 'x FORMAT JSON'").format, "");
  EXPECT_EQ(ok("SELECT 1 -- FORMAT JSON").format, "");
  EXPECT_EQ(ok("SELECT 1 /* FORMAT JSON */").sql, "SELECT 1");
  EXPECT_EQ(ok("SELECT `format` FROM t").format, "");
  const TranslatedQuery q = ok("SELECT * FROM (SELECT 1 AS format) FORMAT TSV");
  EXPECT_EQ(q.format, "TSV");
  EXPECT_EQ(q.sql, "SELECT * FROM (SELECT 1 AS format)");
}

TEST(Translate, ErrorsCarryAPosition) {
  const TranslationError unterminated = failed("SELECT 'abc");
  EXPECT_EQ(unterminated.kind, TranslationErrorKind::syntax);
  EXPECT_EQ(unterminated.position, 7u);
  EXPECT_EQ(failed("SELECT (1").position, 7u);
  EXPECT_EQ(failed("SELECT 1)").position, 8u);
  EXPECT_EQ(failed("SELECT 1 SETTINGS x").position, 18u);
  EXPECT_EQ(failed("").message, "empty query");
  EXPECT_EQ(failed("SELECT 1; SELECT 2").kind, TranslationErrorKind::unsupported);
  EXPECT_EQ(failed("SELECT 1 INTO OUTFILE 'x'").kind, TranslationErrorKind::unsupported);
  const TranslationError use = failed("USE gold");
  EXPECT_EQ(use.kind, TranslationErrorKind::unsupported);
  EXPECT_NE(use.message.find("database"), std::string::npos);
  EXPECT_EQ(failed("SELECT a FROM t LIMIT 1 BY a").kind, TranslationErrorKind::unsupported);
  EXPECT_EQ(failed("SELECT " + std::string(500, '(') + "1" + std::string(500, ')')).kind,
            TranslationErrorKind::unsupported);
}

TEST(Translate, RewritesSyntaxDuckDbLacks) {
  EXPECT_EQ(ok("SELECT x FROM t LIMIT 10, 5").sql, "SELECT x FROM t LIMIT 5 OFFSET 10");
  EXPECT_EQ(ok("SELECT x FROM t PREWHERE a = 1 OR b WHERE c").sql,
            "SELECT x FROM t WHERE (a = 1 OR b) AND (c)");
  EXPECT_EQ(ok("SELECT `my col` FROM default.t WHERE s = 'it\\'s'").sql,
            "SELECT \"my col\" FROM main.t WHERE s = 'it''s'");
  EXPECT_EQ(ok("SELECT 0x1F AS x").sql, "SELECT 31 AS x");
  EXPECT_EQ(ok("SELECT CAST(x AS Nullable(UInt32)) AS c, y::DateTime AS d").sql,
            "SELECT CAST(x AS UINTEGER) AS c, y::TIMESTAMP_S AS d");
  EXPECT_EQ(ok("SELECT CAST(x, 'Array(Int64)') AS c").sql, "SELECT CAST(x AS BIGINT[]) AS c");
  EXPECT_EQ(ok("SELECT x FROM t WHERE y GLOBAL IN (1)").sql, "SELECT x FROM t WHERE y IN (1)");
  EXPECT_EQ(ok("SELECT multiIf(a, 1, b, 2, 3) AS m").sql,
            "SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END AS m");
  EXPECT_EQ(ok("SELECT quantile(0.9)(x) AS q").sql, "SELECT quantile_cont(x, 0.9) AS q");
  EXPECT_EQ(ok("SELECT any(x) AS a, position(s, 'b') AS p").sql,
            "SELECT any_value(x) AS a, strpos(s, 'b') AS p");
  EXPECT_EQ(ok("SELECT 1 FROM system.one").sql,
            "SELECT 1 FROM (SELECT CAST(0 AS UTINYINT) AS dummy) AS one");
  EXPECT_EQ(ok("SELECT name FROM system.tables").sql,
            "SELECT name FROM \"clickhouse_system\".tables");
  EXPECT_EQ(failed("SELECT foo(1)(x)").kind, TranslationErrorKind::unsupported);
}

// Names clickhouse-server 18.16 gives these unaliased columns.
TEST(Translate, UnaliasedColumnsGetClickHouseNames) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"count()", "count()"},
      {"count(*)", "count()"},
      {"COUNT()", "COUNT()"},
      {"count(DISTINCT price)", "uniqExact(price)"},
      {"sum(t.price)", "sum(price)"},
      {"toDate(ts)", "toDate(ts)"},
      {"1 + 2", "plus(1, 2)"},
      {"price * 2 + 1", "plus(multiply(price, 2), 1)"},
      {"countIf(event_type = 'purchase')", "countIf(equals(event_type, 'purchase'))"},
      {"quantile(0.5)(price)", "quantile(0.5)(price)"},
      {"'it''s'", "'it\\'s'"},
      {"now() - INTERVAL 1 DAY", "minus(now(), toIntervalDay(1))"},
      {"price BETWEEN 1 AND 2", "and(greaterOrEquals(price, 1), lessOrEquals(price, 2))"},
      {"price IN (1, 2)", "in(price, tuple(1, 2))"},
      {"price NOT IN (1)", "notIn(price, 1)"},
      {"1 AND 0 AND 1", "and(1, 0, 1)"},
      {"NOT 1", "not(1)"},
      {"price IS NULL", "isNull(price)"},
      {"price IS NOT NULL", "isNotNull(price)"},
      {"-price", "negate(price)"},
      {"- 1", "-1"},
      {"1.0", "1."},
      {"1e3", "1000."},
      {"1.50", "1.5"},
      {"007", "7"},
      {"0x1F", "31"},
      {"CAST(price AS String)", "CAST(price, 'String')"},
      {"CAST(price, 'String')", "CAST(price, 'String')"},
      {"CASE WHEN price > 1 THEN 1 ELSE 2 END", "multiIf(greater(price, 1), 1, 2)"},
      {"CASE price WHEN 1 THEN 2 END", "caseWithExpression(price, 1, 2, NULL)"},
      {"[1,2]", "[1, 2]"},
      {"'a' || 'b'", "concat('a', 'b')"},
      {"[1,2][1]", "arrayElement([1, 2], 1)"},
      {"event_type NOT LIKE 'x'", "notLike(event_type, 'x')"},
      {"arrayMap(x -> x * 2, [1])", "arrayMap(lambda(tuple(x), multiply(x, 2)), [1])"},
      {"1 != 2", "notEquals(1, 2)"},
      {"1 == 1", "equals(1, 1)"},
  };
  for (const auto& [expression, name] : cases) {
    const TranslatedQuery q = ok("SELECT " + expression + " FROM t");
    const std::string alias = "AS " + clickhouse::duckdb_identifier(name);
    EXPECT_NE(q.sql.find(alias), std::string::npos) << expression << " -> " << q.sql;
  }
}

TEST(Translate, AliasedAndPlainColumnsKeepTheirNames) {
  EXPECT_EQ(ok("SELECT a, t.b, *, count() c, sum(x) AS s FROM t").sql,
            "SELECT a, t.b, *, CAST(count() AS UBIGINT) c, sum(x) AS s FROM t");
  EXPECT_EQ(ok("SELECT x FROM (SELECT sum(y) FROM t)").sql,
            "SELECT x FROM (SELECT sum(y) AS \"sum(y)\" FROM t)");
}

TEST(Translate, NamesReachDuckDb) {
  testing::DuckDbSession duckdb;
  const testing::Rows rows =
      duckdb.query("SELECT count(), toDate('2020-01-02'), 1 + 2, 'x' AS y FROM numbers(3)");
  ASSERT_EQ(rows.error, "");
  EXPECT_EQ(rows.columns,
            (std::vector<std::string>{"count()", "toDate('2020-01-02')", "plus(1, 2)", "y"}));
  EXPECT_EQ(rows.rows, (std::vector<std::vector<std::string>>{{"3", "2020-01-02", "3", "x"}}));
}

TEST(Translate, CountingAggregatesAnswerUInt64AsInClickHouse) {
  EXPECT_EQ(
      ok("SELECT countIf(x > 1) AS n, uniqExact(u) AS d FROM t").sql,
      "SELECT CAST(countIf(x > 1) AS UBIGINT) AS n, CAST(uniqExact(u) AS UBIGINT) AS d FROM t");
  // A window or FILTER clause belongs to the aggregate itself: left alone.
  EXPECT_EQ(ok("SELECT count() OVER (PARTITION BY a) AS w FROM t").sql,
            "SELECT count() OVER (PARTITION BY a) AS w FROM t");
}

TEST(Translate, TableAsAColumnNameIsQuoted) {
  EXPECT_EQ(
      ok("SELECT name FROM system.columns WHERE database = 'system' AND table = 'tables'").sql,
      "SELECT name FROM \"clickhouse_system\".columns WHERE database = 'system' AND "
      "\"table\" = 'tables'");
}

}  // namespace
}  // namespace shoplake::sql
