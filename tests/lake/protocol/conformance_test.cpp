// The log-level half of the Delta reader-conformance corpus (tests/lake/data/delta-conformance,
// see its README.md and the `conventions` of expected.json): every table is either read exactly
// as expected.json says or refused with an error naming the reader version and features.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "protocol_test_support.hpp"
#include "shoplake/lake/snapshot.hpp"

namespace shoplake::lake {
namespace {

namespace fs = std::filesystem;
using testing::at_version;

using nlohmann::json;

const fs::path kCorpus = SHOPLAKE_DELTA_CONFORMANCE_DIR;

const json& expected_file() {
  static const json expected = [] {
    std::ifstream in(kCorpus / "expected.json");
    return json::parse(in, nullptr, /*allow_exceptions=*/false);
  }();
  return expected;
}

std::vector<std::string> table_names() {
  std::vector<std::string> names;
  const json& expected = expected_file();
  if (expected.is_discarded()) return names;
  for (const auto& table : expected.at("tables")) names.push_back(table.at("name"));
  return names;
}

const json& expected_table(const std::string& name) {
  for (const auto& table : expected_file().at("tables")) {
    if (table.at("name") == name) return table;
  }
  throw std::runtime_error("no table " + name);
}

std::vector<std::string> paths(const std::vector<AddFile>& files) {
  std::vector<std::string> result;
  for (const auto& file : files) result.push_back(file.path);
  return result;
}

std::vector<std::string> strings(const json& list) {
  return list.is_null() ? std::vector<std::string>{} : list.get<std::vector<std::string>>();
}

std::optional<std::int64_t> checkpoint_used(const json& value) {
  if (value.is_null()) return std::nullopt;
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return value.at("version").get<std::int64_t>();
}

void expect_refused(const std::string& error, const json& protocol) {
  std::string version =
      "reader version " + std::to_string(protocol.at("minReaderVersion").get<int>());
  EXPECT_NE(error.find(version), std::string::npos) << error;
  for (const auto& feature : strings(protocol.value("readerFeatures", json()))) {
    EXPECT_NE(error.find(feature), std::string::npos) << error;
  }
  EXPECT_NE(error.find("shoplake reads version 1"), std::string::npos) << error;
}

void expect_schema(const DeltaSchema& schema, const json& expected) {
  ASSERT_EQ(schema.fields.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& field = schema.fields[i];
    EXPECT_EQ(field.name, expected[i].at("name"));
    EXPECT_EQ(field.nullable, expected[i].at("nullable").get<bool>()) << field.name;
    const json& type = expected[i].at("type");
    if (type.is_string()) {
      EXPECT_EQ(field.type, type.get<std::string>()) << field.name;
    } else {
      EXPECT_EQ(json::parse(field.type), type) << field.name;
    }
    EXPECT_TRUE(duckdb_type_of(field.type).ok()) << field.name << ": " << field.type;
  }
}

void expect_file_details(const Snapshot& snapshot, const json& details) {
  ASSERT_EQ(snapshot.files.size(), details.size());
  for (const auto& detail : details) {
    auto file = std::find_if(snapshot.files.begin(), snapshot.files.end(),
                             [&](const AddFile& f) { return f.path == detail.at("path"); });
    ASSERT_NE(file, snapshot.files.end()) << detail.at("path");
    EXPECT_EQ(file->size, detail.at("size").get<std::int64_t>()) << file->path;
    if (!detail.contains("partitionValues")) continue;
    json got = json::object();
    for (const auto& [key, value] : file->partition_values) {
      got[key] = value ? json(*value) : json(nullptr);
    }
    EXPECT_EQ(got, detail.at("partitionValues")) << file->path;
    for (const auto& [key, value] : file->partition_values) {
      EXPECT_NE(std::find(snapshot.metadata.partition_columns.begin(),
                          snapshot.metadata.partition_columns.end(), key),
                snapshot.metadata.partition_columns.end())
          << key;
    }
  }
}

class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path root() const { return kCorpus / GetParam(); }
  const json& expected() const { return expected_table(GetParam()); }
};

TEST_P(Conformance, LatestVersion) {
  const json& table = expected();
  auto loaded = load_snapshot(root());
  if (!table.at("supported").get<bool>()) {
    ASSERT_FALSE(loaded.ok()) << GetParam() << " must be refused";
    expect_refused(loaded.error(), table.at("protocol"));
    return;
  }
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const Snapshot& snapshot = loaded.value();
  EXPECT_EQ(snapshot.version, table.at("latest_version").get<std::int64_t>());

  const json& protocol = table.at("protocol");
  EXPECT_EQ(snapshot.protocol.min_reader_version, protocol.at("minReaderVersion").get<int>());
  EXPECT_EQ(snapshot.protocol.min_writer_version, protocol.at("minWriterVersion").get<int>());
  EXPECT_EQ(snapshot.protocol.reader_features, strings(protocol.value("readerFeatures", json())));
  EXPECT_EQ(snapshot.protocol.writer_features, strings(protocol.value("writerFeatures", json())));
  EXPECT_EQ(
      check_reader_support(snapshot.protocol).ok() && check_writer_support(snapshot.protocol).ok(),
      table.at("writable_by_writer_v2").get<bool>());

  EXPECT_EQ(snapshot.metadata.partition_columns, strings(table.at("partition_columns")));
  if (table.contains("configuration")) {
    EXPECT_EQ(json(snapshot.metadata.configuration), table.at("configuration"));
  }
  expect_schema(snapshot.schema, table.at("schema"));

  EXPECT_EQ(paths(snapshot.files), strings(table.at("live_files")));
  EXPECT_EQ(static_cast<std::int64_t>(snapshot.files.size()),
            table.at("live_file_count").get<std::int64_t>());
  expect_file_details(snapshot, table.at("live_file_details"));

  const json& log = table.at("log");
  EXPECT_EQ(static_cast<std::int64_t>(snapshot.tombstones.size()),
            log.at("tombstones").get<std::int64_t>());
  EXPECT_EQ(snapshot.checkpoint_version, checkpoint_used(log.at("checkpoint_used")));
  EXPECT_EQ(snapshot.commits_replayed, static_cast<int>(log.at("commits_replayed").size()));

  const json& from_stats = table.at("row_count_from_stats");
  EXPECT_EQ(snapshot.num_records(), from_stats.is_null() ? -1 : from_stats.get<std::int64_t>());

  if (table.contains("app_transactions")) {
    EXPECT_EQ(json(snapshot.app_versions), table.at("app_transactions"));
  } else {
    EXPECT_TRUE(snapshot.app_versions.empty());
  }
  EXPECT_GT(snapshot.timestamp_ms, 0);
}

TEST_P(Conformance, TimeTravel) {
  const json& table = expected();
  for (const auto& entry : table.value("time_travel", json::array())) {
    std::int64_t version = entry.at("version");
    SCOPED_TRACE("version " + std::to_string(version));
    auto loaded = load_snapshot(root(), at_version(version));
    if (!entry.at("readable_by_reader_v1").get<bool>()) {
      ASSERT_FALSE(loaded.ok());
      EXPECT_NE(loaded.error().find("reader version " +
                                    std::to_string(entry.at("minReaderVersion").get<int>())),
                std::string::npos)
          << loaded.error();
      continue;
    }
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    EXPECT_EQ(loaded.value().version, version);
    EXPECT_EQ(paths(loaded.value().files), strings(entry.at("live_files")));
    EXPECT_EQ(loaded.value().checkpoint_version, checkpoint_used(entry.at("checkpoint_used")));
    EXPECT_EQ(loaded.value().protocol.min_reader_version, entry.at("minReaderVersion").get<int>());
  }
  for (const auto& version : table.value("versions_not_reconstructable", json::array())) {
    auto loaded = load_snapshot(root(), at_version(version.get<std::int64_t>()));
    ASSERT_FALSE(loaded.ok()) << "version " << version;
    EXPECT_NE(loaded.error().find("can be read"), std::string::npos) << loaded.error();
  }
}

TEST_P(Conformance, HistoryAndUpdate) {
  const json& table = expected();
  auto history = read_history(root());
  ASSERT_TRUE(history.ok()) << history.error();
  ASSERT_FALSE(history.value().empty());
  EXPECT_EQ(history.value().front().version, table.at("latest_version").get<std::int64_t>());
  EXPECT_TRUE(std::is_sorted(history.value().begin(), history.value().end(),
                             [](const auto& a, const auto& b) { return a.version > b.version; }));
  if (!table.at("supported").get<bool>()) return;
  const json& travel = table.value("time_travel", json::array());
  if (travel.empty() || !travel.front().at("readable_by_reader_v1").get<bool>()) return;
  auto base = load_snapshot(root(), at_version(travel.front().at("version").get<std::int64_t>()));
  ASSERT_TRUE(base.ok()) << base.error();
  auto updated = update_snapshot(base.value());
  ASSERT_TRUE(updated.ok()) << updated.error();
  EXPECT_EQ(updated.value().version, table.at("latest_version").get<std::int64_t>());
  EXPECT_EQ(paths(updated.value().files), strings(table.at("live_files")));
  EXPECT_EQ(static_cast<std::int64_t>(updated.value().tombstones.size()),
            table.at("log").at("tombstones").get<std::int64_t>());
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(DeltaRs, Conformance, ::testing::ValuesIn(table_names()), test_name);

TEST(ConformanceCorpus, EveryTableIsChecked) {
  ASSERT_FALSE(expected_file().is_discarded()) << kCorpus / "expected.json";
  std::set<std::string> listed;
  for (const auto& name : table_names()) listed.insert(name);
  std::set<std::string> on_disk;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.is_directory()) on_disk.insert(entry.path().filename().string());
  }
  EXPECT_EQ(listed, on_disk);
  EXPECT_EQ(listed.size(), 27u);
}

}  // namespace
}  // namespace shoplake::lake
