#include <duckdb.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "engine_test_support.hpp"
#include "shoplake/sql/contract_tables.hpp"

namespace shoplake::sql {
namespace {

using testing::run;

// Writes Parquet the way the lake writer will: from a plain DuckDB of the test's own, outside
// the engine's restrictions.
void write_parquet(const std::string& select, const std::filesystem::path& file) {
  duckdb_database database;
  duckdb_connection connection;
  ASSERT_EQ(duckdb_open(nullptr, &database), DuckDBSuccess);
  ASSERT_EQ(duckdb_connect(database, &connection), DuckDBSuccess);
  duckdb_result result;
  std::string copy = "COPY (" + select + ") TO '" + file.string() + "' (FORMAT parquet)";
  EXPECT_EQ(duckdb_query(connection, copy.c_str(), &result), DuckDBSuccess)
      << duckdb_result_error(&result);
  duckdb_destroy_result(&result);
  duckdb_disconnect(&connection);
  duckdb_close(&database);
}

ResultChunk minute_rows(std::int64_t first_minute, std::size_t rows) {
  ResultChunk chunk;
  chunk.rows = rows;
  chunk.columns.resize(3);
  for (std::size_t r = 0; r < rows; ++r) {
    chunk.columns[0].i64.push_back((first_minute + static_cast<std::int64_t>(r)) * 60'000);
    chunk.columns[1].str.push_back(r % 2 == 0 ? "view" : "purchase");
    chunk.columns[2].i64.push_back(static_cast<std::int64_t>(r) * 10);
    chunk.columns[2].null.push_back(r == 1 ? 1 : 0);
  }
  chunk.columns[0].null.assign(rows, 0);
  return chunk;
}

const std::vector<TableColumn> kMinuteColumns = {{"minute", TableColumnType::timestamp_ms},
                                                 {"event_type", TableColumnType::string},
                                                 {"event_count", TableColumnType::int64}};

class EngineCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.lake_directory = lake_.path();
    engine_ = testing::open_engine(options);
    ASSERT_TRUE(engine_);
  }

  testing::Outcome query(const std::string& sql) {
    auto outcome = run(*engine_, sql);
    EXPECT_FALSE(outcome.error) << sql << ": " << outcome.error->message;
    return outcome;
  }

  testing::TempDirectory lake_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineCatalogTest, PublishesQueriesAndRepublishesLiveTables) {
  std::atomic<int> scans = 0;
  ASSERT_TRUE(
      engine_->catalog().publish_live_table("realtime", "events_per_minute", kMinuteColumns, [&] {
        ++scans;
        return minute_rows(0, 3000);
      }));
  auto outcome = query(
      "SELECT minute, event_type, event_count FROM realtime.events_per_minute ORDER BY minute");
  ASSERT_EQ(outcome.rows, 3000u);
  EXPECT_EQ(outcome.columns[0].type.clickhouse_name, "DateTime64(3)");
  EXPECT_EQ(outcome.columns[1].type.clickhouse_name, "String");
  EXPECT_EQ(outcome.columns[2].type.clickhouse_name, "Int64");
  EXPECT_EQ(outcome.column(0).i64.at(1), 60'000);
  EXPECT_EQ(outcome.column(1).str.at(1), "purchase");
  EXPECT_EQ(outcome.column(2).null.at(1), 1);
  EXPECT_EQ(outcome.column(2).i64.at(2), 20);
  EXPECT_EQ(scans, 1);

  auto totals = query(
      "SELECT event_type, sum(event_count) FROM realtime.events_per_minute "
      "GROUP BY ALL ORDER BY 1");
  EXPECT_EQ(totals.column(0).str, (std::vector<std::string>{"purchase", "view"}));

  // A new version with other columns replaces the old one whole.
  ASSERT_TRUE(engine_->catalog().publish_live_table("realtime", "events_per_minute",
                                                    {{"day", TableColumnType::date},
                                                     {"ok", TableColumnType::boolean},
                                                     {"units", TableColumnType::uint64},
                                                     {"share", TableColumnType::float64}},
                                                    [] {
                                                      ResultChunk chunk;
                                                      chunk.rows = 1;
                                                      chunk.columns.resize(4);
                                                      chunk.columns[0].i64 = {-1};
                                                      chunk.columns[1].i64 = {1};
                                                      chunk.columns[2].u64 = {
                                                          18446744073709551615u};
                                                      chunk.columns[3].f64 = {0.25};
                                                      return chunk;
                                                    }));
  auto replaced = query("SELECT * FROM realtime.events_per_minute");
  ASSERT_EQ(replaced.rows, 1u);
  ASSERT_EQ(replaced.columns.size(), 4u);
  EXPECT_EQ(replaced.columns[0].type.clickhouse_name, "Date");
  EXPECT_EQ(replaced.column(0).i64.at(0), -1);
  EXPECT_EQ(replaced.column(1).u64.at(0), 1u);
  EXPECT_EQ(replaced.column(2).u64.at(0), 18446744073709551615u);
  EXPECT_EQ(replaced.column(3).f64.at(0), 0.25);

  ASSERT_TRUE(engine_->catalog().drop_table("realtime", "events_per_minute"));
  auto dropped = run(*engine_, "SELECT * FROM realtime.events_per_minute");
  ASSERT_TRUE(dropped.error);
  EXPECT_EQ(dropped.error->kind, QueryErrorKind::unknown_table);
}

TEST_F(EngineCatalogTest, ReportsBrokenLiveTables) {
  ASSERT_TRUE(engine_->catalog().publish_live_table(
      "realtime", "throws", kMinuteColumns,
      []() -> ResultChunk { throw std::runtime_error("state is gone"); }));
  auto thrown = run(*engine_, "SELECT * FROM realtime.throws");
  ASSERT_TRUE(thrown.error);
  EXPECT_NE(thrown.error->message.find("state is gone"), std::string::npos);
  ASSERT_TRUE(engine_->catalog().publish_live_table("realtime", "short", kMinuteColumns, [] {
    auto chunk = minute_rows(0, 3);
    chunk.columns[1].str.pop_back();
    return chunk;
  }));
  auto short_column = run(*engine_, "SELECT * FROM realtime.short");
  ASSERT_TRUE(short_column.error);
  EXPECT_NE(short_column.error->message.find("event_type"), std::string::npos);
  EXPECT_FALSE(
      engine_->catalog().publish_live_table("realtime", "empty", {}, [] { return ResultChunk{}; }));
}

TEST_F(EngineCatalogTest, PublishesParquetSnapshots) {
  auto day1 = lake_.path() / "gold" / "revenue_daily" / "part-1.parquet";
  auto day2 = lake_.path() / "gold" / "revenue_daily" / "part-2.parquet";
  std::filesystem::create_directories(day1.parent_path());
  write_parquet("SELECT DATE '2024-01-01' AS event_date, 12.50::DECIMAL(18,2) AS total_revenue",
                day1);
  write_parquet("SELECT DATE '2024-01-02' AS event_date, 7.25::DECIMAL(18,2) AS total_revenue",
                day2);
  std::vector<TableColumn> columns = {{"event_date", TableColumnType::date},
                                      {"total_revenue", TableColumnType::float64}};
  auto& catalog = engine_->catalog();
  ASSERT_TRUE(catalog.publish_parquet_snapshot("gold", "revenue_daily", columns, {day1}));
  auto first = query("SELECT * FROM gold.revenue_daily");
  ASSERT_EQ(first.rows, 1u);
  EXPECT_EQ(first.columns[1].type.clickhouse_name, "Decimal(18, 2)");
  EXPECT_EQ(first.column(1).str.at(0), "12.50");

  // A query that began on the first snapshot keeps reading it across the switch.
  QueryRequest first_snapshot;
  first_snapshot.sql = "SELECT * FROM gold.revenue_daily";
  auto before = engine_->query(first_snapshot);
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<ResultStream>>(before));
  ASSERT_TRUE(catalog.publish_parquet_snapshot("gold", "revenue_daily", columns, {day1, day2}));
  auto both = query("SELECT sum(total_revenue) FROM gold.revenue_daily");
  EXPECT_EQ(both.column(0).str.at(0), "19.75");
  ResultChunk old_rows;
  auto& old_stream = *std::get<std::unique_ptr<ResultStream>>(before);
  ASSERT_TRUE(std::get<bool>(old_stream.next(old_rows)));
  EXPECT_EQ(old_rows.rows, 1u);
  before = QueryError{};

  // Small snapshots are read from an in-memory copy; the copy a switch replaces is dropped, and
  // the copies are no database of their own.
  auto copies = query(
      "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'shoplake_snapshots' AND "
      "table_name LIKE 'gold.revenue_daily#%'");
  EXPECT_EQ(copies.column(0).i64.at(0), 1);
  auto databases = query(
      "SELECT count(*) FROM clickhouse_system.databases WHERE name LIKE "
      "'shoplake%'");
  EXPECT_EQ(databases.column(0).i64.at(0), 0);

  ASSERT_TRUE(catalog.publish_parquet_snapshot("gold", "empty_daily", columns, {}));
  auto empty = query("SELECT * FROM gold.empty_daily");
  EXPECT_EQ(empty.rows, 0u);
  ASSERT_EQ(empty.columns.size(), 2u);
  EXPECT_EQ(empty.columns[0].type.clickhouse_name, "Date");
  EXPECT_EQ(empty.columns[1].type.clickhouse_name, "Float64");

  auto outside = catalog.publish_parquet_snapshot("gold", "stolen", columns, {"/etc/passwd"});
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().find("not inside the lake"), std::string::npos);
  EXPECT_FALSE(catalog.publish_parquet_snapshot("gold", "sneaky", columns,
                                                {lake_.path() / ".." / "elsewhere.parquet"}));
  // Users read the lake's files directly too, but nothing else.
  auto direct = query("SELECT count(*) FROM read_parquet('" + day2.string() + "')");
  EXPECT_EQ(direct.column(0).i64.at(0), 1);
}

TEST_F(EngineCatalogTest, ServesClickHouseSystemTables) {
  ASSERT_TRUE(engine_->catalog().publish_live_table("realtime", "events_per_minute", kMinuteColumns,
                                                    [] { return minute_rows(0, 1); }));
  ASSERT_TRUE(engine_->catalog().publish_parquet_snapshot(
      "gold", "empty_daily", {{"event_date", TableColumnType::date}}, {}));

  auto databases = query("SELECT name FROM clickhouse_system.databases");
  EXPECT_EQ(databases.column(0).str, (std::vector<std::string>{"bronze", "default", "gold", "meta",
                                                               "realtime", "silver", "system"}));

  auto tables = query(
      "SELECT database, name, engine FROM clickhouse_system.tables WHERE database <> 'system'");
  ASSERT_EQ(tables.rows, 2u);
  EXPECT_EQ(tables.column(0).str, (std::vector<std::string>{"gold", "realtime"}));
  EXPECT_EQ(tables.column(1).str, (std::vector<std::string>{"empty_daily", "events_per_minute"}));
  EXPECT_EQ(tables.column(2).str, (std::vector<std::string>{"DeltaLake", "Memory"}));
  auto system_tables =
      query("SELECT name, engine FROM clickhouse_system.tables WHERE database = 'system'");
  EXPECT_EQ(system_tables.column(0).str,
            (std::vector<std::string>{"columns", "databases", "one", "tables"}));

  auto columns = query(
      "SELECT name, type, position FROM clickhouse_system.columns WHERE database = 'realtime' AND "
      "\"table\" = 'events_per_minute'");
  EXPECT_EQ(columns.column(0).str,
            (std::vector<std::string>{"minute", "event_type", "event_count"}));
  EXPECT_EQ(columns.column(1).str, (std::vector<std::string>{"DateTime64(3)", "String", "Int64"}));
  EXPECT_EQ(columns.column(2).u64, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(columns.columns[2].type.clickhouse_name, "UInt64");

  EXPECT_EQ(query("SELECT dummy FROM clickhouse_system.one").column(0).u64.at(0), 0u);
  auto version = query("SELECT version()");
  EXPECT_EQ(version.column(0).str.at(0).rfind("24.3.", 0), 0u);
  EXPECT_EQ(query("SELECT clickhouse_type('DECIMAL(10,2)[]')").column(0).str.at(0),
            "Array(Decimal(10, 2))");

  auto request = testing::request("SELECT name FROM tables WHERE name = 'one'");
  request.database = "system";
  auto in_system = run(*engine_, request);
  ASSERT_FALSE(in_system.error) << in_system.error->message;
  EXPECT_EQ(in_system.rows, 1u);
  request.sql = "SELECT currentDatabase()";
  EXPECT_EQ(run(*engine_, request).column(0).str.at(0), "system");
}

TEST_F(EngineCatalogTest, LakeScansFollowCommitsWithoutReplacingTheirView) {
  const auto directory = lake_.path() / "bronze" / "events";
  std::filesystem::create_directories(directory);
  const auto ten = directory / "ten.parquet";
  const auto hundred = directory / "hundred.parquet";
  const auto wider = directory / "wider.parquet";
  write_parquet("SELECT range AS n FROM range(10)", ten);
  write_parquet("SELECT range AS n FROM range(100)", hundred);
  write_parquet("SELECT range AS n, 'x' AS tag FROM range(3)", wider);
  auto& catalog = engine_->catalog();
  const auto publish = [&](const std::vector<std::filesystem::path>& files) {
    std::string select = "SELECT 0::BIGINT AS n WHERE false";
    if (!files.empty()) {
      std::string list;
      for (const auto& file : files) list += (list.empty() ? "'" : ", '") + file.string() + "'";
      select = "SELECT * FROM read_parquet([" + list + "], union_by_name = true)";
    }
    return catalog.publish_file_snapshot("bronze", "events", select, files, false);
  };
  // A replaced view gets a new oid.
  const auto view_oid = [&] {
    return query(
               "SELECT view_oid FROM duckdb_views() WHERE schema_name = 'bronze' AND "
               "view_name = 'events'")
        .column(0)
        .i64.at(0);
  };
  const std::string count = "SELECT count(*) FROM bronze.events";

  ASSERT_TRUE(publish({ten}));
  EXPECT_EQ(query(count).column(0).i64.at(0), 10);
  const auto first_oid = view_oid();
  // The same statement, kept prepared by the engine, reads each commit's files.
  ASSERT_TRUE(publish({ten, hundred}));
  EXPECT_EQ(query(count).column(0).i64.at(0), 110);
  ASSERT_TRUE(publish({hundred}));
  EXPECT_EQ(query(count).column(0).i64.at(0), 100);
  EXPECT_EQ(view_oid(), first_oid);

  // New columns replace the view.
  ASSERT_TRUE(publish({hundred, wider}));
  auto widened = query("SELECT count(*), count(tag) FROM bronze.events");
  EXPECT_EQ(widened.column(0).i64.at(0), 103);
  EXPECT_EQ(widened.column(1).i64.at(0), 3);
  EXPECT_NE(view_oid(), first_oid);

  // Emptied and filled again.
  ASSERT_TRUE(publish({}));
  EXPECT_EQ(query(count).column(0).i64.at(0), 0);
  ASSERT_TRUE(publish({ten}));
  EXPECT_EQ(query(count).column(0).i64.at(0), 10);

  // A snapshot naming a file outside the lake is refused, and the table keeps the scan it had.
  EXPECT_FALSE(catalog.publish_file_snapshot("bronze", "events",
                                             "SELECT * FROM read_csv('/etc/passwd')",
                                             {lake_.path() / ".." / "passwd"}, false));
  EXPECT_EQ(query(count).column(0).i64.at(0), 10);
}

TEST_F(EngineCatalogTest, QueriesRunWhilePublishersReplaceTables) {
  auto& catalog = engine_->catalog();
  auto file = lake_.path() / "part.parquet";
  write_parquet("SELECT range AS n FROM range(1000)", file);
  auto publish_live = [&](std::size_t rows) {
    return catalog.publish_live_table("realtime", "live", kMinuteColumns,
                                      [rows] { return minute_rows(0, rows); });
  };
  ASSERT_TRUE(publish_live(10));
  ASSERT_TRUE(catalog.publish_parquet_snapshot("silver", "numbers", {}, {file}));
  const std::string scan = "SELECT * FROM read_parquet(['" + file.string() + "'])";
  ASSERT_TRUE(catalog.publish_file_snapshot("bronze", "numbers", scan, {file}, false));

  std::atomic<bool> stop = false;
  std::atomic<int> failures = 0, queries = 0;
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      while (!stop) {
        static constexpr const char* kReads[] = {"SELECT count(*) FROM realtime.live",
                                                 "SELECT sum(n) FROM silver.numbers",
                                                 "SELECT sum(n) FROM bronze.numbers"};
        auto outcome = run(*engine_, kReads[(t + queries) % 3]);
        ++queries;
        if (outcome.error) {
          ++failures;
          ADD_FAILURE() << outcome.error->message;
        }
      }
    });
  }
  for (int round = 0; round < 30; ++round) {
    EXPECT_TRUE(publish_live(10 + static_cast<std::size_t>(round)));
    EXPECT_TRUE(catalog.publish_parquet_snapshot("silver", "numbers", {}, {file}));
    EXPECT_TRUE(catalog.publish_file_snapshot("bronze", "numbers", scan, {file}, false));
  }
  while (queries < 40) std::this_thread::yield();
  stop = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(query("SELECT count(*) FROM realtime.live").column(0).i64.at(0), 39);
}

}  // namespace
}  // namespace shoplake::sql

namespace shoplake::sql {
namespace {

TEST_F(EngineCatalogTest, ContractTablesExistEmptyWithTheirColumns) {
  ASSERT_TRUE(publish_empty_contract_tables(engine_->catalog()));
  for (const ContractTable& table : contract_tables()) {
    const auto outcome = query("SELECT * FROM " + table.schema + "." + table.name);
    ASSERT_FALSE(outcome.error) << table.name << ": " << outcome.error->message;
    EXPECT_EQ(outcome.rows, 0u) << table.name;
    ASSERT_EQ(outcome.columns.size(), table.columns.size()) << table.name;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      EXPECT_EQ(outcome.columns[c].name, table.columns[c].name) << table.name;
    }
  }
  const auto minute = query("SELECT minute FROM realtime.events_per_minute");
  ASSERT_FALSE(minute.error);
  EXPECT_EQ(minute.columns.at(0).type.clickhouse_name, "DateTime");
  const auto gold = query("SELECT count(*) FROM clickhouse_system.tables WHERE database = 'gold'");
  ASSERT_FALSE(gold.error);
  EXPECT_EQ(gold.column(0).i64.at(0), 6);
}

}  // namespace
}  // namespace shoplake::sql
