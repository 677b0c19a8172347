// The optional mirror of shoplake's serving tables (realtime.*, gold.*) into an external
// ClickHouse over HTTP, for users who keep ClickHouse as their serving layer. Each table becomes
// the same database.table there, so a query runs unchanged on both. A pass creates what is
// missing and inserts the rows that changed since the previous pass; everything it sends is
// idempotent (ReplacingMergeTree on the table's key), so a retry or a restart never duplicates.
// It only reads through Engine::query, so it never blocks queries or ingest. docs/EXPORT.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/engine.hpp"

namespace shoplake::sql {

struct ExportOptions {
  std::string url = "http://127.0.0.1:8123";  // http(s)://host[:port] of ClickHouse's HTTP port
  std::string user;                           // empty: ClickHouse's `default`, no credentials
  std::string password;                       // sent as HTTP basic auth, never logged
  std::vector<std::string> schemas{"realtime", "gold"};
  std::chrono::milliseconds interval{10'000};  // between passes of start()'s thread
  std::chrono::milliseconds timeout{30'000};   // per HTTP request
  std::size_t batch_rows = 10'000;             // rows per INSERT
};

struct TableExport {
  std::string table;  // "gold.revenue_daily", the same name on both sides
  std::uint64_t rows_read = 0;
  std::uint64_t rows_sent = 0;
  std::uint64_t rows_skipped = 0;  // rows ClickHouse's key cannot hold; `warning` says why
  std::string warning;
  std::string error;  // empty: the table is up to date in ClickHouse
};

struct ExportReport {
  std::vector<TableExport> tables;

  std::uint64_t rows_sent() const;
  bool ok() const;             // no table failed
  std::string errors() const;  // every failed table's error, one a line
};

class ClickHouseExporter {
 public:
  ClickHouseExporter(Engine& engine, ExportOptions options);
  ~ClickHouseExporter();  // stop()s
  ClickHouseExporter(const ClickHouseExporter&) = delete;
  ClickHouseExporter& operator=(const ClickHouseExporter&) = delete;

  // One pass over every table of the schemas. An error (naming the URL) when ClickHouse cannot
  // be reached or the tables cannot be listed; a table's own failure is in its TableExport, and
  // the other tables still go. Passes never overlap, whoever runs them.
  core::Result<ExportReport> run_once();

  // A thread running a pass every interval; a failed pass is logged and retried at the next.
  void start();
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::sql
