// Users' connections to the one DuckDB database, reused across queries. DuckDB runs queries of
// different connections concurrently, so the pool only hands out and takes back; it never waits.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/duckdb_handles.hpp"
#include "shoplake/sql/result.hpp"

namespace shoplake::sql {

// A user query this connection has checked and prepared before, ready to run again: dashboards
// send the same few queries over and over, and DuckDB's parse, bind and plan of a small query
// cost more than running it. Reused only while the catalog is the one it was bound against.
struct PreparedQuery {
  duck::PreparedStatement statement;
  std::vector<ColumnInfo> columns;
  std::uint64_t catalog_version = 0;  // the catalog it was bound against
};

struct PooledConnection {
  duck::Connection connection;
  std::string schema = "main";  // what its unqualified names resolve in now
  // Keyed by schema and query text; parameterless queries only.
  std::unordered_map<std::string, PreparedQuery> prepared;
  static constexpr std::size_t kMaxPrepared = 128;
  // Every query runs in a read-only transaction of its own.
  duck::PreparedStatement begin_read_only;
  duck::PreparedStatement rollback;
};

class ConnectionPool {
 public:
  // `prepare` runs once on every new connection (per-connection macros); an error fails acquire.
  using Prepare = std::function<core::Status(duckdb_connection)>;
  ConnectionPool(duckdb_database database, Prepare prepare, std::size_t max_idle);

  // A connection back to the pool when the lease ends, unless discard() was called.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<PooledConnection> held)
        : pool_(pool), held_(std::move(held)) {}
    ~Lease();
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    PooledConnection& operator*() const { return *held_; }
    PooledConnection* operator->() const { return held_.get(); }
    // For a connection left in an unknown state (interrupted, failed rollback).
    void discard() { discarded_ = true; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<PooledConnection> held_;
    bool discarded_ = false;
  };

  core::Result<Lease> acquire();

 private:
  void release(std::unique_ptr<PooledConnection> connection);

  duckdb_database database_;
  Prepare prepare_;
  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
};

}  // namespace shoplake::sql
