// Rows that are already in DuckDB data chunks, read by a query through the table function
// shoplake_chunks(key) without a copy: the scan references the chunks' vectors, and hands one
// chunk to each call, so a COPY or an aggregate over them runs on every thread. A temporary table
// would cost as much again as the rows: DuckDB copies them into its storage and scans that.
// Used by the bronze landing (rows staged in place) and the pipeline (a model's output held as its
// query's result).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {

// What shoplake_chunks(key) reads: its columns when a query is bound, its chunks when it runs.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  virtual std::size_t column_count() const = 0;
  virtual std::string column_name(std::size_t column) const = 0;
  virtual duck::LogicalType column_type(std::size_t column) const = 0;
  virtual std::span<const duckdb_data_chunk> chunks() const = 0;
};

// Registers shoplake_chunks on the connection's database (once per database; later calls find it).
core::Status register_chunk_scan(duckdb_connection connection);

// A source readable through shoplake_chunks while this lives. The source must outlive it, and
// must not change its chunks while a query reads them.
class ChunkScan {
 public:
  explicit ChunkScan(const ChunkSource& source);
  ~ChunkScan();
  ChunkScan(const ChunkScan&) = delete;
  ChunkScan& operator=(const ChunkScan&) = delete;

  // `SELECT * FROM shoplake_chunks(<key>)`.
  std::string select_sql() const;

 private:
  std::int64_t key_;
};

// The rows of a query's materialized result, held as its chunks: a ChunkSource for ChunkScan.
class ResultChunks : public ChunkSource {
 public:
  // Takes the result's rows as its chunks. The result lives on with them: their strings may point
  // into its memory.
  static std::unique_ptr<ResultChunks> take(duck::Result result);
  ~ResultChunks() override;
  ResultChunks(const ResultChunks&) = delete;
  ResultChunks& operator=(const ResultChunks&) = delete;

  std::size_t column_count() const override { return names_.size(); }
  std::string column_name(std::size_t column) const override { return names_[column]; }
  duck::LogicalType column_type(std::size_t column) const override;
  std::span<const duckdb_data_chunk> chunks() const override { return chunks_; }
  std::uint64_t rows() const { return rows_; }

 private:
  ResultChunks() = default;
  mutable duck::Result result_;  // the C API reads a result's types through a non-const pointer
  std::vector<std::string> names_;
  std::vector<duckdb_data_chunk> chunks_;
  std::uint64_t rows_ = 0;
};

}  // namespace shoplake::sql
