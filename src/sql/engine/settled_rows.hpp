// The final rows of a live time series (catalog.hpp, TimeSeriesScan), kept as full DuckDB chunks
// that a scan of the table hands to DuckDB by reference: a query copies no settled row, and
// settling a minute's rows tops up the last chunk instead of adding a small one.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/catalog.hpp"
#include "shoplake/sql/result.hpp"

namespace shoplake::sql {

class SettledRows {
 public:
  // Up to duckdb_vector_size() rows, never changed once published (a top-up makes a new one).
  class Chunk {
   public:
    explicit Chunk(duckdb_data_chunk chunk) : chunk_(chunk) {}
    ~Chunk() { duckdb_destroy_data_chunk(&chunk_); }
    Chunk(const Chunk&) = delete;
    Chunk& operator=(const Chunk&) = delete;
    duckdb_data_chunk get() const { return chunk_; }
    idx_t rows() const { return duckdb_data_chunk_get_size(chunk_); }
    std::int64_t latest = std::numeric_limits<std::int64_t>::min();  // largest time held

   private:
    duckdb_data_chunk chunk_;
  };

  struct Snapshot {
    std::vector<std::shared_ptr<const Chunk>> chunks;
    // Every final row before it is in `chunks`; the lowest int64 before the first settle.
    std::int64_t boundary = std::numeric_limits<std::int64_t>::min();
  };

  // `time_column` indexes `columns` and is a timestamp_s column.
  SettledRows(std::string table_name, std::vector<TableColumn> columns, std::size_t time_column);

  Snapshot snapshot() const;

  // Adds the rows of `rows` whose time is in [the previous boundary, `boundary`) and at or after
  // `keep_from`, and drops held rows before `keep_from`. Times are epoch seconds.
  core::Status settle(const ResultChunk& rows, std::int64_t boundary, std::int64_t keep_from);

 private:
  std::shared_ptr<Chunk> empty_chunk() const;
  // A new chunk holding the rows `rows` (indexes) of `from`.
  std::shared_ptr<Chunk> copy_of(const Chunk& from, const std::vector<sel_t>& rows) const;
  std::int64_t time_at(const Chunk& chunk, idx_t row) const;
  void drop_before(std::int64_t keep_from);  // with mutex_ held

  const std::string table_name_;
  const std::vector<TableColumn> columns_;
  const std::size_t time_column_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const Chunk>> chunks_;  // oldest first
  std::int64_t boundary_ = std::numeric_limits<std::int64_t>::min();
};

}  // namespace shoplake::sql
