// The type and key rules, including the DateTime64 path that only servers newer than the
// integration test's 18.16 take.
#include "mirror_table.hpp"

#include <gtest/gtest.h>

namespace shoplake::sql::exporter {
namespace {

ColumnInfo column(std::string name, Storage storage, std::string clickhouse_name,
                  std::uint8_t scale = 0) {
  return {std::move(name), ColumnType{storage, std::move(clickhouse_name), "", scale, nullptr}};
}

const std::vector<ColumnInfo> kSource = {
    column("minute", Storage::datetime64, "DateTime64(3)", 3),
    column("event_type", Storage::string, "String"),
    column("event_count", Storage::int64, "Int64"),
    column("big", Storage::string, "Int128"),
    column("revenue", Storage::decimal, "Decimal(18, 2)", 2),
};

TEST(MirrorTableTest, KeysDimensionsAndMakesMeasuresNullableOn1816) {
  auto mirror = mirror_table("realtime", "x", kSource, ServerFeatures::of_version("18.16.1"));
  ASSERT_TRUE(mirror) << mirror.error();
  EXPECT_EQ(mirror.value().key, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(
      mirror.value().column_list(),
      "minute\tDateTime\nevent_type\tString\nevent_count\tNullable(Int64)\n"
      "big\tNullable(String)\nrevenue\tNullable(Decimal(18, 2))\n_shoplake_version\tUInt64\n");
  EXPECT_EQ(mirror.value().create_sql(),
            "CREATE TABLE IF NOT EXISTS `realtime`.`x` (`minute` DateTime, `event_type` String, "
            "`event_count` Nullable(Int64), `big` Nullable(String), `revenue` "
            "Nullable(Decimal(18, 2)), `_shoplake_version` UInt64) ENGINE = "
            "ReplacingMergeTree(`_shoplake_version`) ORDER BY (`minute`, `event_type`)");
}

TEST(MirrorTableTest, KeepsDateTime64OnServersThatHaveIt) {
  auto mirror = mirror_table("realtime", "x", kSource, ServerFeatures::of_version("24.3.1.2672"));
  ASSERT_TRUE(mirror);
  EXPECT_EQ(mirror.value().columns[0].type.clickhouse_name, "DateTime64(3)");
  ResultChunk chunk;
  chunk.rows = 1;
  chunk.columns.resize(kSource.size());
  chunk.columns[0].i64 = {1'714'557'600'123};
  convert_chunk(kSource, mirror.value(), chunk);
  EXPECT_EQ(chunk.columns[0].i64[0], 1'714'557'600'123);
}

TEST(MirrorTableTest, TruncatesDateTime64ToSecondsForOldServers) {
  auto mirror = mirror_table("realtime", "x", kSource, ServerFeatures::of_version("18.16.1"));
  ASSERT_TRUE(mirror);
  ResultChunk chunk;
  chunk.rows = 2;
  chunk.columns.resize(kSource.size());
  chunk.columns[0].i64 = {1'714'557'600'999, -1};
  convert_chunk(kSource, mirror.value(), chunk);
  EXPECT_EQ(chunk.columns[0].i64, (std::vector<std::int64_t>{1'714'557'600, -1}));
}

TEST(MirrorTableTest, TableWithoutDimensionsIsOneRowAndVersionColumnIsReserved) {
  auto mirror = mirror_table("realtime", "kpis_today", {column("dau", Storage::uint64, "UInt64")},
                             ServerFeatures{});
  ASSERT_TRUE(mirror);
  EXPECT_TRUE(mirror.value().create_sql().ends_with("ORDER BY tuple()"));
  auto reserved = mirror_table("gold", "y", {column("_shoplake_version", Storage::int64, "Int64")},
                               ServerFeatures{});
  ASSERT_FALSE(reserved);
  EXPECT_NE(reserved.error().find("_shoplake_version"), std::string::npos);
}

}  // namespace
}  // namespace shoplake::sql::exporter
