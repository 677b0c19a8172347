#include "parquet_io.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "parquet_test_support.hpp"
#include "shoplake/lake/delta_schema.hpp"
#include "shoplake/lake/snapshot.hpp"

namespace shoplake::lake {
namespace {

namespace fs = std::filesystem;
namespace duck = sql::duck;
using testing::Row;
using testing::run_ok;
using testing::ScratchDir;
using testing::text_rows;
using testing::text_value;
using Json = nlohmann::json;

class ParquetIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto io = ParquetIo::open();
    ASSERT_TRUE(io.ok()) << io.error();
    io_ = std::move(io).value();
    auto connection = io_->connect();
    ASSERT_TRUE(connection.ok()) << connection.error();
    connection_ = std::move(connection).value();
  }

  duckdb_connection db() { return connection_.get(); }
  const fs::path& root() { return scratch_.path(); }

  std::vector<AddFile> write(const std::string& select, const DeltaSchema& schema,
                             const std::vector<std::string>& partitions) {
    auto adds = io_->write_data_files(db(), select, root(), schema, partitions);
    EXPECT_TRUE(adds.ok()) << (adds.ok() ? "" : adds.error());
    return adds.ok() ? adds.value() : std::vector<AddFile>{};
  }

  fs::path file_of(const AddFile& add) {
    auto decoded = decode_path(add.path);
    EXPECT_TRUE(decoded.ok()) << add.path;
    return root() / (decoded.ok() ? decoded.value() : add.path);
  }

  // Runs a scan SELECT and returns its rows as text, ordered by all columns.
  std::vector<Row> scan_rows(const Snapshot& snapshot) {
    auto sql = io_->scan_sql(snapshot);
    EXPECT_TRUE(sql.ok()) << (sql.ok() ? "" : sql.error());
    if (!sql) return {};
    return text_rows(db(), "SELECT * FROM (" + sql.value() + ") ORDER BY ALL NULLS FIRST");
  }

  ScratchDir scratch_;
  std::unique_ptr<ParquetIo> io_;
  duck::Connection connection_;
};

DeltaSchema events_schema() {
  return DeltaSchema{{{"event_date", "date"},
                      {"ts", "timestamp"},
                      {"n", "long"},
                      {"d", "double"},
                      {"s", "string"},
                      {"long_s", "string"}}};
}

// 30 rows over three dates; microsecond timestamps so the millisecond rounding shows.
constexpr const char* kEventsTable = R"sql(
  CREATE TABLE events AS SELECT
    DATE '2026-11-24' + CAST(i % 3 AS INTEGER) AS event_date,
    TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_microseconds(i * 1000123457) AS ts,
    i * 10 - 50 AS n,
    i / 4 AS d,
    CASE WHEN i % 4 = 0 THEN NULL ELSE 's' || lpad(CAST(i AS VARCHAR), 2, '0') END AS s,
    repeat('x', 99) || CAST(i % 10 AS VARCHAR) AS long_s
  FROM range(30) t(i))sql";

TEST_F(ParquetIoTest, WritesOneFilePerPartitionWithExactStats) {
  run_ok(db(), kEventsTable);
  const auto adds = write("SELECT * FROM events", events_schema(), {"event_date"});
  ASSERT_EQ(adds.size(), 3u);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (const auto& add : adds) {
    ASSERT_EQ(add.partition_values.size(), 1u);
    ASSERT_TRUE(add.partition_values[0].second.has_value());
    const std::string date = *add.partition_values[0].second;
    EXPECT_EQ(add.partition_values[0].first, "event_date");
    EXPECT_TRUE(add.path.starts_with("event_date=" + date + "/part-")) << add.path;
    EXPECT_TRUE(add.path.ends_with(".parquet")) << add.path;
    const fs::path file = file_of(add);
    ASSERT_TRUE(fs::exists(file)) << file;
    EXPECT_EQ(add.size, static_cast<std::int64_t>(fs::file_size(file)));
    EXPECT_LE(std::abs(add.modification_time - now_ms), 60'000);
    EXPECT_TRUE(add.data_change);

    const std::string read = "read_parquet(" + duck::quote_literal(file.string()) + ")";
    // The partition column lives in the folder and the log only.
    const auto columns =
        text_rows(db(), "SELECT name FROM parquet_schema(" + duck::quote_literal(file.string()) +
                            ") ORDER BY name");
    std::vector<std::string> names;
    for (const auto& row : columns) names.push_back(*row[0]);
    EXPECT_EQ(std::count(names.begin(), names.end(), "event_date"), 0);
    // Every column chunk zstd-compressed.
    const auto codecs = text_rows(db(), "SELECT DISTINCT compression FROM parquet_metadata(" +
                                            duck::quote_literal(file.string()) + ")");
    ASSERT_EQ(codecs.size(), 1u);
    EXPECT_EQ(*codecs[0][0], "ZSTD");
    // Same rows, same order.
    const std::string source = "SELECT ts, n, d, s, long_s FROM events WHERE event_date = DATE " +
                               duck::quote_literal(date);
    EXPECT_EQ(text_rows(db(), "SELECT ts, n, d, s, long_s FROM " + read), text_rows(db(), source));

    ASSERT_TRUE(add.stats.has_value());
    const Json stats = Json::parse(*add.stats);
    const auto expected = text_rows(
        db(),
        "SELECT count(*), min(n), max(n), min(d), max(d), count(*) - count(s), min(s), max(s), "
        "strftime(timezone('UTC', date_trunc('millisecond', min(ts))), '%Y-%m-%dT%H:%M:%S.%gZ'), "
        "strftime(timezone('UTC', make_timestamp(CAST(ceil(epoch_us(max(ts)) / 1000) AS BIGINT) * "
        "1000)), '%Y-%m-%dT%H:%M:%S.%gZ') FROM (" +
            source + ")")[0];
    EXPECT_EQ(stats["numRecords"], std::stoll(*expected[0]));
    EXPECT_EQ(stats["minValues"]["n"], std::stoll(*expected[1]));
    EXPECT_EQ(stats["maxValues"]["n"], std::stoll(*expected[2]));
    EXPECT_EQ(stats["minValues"]["d"], std::stod(*expected[3]));
    EXPECT_EQ(stats["maxValues"]["d"], std::stod(*expected[4]));
    EXPECT_EQ(stats["nullCount"]["s"], std::stoll(*expected[5]));
    EXPECT_EQ(stats["nullCount"]["n"], 0);
    EXPECT_EQ(stats["minValues"]["s"], *expected[6]);
    EXPECT_EQ(stats["maxValues"]["s"], *expected[7]);
    EXPECT_EQ(stats["minValues"]["ts"], *expected[8]);
    EXPECT_EQ(stats["maxValues"]["ts"], *expected[9]);
    // 100 characters: a 32-character prefix as min, no max.
    EXPECT_EQ(stats["minValues"]["long_s"], std::string(32, 'x'));
    EXPECT_FALSE(stats["maxValues"].contains("long_s"));
    EXPECT_FALSE(stats["minValues"].contains("event_date"));
    EXPECT_FALSE(stats["nullCount"].contains("event_date"));
  }
}

TEST_F(ParquetIoTest, StatsTimestampsAreUtcWhateverTheSessionZone) {
  run_ok(db(), "SET TimeZone = 'Asia/Kolkata'");
  const DeltaSchema schema{{{"ts", "timestamp"}}};
  const auto adds = write(
      "SELECT TIMESTAMPTZ '2026-03-01 10:00:00.0001+00' AS ts UNION ALL "
      "SELECT TIMESTAMPTZ '2026-03-01 12:00:00+00'",
      schema, {});
  ASSERT_EQ(adds.size(), 1u);
  const Json stats = Json::parse(*adds[0].stats);
  EXPECT_EQ(stats["minValues"]["ts"], "2026-03-01T10:00:00.000Z");
  EXPECT_EQ(stats["maxValues"]["ts"], "2026-03-01T12:00:00.000Z");
}

TEST_F(ParquetIoTest, SpecialPartitionValuesRoundTripThroughTheirFolders) {
  const DeltaSchema schema{{{"k", "string"}, {"v", "long"}}};
  const auto adds = write(
      "SELECT * FROM (VALUES ('a b', 1), ('a/b', 2), ('a%b', 3), ('', 4), (NULL, 5), ('NULL', 6), "
      "('é=?#', 7)) t(k, v)",
      schema, {"k"});
  ASSERT_EQ(adds.size(), 6u);  // '' and NULL share the null partition
  std::map<std::int64_t, std::optional<std::string>> value_by_v;
  for (const auto& add : adds) {
    const fs::path file = file_of(add);
    ASSERT_TRUE(fs::exists(file)) << add.path;
    // The logged path is the folder DuckDB made, encoded once more.
    const std::string relative = fs::relative(file, root()).generic_string();
    EXPECT_EQ(encode_path(relative), add.path);
    for (const auto& row : text_rows(
             db(), "SELECT v FROM read_parquet(" + duck::quote_literal(file.string()) + ")")) {
      value_by_v[std::stoll(row[0].value_or("0"))] = add.partition_values.at(0).second;
    }
    // Hive-decoding the folder gives the logged value back (NULL has its own folder).
    if (add.partition_values[0].second) {
      const std::string folder = relative.substr(0, relative.find('/'));
      auto hive = decode_path(folder);
      ASSERT_TRUE(hive.ok()) << folder;
      EXPECT_EQ(hive.value(), "k=" + *add.partition_values[0].second);
    }
  }
  EXPECT_EQ(value_by_v[1], "a b");
  EXPECT_EQ(value_by_v[2], "a/b");
  EXPECT_EQ(value_by_v[3], "a%b");
  EXPECT_EQ(value_by_v[4], std::nullopt);  // an empty string is a null partition
  EXPECT_EQ(value_by_v[5], std::nullopt);
  EXPECT_EQ(value_by_v[6], "NULL");
  EXPECT_EQ(value_by_v[7], "é=?#");
}

TEST_F(ParquetIoTest, TypedPartitionValuesUseTheProtocolsForms) {
  const DeltaSchema schema{
      {{"ts", "timestamp"}, {"b", "boolean"}, {"i", "integer"}, {"x", "double"}, {"v", "long"}}};
  run_ok(db(), "SET TimeZone = 'America/New_York'");
  const auto adds = write(
      "SELECT TIMESTAMPTZ '2026-01-02 03:04:05.678901+00' AS ts, true AS b, 42 AS i, 9.5 AS x, "
      "1 AS v",
      schema, {"ts", "b", "i", "x"});
  ASSERT_EQ(adds.size(), 1u);
  const PartitionValues expected = {
      {"ts", "2026-01-02T03:04:05.678901Z"}, {"b", "true"}, {"i", "42"}, {"x", "9.5"}};
  EXPECT_EQ(adds[0].partition_values, expected);
}

TEST_F(ParquetIoTest, UnpartitionedWritesOneFileAtTheRoot) {
  const DeltaSchema schema{{{"id", "long"}, {"name", "string"}}};
  const auto adds = write("SELECT range AS id, 'n' || range AS name FROM range(1000);", schema, {});
  ASSERT_EQ(adds.size(), 1u);
  EXPECT_TRUE(adds[0].partition_values.empty());
  EXPECT_TRUE(adds[0].path.starts_with("part-")) << adds[0].path;
  EXPECT_EQ(adds[0].path.find('/'), std::string::npos);
  EXPECT_EQ(Json::parse(*adds[0].stats)["numRecords"], 1000);
  // Columns may come in any order and are cast to the schema's types.
  const auto reordered = write("SELECT 'z' AS NAME, CAST(7 AS INTEGER) AS id", schema, {});
  ASSERT_EQ(reordered.size(), 1u);
  EXPECT_EQ(text_value(db(), "SELECT typeof(id) || ',' || name FROM read_parquet(" +
                                 duck::quote_literal(file_of(reordered[0]).string()) + ")"),
            "BIGINT,z");
}

TEST_F(ParquetIoTest, LeavesExistingFilesAlone) {
  const DeltaSchema schema{{{"id", "long"}, {"p", "string"}}};
  fs::create_directories(root() / "_delta_log");
  std::ofstream(root() / "_delta_log" / "00000000000000000000.json") << "{}\n";
  const auto first = write("SELECT 1 AS id, 'a' AS p", schema, {"p"});
  const auto second = write("SELECT 2 AS id, 'a' AS p", schema, {"p"});
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(first[0].path, second[0].path);
  EXPECT_EQ(text_value(db(), "SELECT id FROM read_parquet(" +
                                 duck::quote_literal(file_of(first[0]).string()) + ")"),
            "1");
  EXPECT_EQ(fs::file_size(root() / "_delta_log" / "00000000000000000000.json"), 3u);
}

TEST_F(ParquetIoTest, EmptySelectWritesNothing) {
  const DeltaSchema schema{{{"id", "long"}, {"p", "string"}}};
  EXPECT_TRUE(write("SELECT 1 AS id, 'a' AS p WHERE false", schema, {}).empty());
  EXPECT_TRUE(write("SELECT 1 AS id, 'a' AS p WHERE false", schema, {"p"}).empty());
  EXPECT_TRUE(fs::is_empty(root()));
}

TEST_F(ParquetIoTest, ColumnMismatchNamesTheColumn) {
  const DeltaSchema schema{{{"id", "long"}, {"p", "string"}}};
  auto missing = io_->write_data_files(db(), "SELECT 1 AS id", root(), schema, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("missing [p]"), std::string::npos) << missing.error();
  auto extra = io_->write_data_files(db(), "SELECT 1 AS id, 'a' AS p, 2 AS q", root(), schema, {});
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.error().find("[q]"), std::string::npos) << extra.error();
  auto bad_partition =
      io_->write_data_files(db(), "SELECT 1 AS id, 'a' AS p", root(), schema, {"nope"});
  ASSERT_FALSE(bad_partition.ok());
  EXPECT_NE(bad_partition.error().find("nope"), std::string::npos) << bad_partition.error();
  auto invalid = io_->write_data_files(db(), "SELEC 1", root(), schema, {});
  ASSERT_FALSE(invalid.ok());
  EXPECT_TRUE(fs::is_empty(root()));
}

// --- checkpoints ---------------------------------------------------------------------------

Snapshot snapshot_with(const fs::path& root, const DeltaSchema& schema,
                       const std::vector<std::string>& partitions, std::vector<AddFile> files) {
  Snapshot snapshot;
  snapshot.table_root = root;
  snapshot.version = 0;
  snapshot.metadata.id = "5f0c7c3e-8a4b-4d52-9d36-3c1a7a1d0b11";
  snapshot.metadata.schema_string = serialize_schema(schema);
  snapshot.metadata.partition_columns = partitions;
  snapshot.metadata.created_time = 1'767'225'600'000;
  snapshot.schema = schema;
  std::sort(files.begin(), files.end(),
            [](const AddFile& a, const AddFile& b) { return a.path < b.path; });
  snapshot.files = std::move(files);
  return snapshot;
}

TEST_F(ParquetIoTest, CheckpointHasTheProtocolsLayout) {
  run_ok(db(), kEventsTable);
  Snapshot snapshot = snapshot_with(root(), events_schema(), {"event_date"},
                                    write("SELECT * FROM events", events_schema(), {"event_date"}));
  snapshot.version = 12;
  snapshot.app_versions = {{"bronze-writer", 41}, {"other", 7}};
  RemoveFile gone;
  gone.path = "event_date=2026-01-01/part-old.parquet";
  gone.deletion_timestamp = 1'767'225'600'123;
  gone.extended_file_metadata = true;
  gone.partition_values = {{"event_date", "2026-01-01"}};
  gone.size = 1234;
  snapshot.tombstones = {gone};

  auto actions = io_->write_checkpoint(snapshot);
  ASSERT_TRUE(actions.ok()) << actions.error();
  EXPECT_EQ(actions.value(), 1 + 1 + 2 + 3 + 1);
  const fs::path file = root() / "_delta_log" / "00000000000000000012.checkpoint.parquet";
  ASSERT_TRUE(fs::exists(file));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(root() / "_delta_log")) {
    ++entries;
  }
  EXPECT_EQ(entries, 1u);  // no temporary file left behind

  const std::string path = duck::quote_literal(file.string());
  // Maps are Parquet MAP groups with a repeated key_value (key required, value optional).
  const auto layout = text_rows(
      db(), "SELECT name, repetition_type, num_children, converted_type FROM parquet_schema(" +
                path + ")");
  std::vector<std::string> names;
  for (const auto& row : layout) names.push_back(row[0].value_or(""));
  const std::vector<std::string> top = {"txn", "add", "remove", "metaData", "protocol"};
  for (const auto& name : top) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  bool saw_map = false;
  for (std::size_t i = 0; i + 2 < layout.size(); ++i) {
    if (layout[i][0] == "partitionValues" && layout[i][3] == "MAP") {
      saw_map = true;
      EXPECT_EQ(layout[i + 1][0], "key_value");
      EXPECT_EQ(layout[i + 1][1], "REPEATED");
      EXPECT_EQ(layout[i + 2][0], "key");
      EXPECT_EQ(layout[i + 2][1], "REQUIRED");
    }
  }
  EXPECT_TRUE(saw_map);

  const std::string read = "read_parquet(" + path + ")";
  EXPECT_EQ(text_value(db(), "SELECT count(*) FROM " + read), "8");
  EXPECT_EQ(text_value(db(), "SELECT count(*) FROM " + read + " WHERE add IS NOT NULL"), "3");
  EXPECT_EQ(text_value(db(), "SELECT protocol.minWriterVersion FROM " + read +
                                 " WHERE protocol IS NOT NULL"),
            "2");
  EXPECT_EQ(text_value(db(),
                       "SELECT string_agg(txn.appId || '=' || txn.version, ',' ORDER BY "
                       "txn.appId) FROM " +
                           read + " WHERE txn IS NOT NULL"),
            "bronze-writer=41,other=7");
  EXPECT_EQ(text_value(db(), "SELECT metaData.partitionColumns::VARCHAR FROM " + read +
                                 " WHERE metaData IS NOT NULL"),
            "[event_date]");
  EXPECT_EQ(text_value(db(), "SELECT remove.partitionValues['event_date'] FROM " + read +
                                 " WHERE remove IS NOT NULL"),
            "2026-01-01");
  EXPECT_EQ(text_value(db(), "SELECT count(*) FROM " + read +
                                 " WHERE add IS NOT NULL AND add.partitionValues['event_date'] "
                                 "LIKE '2026-11-2_' AND add.stats LIKE '{\"numRecords\":10,%' "
                                 "AND NOT add.dataChange"),
            "3");
}

TEST_F(ParquetIoTest, CheckpointLoadsBackAsTheSameSnapshot) {
  run_ok(db(), kEventsTable);
  const DeltaSchema schema = events_schema();
  Snapshot snapshot = snapshot_with(root(), schema, {"event_date"},
                                    write("SELECT * FROM events", schema, {"event_date"}));
  snapshot.version = 1;
  snapshot.app_versions = {{"bronze-writer", 41}};
  snapshot.metadata.configuration = {{"delta.appendOnly", "false"}};
  snapshot.metadata.name = "events";
  // The log the checkpoint summarizes: once it is written, the JSON commits are not needed.
  std::vector<Action> first = {snapshot.protocol, snapshot.metadata};
  for (const auto& add : snapshot.files) first.push_back(add);
  fs::create_directories(root() / "_delta_log");
  std::ofstream(root() / "_delta_log" / "00000000000000000000.json") << serialize_commit(first);
  std::ofstream(root() / "_delta_log" / "00000000000000000001.json")
      << serialize_commit({Txn{"bronze-writer", 41, std::nullopt}});
  auto actions = io_->write_checkpoint(snapshot);
  ASSERT_TRUE(actions.ok()) << actions.error();
  fs::remove(root() / "_delta_log" / "00000000000000000000.json");

  auto loaded = load_snapshot(root());
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const Snapshot& back = loaded.value();
  EXPECT_EQ(back.version, 1);
  EXPECT_EQ(back.checkpoint_version, std::optional<std::int64_t>(1));
  EXPECT_EQ(back.protocol, snapshot.protocol);
  EXPECT_EQ(back.metadata, snapshot.metadata);
  EXPECT_EQ(back.schema, snapshot.schema);
  EXPECT_EQ(back.app_versions, snapshot.app_versions);
  ASSERT_EQ(back.files.size(), snapshot.files.size());
  for (std::size_t i = 0; i < back.files.size(); ++i) {
    AddFile expected = snapshot.files[i];
    expected.data_change = false;  // a checkpoint restates files, it does not change data
    EXPECT_EQ(back.files[i], expected) << back.files[i].path;
  }
  // And the loaded snapshot reads like the one that was written.
  EXPECT_EQ(scan_rows(back), scan_rows(snapshot));
}

// --- scans ---------------------------------------------------------------------------------

TEST_F(ParquetIoTest, ScanFillsColumnsAddedLaterWithNull) {
  const DeltaSchema v1{{{"id", "long"}, {"p", "date"}}};
  const DeltaSchema v2{{{"id", "long"}, {"p", "date"}, {"note", "string"}}};
  auto files = write("SELECT 1 AS id, DATE '2026-01-01' AS p UNION ALL SELECT 2, NULL", v1, {"p"});
  auto newer = write("SELECT 3 AS id, DATE '2026-01-01' AS p, 'new' AS note", v2, {"p"});
  files.insert(files.end(), newer.begin(), newer.end());
  const Snapshot snapshot = snapshot_with(root(), v2, {"p"}, files);
  const std::vector<Row> expected = {{"1", "2026-01-01", std::nullopt},
                                     {"2", std::nullopt, std::nullopt},
                                     {"3", "2026-01-01", "new"}};
  EXPECT_EQ(scan_rows(snapshot), expected);
  auto sql = io_->scan_sql(snapshot);
  ASSERT_TRUE(sql.ok());
  EXPECT_EQ(
      text_value(db(), "SELECT string_agg(column_type, ',') FROM (DESCRIBE " + sql.value() + ")"),
      "BIGINT,DATE,VARCHAR");
}

TEST_F(ParquetIoTest, ScanOfNoFilesIsTypedAndEmpty) {
  const DeltaSchema schema{{{"id", "long"}, {"ts", "timestamp"}, {"p", "string"}}};
  const Snapshot snapshot = snapshot_with(root(), schema, {"p"}, {});
  auto sql = io_->scan_sql(snapshot);
  ASSERT_TRUE(sql.ok()) << sql.error();
  EXPECT_EQ(text_value(db(), "SELECT count(*) FROM (" + sql.value() + ")"), "0");
  EXPECT_EQ(text_value(db(),
                       "SELECT string_agg(column_name || ' ' || column_type, ',') FROM "
                       "(DESCRIBE " +
                           sql.value() + ")"),
            "id BIGINT,ts TIMESTAMP WITH TIME ZONE,p VARCHAR");
}

TEST_F(ParquetIoTest, ScanReadsNaiveTimestampsAsUtcInAnyZone) {
  // A file as Spark's INT96 or a timestamp without isAdjustedToUTC reads: a plain TIMESTAMP.
  const fs::path file = root() / "part-naive.parquet";
  run_ok(db(), "COPY (SELECT TIMESTAMP '2022-02-01 00:00:00' AS ts, 1 AS v) TO " +
                   duck::quote_literal(file.string()) + " (FORMAT parquet)");
  AddFile add;
  add.path = "part-naive.parquet";
  add.size = static_cast<std::int64_t>(fs::file_size(file));
  const DeltaSchema schema{{{"ts", "timestamp"}, {"v", "integer"}}};
  const Snapshot snapshot = snapshot_with(root(), schema, {}, {add});
  auto sql = io_->scan_sql(snapshot);
  ASSERT_TRUE(sql.ok()) << sql.error();
  run_ok(db(), "SET TimeZone = 'America/Los_Angeles'");
  EXPECT_EQ(text_value(db(), "SELECT epoch(ts) FROM (" + sql.value() + ")"), "1643673600.0");
}

TEST_F(ParquetIoTest, ScanRefusesFilesOutsideTheRoot) {
  const DeltaSchema schema{{{"id", "long"}}};
  AddFile add;
  add.path = "file:///etc/passwd";
  EXPECT_FALSE(io_->scan_sql(snapshot_with(root(), schema, {}, {add})).ok());
  add.path = "../elsewhere/part-1.parquet";
  EXPECT_FALSE(io_->scan_sql(snapshot_with(root(), schema, {}, {add})).ok());
  add.path = "s3://bucket/part-1.parquet";
  auto remote = io_->scan_sql(snapshot_with(root(), schema, {}, {add}));
  ASSERT_FALSE(remote.ok());
  EXPECT_NE(remote.error().find("s3://bucket"), std::string::npos) << remote.error();
  // An absolute URI inside the root is fine.
  const auto adds = write("SELECT 5 AS id", schema, {});
  ASSERT_EQ(adds.size(), 1u);
  add = adds[0];
  add.path = "file://" + encode_path(file_of(adds[0]).string());
  const std::vector<Row> expected = {{"5"}};
  EXPECT_EQ(scan_rows(snapshot_with(root(), schema, {}, {add})), expected);
}

TEST_F(ParquetIoTest, ScanNamesAMissingDataFile) {
  const DeltaSchema schema{{{"id", "long"}}};
  AddFile add;
  add.path = "part-gone.parquet";
  auto sql = io_->scan_sql(snapshot_with(root(), schema, {}, {add}));
  ASSERT_FALSE(sql.ok());
  EXPECT_NE(sql.error().find("part-gone.parquet is missing"), std::string::npos) << sql.error();
}

TEST_F(ParquetIoTest, ScanQuotesNamesAndValues) {
  const DeltaSchema schema{{{"it's", "string"}, {"we\"ird", "long"}}};
  const auto adds = write("SELECT 'o''k' AS \"it's\", 1 AS \"we\"\"ird\"", schema, {"it's"});
  ASSERT_EQ(adds.size(), 1u);
  const std::vector<Row> expected = {{"o'k", "1"}};
  EXPECT_EQ(scan_rows(snapshot_with(root(), schema, {"it's"}, adds)), expected);
}

}  // namespace
}  // namespace shoplake::lake
