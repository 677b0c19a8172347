// One user query from its statement check to its last chunk, on a pooled connection inside a
// read-only transaction (a second wall behind the statement check: whatever slips past it
// cannot write).
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "chunk_reader.hpp"
#include "connection_pool.hpp"
#include "live_tables.hpp"
#include "query_watchdog.hpp"
#include "shoplake/sql/duckdb_handles.hpp"
#include "shoplake/sql/engine.hpp"

namespace shoplake::sql {

struct QueryLimits {
  std::chrono::milliseconds timeout;
  std::uint64_t max_rows;
};

class QueryStream final : public ResultStream {
 public:
  // `pin` keeps the live table versions this query's snapshot may bind; taken before the
  // connection's transaction starts.
  QueryStream(LiveTableRegistry::Pin pin, ConnectionPool::Lease lease, QueryWatchdog& watchdog,
              QueryLimits limits, const std::atomic<std::uint64_t>& catalog_version);
  ~QueryStream() override;

  // Checks, prepares, binds and starts the query; on failure the stream is unusable.
  std::optional<QueryError> start(const QueryRequest& request);

  const std::vector<ColumnInfo>& columns() const override { return columns_; }
  std::variant<bool, QueryError> next(ResultChunk& chunk) override;
  QueryStatistics statistics() const override;

 private:
  std::optional<QueryError> prepare_checked(const std::string& sql);
  // The columns a query gives (typed by running it when parameters leave them open), with the
  // casts to text some types need applied, then runs it.
  std::optional<QueryError> describe_and_execute(const QueryRequest& request);
  void start_reading();
  bool result_matches(const std::vector<ColumnInfo>& columns);
  // The statement that runs: this connection's prepared copy, or the one prepared now.
  duckdb_prepared_statement statement() const {
    return reused_ != nullptr ? reused_->statement.get() : prepared_.get();
  }
  std::optional<QueryError> bind(const QueryRequest& request);
  std::optional<QueryError> bind_clock(duckdb_prepared_statement prepared, StatementClock clock);
  std::optional<QueryError> bind_and_execute(const QueryRequest& request);
  QueryError error_from_duckdb(duckdb_error_type type, const char* message);
  void finish();

  using Clock = std::chrono::steady_clock;
  LiveTableRegistry::Pin pin_;  // released last, after the transaction has ended
  ConnectionPool::Lease lease_;
  QueryWatchdog& watchdog_;
  QueryLimits limits_;
  const std::atomic<std::uint64_t>& catalog_version_;
  Clock::time_point started_ = Clock::now();
  std::optional<Clock::time_point> finished_;
  bool in_transaction_ = false;
  std::optional<std::uint64_t> watch_;
  bool interrupted_ = false;

  duck::PreparedStatement prepared_;
  PreparedQuery* reused_ = nullptr;
  duck::Result result_;
  std::vector<ColumnInfo> columns_;
  std::vector<ColumnReader> readers_;
  std::uint64_t rows_ = 0;
  std::uint64_t bytes_ = 0;
  bool done_ = false;
};

}  // namespace shoplake::sql
