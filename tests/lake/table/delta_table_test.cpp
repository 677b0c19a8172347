// Table operations on real files: commits, schema enforcement, replaceWhere, concurrent writers,
// optimize, vacuum, checkpoints, and a protocol check of every action this writer puts in a log.
#include "shoplake/lake/delta_table.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "engine_test_support.hpp"
#include "parquet_io.hpp"
#include "shoplake/lake/log_store.hpp"
#include "support/lake_test_support.hpp"

namespace shoplake::lake {
namespace {

using sql::testing::TempDirectory;

TableDefinition orders_definition() {
  TableDefinition definition;
  definition.name = "test.orders";
  definition.schema.fields = {{"order_id", "string", false, "{}"},
                              {"amount", "double", true, "{}"},
                              {"placed_at", "timestamp", false, "{}"},
                              {"event_date", "date", false, "{}"}};
  definition.partition_columns = {"event_date"};
  return definition;
}

// `count` orders on `day` (YYYY-MM-DD), ids prefixed so that appends stay distinguishable.
std::string orders_select(const std::string& prefix, int count, const std::string& day) {
  return fmt::format(
      "SELECT '{0}' || range AS order_id, CAST(range * 1.5 AS DOUBLE) AS amount, "
      "CAST(TIMESTAMPTZ '{2} 10:00:00+00' + INTERVAL (range) SECOND AS TIMESTAMPTZ) AS placed_at, "
      "DATE '{2}' AS event_date FROM range({1})",
      prefix, count, day);
}

class DeltaTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::open_lake_duck(duck_));
    root_ = directory_.path() / "gold" / "orders";
  }

  std::unique_ptr<DeltaTable> open_table(TableOptions options = {}) {
    auto table = DeltaTable::open_or_create(root_, orders_definition(), *duck_.parquet, options);
    EXPECT_TRUE(table) << table.error();
    return table ? std::move(table).value() : nullptr;
  }

  // Rows of a snapshot, read the way users' SQL reads it.
  std::int64_t count_rows(const Snapshot& snapshot, const std::string& where = "true") {
    auto select = duck_.parquet->scan_sql(snapshot);
    EXPECT_TRUE(select) << select.error();
    if (!select) return -1;
    sql::duck::Result result;
    const std::string count =
        fmt::format("SELECT count(*) FROM ({}) WHERE {}", select.value(), where);
    if (duckdb_query(duck_.connection.get(), count.c_str(), result.out()) == DuckDBError) {
      ADD_FAILURE() << duckdb_result_error(result.get());
      return -1;
    }
    return duckdb_value_int64(result.get(), 0, 0);
  }

  TempDirectory directory_;
  std::filesystem::path root_;
  testing::LakeDuck duck_;
};

TEST_F(DeltaTableTest, CreatesTheTableAtVersionZeroWithProtocolOneTwo) {
  auto table = open_table();
  ASSERT_TRUE(table);
  EXPECT_EQ(table->snapshot().version, 0);
  EXPECT_EQ(table->snapshot().protocol.min_reader_version, 1);
  EXPECT_EQ(table->snapshot().protocol.min_writer_version, 2);
  EXPECT_EQ(table->snapshot().metadata.partition_columns, std::vector<std::string>{"event_date"});
  EXPECT_EQ(count_rows(table->snapshot()), 0);
  // Opening again finds it instead of creating it.
  auto again = open_table();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->snapshot().metadata.id, table->snapshot().metadata.id);
}

TEST_F(DeltaTableTest, AppendsCommitFilesWithStatsAndTxn) {
  auto table = open_table();
  ASSERT_TRUE(table);
  auto first = table->append(duck_.connection.get(), orders_select("a", 100, "2026-11-20"),
                             {Txn{"writer-1", 7, 1}});
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first.value().version, 1);
  EXPECT_EQ(first.value().rows_added, 100);
  auto second = table->append(duck_.connection.get(), orders_select("b", 50, "2026-11-21"));
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(second.value().version, 2);

  auto snapshot = load_snapshot(root_);
  ASSERT_TRUE(snapshot) << snapshot.error();
  EXPECT_EQ(snapshot.value().version, 2);
  EXPECT_EQ(snapshot.value().files.size(), 2u);
  EXPECT_EQ(snapshot.value().num_records(), 150);
  EXPECT_EQ(snapshot.value().app_versions.at("writer-1"), 7);
  EXPECT_EQ(count_rows(snapshot.value()), 150);
  EXPECT_EQ(count_rows(snapshot.value(), "event_date = DATE '2026-11-21'"), 50);
}

TEST_F(DeltaTableTest, RefusesAWriteWithADifferentSchemaNamingTheColumn) {
  auto table = open_table();
  ASSERT_TRUE(table);
  auto extra = table->append(duck_.connection.get(), "SELECT *, 1 AS coupon FROM (" +
                                                         orders_select("a", 1, "2026-11-20") + ")");
  ASSERT_FALSE(extra);
  EXPECT_NE(extra.error().find("coupon"), std::string::npos) << extra.error();
  auto wrong_type = table->append(
      duck_.connection.get(),
      "SELECT order_id, CAST(amount AS VARCHAR) AS amount, placed_at, event_date FROM (" +
          orders_select("a", 1, "2026-11-20") + ")");
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().find("amount"), std::string::npos) << wrong_type.error();
  auto missing =
      table->append(duck_.connection.get(), "SELECT order_id, placed_at, event_date FROM (" +
                                                orders_select("a", 1, "2026-11-20") + ")");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("amount"), std::string::npos) << missing.error();
  // A table opened with another definition is refused too.
  TableDefinition other = orders_definition();
  other.schema.fields[1].type = "long";
  auto reopened = DeltaTable::open_or_create(root_, other, *duck_.parquet);
  ASSERT_FALSE(reopened);
  EXPECT_NE(reopened.error().find("amount"), std::string::npos) << reopened.error();
  EXPECT_EQ(table->snapshot().version, 0);
}

TEST_F(DeltaTableTest, ReplaceWhereOverwritesOnlyTheNamedPartitions) {
  auto table = open_table();
  ASSERT_TRUE(table);
  ASSERT_TRUE(table->append(duck_.connection.get(), orders_select("a", 10, "2026-11-20")));
  ASSERT_TRUE(table->append(duck_.connection.get(), orders_select("b", 20, "2026-11-21")));
  auto replaced =
      table->overwrite(duck_.connection.get(), orders_select("c", 5, "2026-11-21"), {"2026-11-21"});
  ASSERT_TRUE(replaced) << replaced.error();
  EXPECT_EQ(replaced.value().files_removed, 1u);
  EXPECT_EQ(count_rows(table->snapshot(), "event_date = DATE '2026-11-20'"), 10);
  EXPECT_EQ(count_rows(table->snapshot(), "event_date = DATE '2026-11-21'"), 5);

  auto outside =
      table->overwrite(duck_.connection.get(), orders_select("d", 5, "2026-11-22"), {"2026-11-21"});
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().find("2026-11-22"), std::string::npos) << outside.error();

  // A value that only parses as the rows' date, or as no date, still names no partition of them.
  for (const char* other_text : {"2026-11-2", "2026-13-45", "20261122"}) {
    auto refused =
        table->overwrite(duck_.connection.get(), orders_select("d", 5, "2026-11-02"), {other_text});
    ASSERT_FALSE(refused) << other_text;
    EXPECT_NE(refused.error().find("outside the partitions"), std::string::npos) << refused.error();
  }
  EXPECT_EQ(count_rows(table->snapshot()), 15);

  auto whole = table->overwrite(duck_.connection.get(), orders_select("e", 3, "2026-11-23"), {});
  ASSERT_TRUE(whole) << whole.error();
  EXPECT_EQ(count_rows(table->snapshot()), 3);
  // Time travel still sees the versions before.
  auto before = load_snapshot(root_, {.version = 2, .timestamp_ms = std::nullopt});
  ASSERT_TRUE(before) << before.error();
  EXPECT_EQ(count_rows(before.value()), 30);
}

// overwriteSchema: a new column, the whole table replaced in one commit with the new metaData;
// the version before keeps its schema and rows.
TEST_F(DeltaTableTest, OverwritingWithANewDefinitionReplacesSchemaAndRows) {
  auto table = open_table();
  ASSERT_TRUE(table);
  ASSERT_TRUE(table->append(duck_.connection.get(), orders_select("a", 10, "2026-11-20")));
  ASSERT_TRUE(table->append(duck_.connection.get(), orders_select("b", 20, "2026-11-21")));
  const std::string table_id = table->snapshot().metadata.id;

  TableDefinition wider = orders_definition();
  wider.schema.fields.insert(wider.schema.fields.begin() + 2, {"currency", "string", true, "{}"});
  const std::string select =
      "SELECT *, 'EUR' AS currency FROM (" + orders_select("c", 7, "2026-11-21") + ")";
  auto replaced =
      table->overwrite_with_definition(duck_.connection.get(), select, {"2026-11-21"}, wider);
  ASSERT_TRUE(replaced) << replaced.error();
  EXPECT_EQ(replaced.value().files_removed, 2u);  // both days: the whole table is replaced
  EXPECT_EQ(definition_difference(table->snapshot(), wider), "");
  EXPECT_EQ(table->snapshot().metadata.id, table_id);
  EXPECT_EQ(count_rows(table->snapshot(), "currency = 'EUR'"), 7);
  EXPECT_EQ(count_rows(table->snapshot()), 7);

  auto reloaded = load_snapshot(root_);
  ASSERT_TRUE(reloaded) << reloaded.error();
  EXPECT_EQ(definition_difference(reloaded.value(), wider), "");
  auto before = load_snapshot(root_, {.version = 2, .timestamp_ms = std::nullopt});
  ASSERT_TRUE(before) << before.error();
  EXPECT_EQ(definition_difference(before.value(), orders_definition()), "");
  EXPECT_EQ(count_rows(before.value()), 30);
  // The old definition's writers are refused now, naming the column.
  auto stale = DeltaTable::open_or_create(root_, orders_definition(), *duck_.parquet);
  ASSERT_FALSE(stale);
  EXPECT_NE(stale.error().find("currency"), std::string::npos) << stale.error();
}

TEST_F(DeltaTableTest, ConcurrentAppendersLoseNoCommit) {
  ASSERT_TRUE(open_table());
  constexpr int kWriters = 3;
  constexpr int kCommits = 8;
  std::vector<std::thread> writers;
  std::vector<std::string> errors(kWriters);
  std::vector<int> races(kWriters, 0);
  for (int writer = 0; writer < kWriters; ++writer) {
    writers.emplace_back([&, writer] {
      auto connection = duck_.parquet->connect();
      auto table = DeltaTable::open_or_create(root_, orders_definition(), *duck_.parquet);
      if (!connection || !table) {
        errors[writer] = "cannot open";
        return;
      }
      for (int commit = 0; commit < kCommits; ++commit) {
        auto appended = table.value()->append(
            connection.value().get(),
            orders_select(fmt::format("w{}c{}-", writer, commit), 10, "2026-11-20"));
        if (!appended) {
          errors[writer] = appended.error();
          return;
        }
        races[writer] += appended.value().attempts - 1;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  for (const auto& error : errors) EXPECT_EQ(error, "");
  auto snapshot = load_snapshot(root_);
  ASSERT_TRUE(snapshot) << snapshot.error();
  EXPECT_EQ(snapshot.value().version, kWriters * kCommits);
  EXPECT_EQ(count_rows(snapshot.value()), kWriters * kCommits * 10);
}

TEST_F(DeltaTableTest, TwoWritersOfOneApplicationConflict) {
  auto first = open_table();
  auto second = open_table();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->append(duck_.connection.get(), orders_select("a", 1, "2026-11-20"),
                            {Txn{"bronze", 10, 1}}));
  // `second` still believes the table is at version 0 and loses the race for version 1.
  auto late = second->append(duck_.connection.get(), orders_select("b", 1, "2026-11-20"),
                             {Txn{"bronze", 10, 1}});
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().find("bronze"), std::string::npos) << late.error();
  // A blind append without a txn goes through after the race.
  auto blind = second->append(duck_.connection.get(), orders_select("c", 1, "2026-11-20"));
  ASSERT_TRUE(blind) << blind.error();
  EXPECT_EQ(blind.value().version, 2);
  EXPECT_EQ(blind.value().attempts, 2);
}

TEST_F(DeltaTableTest, OverwriteConflictsWithAConcurrentAppendToItsPartition) {
  auto writer = open_table();
  auto overwriter = open_table();
  ASSERT_TRUE(writer && overwriter);
  ASSERT_TRUE(writer->append(duck_.connection.get(), orders_select("a", 1, "2026-11-21")));
  auto replaced = overwriter->overwrite(duck_.connection.get(), orders_select("b", 1, "2026-11-21"),
                                        {"2026-11-21"});
  ASSERT_FALSE(replaced);
  EXPECT_NE(replaced.error().find("event_date=2026-11-21"), std::string::npos) << replaced.error();
}

TEST_F(DeltaTableTest, OptimizeCompactsSmallFilesWithoutChangingData) {
  auto table = open_table();
  ASSERT_TRUE(table);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(table->append(duck_.connection.get(),
                              orders_select(fmt::format("a{}-", i), 20, "2026-11-20")));
  }
  ASSERT_TRUE(table->append(duck_.connection.get(), orders_select("b", 20, "2026-11-21")));
  auto optimized = table->optimize();
  ASSERT_TRUE(optimized) << optimized.error();
  ASSERT_TRUE(optimized.value().version);
  EXPECT_EQ(optimized.value().files_removed, 5u);
  EXPECT_EQ(optimized.value().files_added, 1u);
  EXPECT_EQ(table->snapshot().files.size(), 2u);
  EXPECT_EQ(count_rows(table->snapshot()), 120);
  auto actions = read_commit_actions(root_, *optimized.value().version);
  ASSERT_TRUE(actions) << actions.error();
  for (const Action& action : actions.value()) {
    if (const auto* add = std::get_if<AddFile>(&action)) {
      EXPECT_FALSE(add->data_change);
    }
    if (const auto* remove = std::get_if<RemoveFile>(&action)) {
      EXPECT_FALSE(remove->data_change);
    }
  }
  // Nothing left to compact.
  auto again = table->optimize();
  ASSERT_TRUE(again) << again.error();
  EXPECT_FALSE(again.value().version);
}

TEST_F(DeltaTableTest, VacuumDeletesOnlyUnreferencedFilesPastTheRetention) {
  auto table = open_table();
  ASSERT_TRUE(table);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(table->append(duck_.connection.get(),
                              orders_select(fmt::format("a{}-", i), 5, "2026-11-20")));
  }
  ASSERT_TRUE(table->optimize());
  // A file a crashed writer left behind, never added to the log.
  const auto orphan = root_ / "event_date=2026-11-20" / "part-orphan.parquet";
  std::ofstream(orphan) << "not really parquet";

  auto within = table->vacuum(std::chrono::hours(1), true);
  ASSERT_TRUE(within) << within.error();
  EXPECT_TRUE(within.value().deleted.empty());

  auto dry = table->vacuum(std::chrono::hours(0), true);
  ASSERT_TRUE(dry) << dry.error();
  EXPECT_EQ(dry.value().deleted.size(), 4u);  // three compacted files and the orphan
  EXPECT_TRUE(std::filesystem::exists(orphan));

  auto done = table->vacuum(std::chrono::hours(0), false);
  ASSERT_TRUE(done) << done.error();
  EXPECT_EQ(done.value().deleted.size(), 4u);
  EXPECT_FALSE(std::filesystem::exists(orphan));
  EXPECT_EQ(count_rows(table->snapshot()), 15);
  for (const AddFile& live : table->snapshot().files) {
    EXPECT_TRUE(std::filesystem::exists(root_ / decode_path(live.path).value()));
  }
}

TEST_F(DeltaTableTest, CheckpointsEveryTenthVersionAndSnapshotsStartThere) {
  TableOptions options;
  options.checkpoint_interval = 10;
  auto table = open_table(options);
  ASSERT_TRUE(table);
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(table->append(duck_.connection.get(),
                              orders_select(fmt::format("a{}-", i), 3, "2026-11-20"),
                              {Txn{"app", i, 1}}));
  }
  LogStore store(root_);
  auto last = store.read_last_checkpoint();
  ASSERT_TRUE(last) << last.error();
  ASSERT_TRUE(last.value());
  EXPECT_EQ(last.value()->version, 10);
  auto snapshot = load_snapshot(root_);
  ASSERT_TRUE(snapshot) << snapshot.error();
  EXPECT_EQ(snapshot.value().version, 12);
  EXPECT_EQ(snapshot.value().checkpoint_version, 10);
  EXPECT_EQ(snapshot.value().commits_replayed, 2);
  EXPECT_EQ(snapshot.value().app_versions.at("app"), 11);
  EXPECT_EQ(count_rows(snapshot.value()), 36);
  auto at_ten = load_snapshot(root_, {.version = 10, .timestamp_ms = std::nullopt});
  ASSERT_TRUE(at_ten) << at_ten.error();
  EXPECT_EQ(count_rows(at_ten.value()), 30);
}

// Every action this writer logs, checked field by field against PROTOCOL.md.
TEST_F(DeltaTableTest, EveryLoggedActionFollowsTheProtocol) {
  auto table = open_table();
  ASSERT_TRUE(table);
  ASSERT_TRUE(table->append(duck_.connection.get(), orders_select("a", 10, "2026-11-20"),
                            {Txn{"app", 1, 1}}));
  ASSERT_TRUE(table->append(duck_.connection.get(), orders_select("b", 10, "2026-11-20")));
  ASSERT_TRUE(table->overwrite(duck_.connection.get(), orders_select("c", 10, "2026-11-20"),
                               {"2026-11-20"}));
  ASSERT_TRUE(table->append(duck_.connection.get(), orders_select("d", 10, "2026-11-21")));
  ASSERT_TRUE(table->optimize());

  LogStore store(root_);
  std::set<std::string> kinds;
  for (std::int64_t version = 0; version <= table->snapshot().version; ++version) {
    auto bytes = store.read_commit(version);
    ASSERT_TRUE(bytes) << bytes.error();
    std::istringstream lines(bytes.value());
    std::string line;
    bool commit_info = false;
    while (std::getline(lines, line)) {
      auto action = nlohmann::json::parse(line);
      ASSERT_EQ(action.size(), 1u) << line;
      const std::string kind = action.begin().key();
      const auto& body = action.begin().value();
      kinds.insert(kind);
      if (kind == "protocol") {
        EXPECT_EQ(body.at("minReaderVersion"), 1);
        EXPECT_EQ(body.at("minWriterVersion"), 2);
      } else if (kind == "metaData") {
        EXPECT_TRUE(body.at("id").is_string());
        EXPECT_EQ(body.at("format").at("provider"), "parquet");
        auto schema = nlohmann::json::parse(body.at("schemaString").get<std::string>());
        EXPECT_EQ(schema.at("type"), "struct");
        EXPECT_TRUE(body.at("partitionColumns").is_array());
        EXPECT_TRUE(body.at("createdTime").is_number_integer());
        EXPECT_TRUE(body.at("configuration").is_object());
      } else if (kind == "add" || kind == "remove") {
        const std::string path = body.at("path");
        EXPECT_NE(path.front(), '/') << path;
        EXPECT_EQ(encode_path(decode_path(path).value()), path);
        EXPECT_TRUE(body.at("dataChange").is_boolean());
        for (const auto& [column, value] : body.at("partitionValues").items()) {
          EXPECT_TRUE(value.is_string()) << column;
        }
        EXPECT_TRUE(body.at("size").is_number_integer());
        if (kind == "add") {
          EXPECT_TRUE(body.at("modificationTime").is_number_integer());
          auto stats = nlohmann::json::parse(body.at("stats").get<std::string>());
          EXPECT_TRUE(stats.at("numRecords").is_number_integer());
          EXPECT_TRUE(stats.at("minValues").contains("order_id"));
          EXPECT_TRUE(stats.at("maxValues").contains("placed_at"));
          EXPECT_TRUE(stats.at("nullCount").contains("amount"));
          EXPECT_FALSE(stats.at("minValues").contains("event_date"));  // a partition column
        } else {
          EXPECT_TRUE(body.at("deletionTimestamp").is_number_integer());
        }
      } else if (kind == "txn") {
        EXPECT_TRUE(body.at("appId").is_string());
        EXPECT_TRUE(body.at("version").is_number_integer());
      } else if (kind == "commitInfo") {
        commit_info = true;
        EXPECT_TRUE(body.at("timestamp").is_number_integer());
        EXPECT_TRUE(body.at("operation").is_string());
      } else {
        ADD_FAILURE() << "unexpected action " << kind;
      }
    }
    EXPECT_TRUE(commit_info) << "version " << version;
  }
  EXPECT_EQ(kinds,
            (std::set<std::string>{"protocol", "metaData", "add", "remove", "txn", "commitInfo"}));
}

}  // namespace
}  // namespace shoplake::lake
