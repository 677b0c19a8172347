#include "file_stats.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shoplake::lake::parquet_detail {
namespace {

using Json = nlohmann::json;

TEST(DeltaTimestamp, RoundsDownForMinAndUpForMax) {
  EXPECT_EQ(delta_timestamp("2026-01-01 00:16:39.123456+00", Rounding::down),
            "2026-01-01T00:16:39.123Z");
  EXPECT_EQ(delta_timestamp("2026-01-01 00:16:39.123456+00", Rounding::up),
            "2026-01-01T00:16:39.124Z");
  EXPECT_EQ(delta_timestamp("2026-01-01 00:16:39.123+00", Rounding::up),
            "2026-01-01T00:16:39.123Z");
  EXPECT_EQ(delta_timestamp("2026-01-01 00:16:39+00", Rounding::up), "2026-01-01T00:16:39.000Z");
  // Carrying into the next day, month and year.
  EXPECT_EQ(delta_timestamp("2025-12-31 23:59:59.9999+00", Rounding::up),
            "2026-01-01T00:00:00.000Z");
}

TEST(DeltaTimestamp, ConvertsOffsetsToUtc) {
  EXPECT_EQ(delta_timestamp("2026-01-01 05:30:00.5+05:30", Rounding::down),
            "2026-01-01T00:00:00.500Z");
  EXPECT_EQ(delta_timestamp("2025-12-31 19:00:00-05", Rounding::down), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(delta_timestamp("1969-12-31 23:59:59.999999+00", Rounding::down),
            "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(delta_timestamp("1969-12-31 23:59:59.999999+00", Rounding::up),
            "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(delta_timestamp("1960-01-01 00:00:00.000001+00", Rounding::down),
            "1960-01-01T00:00:00.000Z");
  EXPECT_EQ(delta_timestamp("2026-01-01 00:00:00", Rounding::down, false),
            "2026-01-01T00:00:00.000");
}

TEST(DeltaTimestamp, RefusesWhatItCannotStateExactly) {
  EXPECT_FALSE(delta_timestamp("infinity", Rounding::up));
  EXPECT_FALSE(delta_timestamp("-infinity", Rounding::down));
  EXPECT_FALSE(delta_timestamp("0044-03-15 00:00:00+00 (BC)", Rounding::down));
  EXPECT_FALSE(delta_timestamp("9999-12-31 23:59:59.9999+00", Rounding::up));  // year 10000
  EXPECT_FALSE(delta_timestamp("2026-02-30 00:00:00+00", Rounding::down));
  EXPECT_FALSE(delta_timestamp("2026-01-01 00:00:00+0x", Rounding::down));
}

TEST(Utf8, PrefixCountsCharactersNotBytes) {
  EXPECT_EQ(utf8_prefix("é€𝄞abc", 3), "é€𝄞");
  EXPECT_EQ(utf8_prefix("abc", 32), "abc");
  EXPECT_EQ(utf8_length("é€𝄞abc"), 6u);
  EXPECT_FALSE(utf8_length("\xC3"));
  EXPECT_FALSE(utf8_prefix("ab\xFF", 1));
}

StringMap stats(std::initializer_list<std::pair<const char*, const char*>> entries) {
  StringMap map;
  for (const auto& [key, value] : entries) map.emplace_back(key, std::string(value));
  return map;
}

TEST(DeltaStatsJson, TypesEachBoundByItsDeltaType) {
  const std::string long_text(40, 'q');
  NestedStringMap columns = {
      {"\"n\"", stats({{"min", "-5"}, {"max", "99"}, {"null_count", "0"}})},
      {"\"d\"", stats({{"min", "0.25"},
                       {"max", "14.142857142857142"},
                       {"null_count", "1"},
                       {"has_nan", "false"}})},
      {"\"nan\"",
       stats({{"min", "0.0"}, {"max", "1.0"}, {"null_count", "0"}, {"has_nan", "true"}})},
      {"\"inf\"",
       stats({{"min", "-inf"}, {"max", "2.0"}, {"null_count", "0"}, {"has_nan", "false"}})},
      {"\"s\"", stats({{"min", "apple"}, {"max", "pear"}, {"null_count", "3"}})},
      {"\"long\"",
       stats({{"min", long_text.c_str()}, {"max", long_text.c_str()}, {"null_count", "0"}})},
      {"\"day\"", stats({{"min", "2026-01-01"}, {"max", "2026-01-03"}, {"null_count", "0"}})},
      {"\"ts\"", stats({{"min", "2026-01-01 00:00:00.0005+00"},
                        {"max", "2026-01-01 00:00:01.0005+00"},
                        {"null_count", "0"}})},
      {"\"flag\"", stats({{"null_count", "2"}})},
      {"\"st\".\"a\"", stats({{"min", "1"}, {"max", "2"}, {"null_count", "0"}})},
      {"\"a\"\"b\"", stats({{"min", "7"}, {"max", "8"}, {"null_count", "0"}})},
  };
  const std::vector<DeltaField> fields = {
      {"n", "long"},
      {"d", "double"},
      {"nan", "double"},
      {"inf", "double"},
      {"s", "string"},
      {"long", "string"},
      {"day", "date"},
      {"ts", "timestamp"},
      {"flag", "boolean"},
      {"st",
       R"({"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{}}]})"},
      {"a\"b", "integer"},
      {"absent", "long"},
  };
  const Json stats_json = Json::parse(delta_stats_json(10, columns, fields));
  EXPECT_EQ(stats_json["numRecords"], 10);
  const Json& min = stats_json["minValues"];
  const Json& max = stats_json["maxValues"];
  const Json& nulls = stats_json["nullCount"];
  EXPECT_EQ(min["n"], -5);
  EXPECT_EQ(max["n"], 99);
  EXPECT_EQ(min["d"], 0.25);
  EXPECT_EQ(max["d"], 14.142857142857142);
  EXPECT_FALSE(min.contains("nan"));
  EXPECT_FALSE(max.contains("nan"));
  EXPECT_EQ(nulls["nan"], 0);
  EXPECT_FALSE(min.contains("inf"));
  EXPECT_EQ(max["inf"], 2.0);
  EXPECT_EQ(min["s"], "apple");
  EXPECT_EQ(max["s"], "pear");
  EXPECT_EQ(nulls["s"], 3);
  EXPECT_EQ(min["long"], std::string(32, 'q'));
  EXPECT_FALSE(max.contains("long"));
  EXPECT_EQ(min["day"], "2026-01-01");
  EXPECT_EQ(max["day"], "2026-01-03");
  EXPECT_EQ(min["ts"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(max["ts"], "2026-01-01T00:00:01.001Z");
  EXPECT_FALSE(min.contains("flag"));
  EXPECT_EQ(nulls["flag"], 2);
  EXPECT_FALSE(min.contains("st"));
  EXPECT_FALSE(nulls.contains("st"));
  EXPECT_EQ(min["a\"b"], 7);
  EXPECT_FALSE(nulls.contains("absent"));
}

}  // namespace
}  // namespace shoplake::lake::parquet_detail
