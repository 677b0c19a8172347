// Live tables: rows a publisher produces at query time. Every published version is reachable
// through one DuckDB table function, shoplake_live_table('<schema>.<name>#<version>'); the
// table's view names the version, so replacing the view switches readers atomically.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::sql {

struct LiveTable {
  std::string qualified_name;  // schema.name, for messages
  std::vector<TableColumn> columns;
  LiveTableScan scan;
};

class LiveTableRegistry {
 public:
  static constexpr const char* kFunctionName = "shoplake_live_table";

  // Registers the table function in the database `connection` belongs to; the registry must
  // outlive the database.
  core::Status register_function(duckdb_connection connection);

  // Adds a new version of schema.name and returns the key its view scans. The previous version
  // stays reachable for queries that bound the old view a moment before it was replaced.
  std::string add(const std::string& schema, const std::string& name, LiveTable table);
  void remove(const std::string& schema, const std::string& name);
  std::shared_ptr<const LiveTable> find(const std::string& key) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const LiveTable>> versions_;  // by key
  std::map<std::string, std::vector<std::string>> keys_by_table_;      // oldest first
  std::uint64_t next_version_ = 1;
};

duckdb_type live_column_duckdb_type(TableColumnType type);
const char* live_column_duckdb_name(TableColumnType type);

}  // namespace shoplake::sql
