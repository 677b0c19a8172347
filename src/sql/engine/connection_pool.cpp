#include "connection_pool.hpp"

namespace shoplake::sql {

ConnectionPool::ConnectionPool(duckdb_database database, Prepare prepare, std::size_t max_idle)
    : database_(database), prepare_(std::move(prepare)), max_idle_(max_idle) {}

ConnectionPool::Lease::~Lease() {
  if (held_ && !discarded_) pool_->release(std::move(held_));
}

core::Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
  }
  auto fresh = std::make_unique<PooledConnection>();
  if (duckdb_connect(database_, fresh->connection.out()) != DuckDBSuccess) {
    return core::Error{"cannot open a DuckDB connection"};
  }
  if (auto prepared = prepare_(fresh->connection.get()); !prepared)
    return core::Error{prepared.error()};
  return Lease(this, std::move(fresh));
}

void ConnectionPool::release(std::unique_ptr<PooledConnection> connection) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
}

}  // namespace shoplake::sql
