#include "shoplake/lake/delta_schema.hpp"

#include <gtest/gtest.h>

#include <string>

namespace shoplake::lake {
namespace {

constexpr const char* kNested =
    R"({"type":"struct","fields":[)"
    R"({"name":"integer","type":"integer","nullable":false,"metadata":{}},)"
    R"j({"name":"decimal","type":"decimal(8,5)","nullable":true,"metadata":{"comment":"money"}},)j"
    R"({"name":"timestamp","type":"timestamp","nullable":true,"metadata":{}},)"
    R"({"name":"struct","type":{"type":"struct","fields":[{"name":"struct_element","type":"string","nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}},)"
    R"({"name":"map","type":{"type":"map","keyType":"string","valueType":"long","valueContainsNull":true},"nullable":true,"metadata":{}},)"
    R"({"name":"array","type":{"type":"array","elementType":"string","containsNull":true},"nullable":true,"metadata":{}},)"
    R"({"name":"deep","type":{"type":"struct","fields":[{"name":"a\"b","type":{"type":"array","elementType":{"type":"map","keyType":"string","valueType":"date","valueContainsNull":true},"containsNull":true},"nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}}]})";

TEST(DeltaSchema, ParsesPrimitiveAndNestedFields) {
  auto schema = parse_schema(kNested);
  ASSERT_TRUE(schema.ok()) << schema.error();
  const auto& fields = schema.value().fields;
  ASSERT_EQ(fields.size(), 7u);
  EXPECT_EQ(fields[0], (DeltaField{"integer", "integer", false, "{}"}));
  EXPECT_EQ(fields[1], (DeltaField{"decimal", "decimal(8,5)", true, R"({"comment":"money"})"}));
  EXPECT_EQ(
      fields[3].type,
      R"({"type":"struct","fields":[{"name":"struct_element","type":"string","nullable":true,"metadata":{}}]})");
  EXPECT_EQ(fields[4].type,
            R"({"type":"map","keyType":"string","valueType":"long","valueContainsNull":true})");
  ASSERT_NE(schema.value().find("array"), nullptr);
  EXPECT_EQ(schema.value().find("array")->type,
            R"({"type":"array","elementType":"string","containsNull":true})");
  EXPECT_EQ(schema.value().find("missing"), nullptr);
}

TEST(DeltaSchema, SerializeRoundTrips) {
  auto schema = parse_schema(kNested);
  ASSERT_TRUE(schema.ok());
  std::string text = serialize_schema(schema.value());
  EXPECT_EQ(text, kNested);
  auto again = parse_schema(text);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again.value(), schema.value());

  DeltaSchema built;
  built.fields = {
      {"id", "long", false, "{}"},
      {"tags", R"({"type":"array","elementType":"string","containsNull":true})", true, "{}"}};
  EXPECT_EQ(
      serialize_schema(built),
      R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":false,"metadata":{}},{"name":"tags","type":{"type":"array","elementType":"string","containsNull":true},"nullable":true,"metadata":{}}]})");
  EXPECT_EQ(parse_schema(serialize_schema(built)).value(), built);
}

TEST(DeltaSchema, ErrorsSayWhere) {
  auto unknown = parse_schema(
      R"({"type":"struct","fields":[{"name":"a","type":"long"},{"name":"b","type":"long"},{"name":"c","type":"long"},{"name":"d","type":"uint64"}]})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(), R"(schemaString: fields[3].type: unknown type "uint64")");

  auto nested = parse_schema(
      R"({"type":"struct","fields":[{"name":"s","type":{"type":"struct","fields":[{"name":"x","type":"variant"}]}}]})");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error(),
            R"(schemaString: fields[0].type.fields[0].type: unknown type "variant")");

  auto no_name = parse_schema(R"({"type":"struct","fields":[{"type":"long"}]})");
  ASSERT_FALSE(no_name.ok());
  EXPECT_EQ(no_name.error(), "schemaString: fields[0].name: missing");

  auto bad_decimal =
      parse_schema(R"j({"type":"struct","fields":[{"name":"d","type":"decimal(40,2)"}]})j");
  ASSERT_FALSE(bad_decimal.ok());
  EXPECT_NE(bad_decimal.error().find("invalid decimal"), std::string::npos);

  auto not_struct = parse_schema(R"({"type":"array","elementType":"string"})");
  ASSERT_FALSE(not_struct.ok());
  EXPECT_EQ(not_struct.error(), R"(schemaString.type: expected "struct")");

  auto syntax = parse_schema("{\"type\":");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().rfind("schemaString: invalid JSON", 0), 0u) << syntax.error();
}

TEST(DeltaSchema, DecimalIsCanonicalized) {
  auto schema =
      parse_schema(R"j({"type":"struct","fields":[{"name":"d","type":"decimal(10, 2)"}]})j");
  ASSERT_TRUE(schema.ok()) << schema.error();
  EXPECT_EQ(schema.value().fields[0].type, "decimal(10,2)");
  EXPECT_TRUE(schema.value().fields[0].nullable);
  EXPECT_EQ(schema.value().fields[0].metadata_json, "{}");
}

TEST(DeltaSchema, DuckdbTypes) {
  const std::pair<const char*, const char*> cases[] = {
      {"string", "VARCHAR"},
      {"long", "BIGINT"},
      {"integer", "INTEGER"},
      {"short", "SMALLINT"},
      {"byte", "TINYINT"},
      {"float", "FLOAT"},
      {"double", "DOUBLE"},
      {"boolean", "BOOLEAN"},
      {"binary", "BLOB"},
      {"date", "DATE"},
      {"timestamp", "TIMESTAMP WITH TIME ZONE"},
      {"timestamp_ntz", "TIMESTAMP"},
      {"decimal(8,5)", "DECIMAL(8,5)"},
      {R"({"type":"array","elementType":"long","containsNull":true})", "BIGINT[]"},
      {R"({"type":"map","keyType":"string","valueType":{"type":"array","elementType":"date","containsNull":true},"valueContainsNull":true})",
       "MAP(VARCHAR, DATE[])"},
      {R"({"type":"struct","fields":[{"name":"a","type":"string","nullable":true,"metadata":{}},{"name":"b\"c","type":{"type":"struct","fields":[{"name":"x","type":"double"}]},"nullable":true,"metadata":{}}]})",
       R"(STRUCT("a" VARCHAR, "b""c" STRUCT("x" DOUBLE)))"},
  };
  for (const auto& [delta, duck] : cases) {
    auto type = duckdb_type_of(delta);
    ASSERT_TRUE(type.ok()) << delta << ": " << type.error();
    EXPECT_EQ(type.value(), duck) << delta;
  }
  auto unknown = duckdb_type_of("interval");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("unknown type \"interval\""), std::string::npos);
  EXPECT_FALSE(duckdb_type_of(R"({"type":"array"})").ok());
}

TEST(DeltaSchema, DeltaTypesForWriting) {
  const std::pair<const char*, const char*> cases[] = {
      {"VARCHAR", "string"},
      {"BIGINT", "long"},
      {"INTEGER", "integer"},
      {"SMALLINT", "short"},
      {"TINYINT", "byte"},
      {"DOUBLE", "double"},
      {"FLOAT", "float"},
      {"BOOLEAN", "boolean"},
      {"BLOB", "binary"},
      {"DATE", "date"},
      {"TIMESTAMP WITH TIME ZONE", "timestamp"},
      {"TIMESTAMPTZ", "timestamp"},
      {"DECIMAL(18,3)", "decimal(18,3)"},
      {"decimal(38, 0)", "decimal(38,0)"},
  };
  for (const auto& [duck, delta] : cases) {
    auto type = delta_type_of(duck);
    ASSERT_TRUE(type.ok()) << duck << ": " << type.error();
    EXPECT_EQ(type.value(), delta) << duck;
  }
  for (const char* refused : {"UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT", "UHUGEINT", "HUGEINT",
                              "UUID", "TIMESTAMP", "INTERVAL", "BIGINT[]", "JSON"}) {
    auto type = delta_type_of(refused);
    ASSERT_FALSE(type.ok()) << refused;
    EXPECT_NE(type.error().find(refused), std::string::npos) << type.error();
  }
  EXPECT_NE(delta_type_of("TIMESTAMP").error().find("timestamp_ntz"), std::string::npos);
  EXPECT_NE(delta_type_of("TIMESTAMP").error().find("reader version 3"), std::string::npos);
  EXPECT_FALSE(delta_type_of("DECIMAL(50,2)").ok());
}

}  // namespace
}  // namespace shoplake::lake
