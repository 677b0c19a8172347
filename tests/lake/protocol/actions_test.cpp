#include "shoplake/lake/actions.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shoplake::lake {
namespace {

std::vector<Action> parse_ok(std::string_view text) {
  auto parsed = parse_commit(text, "test.json");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error());
  return parsed.ok() ? parsed.value() : std::vector<Action>{};
}

std::string parse_error(std::string_view text,
                        std::string_view source = "_delta_log/00000000000000000003.json") {
  auto parsed = parse_commit(text, source);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? "" : parsed.error();
}

// serialize -> parse gives the same actions back.
void expect_round_trip(const std::vector<Action>& actions) {
  std::string text = serialize_commit(actions);
  auto parsed = parse_commit(text, "round-trip.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error() << "\n" << text;
  EXPECT_EQ(parsed.value(), actions) << text;
  EXPECT_EQ(serialize_commit(parsed.value()), text);
}

Metadata full_metadata() {
  Metadata metadata;
  metadata.id = "8d3d2b8a-f091-4d7d-8a37-432a9beaf17b";
  metadata.name = "events";
  metadata.description = "bronze events";
  metadata.format_options = {{"compression", "zstd"}};
  metadata.schema_string =
      R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})";
  metadata.partition_columns = {"day", "type"};
  metadata.created_time = 1700000000123;
  metadata.configuration = {{"delta.appendOnly", "true"}, {"delta.checkpointInterval", "10"}};
  return metadata;
}

AddFile full_add() {
  AddFile add;
  add.path = "day=2024-01-01/type=view/part-00000-abc.parquet";
  add.partition_values = {{"type", "view"}, {"day", std::nullopt}};
  add.size = 12345;
  add.modification_time = 1700000000000;
  add.data_change = false;
  add.stats = R"({"numRecords":10,"minValues":{"id":1},"maxValues":{"id":9},"nullCount":{"id":0}})";
  add.tags = {{"INSERTION_TIME", "1700000000000000"}};
  return add;
}

TEST(Actions, RoundTripsEveryKind) {
  Protocol plain;
  Protocol featured{3, 7, {"deletionVectors"}, {"deletionVectors", "appendOnly"}};
  Metadata minimal;
  minimal.id = "id-1";
  minimal.schema_string = R"({"type":"struct","fields":[]})";
  AddFile minimal_add;
  minimal_add.path = "a.parquet";
  RemoveFile remove;
  remove.path = "old.parquet";
  remove.deletion_timestamp = 1700000000999;
  RemoveFile extended = remove;
  extended.extended_file_metadata = true;
  extended.partition_values = {{"day", "2024-01-01"}, {"type", std::nullopt}};
  extended.size = 77;
  extended.data_change = false;
  RemoveFile no_timestamp;
  no_timestamp.path = "x";
  Txn txn{"bronze-writer", 42, 1700000000000};
  Txn bare_txn{"app", 0, std::nullopt};
  auto info = parse_ok(
      R"({"commitInfo":{"timestamp":1700000000000,"operation":"WRITE","operationParameters":{"mode":"Append"},"isBlindAppend":true}})");
  ASSERT_EQ(info.size(), 1u);
  expect_round_trip({info[0], plain, featured, full_metadata(), minimal, full_add(), minimal_add,
                     remove, extended, no_timestamp, txn, bare_txn});
}

TEST(Actions, SerializesTheProtocolFieldNames) {
  EXPECT_EQ(serialize_action(Protocol{}),
            R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})");
  EXPECT_EQ(
      serialize_action(Protocol{3, 7, {"deletionVectors"}, {"appendOnly"}}),
      R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["appendOnly"]}})");
  EXPECT_EQ(
      serialize_action(full_add()),
      R"({"add":{"path":"day=2024-01-01/type=view/part-00000-abc.parquet","partitionValues":{"type":"view","day":null},"size":12345,"modificationTime":1700000000000,"dataChange":false,"stats":"{\"numRecords\":10,\"minValues\":{\"id\":1},\"maxValues\":{\"id\":9},\"nullCount\":{\"id\":0}}","tags":{"INSERTION_TIME":"1700000000000000"}}})");
  AddFile bare;
  bare.path = "p";
  EXPECT_EQ(
      serialize_action(bare),
      R"({"add":{"path":"p","partitionValues":{},"size":0,"modificationTime":0,"dataChange":true}})");
  RemoveFile remove;
  remove.path = "p";
  remove.deletion_timestamp = 5;
  EXPECT_EQ(
      serialize_action(remove),
      R"({"remove":{"path":"p","deletionTimestamp":5,"dataChange":true,"extendedFileMetadata":false}})");
  remove.extended_file_metadata = true;
  remove.size = 9;
  EXPECT_EQ(
      serialize_action(remove),
      R"({"remove":{"path":"p","deletionTimestamp":5,"dataChange":true,"extendedFileMetadata":true,"partitionValues":{},"size":9}})");
  EXPECT_EQ(serialize_action(Txn{"a", 3, 4}),
            R"({"txn":{"appId":"a","version":3,"lastUpdated":4}})");
  Metadata metadata;
  metadata.id = "i";
  metadata.schema_string = "{}";
  metadata.created_time = 1;
  EXPECT_EQ(
      serialize_action(metadata),
      R"({"metaData":{"id":"i","format":{"provider":"parquet","options":{}},"schemaString":"{}","partitionColumns":[],"createdTime":1,"configuration":{}}})");
  EXPECT_EQ(serialize_commit({Protocol{}, Txn{"a", 1, std::nullopt}}),
            "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
            "{\"txn\":{\"appId\":\"a\",\"version\":1}}\n");
}

TEST(Actions, CommitInfoKeepsTheWholeObject) {
  auto actions = parse_ok(
      R"({"commitInfo":{"timestamp":1564524295023,"operation":"WRITE","operationParameters":{"mode":"ErrorIfExists","partitionBy":"[]"},"isBlindAppend":true}})");
  ASSERT_EQ(actions.size(), 1u);
  const auto& info = std::get<CommitInfo>(actions[0]);
  EXPECT_EQ(info.timestamp, 1564524295023);
  EXPECT_EQ(info.operation, "WRITE");
  EXPECT_EQ(
      info.json,
      R"({"timestamp":1564524295023,"operation":"WRITE","operationParameters":{"mode":"ErrorIfExists","partitionBy":"[]"},"isBlindAppend":true})");
  EXPECT_EQ(serialize_action(info), "{\"commitInfo\":" + info.json + "}");

  // Free-form: odd types are no error, just not picked out.
  auto odd = parse_ok(R"({"commitInfo":{"timestamp":"yesterday","operation":7}})");
  ASSERT_EQ(odd.size(), 1u);
  EXPECT_FALSE(std::get<CommitInfo>(odd[0]).timestamp);
  EXPECT_EQ(std::get<CommitInfo>(odd[0]).operation, "");

  // Built from the fields when a writer leaves json empty.
  CommitInfo built;
  built.timestamp = 12;
  built.operation = "OPTIMIZE";
  EXPECT_EQ(serialize_action(built), R"({"commitInfo":{"timestamp":12,"operation":"OPTIMIZE"}})");
}

TEST(Actions, PartitionValuesKeepNullAndLogOrder) {
  auto actions = parse_ok(
      R"({"add":{"path":"p","partitionValues":{"z":"1","a":null,"m":""},"size":1,"modificationTime":2,"dataChange":true}})");
  ASSERT_EQ(actions.size(), 1u);
  PartitionValues expected = {{"z", "1"}, {"a", std::nullopt}, {"m", ""}};
  EXPECT_EQ(std::get<AddFile>(actions[0]).partition_values, expected);
}

TEST(Actions, SkipsUnknownActionsAndBlankLines) {
  auto actions = parse_ok(
      "{\"cdc\":{\"path\":\"c\",\"partitionValues\":{},\"size\":1,\"dataChange\":false}}\r\n"
      "\n"
      "   \n"
      "{\"domainMetadata\":{\"domain\":\"d\",\"configuration\":\"{}\",\"removed\":false}}\n"
      "{\"txn\":{\"appId\":\"a\",\"version\":1}}\r\n"
      "{\"checkpointMetadata\":{\"version\":1}}\n"
      "{\"sidecar\":{\"path\":\"s\",\"sizeInBytes\":1,\"modificationTime\":1}}");
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<Txn>(actions[0]), (Txn{"a", 1, std::nullopt}));
}

TEST(Actions, CheckpointRowsHaveNullForOtherActions) {
  auto actions = parse_action_object(
      R"({"txn":null,"add":{"path":"f","size":100,"modificationTime":1,"dataChange":false,"stats":null,"partitionValues":{"color":null},"tags":null,"deletionVector":null,"stats_parsed":null},"remove":null,"metaData":null,"protocol":null})",
      "checkpoint row 1");
  ASSERT_TRUE(actions.ok()) << actions.error();
  ASSERT_EQ(actions.value().size(), 1u);
  const auto& add = std::get<AddFile>(actions.value()[0]);
  EXPECT_EQ(add.path, "f");
  EXPECT_EQ(add.size, 100);
  EXPECT_FALSE(add.data_change);
  EXPECT_FALSE(add.stats);
  EXPECT_FALSE(add.has_deletion_vector);
  EXPECT_EQ(add.partition_values, (PartitionValues{{"color", std::nullopt}}));

  auto empty = parse_action_object(R"({"txn":null,"add":null,"remove":null})", "row");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().empty());

  // Old remove columns: only path, deletionTimestamp, dataChange.
  auto remove = parse_action_object(
      R"({"remove":{"path":"r","deletionTimestamp":5,"dataChange":false,"extendedFileMetadata":null,"size":null,"partitionValues":null,"tags":null}})",
      "row");
  ASSERT_TRUE(remove.ok()) << remove.error();
  EXPECT_EQ(std::get<RemoveFile>(remove.value()[0]),
            (RemoveFile{"r", 5, false, false, {}, std::nullopt}));
}

TEST(Actions, MapsAsKeyValueListsAreAccepted) {
  auto actions = parse_action_object(
      R"({"add":{"path":"f","size":1,"partitionValues":[{"key":"a","value":"1"},{"key":"b","value":null}],"tags":[{"key":"t","value":"v"}]}})",
      "row");
  ASSERT_TRUE(actions.ok()) << actions.error();
  const auto& add = std::get<AddFile>(actions.value()[0]);
  EXPECT_EQ(add.partition_values, (PartitionValues{{"a", "1"}, {"b", std::nullopt}}));
  EXPECT_EQ(add.tags, (std::map<std::string, std::string>{{"t", "v"}}));
}

TEST(Actions, StatsAreBuiltFromStatsParsed) {
  auto actions = parse_action_object(
      R"({"add":{"path":"f","size":1,"modificationTime":1,"dataChange":false,"partitionValues":{},"deletionVector":null,"stats_parsed":{"numRecords":1,"minValues":{"integer":0,"null":null},"maxValues":{"integer":0},"nullCount":{"integer":0},"tightBounds":null}}})",
      "row");
  ASSERT_TRUE(actions.ok()) << actions.error();
  const auto& add = std::get<AddFile>(actions.value()[0]);
  ASSERT_TRUE(add.stats);
  EXPECT_EQ(
      *add.stats,
      R"({"numRecords":1,"minValues":{"integer":0,"null":null},"maxValues":{"integer":0},"nullCount":{"integer":0}})");
  // A stats string wins over stats_parsed.
  auto both = parse_action_object(
      R"({"add":{"path":"f","size":1,"stats":"{\"numRecords\":3}","stats_parsed":{"numRecords":1}}})",
      "row");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(std::get<AddFile>(both.value()[0]).stats, R"({"numRecords":3})");
}

TEST(Actions, DeletionVectorIsFlagged) {
  auto actions = parse_ok(
      R"({"add":{"path":"f","partitionValues":{},"size":10499,"modificationTime":1,"dataChange":true,"deletionVector":{"storageType":"u","pathOrInlineDv":"J.Dy=B})x<YARTP5LcO1","offset":1,"sizeInBytes":34,"cardinality":1}}})");
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_TRUE(std::get<AddFile>(actions[0]).has_deletion_vector);
}

TEST(Actions, ErrorsNameSourceLineAndField) {
  EXPECT_EQ(parse_error("{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
                        "{\"add\":{\"path\":\"a\",\"size\":\"12\"}}\n"),
            "_delta_log/00000000000000000003.json line 2: add.size: expected a number");
  EXPECT_EQ(parse_error("\n\n{\"add\":{\"size\":1}}"),
            "_delta_log/00000000000000000003.json line 3: add.path: missing");
  EXPECT_EQ(
      parse_error(R"({"remove":{"path":"a","dataChange":"yes"}})"),
      "_delta_log/00000000000000000003.json line 1: remove.dataChange: expected true or false");
  EXPECT_EQ(parse_error(R"({"add":{"path":"a","size":1.5}})"),
            "_delta_log/00000000000000000003.json line 1: add.size: expected an integer");
  EXPECT_EQ(parse_error(R"({"add":{"path":"a","size":1,"partitionValues":{"x":{"y":1}}}})"),
            "_delta_log/00000000000000000003.json line 1: add.partitionValues.x: expected a string "
            "or null");
  EXPECT_EQ(parse_error(R"({"metaData":{"id":"i","schemaString":"{}","partitionColumns":[1]}})"),
            "_delta_log/00000000000000000003.json line 1: metaData.partitionColumns[0]: expected a "
            "string");
  EXPECT_EQ(parse_error(R"({"protocol":{"minReaderVersion":1}})"),
            "_delta_log/00000000000000000003.json line 1: protocol.minWriterVersion: missing");
  EXPECT_EQ(parse_error(R"({"txn":{"appId":"a","version":18446744073709551615}})"),
            "_delta_log/00000000000000000003.json line 1: txn.version: number out of range");
  EXPECT_EQ(parse_error(R"({"add":[]})"),
            "_delta_log/00000000000000000003.json line 1: add: expected an object");
  EXPECT_EQ(parse_error("[1,2]"),
            "_delta_log/00000000000000000003.json line 1: action: expected a JSON object per line");
  std::string syntax = parse_error("{\"txn\":{\"appId\":\"a\",\"version\":1}}\n{\"add\":");
  EXPECT_EQ(syntax.rfind("_delta_log/00000000000000000003.json line 2: invalid JSON: ", 0), 0u)
      << syntax;
  std::string deep = parse_error(std::string(10000, '[') + std::string(10000, ']'));
  EXPECT_NE(deep.find("nested deeper"), std::string::npos) << deep;
}

TEST(Actions, WholeNumbersWrittenAsFloatsAreAccepted) {
  auto actions = parse_ok(R"({"add":{"path":"a","size":1.2e3,"modificationTime":5}})");
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<AddFile>(actions[0]).size, 1200);
}

TEST(Paths, EncodeEscapesAllButUnreservedAndSlash) {
  EXPECT_EQ(encode_path("x=A%2FA/part-0.parquet"), "x=A%252FA/part-0.parquet");
  EXPECT_EQ(encode_path("x=B B/part-0.parquet"), "x=B%20B/part-0.parquet");
  EXPECT_EQ(encode_path("a-z_A.Z~09/ok"), "a-z_A.Z~09/ok");
  EXPECT_EQ(encode_path("d=2024-01-01 10:00:00"), "d=2024-01-01%2010%3A00%3A00");
  EXPECT_EQ(encode_path("caf\xC3\xA9+"), "caf%C3%A9%2B");
  EXPECT_EQ(encode_path(""), "");
}

TEST(Paths, DecodeUndoesOneLevel) {
  auto decoded = decode_path("x=A%252FA/part-00000.snappy.parquet");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), "x=A%2FA/part-00000.snappy.parquet");
  EXPECT_EQ(decode_path("x=B%20B").value(), "x=B B");
  EXPECT_EQ(decode_path("a+b%2b%2B").value(), "a+b++");
  EXPECT_EQ(decode_path("caf%C3%A9").value(), "caf\xC3\xA9");
  for (std::string path : {"x=A%2FA/a%b", "%", "a%2", "a%zz", "%G0"}) {
    auto bad = decode_path(path);
    ASSERT_FALSE(bad.ok()) << path;
    EXPECT_NE(bad.error().find("malformed percent-escape"), std::string::npos) << bad.error();
  }
}

TEST(Paths, DecodeInvertsEncode) {
  for (std::string path :
       {"plain.parquet", "x=A%2FA/y=B B/part.parquet", "weird/#?&=+%~", "\x01\x7F\xFF"}) {
    EXPECT_EQ(decode_path(encode_path(path)).value(), path);
  }
}

}  // namespace
}  // namespace shoplake::lake
