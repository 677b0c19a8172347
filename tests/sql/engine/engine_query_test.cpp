#include <gtest/gtest.h>

#include <chrono>

#include "engine_test_support.hpp"
#include "shoplake/sql/statement_clock.hpp"

namespace shoplake::sql {
namespace {

using testing::Outcome;
using testing::request;
using testing::run;

template <typename Change>
QueryRequest request_with(const std::string& sql, Change change) {
  auto built = request(sql);
  change(built);
  return built;
}

class EngineQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.lake_directory = lake_.path();
    options.setup_sql = {"CREATE TABLE meta.notes (id INTEGER)",
                         "CREATE TABLE gold.numbers AS SELECT 7 AS n",
                         "CREATE TABLE gold.wide AS SELECT DATE '2026-01-01' + i::INTEGER AS d, "
                         "i AS n, 'x' || i AS s FROM range(30) t(i)"};
    engine_ = testing::open_engine(options);
    ASSERT_TRUE(engine_);
  }

  // The single value of a one-row, one-column query.
  Outcome one(const std::string& sql) {
    auto outcome = run(*engine_, sql);
    EXPECT_FALSE(outcome.error) << sql << ": " << outcome.error->message;
    EXPECT_EQ(outcome.rows, 1u) << sql;
    return outcome;
  }

  void expect_error(const std::string& sql, QueryErrorKind kind, const std::string& says = "") {
    auto outcome = run(*engine_, sql);
    ASSERT_TRUE(outcome.error) << sql << " was not refused";
    EXPECT_EQ(outcome.error->kind, kind) << sql << ": " << outcome.error->message;
    EXPECT_NE(outcome.error->message.find(says), std::string::npos)
        << sql << ": " << outcome.error->message;
  }

  testing::TempDirectory lake_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineQueryTest, MapsIntegersAndFloats) {
  auto outcome =
      one("SELECT true AS b, (-8)::TINYINT AS i8, (-16)::SMALLINT AS i16, (-32)::INTEGER AS i32, "
          "(-64)::BIGINT AS i64, 8::UTINYINT AS u8, 16::USMALLINT AS u16, 32::UINTEGER AS u32, "
          "18446744073709551615::UBIGINT AS u64, 1.5::FLOAT AS f32, 2.25::DOUBLE AS f64");
  const char* names[] = {"UInt8",  "Int8",   "Int16",  "Int32",   "Int64",  "UInt8",
                         "UInt16", "UInt32", "UInt64", "Float32", "Float64"};
  ASSERT_EQ(outcome.columns.size(), 11u);
  for (std::size_t c = 0; c < 11; ++c) EXPECT_EQ(outcome.columns[c].type.clickhouse_name, names[c]);
  EXPECT_EQ(outcome.columns[0].type.duckdb_name, "BOOLEAN");
  EXPECT_EQ(outcome.column(0).u64, std::vector<std::uint64_t>{1});
  EXPECT_EQ(outcome.column(1).i64, std::vector<std::int64_t>{-8});
  EXPECT_EQ(outcome.column(2).i64, std::vector<std::int64_t>{-16});
  EXPECT_EQ(outcome.column(3).i64, std::vector<std::int64_t>{-32});
  EXPECT_EQ(outcome.column(4).i64, std::vector<std::int64_t>{-64});
  EXPECT_EQ(outcome.column(5).u64, std::vector<std::uint64_t>{8});
  EXPECT_EQ(outcome.column(6).u64, std::vector<std::uint64_t>{16});
  EXPECT_EQ(outcome.column(7).u64, std::vector<std::uint64_t>{32});
  EXPECT_EQ(outcome.column(8).u64, std::vector<std::uint64_t>{18446744073709551615u});
  EXPECT_EQ(outcome.columns[9].type.storage, Storage::float32);
  EXPECT_EQ(outcome.column(9).f64, std::vector<double>{1.5});
  EXPECT_EQ(outcome.column(10).f64, std::vector<double>{2.25});
  EXPECT_EQ(outcome.column(0).null, std::vector<std::uint8_t>{0});
}

TEST_F(EngineQueryTest, MapsHugeIntegersAndDecimalsToExactText) {
  auto outcome = one(
      "SELECT (-170141183460469231731687303715884105727)::HUGEINT AS h, "
      "12.5::DECIMAL(4,2) AS d16, (-0.05)::DECIMAL(9,2) AS d32, 123456789.123::DECIMAL(18,3) AS "
      "d64, (-1234567890123456789012345.6789)::DECIMAL(38,4) AS d128, 7::DECIMAL(5,0) AS d0");
  EXPECT_EQ(outcome.columns[0].type.clickhouse_name, "Int128");
  EXPECT_EQ(outcome.column(0).str.at(0), "-170141183460469231731687303715884105727");
  EXPECT_EQ(outcome.columns[1].type.clickhouse_name, "Decimal(4, 2)");
  EXPECT_EQ(outcome.columns[1].type.duckdb_name, "DECIMAL(4,2)");
  EXPECT_EQ(outcome.columns[1].type.storage, Storage::decimal);
  EXPECT_EQ(outcome.columns[1].type.scale, 2);
  EXPECT_EQ(outcome.column(1).str.at(0), "12.50");
  EXPECT_EQ(outcome.column(2).str.at(0), "-0.05");
  EXPECT_EQ(outcome.column(3).str.at(0), "123456789.123");
  EXPECT_EQ(outcome.column(4).str.at(0), "-1234567890123456789012345.6789");
  EXPECT_EQ(outcome.columns[5].type.clickhouse_name, "Decimal(5, 0)");
  EXPECT_EQ(outcome.column(5).str.at(0), "7");
}

// Values up to 2^64 - 1 are written with 64-bit arithmetic, those above digit by digit in 128.
TEST_F(EngineQueryTest, WritesHugeIntegersOnBothSidesOf64Bits) {
  auto outcome =
      one("SELECT 0::HUGEINT AS zero, 18446744073709551615::HUGEINT AS max64, "
          "18446744073709551616::HUGEINT AS above, (-18446744073709551616)::HUGEINT AS below, "
          "340282366920938463463374607431768211455::UHUGEINT AS max128, sum(x) AS total "
          "FROM (VALUES (9223372036854775807), (9223372036854775807), (3)) AS v(x)");
  EXPECT_EQ(outcome.column(0).str.at(0), "0");
  EXPECT_EQ(outcome.column(1).str.at(0), "18446744073709551615");
  EXPECT_EQ(outcome.column(2).str.at(0), "18446744073709551616");
  EXPECT_EQ(outcome.column(3).str.at(0), "-18446744073709551616");
  EXPECT_EQ(outcome.column(4).str.at(0), "340282366920938463463374607431768211455");
  EXPECT_EQ(outcome.column(5).str.at(0), "18446744073709551617");
}

TEST_F(EngineQueryTest, MapsStringsDatesAndTimestampsBefore1970) {
  auto outcome = one(
      "SELECT 'héllo' AS s, '\\x00\\xFFa'::BLOB AS blob, DATE '1969-12-31' AS d, "
      "TIMESTAMP_S '1969-12-31 23:59:59' AS ts_s, TIMESTAMP_MS '1969-12-31 23:59:59.999' AS ts_ms, "
      "TIMESTAMP '1969-12-31 23:59:59.999999' AS ts_us, "
      "TIMESTAMP_NS '1970-01-01 00:00:00.000000001' AS ts_ns, "
      "TIMESTAMPTZ '1970-01-01 00:00:01+00' AS ts_tz");
  const char* names[] = {"String",        "String",        "Date",          "DateTime",
                         "DateTime64(3)", "DateTime64(6)", "DateTime64(9)", "DateTime64(6)"};
  for (std::size_t c = 0; c < 8; ++c) EXPECT_EQ(outcome.columns[c].type.clickhouse_name, names[c]);
  EXPECT_EQ(outcome.column(0).str.at(0), "héllo");
  EXPECT_EQ(outcome.column(1).str.at(0), std::string("\0\xff"
                                                     "a",
                                                     3));
  EXPECT_EQ(outcome.column(2).i64.at(0), -1);
  EXPECT_EQ(outcome.column(3).i64.at(0), -1);
  EXPECT_EQ(outcome.column(4).i64.at(0), -1);
  EXPECT_EQ(outcome.column(5).i64.at(0), -1);
  EXPECT_EQ(outcome.column(6).i64.at(0), 1);
  EXPECT_EQ(outcome.column(7).i64.at(0), 1'000'000);
  EXPECT_EQ(outcome.columns[7].type.duckdb_name, "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(outcome.columns[6].type.scale, 9);
}

TEST_F(EngineQueryTest, MapsOtherTypesToDuckdbText) {
  auto outcome =
      one("SELECT '00000000-0000-0000-0000-000000000001'::UUID AS id, INTERVAL '1 day' AS span, "
          "TIME '12:34:56' AS t, {'a': 1} AS record, 'x' AS plain, 'x' AS plain");
  EXPECT_EQ(outcome.columns[0].type.duckdb_name, "UUID");
  EXPECT_EQ(outcome.columns[0].type.clickhouse_name, "String");
  EXPECT_EQ(outcome.column(0).str.at(0), "00000000-0000-0000-0000-000000000001");
  EXPECT_EQ(outcome.column(1).str.at(0), "1 day");
  EXPECT_EQ(outcome.column(2).str.at(0), "12:34:56");
  EXPECT_EQ(outcome.column(3).str.at(0), "{'a': 1}");
  EXPECT_EQ(outcome.columns[3].type.duckdb_name, "STRUCT(\"a\" INTEGER)");
  // Duplicate names survive the text casts.
  EXPECT_EQ(outcome.columns[4].name, "plain");
  EXPECT_EQ(outcome.columns[5].name, "plain");
}

// An ENUM is read by its members, whatever width DuckDB stores it in (a byte up to 255 members,
// two bytes beyond), and clients see a String.
TEST_F(EngineQueryTest, MapsEnumsToTheirMembers) {
  std::string wide = "ENUM(";
  for (int i = 0; i < 300; ++i) wide += (i > 0 ? ", 'm" : "'m") + std::to_string(i) + "'";
  wide += ")";
  auto outcome = one("SELECT CAST('b' AS ENUM('a', 'b')) AS small, CAST('m299' AS " + wide +
                     ") AS wide, CAST(NULL AS ENUM('a')) AS missing");
  for (std::size_t c = 0; c < 3; ++c) EXPECT_EQ(outcome.columns[c].type.clickhouse_name, "String");
  EXPECT_EQ(outcome.column(0).str.at(0), "b");
  EXPECT_EQ(outcome.column(1).str.at(0), "m299");
  EXPECT_EQ(outcome.column(2).null, std::vector<std::uint8_t>{1});
}

TEST_F(EngineQueryTest, MapsNulls) {
  auto outcome = one(
      "SELECT NULL::INTEGER AS i, NULL::VARCHAR AS s, NULL::DECIMAL(10,2) AS d, NULL::BOOLEAN AS "
      "b, NULL::UUID AS u, NULL::INTEGER[] AS l, NULL::TIMESTAMP AS ts");
  for (std::size_t c = 0; c < outcome.columns.size(); ++c) {
    EXPECT_EQ(outcome.column(c).null, std::vector<std::uint8_t>{1}) << c;
  }
  EXPECT_EQ(outcome.column(5).offsets, (std::vector<std::uint32_t>{0, 0}));
}

TEST_F(EngineQueryTest, MapsListsToArrays) {
  auto outcome = run(*engine_,
                     "SELECT * FROM (VALUES (1, [1, NULL, 3], ['a'], [[1], [2, 3]], "
                     "['00000000-0000-0000-0000-000000000002'::UUID]), "
                     "(2, [], NULL, [], []), (3, NULL, ['b', 'c'], NULL, NULL)) t(k, ints, strs, "
                     "nested, ids) ORDER BY k");
  ASSERT_FALSE(outcome.error) << outcome.error->message;
  ASSERT_EQ(outcome.rows, 3u);
  EXPECT_EQ(outcome.columns[1].type.clickhouse_name, "Array(Int32)");
  EXPECT_EQ(outcome.columns[1].type.duckdb_name, "INTEGER[]");
  ASSERT_TRUE(outcome.columns[1].type.element);
  EXPECT_EQ(outcome.columns[1].type.element->storage, Storage::int64);
  const auto& ints = outcome.column(1);
  EXPECT_EQ(ints.offsets, (std::vector<std::uint32_t>{0, 3, 3, 3}));
  EXPECT_EQ(ints.null, (std::vector<std::uint8_t>{0, 0, 1}));
  ASSERT_TRUE(ints.element);
  EXPECT_EQ(ints.element->i64[0], 1);
  EXPECT_EQ(ints.element->i64[2], 3);
  EXPECT_EQ(ints.element->null, (std::vector<std::uint8_t>{0, 1, 0}));
  const auto& strs = outcome.column(2);
  EXPECT_EQ(strs.offsets, (std::vector<std::uint32_t>{0, 1, 1, 3}));
  EXPECT_EQ(strs.element->str, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(outcome.columns[3].type.clickhouse_name, "Array(Array(Int32))");
  const auto& nested = outcome.column(3);
  EXPECT_EQ(nested.offsets, (std::vector<std::uint32_t>{0, 2, 2, 2}));
  EXPECT_EQ(nested.element->offsets, (std::vector<std::uint32_t>{0, 1, 3}));
  EXPECT_EQ(nested.element->element->i64, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(outcome.columns[4].type.clickhouse_name, "Array(String)");
  EXPECT_EQ(outcome.column(4).element->str,
            (std::vector<std::string>{"00000000-0000-0000-0000-000000000002"}));
}

TEST_F(EngineQueryTest, StreamsLargeResultsInChunks) {
  auto outcome = run(*engine_, "SELECT range AS n FROM range(10000)");
  ASSERT_FALSE(outcome.error);
  EXPECT_EQ(outcome.rows, 10000u);
  EXPECT_GT(outcome.chunks.size(), 1u);
  EXPECT_EQ(outcome.statistics.rows_read, 10000u);
  EXPECT_GT(outcome.statistics.elapsed_seconds, 0);
}

TEST_F(EngineQueryTest, RefusesEveryKindOfWrite) {
  std::string lake = lake_.path().string();
  const std::string writes[] = {
      "CREATE TABLE t (a INTEGER)",
      "CREATE VIEW v AS SELECT 1",
      "CREATE SCHEMA s",
      "CREATE MACRO m() AS 1",
      "INSERT INTO meta.notes VALUES (1)",
      "INSERT INTO missing VALUES (1)",
      "UPDATE meta.notes SET id = 2",
      "DELETE FROM meta.notes",
      "ALTER TABLE meta.notes ADD COLUMN b INTEGER",
      "DROP TABLE meta.notes",
      "TRUNCATE meta.notes",
      "ATTACH ':memory:' AS other",
      "DETACH memory",
      "COPY meta.notes TO '" + lake + "/notes.csv'",
      "COPY (SELECT 1) TO '" + lake + "/one.parquet'",
      "COPY meta.notes FROM '" + lake + "/notes.csv'",
      "EXPORT DATABASE '" + lake + "/export'",
      "PRAGMA enable_profiling",
      "PRAGMA threads = 1",
      "SET threads = 1",
      "SET schema = 'gold'",
      "RESET threads",
      "USE gold",
      "INSTALL httpfs",
      "LOAD httpfs",
      "CALL pragma_version()",
      "CHECKPOINT",
      "VACUUM",
      "BEGIN TRANSACTION",
      "COMMIT",
      "PREPARE p AS SELECT 1",
      "EXECUTE p",
      "SET VARIABLE x = 1",
      "EXPLAIN ANALYZE INSERT INTO meta.notes VALUES (2)",
      "EXPLAIN ANALYZE CREATE TABLE t2 AS SELECT 1",
      "EXPLAIN COPY (SELECT 1) TO '" + lake + "/two.parquet'",
  };
  for (const auto& sql : writes) {
    expect_error(sql, QueryErrorKind::readonly, "read-only");
    EXPECT_TRUE(std::filesystem::is_empty(lake_.path())) << sql << " wrote into the lake";
  }
  auto count = one("SELECT count(*) FROM meta.notes");
  EXPECT_EQ(count.column(0).i64.at(0), 0);
  expect_error("SELECT 1; SELECT 2", QueryErrorKind::readonly, "one statement per query");
  expect_error("SELECT 1; DROP TABLE meta.notes", QueryErrorKind::readonly, "one statement");
}

// A read-only transaction lets these through (they write no table): the guard refuses them, and
// DuckDB's log, which enable_logging() would have switched on for every connection, stays empty.
TEST_F(EngineQueryTest, RefusesSelectsThatChangeStateBeyondTheQuery) {
  for (const std::string sql : {
           "SELECT * FROM enable_logging()",
           "select * from ENABLE_LOGGING ( )",
           "SELECT * FROM system.main.\"enable_logging\"()",
           "SELECT 1 FROM /* c */ checkpoint /* c */ ()",
           "SELECT * FROM force_checkpoint()",
           "SELECT setseed(0.5)",
           "SELECT * FROM query('SELECT * FROM enable_logging()')",
           "EXPLAIN ANALYZE SELECT * FROM truncate_duckdb_logs()",
           "SELECT E'\\'', write_log('x')",
       }) {
    expect_error(sql, QueryErrorKind::readonly, "changes state beyond the query");
  }
  auto logged = one("SELECT count(*) FROM duckdb_logs()");
  EXPECT_EQ(logged.column(0).i64.at(0), 0);
  // The same names as text, column names or in comments are fine.
  one("SELECT 'enable_logging()' AS checkpoint -- setseed(1)\n");
  one("SELECT \"query\" FROM (SELECT 1 AS query) AS t");
  one("SELECT $$enable_logging()$$ AS a, $tag$ query( $tag$ AS b");
}

TEST_F(EngineQueryTest, AllowsSelectExplainAndFriends) {
  one("SELECT 1;");
  one("  -- a comment\nSELECT 1 -- trailing comment");
  EXPECT_FALSE(run(*engine_, "EXPLAIN SELECT * FROM range(3)").error);
  EXPECT_FALSE(run(*engine_, "EXPLAIN ANALYZE SELECT * FROM range(3)").error);
  EXPECT_FALSE(run(*engine_, "DESCRIBE meta.notes").error);
  EXPECT_FALSE(run(*engine_, "WITH t AS (SELECT 1 AS a) SELECT a FROM t").error);
  EXPECT_FALSE(run(*engine_, "SELECT '00000000-0000-0000-0000-000000000001'::UUID;").error);
}

TEST_F(EngineQueryTest, RefusesFilesOutsideTheLake) {
  expect_error("SELECT * FROM read_csv('/etc/passwd')", QueryErrorKind::access_denied,
               "/etc/passwd");
  expect_error("SELECT * FROM read_csv('" + lake_.path().string() + "/../../etc/passwd')",
               QueryErrorKind::access_denied);
  expect_error("SELECT * FROM read_text('/proc/self/environ')", QueryErrorKind::access_denied);
}

TEST_F(EngineQueryTest, ClassifiesErrors) {
  expect_error("SELEC 1", QueryErrorKind::syntax);
  expect_error("SELECT 1 +", QueryErrorKind::syntax);
  expect_error("", QueryErrorKind::syntax);
  expect_error("SELECT * FROM nope", QueryErrorKind::unknown_table, "nope");
  expect_error("SELECT * FROM gold.nope", QueryErrorKind::unknown_table, "nope");
  expect_error("SELECT nope FROM range(1)", QueryErrorKind::unknown_column, "nope");
  expect_error("SELECT no_such_function(1)", QueryErrorKind::unknown_function, "no_such_function");
  // DuckDB reports a missing schema in a two-part name as a missing table.
  expect_error("SELECT * FROM nowhere.t", QueryErrorKind::unknown_table, "t");
  expect_error("SELECT * FROM nowhere.main.t", QueryErrorKind::unknown_database, "nowhere");
  expect_error("SELECT substring(1, 2, 3, 4, 5)", QueryErrorKind::bad_arguments);
  expect_error("SELECT 'abc'::INTEGER", QueryErrorKind::bad_arguments);
}

TEST_F(EngineQueryTest, TimesOutSlowQueries) {
  auto slow = request_with("SELECT count(*) FROM range(100000000) a, range(100000000) b",
                           [](QueryRequest& r) { r.timeout = std::chrono::milliseconds(100); });
  auto started = std::chrono::steady_clock::now();
  auto outcome = run(*engine_, slow);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->kind, QueryErrorKind::timeout) << outcome.error->message;
  EXPECT_NE(outcome.error->message.find("100 ms"), std::string::npos);
  EXPECT_LT(took, std::chrono::seconds(10));
  // The interrupted connection does not carry the interrupt into later queries.
  for (int i = 0; i < 5; ++i) one("SELECT 1");
}

TEST_F(EngineQueryTest, LimitsResultRows) {
  auto limited = run(*engine_, request_with("SELECT * FROM range(10000)",
                                            [](QueryRequest& r) { r.max_result_rows = 5000; }));
  ASSERT_TRUE(limited.error);
  EXPECT_EQ(limited.error->kind, QueryErrorKind::too_many_rows);
  EXPECT_NE(limited.error->message.find("5000"), std::string::npos);
  auto exact = run(*engine_, request_with("SELECT * FROM range(10000)",
                                          [](QueryRequest& r) { r.max_result_rows = 10000; }));
  EXPECT_FALSE(exact.error);
  EXPECT_EQ(exact.rows, 10000u);
}

TEST_F(EngineQueryTest, ResolvesNamesInTheRequestedDatabase) {
  auto in_gold = run(*engine_, request_with("SELECT n, currentDatabase() FROM numbers",
                                            [](QueryRequest& r) { r.database = "gold"; }));
  ASSERT_FALSE(in_gold.error) << in_gold.error->message;
  EXPECT_EQ(in_gold.column(0).i64.at(0), 7);
  EXPECT_EQ(in_gold.column(1).str.at(0), "gold");
  // Pooled connections go back to the default database for the next request.
  expect_error("SELECT n FROM numbers", QueryErrorKind::unknown_table);
  auto in_default = one("SELECT currentDatabase()");
  EXPECT_EQ(in_default.column(0).str.at(0), "default");
  auto named_default = run(*engine_, request_with("SELECT count(*) FROM gold.numbers",
                                                  [](QueryRequest& r) { r.database = "default"; }));
  EXPECT_FALSE(named_default.error);
  auto missing =
      run(*engine_, request_with("SELECT 1", [](QueryRequest& r) { r.database = "nowhere"; }));
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->kind, QueryErrorKind::unknown_database);
  EXPECT_NE(missing.error->message.find("nowhere"), std::string::npos);
}

TEST_F(EngineQueryTest, BindsParameters) {
  auto outcome =
      run(*engine_, request_with("SELECT $1::BIGINT + 1, $2, $3, $4 IS NULL", [](QueryRequest& r) {
        r.parameters = {std::int64_t{41}, std::string("x"), 2.5, nullptr};
      }));
  ASSERT_FALSE(outcome.error) << outcome.error->message;
  EXPECT_EQ(outcome.column(0).i64.at(0), 42);
  EXPECT_EQ(outcome.column(1).str.at(0), "x");
  EXPECT_EQ(outcome.column(2).f64.at(0), 2.5);
  EXPECT_EQ(outcome.column(3).u64.at(0), 1u);
  auto named =
      run(*engine_, request_with("SELECT $day::DATE AS d, $flag AS f", [](QueryRequest& r) {
        r.named_parameters = {{"day", std::string("1970-01-02")}, {"flag", true}};
      }));
  ASSERT_FALSE(named.error) << named.error->message;
  // Unresolved until bound: the columns come from the executed statement.
  ASSERT_EQ(named.columns.size(), 2U);
  EXPECT_EQ(named.columns[0].name, "d");
  EXPECT_EQ(named.columns[0].type.clickhouse_name, "Date");
  EXPECT_EQ(named.columns[1].name, "f");
  EXPECT_EQ(named.column(0).i64.at(0), 1);
  EXPECT_EQ(named.column(1).u64.at(0), 1u);
  auto too_many = run(*engine_, request_with("SELECT $1", [](QueryRequest& r) {
    r.parameters = {true, false};
  }));
  ASSERT_TRUE(too_many.error);
  EXPECT_EQ(too_many.error->kind, QueryErrorKind::bad_arguments);
  auto unknown = run(*engine_, request_with("SELECT $a", [](QueryRequest& r) {
    r.named_parameters = {{"b", true}};
  }));
  ASSERT_TRUE(unknown.error);
  EXPECT_EQ(unknown.error->kind, QueryErrorKind::bad_arguments);
}

// The clock a translated ClickHouse query reads (kClockParameter) is the request's when it
// brings one, bound again each time the same statement is reused.
TEST_F(EngineQueryTest, BindsTheRequestsClockOnEveryRun) {
  const std::string sql = "WITH shoplake_clock AS (SELECT CAST(make_timestamp(CAST($" +
                          std::string(kClockParameter) +
                          " AS BIGINT)) AS TIMESTAMP_S) AS clock_now) SELECT epoch(clock_now) "
                          "AS s FROM shoplake_clock";
  for (std::int64_t seconds : {1'772'409'599, 1'772'409'600, 1'772'409'599}) {
    auto outcome = run(*engine_, request_with(sql, [&](QueryRequest& r) {
      r.clock = StatementClock{std::chrono::seconds{seconds}};
    }));
    ASSERT_FALSE(outcome.error) << outcome.error->message;
    EXPECT_EQ(outcome.column(0).f64.at(0), static_cast<double>(seconds));
  }
  // Without one, the moment the query starts.
  const auto before = statement_clock_now().time_since_epoch().count();
  auto now = run(*engine_, sql);
  ASSERT_FALSE(now.error) << now.error->message;
  EXPECT_GE(now.column(0).f64.at(0), static_cast<double>(before));
  EXPECT_LE(now.column(0).f64.at(0), static_cast<double>(before + 60));
}

// A top-N over an in-memory table is planned as one: no semi join on row ids for the columns
// the sort does not need (late materialization, slower than the query itself at this size).
TEST_F(EngineQueryTest, PlansATopNWithoutLateMaterialization) {
  auto outcome = run(*engine_,
                     "EXPLAIN SELECT * FROM gold.wide WHERE d >= DATE '2026-01-10' ORDER BY d DESC "
                     "LIMIT 1");
  ASSERT_FALSE(outcome.error) << outcome.error->message;
  std::string plan;
  for (const auto& chunk : outcome.chunks) {
    for (const auto& text : chunk.columns.at(1).str) plan += text;
  }
  EXPECT_NE(plan.find("TOP_N"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SEMI"), std::string::npos) << plan;
  auto top = run(*engine_, "SELECT n FROM gold.wide ORDER BY d DESC LIMIT 1");
  ASSERT_FALSE(top.error) << top.error->message;
  EXPECT_EQ(top.column(0).i64.at(0), 29);
}

TEST(EngineOpenTest, ReportsBadSettingsAndSetupSql) {
  EngineOptions bad_memory;
  bad_memory.memory_limit = "lots";
  EXPECT_FALSE(Engine::open(bad_memory));
  EngineOptions bad_setup;
  bad_setup.setup_sql = {"CREATE TABLE realtime.x (a INTEGER)", "SELEC 1"};
  auto engine = Engine::open(bad_setup);
  ASSERT_FALSE(engine);
  EXPECT_NE(engine.error().find("SELEC 1"), std::string::npos);
}

TEST(EngineOpenTest, ReportsMemoryLimitErrors) {
  EngineOptions options;
  options.memory_limit = "20MB";
  options.threads = 1;
  auto engine = testing::open_engine(options);
  ASSERT_TRUE(engine);
  auto outcome = run(*engine, "SELECT list(range) FROM range(50000000)");
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->kind, QueryErrorKind::memory_limit) << outcome.error->message;
}

}  // namespace
}  // namespace shoplake::sql
