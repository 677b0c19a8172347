// The export against a real clickhouse-server 18.16 on loopback (skipped only when it is not
// installed): tables and types, change detection, failures and catch-up, restarts.
#include "shoplake/sql/clickhouse_export.hpp"

#include <duckdb.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "engine_test_support.hpp"
#include "shoplake/sql/clickhouse_peer.hpp"

namespace shoplake::sql {
namespace {

using testing::TempDirectory;

struct MinuteRow {
  std::int64_t minute_ms;
  std::optional<std::string> event_type;
  std::optional<std::int64_t> event_count;
};

constexpr std::int64_t kMinute0 = 1'714'557'600'000;  // 2024-05-01 10:00:00 UTC

// Sits between the exporter and ClickHouse to stage outages: everything refused, or INSERTs only.
class FlakyProxy {
 public:
  enum class Mode { forward, refuse_all, refuse_inserts };

  explicit FlakyProxy(int clickhouse_port) : clickhouse_port_(clickhouse_port) {
    server_.Post("/", [this](const httplib::Request& request, httplib::Response& response) {
      const Mode mode = mode_.load();
      if (mode == Mode::refuse_all ||
          (mode == Mode::refuse_inserts && request.body.starts_with("INSERT"))) {
        response.status = 503;
        response.set_content("simulated outage", "text/plain");
        return;
      }
      httplib::Client client("127.0.0.1", clickhouse_port_);
      auto answer = client.Post("/", request.body, "text/plain");
      response.status = answer ? answer->status : 502;
      response.set_content(answer ? answer->body : "no answer", "text/plain");
    });
    // Bound and listening from here on: connections queue until the thread accepts them.
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FlakyProxy() {
    server_.stop();
    thread_.join();
  }
  void set(Mode mode) { mode_ = mode; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int clickhouse_port_;
  httplib::Server server_;
  int port_ = 0;
  std::atomic<Mode> mode_{Mode::forward};
  std::thread thread_;
};

// Parquet the way the lake writer makes it: from a plain DuckDB of the test's own.
void write_parquet(const std::string& select, const std::filesystem::path& file) {
  duckdb_database database;
  duckdb_connection connection;
  ASSERT_EQ(duckdb_open(nullptr, &database), DuckDBSuccess);
  ASSERT_EQ(duckdb_connect(database, &connection), DuckDBSuccess);
  duckdb_result result;
  const std::string copy = "COPY (" + select + ") TO '" + file.string() + "' (FORMAT parquet)";
  EXPECT_EQ(duckdb_query(connection, copy.c_str(), &result), DuckDBSuccess)
      << duckdb_result_error(&result);
  duckdb_destroy_result(&result);
  duckdb_disconnect(&connection);
  duckdb_close(&database);
}

class ClickHouseExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string binary = find_clickhouse_server();
    if (binary.empty()) return;
    directory_ = new TempDirectory;
    peer_ = new ClickHousePeer(binary, directory_->path() / "clickhouse");
    ready_ = peer_->wait_ready();
  }
  static void TearDownTestSuite() {
    delete peer_;
    delete directory_;
    peer_ = nullptr;
    directory_ = nullptr;
  }

  void SetUp() override {
    if (peer_ == nullptr) GTEST_SKIP() << "clickhouse-server is not installed";
    ASSERT_TRUE(ready_) << "clickhouse-server did not start; see "
                        << (peer_->directory() / "server.log");
    clickhouse("DROP DATABASE IF EXISTS realtime");
    clickhouse("DROP DATABASE IF EXISTS gold");
    EngineOptions options;
    options.lake_directory = lake_.path();
    engine_ = testing::open_engine(options);
    ASSERT_TRUE(engine_);
    minutes_ = {{kMinute0, "view", 12},
                {kMinute0, "purchase", std::nullopt},
                {kMinute0 + 60'000, "view", 7}};
    ASSERT_TRUE(engine_->catalog().publish_live_table("realtime", "events_per_minute",
                                                      {{"minute", TableColumnType::timestamp_ms},
                                                       {"event_type", TableColumnType::string},
                                                       {"event_count", TableColumnType::int64}},
                                                      [this] { return scan_minutes(); }));
    gold_ = {"(DATE '2024-05-01', 'books', 3, 45.50)", "(DATE '2024-05-01', 'toys', 1, 9.99)",
             "(DATE '2024-05-02', 'books', 2, 30.00)"};
    publish_gold();
  }

  ResultChunk scan_minutes() {
    std::lock_guard lock(mutex_);
    ResultChunk chunk;
    chunk.rows = minutes_.size();
    chunk.columns.resize(3);
    for (const auto& row : minutes_) {
      chunk.columns[0].i64.push_back(row.minute_ms);
      chunk.columns[0].null.push_back(0);
      chunk.columns[1].str.push_back(row.event_type.value_or(""));
      chunk.columns[1].null.push_back(row.event_type ? 0 : 1);
      chunk.columns[2].i64.push_back(row.event_count.value_or(0));
      chunk.columns[2].null.push_back(row.event_count ? 0 : 1);
    }
    return chunk;
  }

  void set_minutes(std::vector<MinuteRow> rows) {
    std::lock_guard lock(mutex_);
    minutes_ = std::move(rows);
  }

  // A new snapshot file each time, as a Delta commit would add.
  void publish_gold() {
    std::string values;
    for (const auto& row : gold_) values += (values.empty() ? "" : ", ") + row;
    std::filesystem::create_directories(lake_.path() / "gold");
    const auto file =
        lake_.path() / "gold" / ("sales-" + std::to_string(++gold_version_) + ".parquet");
    write_parquet(
        "SELECT event_date, category, units_sold::BIGINT AS units_sold, "
        "category_revenue::DECIMAL(18,2) AS category_revenue FROM (VALUES " +
            values + ") t(event_date, category, units_sold, category_revenue)",
        file);
    ASSERT_TRUE(engine_->catalog().publish_parquet_snapshot(
        "gold", "category_sales_daily",
        {{"event_date", TableColumnType::date},
         {"category", TableColumnType::string},
         {"units_sold", TableColumnType::int64},
         {"category_revenue", TableColumnType::float64}},
        {file}));
  }

  static std::string clickhouse(const std::string& sql) {
    auto answer = peer_->query(sql);
    EXPECT_EQ(answer.status, 200) << sql << ": " << answer.body;
    return answer.body;
  }

  ExportOptions options(std::string url = "") const {
    ExportOptions built;
    built.url = url.empty() ? "http://127.0.0.1:" + std::to_string(peer_->http_port()) : url;
    return built;
  }

  // The source rows as ClickHouse's TabSeparated prints the mirror, in key order.
  std::string expected_minutes() {
    std::lock_guard lock(mutex_);
    std::vector<MinuteRow> rows = minutes_;
    std::sort(rows.begin(), rows.end(), [](const MinuteRow& a, const MinuteRow& b) {
      return std::tie(a.minute_ms, a.event_type) < std::tie(b.minute_ms, b.event_type);
    });
    std::string out;
    for (const auto& row : rows) {
      if (!row.event_type) continue;
      const std::time_t seconds = row.minute_ms / 1000;
      char text[32];
      std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", std::gmtime(&seconds));
      out += std::string(text) + "\t" + *row.event_type + "\t" +
             (row.event_count ? std::to_string(*row.event_count) : "\\N") + "\n";
    }
    return out;
  }

  static std::string mirrored_minutes() {
    return clickhouse(
        "SELECT minute, event_type, event_count FROM realtime.events_per_minute FINAL "
        "ORDER BY minute, event_type FORMAT TabSeparated");
  }
  static std::string mirrored_gold() {
    return clickhouse(
        "SELECT event_date, category, units_sold, category_revenue FROM "
        "gold.category_sales_daily FINAL ORDER BY event_date, category FORMAT TabSeparated");
  }
  static const TableExport& table(const ExportReport& report, const std::string& name) {
    for (const auto& entry : report.tables) {
      if (entry.table == name) return entry;
    }
    static const TableExport missing{};
    ADD_FAILURE() << name << " is not in the report";
    return missing;
  }
  static ExportReport pass(ClickHouseExporter& exporter) {
    auto report = exporter.run_once();
    EXPECT_TRUE(report) << report.error();
    if (!report) return {};
    EXPECT_TRUE(report.value().ok()) << report.value().errors();
    return report.value();
  }

  static constexpr const char* kGold =
      "2024-05-01\tbooks\t3\t45.50\n2024-05-01\ttoys\t1\t9.99\n2024-05-02\tbooks\t2\t30.00\n";

  static inline TempDirectory* directory_ = nullptr;
  static inline ClickHousePeer* peer_ = nullptr;
  static inline bool ready_ = false;
  TempDirectory lake_;
  std::unique_ptr<Engine> engine_;
  std::mutex mutex_;
  std::vector<MinuteRow> minutes_;
  std::vector<std::string> gold_;
  int gold_version_ = 0;
};

TEST_F(ClickHouseExportTest, CreatesTablesWithTheirTypesAndKeysAndCopiesTheRows) {
  ClickHouseExporter exporter(*engine_, options());
  auto report = pass(exporter);
  ASSERT_EQ(report.tables.size(), 2u);
  EXPECT_EQ(table(report, "realtime.events_per_minute").rows_sent, 3u);
  EXPECT_EQ(table(report, "gold.category_sales_daily").rows_sent, 3u);
  EXPECT_EQ(report.rows_sent(), 6u);

  EXPECT_EQ(clickhouse("SELECT table, name, type FROM system.columns WHERE database IN "
                       "('realtime', 'gold') FORMAT TabSeparated"),
            "category_sales_daily\tevent_date\tDate\n"
            "category_sales_daily\tcategory\tString\n"
            "category_sales_daily\tunits_sold\tNullable(Int64)\n"
            "category_sales_daily\tcategory_revenue\tNullable(Decimal(18, 2))\n"
            "category_sales_daily\t_shoplake_version\tUInt64\n"
            "events_per_minute\tminute\tDateTime\n"
            "events_per_minute\tevent_type\tString\n"
            "events_per_minute\tevent_count\tNullable(Int64)\n"
            "events_per_minute\t_shoplake_version\tUInt64\n");
  EXPECT_EQ(clickhouse("SELECT database, name, engine, sorting_key FROM system.tables WHERE "
                       "database IN ('realtime', 'gold') ORDER BY database FORMAT TabSeparated"),
            "gold\tcategory_sales_daily\tReplacingMergeTree\tevent_date, category\n"
            "realtime\tevents_per_minute\tReplacingMergeTree\tminute, event_type\n");
  EXPECT_EQ(mirrored_minutes(), expected_minutes());
  EXPECT_EQ(mirrored_gold(), kGold);
}

TEST_F(ClickHouseExportTest, PassWithoutChangesSendsNothing) {
  ClickHouseExporter exporter(*engine_, options());
  pass(exporter);
  auto again = pass(exporter);
  EXPECT_EQ(again.rows_sent(), 0u);
  EXPECT_EQ(table(again, "realtime.events_per_minute").rows_read, 3u);
  EXPECT_EQ(clickhouse("SELECT count() FROM realtime.events_per_minute"), "3\n");
  EXPECT_EQ(clickhouse("SELECT count() FROM gold.category_sales_daily"), "3\n");
  EXPECT_EQ(mirrored_minutes(), expected_minutes());
  EXPECT_EQ(mirrored_gold(), kGold);
}

TEST_F(ClickHouseExportTest, SendsOnlyChangedAndNewRows) {
  ClickHouseExporter exporter(*engine_, options());
  pass(exporter);
  set_minutes({{kMinute0, "view", 13},
               {kMinute0, "purchase", std::nullopt},
               {kMinute0 + 60'000, "view", 7},
               {kMinute0 + 120'000, "cart", 2}});
  gold_[1] = "(DATE '2024-05-01', 'toys', 2, 19.98)";
  gold_.push_back("(DATE '2024-05-02', 'garden', 5, 100.00)");
  publish_gold();

  auto report = pass(exporter);
  EXPECT_EQ(table(report, "realtime.events_per_minute").rows_sent, 2u);
  EXPECT_EQ(table(report, "gold.category_sales_daily").rows_sent, 2u);
  EXPECT_EQ(mirrored_minutes(), expected_minutes());
  EXPECT_EQ(mirrored_gold(),
            "2024-05-01\tbooks\t3\t45.50\n2024-05-01\ttoys\t2\t19.98\n"
            "2024-05-02\tbooks\t2\t30.00\n2024-05-02\tgarden\t5\t100.00\n");
}

TEST_F(ClickHouseExportTest, UnreachableServerIsAnErrorNamingTheUrl) {
  const std::string url = "http://127.0.0.1:" + std::to_string(free_loopback_port());
  ClickHouseExporter exporter(*engine_, options(url));
  auto report = exporter.run_once();
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().find(url), std::string::npos) << report.error();

  ClickHouseExporter misspelt(*engine_, options("tcp://127.0.0.1:9000"));
  auto refused = misspelt.run_once();
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("tcp://127.0.0.1:9000"), std::string::npos) << refused.error();
}

TEST_F(ClickHouseExportTest, CatchesUpAfterAnOutage) {
  FlakyProxy proxy(peer_->http_port());
  ClickHouseExporter exporter(*engine_, options(proxy.url()));
  pass(exporter);
  proxy.set(FlakyProxy::Mode::refuse_all);
  set_minutes({{kMinute0, "view", 20}, {kMinute0 + 180'000, "view", 1}});
  auto failed = exporter.run_once();
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().find(proxy.url()), std::string::npos) << failed.error();
  EXPECT_NE(failed.error().find("simulated outage"), std::string::npos) << failed.error();

  proxy.set(FlakyProxy::Mode::forward);
  auto report = pass(exporter);
  EXPECT_EQ(table(report, "realtime.events_per_minute").rows_sent, 2u);
  EXPECT_EQ(table(report, "gold.category_sales_daily").rows_sent, 0u);
  // Rows gone from the source stay in the mirror: the export adds and replaces, never deletes.
  EXPECT_EQ(mirrored_minutes(),
            "2024-05-01 10:00:00\tpurchase\t\\N\n2024-05-01 10:00:00\tview\t20\n"
            "2024-05-01 10:01:00\tview\t7\n2024-05-01 10:03:00\tview\t1\n");
}

TEST_F(ClickHouseExportTest, RefusedInsertIsResentWholeNextPass) {
  FlakyProxy proxy(peer_->http_port());
  ClickHouseExporter exporter(*engine_, options(proxy.url()));
  proxy.set(FlakyProxy::Mode::refuse_inserts);
  auto failed = exporter.run_once();
  ASSERT_TRUE(failed) << failed.error();
  EXPECT_FALSE(failed.value().ok());
  EXPECT_NE(failed.value().errors().find("realtime.events_per_minute: ClickHouse at " +
                                         proxy.url() + " answered 503: simulated outage"),
            std::string::npos)
      << failed.value().errors();
  EXPECT_EQ(failed.value().rows_sent(), 0u);
  EXPECT_EQ(clickhouse("SELECT count() FROM realtime.events_per_minute"), "0\n");

  proxy.set(FlakyProxy::Mode::forward);
  auto report = pass(exporter);
  EXPECT_EQ(report.rows_sent(), 6u);
  EXPECT_EQ(mirrored_minutes(), expected_minutes());
  EXPECT_EQ(mirrored_gold(), kGold);
}

TEST_F(ClickHouseExportTest, RestartedExporterLeavesNoDuplicates) {
  {
    ClickHouseExporter first(*engine_, options());
    pass(first);
  }
  ClickHouseExporter restarted(*engine_, options());
  auto report = pass(restarted);
  EXPECT_EQ(report.rows_sent(), 6u);  // it remembers nothing, so it sends everything once more
  clickhouse("OPTIMIZE TABLE realtime.events_per_minute FINAL");
  clickhouse("OPTIMIZE TABLE gold.category_sales_daily FINAL");
  EXPECT_EQ(clickhouse("SELECT count() FROM realtime.events_per_minute"), "3\n");
  EXPECT_EQ(clickhouse("SELECT count() FROM gold.category_sales_daily"), "3\n");
  EXPECT_EQ(mirrored_minutes(), expected_minutes());
  EXPECT_EQ(mirrored_gold(), kGold);
}

TEST_F(ClickHouseExportTest, TableOfAnotherSchemaIsReportedAndTheOthersStillGo) {
  clickhouse("CREATE DATABASE gold");
  clickhouse(
      "CREATE TABLE gold.category_sales_daily (event_date Date, category String, units UInt32) "
      "ENGINE = MergeTree ORDER BY (event_date, category)");
  ClickHouseExporter exporter(*engine_, options());
  auto report = exporter.run_once();
  ASSERT_TRUE(report) << report.error();
  const auto& gold = table(report.value(), "gold.category_sales_daily");
  EXPECT_NE(gold.error.find("other columns (event_date Date, category String, units UInt32)"),
            std::string::npos)
      << gold.error;
  EXPECT_NE(gold.error.find("DROP TABLE `gold`.`category_sales_daily`"), std::string::npos);
  EXPECT_EQ(table(report.value(), "realtime.events_per_minute").rows_sent, 3u);

  clickhouse("DROP TABLE gold.category_sales_daily");
  auto recovered = pass(exporter);
  EXPECT_EQ(table(recovered, "gold.category_sales_daily").rows_sent, 3u);
  EXPECT_EQ(mirrored_gold(), kGold);
}

TEST_F(ClickHouseExportTest, TableDroppedInClickHouseIsRecreatedAndRefilled) {
  ClickHouseExporter exporter(*engine_, options());
  pass(exporter);
  clickhouse("DROP TABLE realtime.events_per_minute");
  auto report = pass(exporter);
  EXPECT_EQ(table(report, "realtime.events_per_minute").rows_sent, 3u);
  EXPECT_EQ(mirrored_minutes(), expected_minutes());
}

TEST_F(ClickHouseExportTest, RowsClickHouseCannotKeyAreSkippedWithAWarning) {
  set_minutes({{kMinute0, "view", 1}, {kMinute0, std::nullopt, 2}, {kMinute0, "view", 3}});
  ClickHouseExporter exporter(*engine_, options());
  auto report = pass(exporter);
  const auto& minutes = table(report, "realtime.events_per_minute");
  EXPECT_EQ(minutes.rows_read, 3u);
  EXPECT_EQ(minutes.rows_sent, 1u);
  EXPECT_EQ(minutes.rows_skipped, 2u);
  EXPECT_NE(minutes.warning.find("1 with a NULL in the key (minute, event_type), 1 repeating"),
            std::string::npos)
      << minutes.warning;
  EXPECT_EQ(mirrored_minutes(), "2024-05-01 10:00:00\tview\t1\n");
  EXPECT_EQ(pass(exporter).rows_sent(), 0u);  // the first of a repeated key stays the one sent
}

TEST_F(ClickHouseExportTest, BackgroundThreadExportsEveryInterval) {
  auto opts = options();
  opts.interval = std::chrono::milliseconds(50);
  ClickHouseExporter exporter(*engine_, opts);
  exporter.start();
  // Polls without failing while the table does not exist yet; gives up after 20 s.
  auto wait_for = [&](const std::string& expected) {
    for (int i = 0; i < 400; ++i) {
      auto answer = peer_->query(
          "SELECT minute, event_type, event_count FROM realtime.events_per_minute FINAL "
          "ORDER BY minute, event_type FORMAT TabSeparated");
      if (answer.status == 200 && answer.body == expected) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(mirrored_minutes(), expected);
  };
  wait_for(expected_minutes());
  set_minutes({{kMinute0, "view", 99}});
  wait_for(
      "2024-05-01 10:00:00\tpurchase\t\\N\n2024-05-01 10:00:00\tview\t99\n"
      "2024-05-01 10:01:00\tview\t7\n");
  exporter.stop();
  exporter.stop();  // idempotent
}

}  // namespace
}  // namespace shoplake::sql
