// The ClickHouse HTTP interface of `shoplake up`, from the outside: the real binary on ephemeral
// ports, real HTTP, and where a comparison is possible a throwaway clickhouse-server (Debian's
// 18.16) answering the same requests, byte for byte. The official Node.js client runs against
// it too (tests/js).
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "running_shoplake.hpp"
#include "shoplake/sql/clickhouse_peer.hpp"

namespace {

using nlohmann::json;
using shoplake::testing::ChildProcess;
using shoplake::testing::RunningShoplake;
using shoplake::testing::TempDir;

// ---------------------------------------------------------------------------------------------
// Plain HTTP helpers

struct Answer {
  int status = 0;  // 0: no answer at all
  std::string body;
  httplib::Headers headers;

  std::string header(const std::string& name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
  }
  bool has_header(const std::string& name) const { return headers.count(name) > 0; }
  std::string exception_code() const { return header("X-ClickHouse-Exception-Code"); }
};

Answer to_answer(const httplib::Result& result) {
  if (!result) return {};
  return {result->status, result->body, result->headers};
}

httplib::Client client_for(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(60));
  return client;
}

Answer post(int port, const std::string& path, const std::string& body,
            const httplib::Headers& headers = {}) {
  auto client = client_for(port);
  return to_answer(client.Post(path, headers, body, "text/plain"));
}

Answer get(int port, const std::string& path, const httplib::Headers& headers = {}) {
  auto client = client_for(port);
  return to_answer(client.Get(path, headers));
}

// Percent-encodes a URL parameter value.
std::string url_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The error body ClickHouse clients parse: "Code: N. DB::Exception: … (NAME) (version …)\n".
void expect_clickhouse_error(const Answer& answer, int status, int code, const std::string& name) {
  EXPECT_EQ(answer.status, status) << answer.body;
  EXPECT_EQ(answer.exception_code(), std::to_string(code)) << answer.body;
  const std::string prefix = "Code: " + std::to_string(code) + ". DB::Exception: ";
  EXPECT_EQ(answer.body.rfind(prefix, 0), 0u) << answer.body;
  const std::regex tail("\\(" + name + "\\) \\(version [0-9]+\\.[0-9]+[^)]*\\)\n$");
  EXPECT_TRUE(std::regex_search(answer.body, tail)) << answer.body;
  EXPECT_TRUE(answer.has_header("X-ClickHouse-Query-Id"));
}

// The same statistics block in both servers' JSON, whatever the numbers: the time differs, and
// clickhouse-server 18.16 counts rows and bytes read by its own storage.
std::string mask_statistics(const std::string& body) {
  static const std::regex kNumbers(R"re("(elapsed|rows_read|bytes_read)": [-+0-9.eE]+)re");
  return std::regex_replace(body, kNumbers, "\"$1\": 0");
}

// clickhouse-server 18.16 runs numbers(N) as system.numbers with LIMIT N, so every JSON answer
// over numbers() says "rows_before_limit_at_least". ClickHouse writes the field only when the
// query has a LIMIT and clients treat it as optional; shoplake does not write it (reported).
std::string drop_rows_before_limit(const std::string& body) {
  static const std::regex kField("\t\"rows_before_limit_at_least\": [0-9]+,\n\n");
  return std::regex_replace(body, kField, "");
}

// ---------------------------------------------------------------------------------------------
// Fixtures: one `shoplake up` per suite (and one clickhouse-server for the comparisons).

class ClickHouseHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = std::make_unique<TempDir>();
    shoplake_ = std::make_unique<RunningShoplake>(data_dir_->path());
  }
  static void TearDownTestSuite() {
    if (shoplake_) shoplake_->stop();
    shoplake_.reset();
    data_dir_.reset();
  }
  void SetUp() override {
    ASSERT_NE(shoplake_->clickhouse_port(), 0)
        << "shoplake up did not start: " << shoplake_->process().read_all_stderr();
  }

  static int port() { return shoplake_->clickhouse_port(); }
  static int main_port() { return shoplake_->port(); }
  static Answer query(const std::string& sql, const std::string& path = "/") {
    return post(port(), path, sql);
  }

  static inline std::unique_ptr<TempDir> data_dir_;
  static inline std::unique_ptr<RunningShoplake> shoplake_;
};

// ---------------------------------------------------------------------------------------------
// 1. The HTTP interface

TEST_F(ClickHouseHttp, RootAndPingAnswerOk) {
  for (const char* path : {"/", "/ping"}) {
    const Answer answer = get(port(), path);
    EXPECT_EQ(answer.status, 200) << path;
    EXPECT_EQ(answer.body, "Ok.\n") << path;
  }
}

TEST_F(ClickHouseHttp, QueryInTheUrlRuns) {
  const Answer answer = get(port(), "/?query=SELECT%201");
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body, "1\n");
}

TEST_F(ClickHouseHttp, QueryInTheBodyRuns) {
  const Answer answer = query("SELECT 1 + 2 AS three");
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body, "3\n");
}

TEST_F(ClickHouseHttp, QueryParameterAndBodyAreJoinedByANewline) {
  const Answer split = post(port(), "/?query=SELECT", " 1");
  EXPECT_EQ(split.status, 200) << split.body;
  EXPECT_EQ(split.body, "1\n");
  // The newline between them matters: "SELECT 1," + "2" is "SELECT 1,\n2", two columns.
  const Answer two = post(port(), "/?query=" + url_encode("SELECT 1,"), "2");
  EXPECT_EQ(two.status, 200) << two.body;
  EXPECT_EQ(two.body, "1\t2\n");
  // A line comment in the parameter ends at the newline, so the body still counts.
  const Answer commented = post(port(), "/?query=" + url_encode("SELECT 7 -- the rest"), "+ 1");
  EXPECT_EQ(commented.status, 200) << commented.body;
  EXPECT_EQ(commented.body, "8\n");
}

TEST_F(ClickHouseHttp, TypeNamesAreClickHouses) {
  const Answer answer = query(
      "SELECT toTypeName('a'), toTypeName(toDate('2020-01-02')), toTypeName(now()), "
      "toTypeName(toUInt64(1)), toTypeName(toFloat64(1))");
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body, "String\tDate\tDateTime\tUInt64\tFloat64\n");
}

// now() is the time the query runs, to the second, each time the same text runs again (the
// engine reuses the prepared statement and binds the clock anew).
TEST_F(ClickHouseHttp, NowIsTheTimeOfEachRun) {
  const std::string sql =
      "SELECT toUnixTimestamp(now()) AS n, toUInt32(today()) - toUInt32(yesterday()) AS d";
  auto unix_now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  std::vector<long long> seen;
  for (int run = 0; run < 3; ++run) {
    const long long before = unix_now();
    const Answer answer = query(sql);
    const long long after = unix_now();
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto tab = answer.body.find('\t');
    ASSERT_NE(tab, std::string::npos) << answer.body;
    const long long n = std::stoll(answer.body.substr(0, tab));
    EXPECT_GE(n, before) << answer.body;
    EXPECT_LE(n, after) << answer.body;
    EXPECT_EQ(answer.body.substr(tab), "\t1\n");
    seen.push_back(n);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  }
  EXPECT_LT(seen[0], seen[1]);
  EXPECT_LT(seen[1], seen[2]);
}

TEST_F(ClickHouseHttp, DatabaseParameterResolvesUnqualifiedNames) {
  // A fresh data directory has no tables in the lake's databases, so the system database shows
  // the resolution: unqualified `one` and `tables` are system's there, and unknown elsewhere.
  const Answer one = query("SELECT * FROM one", "/?database=system");
  EXPECT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.body, "0\n");
  const Answer elsewhere = query("SELECT * FROM one", "/?database=gold");
  EXPECT_EQ(elsewhere.exception_code(), "60") << elsewhere.body;

  const Answer from_system = query("SHOW TABLES FROM system");
  ASSERT_EQ(from_system.status, 200) << from_system.body;
  const Answer in_system = query("SHOW TABLES", "/?database=system");
  EXPECT_EQ(in_system.status, 200) << in_system.body;
  EXPECT_EQ(in_system.body, from_system.body) << "SHOW TABLES must list the request's database";

  const Answer gold = query("SHOW TABLES", "/?database=gold");
  EXPECT_EQ(gold.status, 200) << gold.body;
  EXPECT_EQ(gold.body, query("SHOW TABLES FROM gold").body);

  // The X-ClickHouse-Database header works as the parameter does.
  const Answer header =
      post(port(), "/", "SELECT currentDatabase()", {{"X-ClickHouse-Database", "silver"}});
  EXPECT_EQ(header.body, "silver\n");
}

TEST_F(ClickHouseHttp, DefaultFormatParameter) {
  const Answer answer =
      query("SELECT toUInt32(number) AS n FROM numbers(2)", "/?default_format=JSONEachRow");
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body, "{\"n\":0}\n{\"n\":1}\n");
  EXPECT_EQ(answer.header("X-ClickHouse-Format"), "JSONEachRow");
  // FORMAT in the query wins over the parameter.
  const Answer explicit_format =
      query("SELECT toUInt32(1) AS n FORMAT CSVWithNames", "/?default_format=JSONEachRow");
  EXPECT_EQ(explicit_format.body, "\"n\"\n1\n");
  EXPECT_EQ(explicit_format.header("X-ClickHouse-Format"), "CSVWithNames");
  // Without either: TabSeparated.
  EXPECT_EQ(query("SELECT 1").header("X-ClickHouse-Format"), "TabSeparated");
}

TEST_F(ClickHouseHttp, QueryIdIsEchoedOrGenerated) {
  const Answer given = query("SELECT 1", "/?query_id=my-query-17");
  EXPECT_EQ(given.header("X-ClickHouse-Query-Id"), "my-query-17");
  const Answer failed = query("SELECT * FROM no_such_table", "/?query_id=failing-query-3");
  EXPECT_EQ(failed.header("X-ClickHouse-Query-Id"), "failing-query-3");

  const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  const std::string first = query("SELECT 1").header("X-ClickHouse-Query-Id");
  const std::string second = query("SELECT 1").header("X-ClickHouse-Query-Id");
  EXPECT_TRUE(std::regex_match(first, uuid)) << first;
  EXPECT_TRUE(std::regex_match(second, uuid)) << second;
  EXPECT_NE(first, second);
}

TEST_F(ClickHouseHttp, FormatAndSummaryHeaders) {
  const Answer answer = query("SELECT number FROM numbers(10) FORMAT CSV");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("X-ClickHouse-Format"), "CSV");
  const json summary = json::parse(answer.header("X-ClickHouse-Summary"), nullptr, false);
  ASSERT_TRUE(summary.is_object()) << answer.header("X-ClickHouse-Summary");
  // ClickHouse sends every figure as a string.
  for (const char* key : {"read_rows", "read_bytes", "written_rows", "written_bytes",
                          "total_rows_to_read", "result_rows", "result_bytes"}) {
    EXPECT_TRUE(summary.contains(key) && summary[key].is_string()) << key;
  }
  EXPECT_EQ(summary.value("result_rows", ""), "10");
  EXPECT_EQ(answer.header("X-ClickHouse-Timezone"), "UTC");
}

TEST_F(ClickHouseHttp, MaxResultRowsThrows) {
  const Answer over = query("SELECT number FROM numbers(10)", "/?max_result_rows=5");
  expect_clickhouse_error(over, 500, 396, "TOO_MANY_ROWS_OR_BYTES");
  // The SETTINGS clause says the same.
  const Answer clause = query("SELECT number FROM numbers(10) SETTINGS max_result_rows = 5");
  EXPECT_EQ(clause.exception_code(), "396") << clause.body;
  // Exactly at the limit is fine.
  const Answer at_limit = query("SELECT number FROM numbers(5)", "/?max_result_rows=5");
  EXPECT_EQ(at_limit.status, 200) << at_limit.body;
  EXPECT_EQ(lines_of(at_limit.body).size(), 5u);
}

TEST_F(ClickHouseHttp, MaxResultRowsWithBreakCutsTheResult) {
  // ClickHouse's break mode stops after the block that crosses the limit, so it may return more
  // than the limit (clickhouse-server 18.16 returns all 10 here); never fewer, never an error.
  const Answer answer =
      query("SELECT number FROM numbers(10)", "/?max_result_rows=5&result_overflow_mode=break");
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_FALSE(answer.has_header("X-ClickHouse-Exception-Code"));
  const auto lines = lines_of(answer.body);
  EXPECT_GE(lines.size(), 5u) << answer.body;
  EXPECT_LE(lines.size(), 10u) << answer.body;
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i], std::to_string(i));
}

TEST_F(ClickHouseHttp, MaxExecutionTimeStopsASlowQuery) {
  const auto started = std::chrono::steady_clock::now();
  const Answer answer =
      query("SELECT count() FROM numbers(100000000) AS a, numbers(100000000) AS b",
            "/?max_execution_time=1");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  expect_clickhouse_error(answer, 500, 159, "TIMEOUT_EXCEEDED");
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  // The server is still there for the next query.
  EXPECT_EQ(query("SELECT 1").body, "1\n");
}

TEST_F(ClickHouseHttp, ALongQueryDoesNotHoldUpIngest) {
  std::atomic<bool> query_done{false};
  std::thread slow([&] {
    query("SELECT count() FROM numbers(100000000) AS a, numbers(100000000) AS b",
          "/?max_execution_time=5");
    query_done = true;
  });
  // Events are acknowledged while the query still runs (it only ends at its 5 s timeout).
  httplib::Client collector("127.0.0.1", main_port());
  std::string body;
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  for (int i = 0; i < 100; ++i) {
    body += R"({"event_id":"long-query-)" + std::to_string(i) + R"(","event_type":"login","ts":)" +
            std::to_string(now_ms) + R"(,"user_id":"u1","session_id":"s1"})" + "\n";
  }
  for (int request = 0; request < 20; ++request) {
    const auto answer = collector.Post("/v1/events", body, "application/x-ndjson");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 200) << answer->body;
  }
  EXPECT_FALSE(query_done) << "the slow query ended before ingest was measured";
  slow.join();
}

TEST_F(ClickHouseHttp, BadSettingValueIsRefused) {
  const Answer answer = query("SELECT 1", "/?max_result_rows=lots");
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(answer.exception_code(), "27") << answer.body;
}

// ---------------------------------------------------------------------------------------------
// 2. Errors

TEST_F(ClickHouseHttp, SyntaxError) {
  expect_clickhouse_error(query("SELEC 1"), 400, 62, "SYNTAX_ERROR");
  expect_clickhouse_error(query("SELECT FROM WHERE"), 400, 62, "SYNTAX_ERROR");
  EXPECT_EQ(query("SELECT (1").exception_code(), "62");
}

TEST_F(ClickHouseHttp, UnknownTableColumnFunctionFormat) {
  expect_clickhouse_error(query("SELECT * FROM no_such_table"), 404, 60, "UNKNOWN_TABLE");
  expect_clickhouse_error(query("SELECT no_such_column FROM system.one"), 404, 47,
                          "UNKNOWN_IDENTIFIER");
  expect_clickhouse_error(query("SELECT noSuchFunction(1)"), 404, 46, "UNKNOWN_FUNCTION");
  expect_clickhouse_error(query("SELECT 1 FORMAT NoSuchFormat"), 404, 73, "UNKNOWN_FORMAT");
  expect_clickhouse_error(query("SELECT 1", "/?default_format=NoSuchFormat"), 404, 73,
                          "UNKNOWN_FORMAT");
}

TEST_F(ClickHouseHttp, EmptyQuery) {
  expect_clickhouse_error(query(""), 400, 62, "SYNTAX_ERROR");
  const Answer blank = query(" \n\t ");
  EXPECT_EQ(blank.exception_code(), "62") << blank.body;
  EXPECT_NE(blank.body.find("Empty query"), std::string::npos) << blank.body;
}

TEST_F(ClickHouseHttp, WritingStatementsAreRefusedAndChangeNothing) {
  const std::string lake = data_dir_->path() + "/lake";
  const std::string copy_target = lake + "/copied.csv";
  const std::string attached = data_dir_->path() + "/attached.duckdb";
  const std::vector<std::string> statements = {
      "CREATE TABLE default.made_here (x Int32) ENGINE = Memory",
      "CREATE TABLE made_here AS SELECT 1 AS x",
      "CREATE VIEW made_here AS SELECT 1 AS x",
      "INSERT INTO system.one VALUES (1)",
      "DROP TABLE system.one",
      "ALTER TABLE system.one ADD COLUMN y Int32",
      "DELETE FROM system.one WHERE 1",
      "SET threads = 1",
      "PRAGMA threads = 1",
      "ATTACH '" + attached + "' AS attached",
      "COPY (SELECT 1) TO '" + copy_target + "'",
      "INSTALL httpfs",
      "LOAD httpfs",
      "TRUNCATE TABLE system.one",
      "CHECKPOINT",
  };
  const std::string databases_before = query("SHOW DATABASES").body;
  for (const auto& statement : statements) {
    SCOPED_TRACE(statement);
    expect_clickhouse_error(query(statement), 403, 164, "READONLY");
  }
  EXPECT_EQ(query("EXISTS TABLE made_here").body, "0\n");
  EXPECT_EQ(query("SELECT * FROM system.one").body, "0\n");
  EXPECT_EQ(query("SHOW DATABASES").body, databases_before);
  EXPECT_FALSE(std::filesystem::exists(copy_target));
  EXPECT_FALSE(std::filesystem::exists(attached));
}

TEST_F(ClickHouseHttp, SeveralStatementsAreRefused) {
  // clickhouse-server says 62 ("Multi-statements are not allowed"); shoplake may say 48 or 164,
  // but must run neither statement.
  const std::set<std::string> refusals{"62", "48", "164"};
  for (const char* sql : {"SELECT 1; SELECT 2", "SELECT 1; DROP TABLE system.one",
                          "SELECT 1;\nCREATE TABLE t (x Int32)"}) {
    SCOPED_TRACE(sql);
    const Answer answer = query(sql);
    EXPECT_GE(answer.status, 400) << answer.body;
    EXPECT_TRUE(refusals.count(answer.exception_code()) > 0) << answer.body;
    EXPECT_EQ(answer.body.rfind("Code: ", 0), 0u) << answer.body;
  }
  EXPECT_EQ(query("EXISTS TABLE t").body, "0\n");
  // A trailing semicolon is one statement.
  EXPECT_EQ(query("SELECT 1;").body, "1\n");
}

TEST_F(ClickHouseHttp, FilesOutsideTheLakeCannotBeRead) {
  for (const char* sql :
       {"SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'", "SELECT * FROM read_csv_auto('/etc/passwd')",
        "SELECT * FROM read_json('/etc/passwd')", "SELECT * FROM glob('/etc/*')"}) {
    SCOPED_TRACE(sql);
    const Answer answer = query(sql);
    EXPECT_GE(answer.status, 400) << answer.body;
    EXPECT_FALSE(answer.exception_code().empty());
    EXPECT_EQ(answer.body.find("root:"), std::string::npos) << answer.body;
    EXPECT_EQ(answer.body.find("/bin/"), std::string::npos) << answer.body;
  }
  expect_clickhouse_error(query("SELECT * FROM read_csv('/etc/passwd')"), 403, 497,
                          "ACCESS_DENIED");
}

TEST_F(ClickHouseHttp, UseIsRefusedWithAHint) {
  const Answer answer = query("USE gold");
  EXPECT_GE(answer.status, 400) << answer.body;
  EXPECT_FALSE(answer.exception_code().empty());
  EXPECT_NE(answer.body.find("database"), std::string::npos) << answer.body;
  EXPECT_EQ(query("SELECT currentDatabase()").body, "default\n");
}

// ---------------------------------------------------------------------------------------------
// 5. Metadata

TEST_F(ClickHouseHttp, ShowDatabases) {
  const Answer answer = query("SHOW DATABASES");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto lines = lines_of(answer.body);
  const std::set<std::string> listed(lines.begin(), lines.end());
  for (const char* database :
       {"default", "realtime", "bronze", "silver", "gold", "meta", "system"}) {
    EXPECT_TRUE(listed.count(database) > 0) << database << " missing from\n" << answer.body;
  }
  EXPECT_EQ(listed.size(), lines.size()) << "a database is listed twice";
}

TEST_F(ClickHouseHttp, ShowTablesFromSystem) {
  const Answer answer = query("SHOW TABLES FROM system");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto lines = lines_of(answer.body);
  const std::set<std::string> listed(lines.begin(), lines.end());
  for (const char* table : {"one", "tables", "columns", "databases"}) {
    EXPECT_TRUE(listed.count(table) > 0) << table << " missing from\n" << answer.body;
  }
}

TEST_F(ClickHouseHttp, DescribeTable) {
  const Answer answer = query("DESCRIBE TABLE system.columns FORMAT TabSeparatedWithNames");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto lines = lines_of(answer.body);
  ASSERT_GE(lines.size(), 5u) << answer.body;
  EXPECT_EQ(lines[0],
            "name\ttype\tdefault_type\tdefault_expression\tcomment\tcodec_expression\t"
            "ttl_expression");
  EXPECT_EQ(lines[1].substr(0, lines[1].find('\t', lines[1].find('\t') + 1)), "database\tString");
  EXPECT_EQ(lines[2].substr(0, lines[2].find('\t', lines[2].find('\t') + 1)), "table\tString");
  EXPECT_EQ(query("DESC system.one").body.substr(0, 12), "dummy\tUInt8\t");
  EXPECT_EQ(query("DESCRIBE TABLE no_such_table").status >= 400, true);
}

TEST_F(ClickHouseHttp, SystemColumnsOfATable) {
  // `table` is a column of system.columns (and a keyword of DuckDB's): ClickHouse clients
  // (Grafana, DBeaver) query it exactly like this.
  const Answer answer =
      query("SELECT name, type FROM system.columns WHERE database = 'system' AND table = 'tables'");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto lines = lines_of(answer.body);
  const std::set<std::string> columns(lines.begin(), lines.end());
  EXPECT_TRUE(columns.count("database\tString") > 0) << answer.body;
  EXPECT_TRUE(columns.count("name\tString") > 0) << answer.body;
}

TEST_F(ClickHouseHttp, VersionParsesAsNumbers) {
  const Answer answer = query("SELECT version()");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_TRUE(std::regex_match(answer.body, std::regex(R"(^\d+\.\d+\.\d+(\.\d+)?[^\n]*\n$)")))
      << answer.body;
}

TEST_F(ClickHouseHttp, CurrentDatabaseFollowsTheParameter) {
  EXPECT_EQ(query("SELECT currentDatabase()").body, "default\n");
  EXPECT_EQ(query("SELECT currentDatabase()", "/?database=gold").body, "gold\n");
  EXPECT_EQ(query("SELECT currentDatabase()", "/?database=system").body, "system\n");
}

// ---------------------------------------------------------------------------------------------
// 7. Streaming

TEST_F(ClickHouseHttp, AMillionRowsStreamWhole) {
  // The engine's default row limit is 1,000,000: exactly that many arrive, chunked (about 7 MB).
  const Answer answer = query("SELECT number FROM numbers(1000000) FORMAT TabSeparated");
  ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 300);
  EXPECT_EQ(answer.header("Transfer-Encoding"), "chunked");
  EXPECT_GT(answer.body.size(), 6'000'000u);
  const auto lines = lines_of(answer.body);
  ASSERT_EQ(lines.size(), 1'000'000u);
  EXPECT_EQ(lines.front(), "0");
  EXPECT_EQ(lines[500'000], "500000");
  EXPECT_EQ(lines.back(), "999999");
  EXPECT_EQ(answer.body.back(), '\n');
}

TEST_F(ClickHouseHttp, AUnionOfJoinsLargerThanTheStreamBufferAnswers) {
  // DuckDB 1.4.4 alone hangs on this one for good, deaf to the timeout (duckdb/duckdb#22215):
  // two pipelines feed the streamed result and fill its buffer before either finishes.
  const Answer answer = query(
      "SELECT a.number FROM numbers(1000000) AS a JOIN numbers(1000000) AS b ON a.number = "
      "b.number WHERE a.number % 4 = 0 UNION ALL SELECT a.number FROM numbers(1000000) AS a JOIN "
      "numbers(1000000) AS b ON a.number = b.number WHERE a.number % 4 = 1 FORMAT TabSeparated",
      "/?max_execution_time=60");
  ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 300);
  const auto lines = lines_of(answer.body);
  ASSERT_EQ(lines.size(), 500'000u);
  std::uint64_t sum = 0;
  std::uint64_t expected = 0;
  for (const auto& line : lines) sum += std::stoull(line);
  for (std::uint64_t n = 0; n < 1'000'000; ++n) expected += n % 4 <= 1 ? n : 0;
  EXPECT_EQ(sum, expected);
  EXPECT_EQ(query("SELECT 1").body, "1\n");

  // Stalled past its deadline, it times out like any other query.
  const std::string stalled =
      "SELECT a.number FROM numbers(1000000) AS a JOIN numbers(1000000) AS b ON a.number = "
      "b.number WHERE a.number % 4 = 2 UNION ALL SELECT a.number FROM numbers(1000000) AS a JOIN "
      "numbers(1000000) AS b ON a.number = b.number WHERE a.number % 4 = 3";
  expect_clickhouse_error(query(stalled, "/?max_execution_time=1"), 500, 159, "TIMEOUT_EXCEEDED");
}

TEST_F(ClickHouseHttp, AnErrorAfterTheHeadersEndsTheBody) {
  // One row over the limit: the first rows are out with a 200 by then, so, like ClickHouse, the
  // exception is written at the end of what was sent.
  const Answer answer = query("SELECT number FROM numbers(1000001) FORMAT TabSeparated");
  const std::string tail =
      answer.body.substr(answer.body.size() > 400 ? answer.body.size() - 400 : 0);
  EXPECT_NE(tail.find("Code: 396. DB::Exception:"), std::string::npos) << tail;
  EXPECT_LT(lines_of(answer.body).size(), 1'000'002u);
}

// ---------------------------------------------------------------------------------------------
// 6. POST /v1/query on the main port

class QueryApi : public ClickHouseHttp {
 protected:
  static Answer api(const std::string& body) { return post(main_port(), "/v1/query", body); }
};

TEST_F(QueryApi, SelectAnswersJson) {
  const Answer answer = api(R"({"sql": "SELECT 1 AS one"})");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("Content-Type").rfind("application/json", 0), 0u);
  const json document = json::parse(answer.body, nullptr, false);
  ASSERT_TRUE(document.is_object()) << answer.body;
  ASSERT_TRUE(document.contains("meta"));
  ASSERT_EQ(document["meta"].size(), 1u);
  EXPECT_EQ(document["meta"][0]["name"], "one");
  EXPECT_EQ(document["data"], json::parse("[[1]]"));
  EXPECT_EQ(document["rows"], 1);
  ASSERT_TRUE(document.contains("statistics"));
  EXPECT_TRUE(document["statistics"].contains("elapsed"));
}

TEST_F(QueryApi, DialectChoosesTheMeaning) {
  // log() is the natural logarithm in ClickHouse and base 10 in DuckDB (docs/SQL.md).
  const json clickhouse =
      json::parse(api(R"({"sql": "SELECT round(log(100), 3) AS l"})").body, nullptr, false);
  const json duckdb =
      json::parse(api(R"({"sql": "SELECT round(log(100), 3) AS l", "dialect": "duckdb"})").body,
                  nullptr, false);
  ASSERT_TRUE(clickhouse.contains("data")) << clickhouse.dump();
  ASSERT_TRUE(duckdb.contains("data")) << duckdb.dump();
  EXPECT_DOUBLE_EQ(clickhouse["data"][0][0].get<double>(), 4.605);
  EXPECT_DOUBLE_EQ(duckdb["data"][0][0].get<double>(), 2.0);

  const Answer bad = api(R"({"sql": "SELECT 1", "dialect": "postgres"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_F(QueryApi, Parameters) {
  const Answer positional = api(
      R"({"sql": "SELECT $1 + $2 AS s, $3 AS t", "dialect": "duckdb", "params": [40, 2, "x"]})");
  ASSERT_EQ(positional.status, 200) << positional.body;
  // A BIGINT sum: quoted, as ClickHouse writes 64-bit integers in JSON.
  EXPECT_EQ(json::parse(positional.body)["data"], json::parse(R"([["42", "x"]])"));

  const Answer named = api(R"({"sql": "SELECT $name AS n, $flag AS f", "dialect": "duckdb",)"
                           R"( "params": {"name": "it's", "flag": true}})");
  ASSERT_EQ(named.status, 200) << named.body;
  EXPECT_EQ(json::parse(named.body)["data"], json::parse(R"([["it's", 1]])"));

  // ClickHouse's now() beside positional parameters, which DuckDB cannot mix with a named one.
  const Answer clock =
      api(R"({"sql": "SELECT $1 AS p, toDate(now()) = today() AS t", "params": [7]})");
  ASSERT_EQ(clock.status, 200) << clock.body;
  EXPECT_EQ(json::parse(clock.body)["data"], json::parse(R"([["7", 1]])"));

  const Answer nested = api(R"({"sql": "SELECT $1", "dialect": "duckdb", "params": [[1]]})");
  EXPECT_EQ(nested.status, 400) << nested.body;
}

TEST_F(QueryApi, BadRequestsAnswer400WithAnError) {
  for (const char* body : {"not json", "{\"sql\": 1}", "[]", "{}", "{\"sql\": \"\"}"}) {
    SCOPED_TRACE(body);
    const Answer answer = api(body);
    EXPECT_EQ(answer.status, 400) << answer.body;
    const json error = json::parse(answer.body, nullptr, false);
    ASSERT_TRUE(error.is_object()) << answer.body;
    EXPECT_TRUE(error.contains("error") && error["error"].is_string()) << answer.body;
  }
}

TEST_F(QueryApi, WritingStatementsAnswer403) {
  for (const char* body : {R"j({"sql": "CREATE TABLE t (x INT)", "dialect": "duckdb"})j",
                           R"j({"sql": "DROP TABLE system.one"})j"}) {
    SCOPED_TRACE(body);
    const Answer answer = api(body);
    EXPECT_EQ(answer.status, 403) << answer.body;
    const json error = json::parse(answer.body, nullptr, false);
    ASSERT_TRUE(error.is_object()) << answer.body;
    EXPECT_EQ(error.value("code", 0), 164) << answer.body;
    EXPECT_TRUE(error.contains("error")) << answer.body;
  }
}

TEST_F(QueryApi, UnknownTableAnswers404) {
  const Answer answer = api(R"({"sql": "SELECT * FROM no_such_table"})");
  EXPECT_EQ(answer.status, 404) << answer.body;
  EXPECT_EQ(json::parse(answer.body, nullptr, false).value("code", 0), 60) << answer.body;
}

// ---------------------------------------------------------------------------------------------
// The official Node.js client (tests/js), against this shoplake.

TEST_F(ClickHouseHttp, OfficialNodeClient) {
  const std::filesystem::path js = std::filesystem::path(SHOPLAKE_SOURCE_DIR) / "tests" / "js";
  if (!std::filesystem::exists(js / "node_modules" / "@clickhouse" / "client")) {
    GTEST_SKIP() << js.string()
                 << "/node_modules is missing: run scripts/bootstrap (npm ci in tests/js)";
  }
  std::string node;
  for (const char* candidate : {"/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs"}) {
    if (std::filesystem::exists(candidate)) {
      node = candidate;
      break;
    }
  }
  ASSERT_FALSE(node.empty()) << "node_modules is installed but node is not";
  ChildProcess child({node, (js / "clickhouse_client_check.mjs").string(),
                      "http://127.0.0.1:" + std::to_string(port())});
  const auto exit_code = child.wait(std::chrono::seconds(60));
  const std::string out = child.read_all_stdout();
  const std::string err = child.read_all_stderr();
  ASSERT_TRUE(exit_code.has_value()) << "the node script did not finish in 60 s\n" << out;
  EXPECT_EQ(*exit_code, 0) << out << err;
}

// ---------------------------------------------------------------------------------------------
// 3. Authentication: a shoplake with SHOPLAKE_SQL_PASSWORD=secret

class ClickHouseAuth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = std::make_unique<TempDir>();
    shoplake_ =
        std::make_unique<RunningShoplake>(data_dir_->path(), std::vector<std::string>{},
                                          std::vector<std::string>{"SHOPLAKE_SQL_PASSWORD=secret"});
  }
  static void TearDownTestSuite() {
    if (shoplake_) shoplake_->stop();
    shoplake_.reset();
    data_dir_.reset();
  }
  void SetUp() override {
    ASSERT_NE(shoplake_->clickhouse_port(), 0)
        << "shoplake up did not start: " << shoplake_->process().read_all_stderr();
  }
  static int port() { return shoplake_->clickhouse_port(); }

  static void expect_refused(const Answer& answer) {
    expect_clickhouse_error(answer, 401, 516, "AUTHENTICATION_FAILED");
    EXPECT_EQ(answer.body.find("secret"), std::string::npos);
  }
  static void expect_accepted(const Answer& answer) {
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(answer.body, "1\n");
  }

  static inline std::unique_ptr<TempDir> data_dir_;
  static inline std::unique_ptr<RunningShoplake> shoplake_;
};

TEST_F(ClickHouseAuth, NoCredentialsAreRefused) {
  expect_refused(post(port(), "/", "SELECT 1"));
  expect_refused(get(port(), "/?query=SELECT%201"));
  // Health checks need no credentials, as in ClickHouse.
  EXPECT_EQ(get(port(), "/ping").body, "Ok.\n");
  EXPECT_EQ(get(port(), "/").body, "Ok.\n");
}

TEST_F(ClickHouseAuth, WrongPasswordIsRefused) {
  expect_refused(
      post(port(), "/", "SELECT 1", {{"X-ClickHouse-User", "default"}, {"X-ClickHouse-Key", "x"}}));
  expect_refused(post(port(), "/?user=default&password=secreT", "SELECT 1"));
  expect_refused(post(port(), "/?user=default&password=secret2", "SELECT 1"));
  expect_refused(post(port(), "/", "SELECT 1", {{"Authorization", "Basic ZGVmYXVsdDpzZWNyZQ=="}}));
  // The right password for another user.
  expect_refused(post(port(), "/?user=admin&password=secret", "SELECT 1"));
  expect_refused(post(port(), "/", "SELECT 1", {{"Authorization", "Basic not base64!"}}));
}

// The main port's APIs (SQL as JSON, DAGs, alerts) need the same password; the collector has
// write keys of its own and health and metrics none.
TEST_F(ClickHouseAuth, TheMainPortsApisNeedTheSamePassword) {
  const int main_port = shoplake_->port();
  const std::string query = R"({"sql": "SELECT 1"})";
  EXPECT_EQ(post(main_port, "/v1/query", query).status, 401);
  EXPECT_EQ(get(main_port, "/v1/dags").status, 401);
  EXPECT_EQ(get(main_port, "/v1/alerts").status, 401);
  EXPECT_EQ(post(main_port, "/v1/query", query, {{"X-ClickHouse-Key", "wrong"}}).status, 401);
  EXPECT_EQ(post(main_port, "/v1/query", query, {{"X-ClickHouse-Key", "secret"}}).status, 200);
  EXPECT_EQ(get(main_port, "/v1/dags", {{"Authorization", "Basic ZGVmYXVsdDpzZWNyZXQ="}}).status,
            200);
  EXPECT_EQ(get(main_port, "/healthz").status, 200);
  EXPECT_EQ(
      post(main_port, "/v1/events", R"({"event_id":"a","event_type":"login","ts":1,"user_id":"u"})")
          .status,
      200);
}

TEST_F(ClickHouseAuth, EachWayOfGivingCredentialsWorks) {
  expect_accepted(post(port(), "/", "SELECT 1",
                       {{"X-ClickHouse-User", "default"}, {"X-ClickHouse-Key", "secret"}}));
  // Without a user name, the user is `default`.
  expect_accepted(post(port(), "/", "SELECT 1", {{"X-ClickHouse-Key", "secret"}}));
  expect_accepted(post(port(), "/?user=default&password=secret", "SELECT 1"));
  expect_accepted(get(port(), "/?query=SELECT%201&user=default&password=secret"));
  // "default:secret" in base64.
  expect_accepted(post(port(), "/", "SELECT 1", {{"Authorization", "Basic ZGVmYXVsdDpzZWNyZXQ="}}));
  auto client = client_for(port());
  client.set_basic_auth("default", "secret");
  expect_accepted(to_answer(client.Post("/", "SELECT 1", "text/plain")));
}

// ---------------------------------------------------------------------------------------------
// 4. Formats byte for byte against clickhouse-server

class ClickHouseVsServer : public ClickHouseHttp {
 protected:
  static void SetUpTestSuite() {
    ClickHouseHttp::SetUpTestSuite();
    const std::string binary = shoplake::sql::find_clickhouse_server();
    if (binary.empty()) return;
    peer_dir_ = std::make_unique<TempDir>();
    peer_ = std::make_unique<shoplake::sql::ClickHousePeer>(binary, peer_dir_->path() + "/peer");
    peer_ready_ = peer_->wait_ready();
  }
  static void TearDownTestSuite() {
    peer_.reset();
    peer_dir_.reset();
    ClickHouseHttp::TearDownTestSuite();
  }
  void SetUp() override {
    ClickHouseHttp::SetUp();
    if (!peer_)
      GTEST_SKIP() << "clickhouse-server is not installed (apt-get install "
                      "clickhouse-server): nothing to compare with";
    ASSERT_TRUE(peer_ready_) << "clickhouse-server did not start; see "
                             << peer_->directory().string() << "/server.log";
  }
  static int peer_port() { return peer_->http_port(); }

  static inline std::unique_ptr<TempDir> peer_dir_;
  static inline std::unique_ptr<shoplake::sql::ClickHousePeer> peer_;
  static inline bool peer_ready_ = false;
};

const std::vector<std::string> kFormats = {"TabSeparated",
                                           "TabSeparatedWithNames",
                                           "TabSeparatedWithNamesAndTypes",
                                           "CSV",
                                           "CSVWithNames",
                                           "JSON",
                                           "JSONCompact",
                                           "JSONEachRow",
                                           "Pretty",
                                           "PrettyCompact",
                                           "Vertical",
                                           "Null"};

struct ComparedQuery {
  std::string sql;
  std::set<std::string> skipped_formats;  // with the reason next to the query
};

const std::vector<ComparedQuery> kComparedQueries = {
    // Strings that every format must escape: tab, quotes, apostrophe, newline, backslash,
    // multi-byte characters (Pretty and Vertical pad by display width), the empty string.
    {R"(SELECT 'a\tb' AS tab, 'say "hi"' AS quotes, 'it\'s' AS apostrophe, 'line1\nline2' AS newline, 'héllo wörld ✓' AS unicode, '' AS empty, 'back\\slash' AS backslash)",
     {}},
    // Integers at their limits and floats (ClickHouse quotes 64-bit integers in JSON).
    {"SELECT toUInt64(18446744073709551615) AS u64, toInt32(-2147483648) AS i32, toFloat64(3.25) "
     "AS f, toFloat64(1) / 3 AS third, toUInt8(255) AS u8, toInt64(-1) AS i64, toUInt16(65535) "
     "AS u16, toFloat64(-0.5) AS neg, toFloat64(1e20) AS big",
     {}},
    {"SELECT toDate('2024-03-01') AS d, toDateTime('2024-03-01 12:34:56') AS t", {}},
    {R"(SELECT CAST([1, 2, 3] AS Array(UInt32)) AS a, ['x', 'y\'z', 'tab\there'] AS s, [toFloat64(1.5)] AS f)",
     {}},
    // DuckDB has no nullable types: shoplake names the type String where ClickHouse says
    // Nullable(String) (docs/SQL.md), so the formats that print types differ.
    {"SELECT CAST(NULL AS Nullable(String)) AS n, toNullable('x') AS m",
     {"TabSeparatedWithNamesAndTypes", "JSON", "JSONCompact"}},
    // numbers() and arithmetic; `number % 3` and intDiv are cast because their types differ
    // (ClickHouse: UInt8 and UInt64; DuckDB: UBIGINT and BIGINT; see
    // AggregateAndArithmeticTypesMatchClickHouse).
    {"SELECT number, number * 2 AS twice, toUInt8(number % 3) AS m, toString(number) AS s, "
     "number / 4 AS q, toUInt64(intDiv(number, 2)) AS h FROM numbers(7)",
     {}},
    {"SELECT toUInt8(number % 3) AS k, toUInt64(count()) AS c, toUInt64(countIf(number > 50)) AS "
     "big, toUInt64(sumIf(number, number % 2 = 0)) AS even_sum, toUInt64(uniqExact(number % 7)) "
     "AS u, round(avg(number), 2) AS a, min(number) AS lo, max(number) AS hi FROM numbers(100) "
     "GROUP BY k ORDER BY k",
     {}},
    {"SELECT concat('row-', toString(number)) AS name, toFloat64(number) * 1.5 AS x FROM "
     "numbers(100) WHERE number % 10 = 3 ORDER BY x DESC LIMIT 4",
     {}},
    // No rows at all.
    {"SELECT toUInt32(number) AS n, toString(number) AS s FROM numbers(10) WHERE number > 100", {}},
};

TEST_F(ClickHouseVsServer, EveryFormatIsByteForByteClickHouses) {
  for (const auto& compared : kComparedQueries) {
    for (const auto& format : kFormats) {
      if (compared.skipped_formats.count(format) > 0) continue;
      SCOPED_TRACE(compared.sql + " FORMAT " + format);
      const std::string sql = compared.sql + " FORMAT " + format;
      const Answer theirs = post(peer_port(), "/", sql);
      const Answer ours = query(sql);
      ASSERT_EQ(theirs.status, 200) << "clickhouse-server: " << theirs.body;
      EXPECT_EQ(ours.status, 200) << ours.body;
      EXPECT_EQ(mask_statistics(ours.body), mask_statistics(drop_rows_before_limit(theirs.body)));
      EXPECT_EQ(ours.header("Content-Type"), theirs.header("Content-Type"));
    }
  }
}

TEST_F(ClickHouseVsServer, FormatInTheQueryAsInTheReadme) {
  // docs/DESIGN.md: curl localhost:8123 --data "SELECT … FORMAT Vertical"
  const std::string sql =
      "SELECT toUInt64(42) AS answer, 'forty-two' AS words, toDate('2024-03-01') AS day, "
      "toFloat64(0.5) AS half FORMAT Vertical";
  const Answer theirs = post(peer_port(), "/", sql);
  const Answer ours = query(sql);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(ours.body, theirs.body);
  EXPECT_EQ(ours.header("Content-Type"), theirs.header("Content-Type"));
}

TEST_F(ClickHouseVsServer, QueryParameterThenBodyAsClickHouse) {
  for (const auto& [parameter, body] : std::vector<std::pair<std::string, std::string>>{
           {"SELECT", " 1"},
           {"SELECT 1,", "2"},
           {"SELECT 7 -- comment", "+ 1"},
           {"SELECT 'a'", "AS x FORMAT JSONEachRow"}}) {
    SCOPED_TRACE(parameter + " | " + body);
    const std::string path = "/?query=" + url_encode(parameter);
    const Answer theirs = post(peer_port(), path, body);
    const Answer ours = post(port(), path, body);
    ASSERT_EQ(theirs.status, 200) << theirs.body;
    EXPECT_EQ(ours.status, 200) << ours.body;
    EXPECT_EQ(ours.body, theirs.body);
  }
}

TEST_F(ClickHouseVsServer, ErrorStatusesAsClickHouse) {
  // The same HTTP status and exception code for the same mistake (the messages differ).
  for (const std::string& sql : {std::string("SELEC 1"), std::string("SELECT * FROM no_such_table"),
                                 std::string("SELECT 1 FORMAT NoSuchFormat"), std::string("")}) {
    SCOPED_TRACE(sql);
    const Answer theirs = post(peer_port(), "/", sql);
    const Answer ours = query(sql);
    EXPECT_EQ(ours.status, theirs.status) << ours.body << "\nclickhouse-server: " << theirs.body;
    const std::regex code("^Code: ([0-9]+)[.,]");
    std::smatch their_code;
    ASSERT_TRUE(std::regex_search(theirs.body, their_code, code)) << theirs.body;
    EXPECT_EQ(ours.exception_code(), their_code[1].str()) << ours.body;
  }
  const Answer theirs = post(peer_port(), "/?max_result_rows=5", "SELECT number FROM numbers(10)");
  const Answer ours = query("SELECT number FROM numbers(10)", "/?max_result_rows=5");
  EXPECT_EQ(ours.status, theirs.status);
}

TEST_F(ClickHouseVsServer, AggregateAndArithmeticTypesMatchClickHouse) {
  // Clients read the types (JSON meta, TabSeparatedWithNamesAndTypes) to decode values: count()
  // and its kin are UInt64 in ClickHouse, and a UInt64 value is quoted in JSON, a number is not.
  const std::string sql =
      "SELECT count() AS c, countIf(number > 50) AS big, uniqExact(number % 7) AS u "
      "FROM numbers(100) FORMAT TabSeparatedWithNamesAndTypes";
  const Answer theirs = post(peer_port(), "/", sql);
  const Answer ours = query(sql);
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(ours.body, theirs.body);
  // sum over integers is Int128 here (DuckDB's HUGEINT) where ClickHouse says UInt64, a known
  // difference (docs/SQL.md); the values must still be the same.
  const std::string sums =
      "SELECT sumIf(number, number % 2 = 0) AS s, sum(number) AS total "
      "FROM numbers(100) FORMAT TabSeparated";
  const Answer their_sums = post(peer_port(), "/", sums);
  ASSERT_EQ(their_sums.status, 200) << their_sums.body;
  EXPECT_EQ(query(sums).body, their_sums.body);
}

}  // namespace
