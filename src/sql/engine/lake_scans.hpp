// The current scan of each Delta table read from its files (bronze, silver, a gold table too large
// to copy). Its view, `SELECT * FROM query(shoplake_lake_scan('<schema>.<name>#<n>'))`, stays the
// same from commit to commit: a commit replaces the SQL held here instead of the view. DuckDB binds
// a Parquet scan again on every run of a statement anyway (it never caches one), and that bind
// calls the function, which hands it the newest snapshot's SQL. The catalog itself then changes
// only when a table's columns do, so the statements kept prepared for the dashboards, which read
// tables in memory, stay valid across bronze's commits every few seconds; after a catalog change
// DuckDB 1.4 binds every statement prepared before it again on each run, for good.
#pragma once

#include <duckdb.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "shoplake/core/result.hpp"

namespace shoplake::sql {

class LakeScanRegistry {
 public:
  static constexpr const char* kFunctionName = "shoplake_lake_scan";

  // Registers the scalar function in the database `connection` belongs to; the registry must
  // outlive the database.
  core::Status register_function(duckdb_connection connection);

  // Makes `select_sql` what the views naming `key` read from their next bind on. A key is never
  // removed: a query whose transaction began before its view was replaced may still bind it.
  void set(const std::string& key, std::string select_sql);

  // The SQL for `key`; null when it was never set.
  std::shared_ptr<const std::string> find(const std::string& key) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const std::string>> scans_;
};

}  // namespace shoplake::sql
