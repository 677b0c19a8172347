// Live tables: rows a publisher produces at query time. Every published version is reachable
// through one DuckDB table function, shoplake_live_table('<schema>.<name>#<version>'); the
// table's view names the version, so replacing the view switches readers atomically.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "settled_rows.hpp"
#include "shoplake/core/result.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::sql {

struct LiveTable {
  std::string qualified_name;  // schema.name, for messages
  std::vector<TableColumn> columns;
  TimeSeriesScan scan;  // a plain live table's ignores `from`
  // A time series' final rows: a scan hands them over first, then asks `scan` for the rest.
  std::shared_ptr<const SettledRows> settled;
};

// A replaced version stays reachable until every query that started before the replacement has
// ended: such a query reads the catalog as of its start, so it may still bind the old view.
class LiveTableRegistry {
 public:
  static constexpr const char* kFunctionName = "shoplake_live_table";

  // Registers the table function in the database `connection` belongs to; the registry must
  // outlive the database.
  core::Status register_function(duckdb_connection connection);

  // Publishing: add() a version and get the key its view scans, then, once the view is
  // replaced, make it current with commit() (or abandon() it when the view could not be).
  std::string add(const std::string& schema, const std::string& name, LiveTable table);
  void commit(const std::string& schema, const std::string& name, const std::string& key);
  void abandon(const std::string& key);
  void remove(const std::string& schema, const std::string& name);
  std::shared_ptr<const LiveTable> find(const std::string& key) const;

  // Held by a query from before its transaction starts until after it ends.
  class Pin {
   public:
    Pin(LiveTableRegistry* registry, std::uint64_t epoch) : registry_(registry), epoch_(epoch) {}
    ~Pin() {
      if (registry_ != nullptr) registry_->unpin(epoch_);
    }
    Pin(Pin&& other) noexcept
        : registry_(std::exchange(other.registry_, nullptr)), epoch_(other.epoch_) {}
    Pin& operator=(Pin&&) = delete;
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;

   private:
    LiveTableRegistry* registry_;
    std::uint64_t epoch_;
  };
  Pin pin();

 private:
  struct Version {
    std::shared_ptr<const LiveTable> table;
    std::optional<std::uint64_t> superseded_at;  // the epoch its replacement became visible
  };
  void supersede(const std::string& table_key);  // with mutex_ held
  void unpin(std::uint64_t epoch);
  void collect();  // with mutex_ held: drops versions no running query can bind

  mutable std::mutex mutex_;
  std::map<std::string, Version> versions_;     // by key
  std::map<std::string, std::string> current_;  // schema.name -> key of its current version
  std::multiset<std::uint64_t> pinned_epochs_;
  std::uint64_t epoch_ = 0;
  std::uint64_t next_version_ = 1;
};

}  // namespace shoplake::sql
