// Row-level conformance over the delta-rs corpus (tests/lake/data/delta-conformance): every
// readable table's snapshot, scanned through scan_sql, returns the documented rows.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parquet_io.hpp"
#include "parquet_test_support.hpp"
#include "shoplake/lake/snapshot.hpp"

namespace shoplake::lake {
namespace {

namespace fs = std::filesystem;
namespace duck = sql::duck;
using Json = nlohmann::json;
using testing::Row;
using testing::text_rows;
using testing::text_value;

const fs::path kCorpus = SHOPLAKE_DELTA_CONFORMANCE_DIR;

Json expected_tables() {
  std::ifstream in(kCorpus / "expected.json");
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str())["tables"];
}

// A cell of expected.json's `rows` in the text DuckDB prints for it.
std::optional<std::string> expected_text(const Json& value) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// The scan's rows in the corpus' text forms and order (conventions.rows).
std::string documented_rows_sql(const std::string& scan, const DeltaSchema& schema) {
  std::vector<std::string> items;
  std::vector<std::string> order;
  for (const auto& field : schema.fields) {
    const std::string column = duck::quote_identifier(field.name);
    if (field.type == "timestamp") {
      items.push_back("strftime(" + column + ", '%Y-%m-%dT%H:%M:%S.%fZ')");
    } else if (field.type == "date") {
      items.push_back("strftime(" + column + ", '%Y-%m-%d')");
    } else {
      items.push_back("CAST(" + column + " AS VARCHAR)");
    }
    order.push_back(column + " NULLS FIRST");
  }
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < items.size(); ++i) sql += (i ? ", " : "") + items[i];
  sql += " FROM (" + scan + ") ORDER BY ";
  for (std::size_t i = 0; i < order.size(); ++i) sql += (i ? ", " : "") + order[i];
  return sql;
}

class ConformanceScan : public ::testing::Test {
 protected:
  void SetUp() override {
    auto io = ParquetIo::open();
    ASSERT_TRUE(io.ok()) << io.error();
    io_ = std::move(io).value();
    auto connection = io_->connect();
    ASSERT_TRUE(connection.ok()) << connection.error();
    connection_ = std::move(connection).value();
  }

  std::optional<std::string> count_rows(const Snapshot& snapshot) {
    auto sql = io_->scan_sql(snapshot);
    EXPECT_TRUE(sql.ok()) << (sql.ok() ? "" : sql.error());
    if (!sql) return std::nullopt;
    return text_value(connection_.get(), "SELECT count(*) FROM (" + sql.value() + ")");
  }

  std::unique_ptr<ParquetIo> io_;
  duck::Connection connection_;
};

TEST_F(ConformanceScan, ReadableTablesReturnTheDocumentedRows) {
  int tables_read = 0;
  int tables_with_rows = 0;
  for (const auto& table : expected_tables()) {
    const std::string name = table["name"];
    SCOPED_TRACE(name);
    if (!table["supported"].get<bool>() || table["row_count"].is_null()) continue;
    auto snapshot = load_snapshot(kCorpus / name);
    ASSERT_TRUE(snapshot.ok()) << snapshot.error();
    EXPECT_EQ(count_rows(snapshot.value()), std::to_string(table["row_count"].get<long long>()));
    ++tables_read;
    if (!table.contains("rows") || table["rows"].is_null()) continue;
    ++tables_with_rows;
    auto scan = io_->scan_sql(snapshot.value());
    ASSERT_TRUE(scan.ok()) << scan.error();
    const auto actual =
        text_rows(connection_.get(), documented_rows_sql(scan.value(), snapshot.value().schema));
    std::vector<Row> expected;
    for (const auto& row : table["rows"]) {
      Row values;
      for (const auto& field : snapshot.value().schema.fields) {
        values.push_back(expected_text(row.at(field.name)));
      }
      expected.push_back(std::move(values));
    }
    EXPECT_EQ(actual, expected);
  }
  EXPECT_GE(tables_read, 15);
  EXPECT_GE(tables_with_rows, 9);
}

TEST_F(ConformanceScan, TimeTravelVersionsHaveTheDocumentedRowCounts) {
  int versions_read = 0;
  for (const auto& table : expected_tables()) {
    const std::string name = table["name"];
    if (!table.contains("time_travel") || !table["time_travel"].is_array()) continue;
    for (const auto& travel : table["time_travel"]) {
      const std::int64_t version = travel["version"];
      SCOPED_TRACE(name + " @ v" + std::to_string(version));
      if (travel["row_count"].is_null()) continue;
      auto snapshot = load_snapshot(kCorpus / name, SnapshotRequest{version, std::nullopt});
      if (!travel["readable_by_reader_v1"].get<bool>()) {
        EXPECT_FALSE(snapshot.ok());
        continue;
      }
      ASSERT_TRUE(snapshot.ok()) << snapshot.error();
      EXPECT_EQ(count_rows(snapshot.value()), std::to_string(travel["row_count"].get<long long>()));
      ++versions_read;
    }
  }
  EXPECT_GE(versions_read, 20);
}

TEST_F(ConformanceScan, UnsupportedTablesAreRefused) {
  for (const auto& table : expected_tables()) {
    if (table["supported"].get<bool>()) continue;
    const std::string name = table["name"];
    SCOPED_TRACE(name);
    EXPECT_FALSE(load_snapshot(kCorpus / name).ok());
  }
}

}  // namespace
}  // namespace shoplake::lake
