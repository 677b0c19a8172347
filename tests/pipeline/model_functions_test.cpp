// The functions models may call give exactly what DuckDB's slower built-ins give.
#include <duckdb.h>
#include <gtest/gtest.h>

#include <string>

#include "shoplake/pipeline/model.hpp"

namespace shoplake::pipeline {
namespace {

class ModelFunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(duckdb_open(nullptr, &database_), DuckDBSuccess);
    ASSERT_EQ(duckdb_connect(database_, &connection_), DuckDBSuccess);
    for (const char* definition : model_function_definitions()) {
      ASSERT_EQ(count(definition), 0) << definition;
    }
    // Not UTC, so that anything reading the session's zone would show.
    ASSERT_EQ(count("SET TimeZone = 'America/Sao_Paulo'"), 0);
  }
  void TearDown() override {
    duckdb_disconnect(&connection_);
    duckdb_close(&database_);
  }

  // The first column of the first row as a number (0 for a statement without rows); -1 and a
  // test failure when it fails.
  long long count(const std::string& sql) {
    duckdb_result result;
    if (duckdb_query(connection_, sql.c_str(), &result) != DuckDBSuccess) {
      ADD_FAILURE() << sql << ": " << duckdb_result_error(&result);
      duckdb_destroy_result(&result);
      return -1;
    }
    long long value = 0;
    if (duckdb_column_count(&result) > 0 && duckdb_row_count(&result) > 0) {
      value = duckdb_value_int64(&result, 0, 0);
    }
    duckdb_destroy_result(&result);
    return value;
  }

  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
};

TEST_F(ModelFunctionsTest, UtcDateAndHourMatchTheTimeZoneFunctions) {
  const std::string instants =
      "(SELECT TIMESTAMPTZ '1600-01-01 00:00:00+00' + to_seconds(i * 631151) AS t "
      "FROM range(40000) r(i) "
      "UNION ALL SELECT unnest([TIMESTAMPTZ '1969-12-31 23:59:59.999999+00', "
      "TIMESTAMPTZ '1970-01-01 00:00:00+00', TIMESTAMPTZ '1969-12-31 00:00:00+00', "
      "TIMESTAMPTZ '1969-12-30 23:59:59.999999+00', TIMESTAMPTZ '2026-01-07 23:59:59.999999+00', "
      "TIMESTAMPTZ '2026-01-08 00:00:00+00', TIMESTAMPTZ '2026-01-08 00:59:59.999999+00', "
      "TIMESTAMPTZ '2026-01-08 01:00:00+00', NULL]))";
  EXPECT_GT(count("SELECT count(*) FROM " + instants), 40000);
  EXPECT_EQ(count("SELECT count(*) FROM " + instants +
                  " WHERE utc_date(t) IS DISTINCT FROM CAST(timezone('UTC', t) AS DATE)"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM " + instants +
                  " WHERE utc_hour(t) IS DISTINCT FROM CAST(hour(timezone('UTC', t)) AS INTEGER)"),
            0);
  EXPECT_EQ(count("SELECT utc_hour(TIMESTAMPTZ '1969-12-31 23:30:00+00')"), 23);
}

TEST_F(ModelFunctionsTest, TrimSpacesMatchesTrim) {
  const std::string values =
      "(SELECT unnest(['', ' ', '  ', 'a', ' a', 'a ', '  a b  ', chr(9) || 'a' || chr(9), "
      "' ' || chr(9) || 'x ', 'ÀB ', NULL]) AS s)";
  EXPECT_EQ(count("SELECT count(*) FROM " + values), 11);
  EXPECT_EQ(
      count("SELECT count(*) FROM " + values + " WHERE trim_spaces(s) IS DISTINCT FROM trim(s)"),
      0);
}

}  // namespace
}  // namespace shoplake::pipeline
