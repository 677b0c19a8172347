#include "column_type.hpp"

#include <gtest/gtest.h>

namespace shoplake::sql {
namespace {

TEST(ColumnTypeTest, MapsScalarNames) {
  struct Case {
    const char* duckdb;
    const char* clickhouse;
    Storage storage;
    int scale;
  };
  const Case cases[] = {
      {"BOOLEAN", "UInt8", Storage::uint64, 0},
      {"TINYINT", "Int8", Storage::int64, 0},
      {"SMALLINT", "Int16", Storage::int64, 0},
      {"INTEGER", "Int32", Storage::int64, 0},
      {"BIGINT", "Int64", Storage::int64, 0},
      {"UTINYINT", "UInt8", Storage::uint64, 0},
      {"USMALLINT", "UInt16", Storage::uint64, 0},
      {"UINTEGER", "UInt32", Storage::uint64, 0},
      {"UBIGINT", "UInt64", Storage::uint64, 0},
      {"HUGEINT", "Int128", Storage::decimal, 0},
      {"FLOAT", "Float32", Storage::float32, 0},
      {"DOUBLE", "Float64", Storage::float64, 0},
      {"DECIMAL(18,2)", "Decimal(18, 2)", Storage::decimal, 2},
      {"VARCHAR", "String", Storage::string, 0},
      {"BLOB", "String", Storage::string, 0},
      {"DATE", "Date", Storage::date, 0},
      {"TIMESTAMP_S", "DateTime", Storage::datetime, 0},
      {"TIMESTAMP_MS", "DateTime64(3)", Storage::datetime64, 3},
      {"TIMESTAMP", "DateTime64(6)", Storage::datetime64, 6},
      {"TIMESTAMP_NS", "DateTime64(9)", Storage::datetime64, 9},
      {"TIMESTAMP WITH TIME ZONE", "DateTime64(6)", Storage::datetime64, 6},
      {"UUID", "String", Storage::string, 0},
      {"INTERVAL", "String", Storage::string, 0},
      {"TIME", "String", Storage::string, 0},
      {"STRUCT(a INTEGER)", "String", Storage::string, 0},
  };
  for (const auto& c : cases) {
    auto type = column_type_from_duckdb_name(c.duckdb);
    EXPECT_EQ(type.clickhouse_name, c.clickhouse) << c.duckdb;
    EXPECT_EQ(type.storage, c.storage) << c.duckdb;
    EXPECT_EQ(type.scale, c.scale) << c.duckdb;
    EXPECT_EQ(type.duckdb_name, c.duckdb);
  }
}

TEST(ColumnTypeTest, MapsListsToArraysRecursively) {
  auto type = column_type_from_duckdb_name("BIGINT[][]");
  EXPECT_EQ(type.clickhouse_name, "Array(Array(Int64))");
  ASSERT_TRUE(type.element);
  EXPECT_EQ(type.element->storage, Storage::array);
  ASSERT_TRUE(type.element->element);
  EXPECT_EQ(type.element->element->storage, Storage::int64);
  EXPECT_EQ(column_type_from_duckdb_name("DECIMAL(9,3)[]").clickhouse_name, "Array(Decimal(9, 3))");
  EXPECT_EQ(column_type_from_duckdb_name("INTEGER[3]").clickhouse_name, "String");
}

}  // namespace
}  // namespace shoplake::sql
