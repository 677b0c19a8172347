// Rows of a batch built in place in DuckDB data chunks (2048 rows each), which a query reads back
// through sql::ChunkScan (shoplake_chunks(key)) without a copy, so staging costs a store per value
// and nothing more (a temporary table cost as much as writing the Parquet: DuckDB compresses and
// rescans its storage).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/chunk_scan.hpp"

namespace shoplake::lake {

struct StagingColumn {
  std::string name;
  duckdb_type type;  // VARCHAR, BIGINT, INTEGER, DOUBLE, DATE, TIMESTAMP_TZ
};

class StagedRows : public sql::ChunkSource {
 public:
  explicit StagedRows(std::vector<StagingColumn> columns);
  ~StagedRows() override;
  StagedRows(const StagedRows&) = delete;
  StagedRows& operator=(const StagedRows&) = delete;

  // Registers the table function that reads staged rows on the connection's database (once per
  // database).
  static core::Status register_function(duckdb_connection connection);

  // Setters for the current row; a column not set in a row is NULL.
  void set_string(std::size_t column, std::string_view value);
  void set_int64(std::size_t column, std::int64_t value);
  void set_int32(std::size_t column, std::int32_t value);
  void set_double(std::size_t column, double value);
  void set_timestamp_us(std::size_t column, std::int64_t micros);
  void set_date(std::size_t column, std::int32_t days);
  void end_row();

  std::uint64_t rows() const { return rows_; }
  // Every row staged so far, while this lives.
  std::string select_sql() const { return scan_->select_sql(); }
  // Empties the rows and keeps the memory this batch used for the next one: in this VM the first
  // write to each fresh page is a fault in the hypervisor, which made the staging's first store
  // to each slot nine tenths of its cost. What this batch did not use is freed, so the memory
  // kept follows the load.
  void clear();

  const std::vector<StagingColumn>& columns() const { return columns_; }
  // The filled chunks, the last one sized to its rows (for the table function).
  std::span<const duckdb_data_chunk> chunks() const override;
  std::size_t column_count() const override { return columns_.size(); }
  std::string column_name(std::size_t column) const override { return columns_[column].name; }
  sql::duck::LogicalType column_type(std::size_t column) const override;

 private:
  void start_chunk();
  char* string_space(std::size_t bytes) {
    if (block_used_bytes_ + bytes <= block_size_) {
      char* space = block_ + block_used_bytes_;
      block_used_bytes_ += bytes;
      return space;
    }
    return string_space_in_new_block(bytes);
  }
  char* string_space_in_new_block(std::size_t bytes);
  void mark_valid(std::size_t column) {
    validity_[column][row_ >> 6] |= std::uint64_t{1} << (row_ & 63);
  }

  struct StringBlock {
    std::unique_ptr<char[]> bytes;
    std::size_t size = 0;
  };

  std::vector<StagingColumn> columns_;
  std::unique_ptr<sql::ChunkScan> scan_;
  std::vector<duckdb_data_chunk> chunks_;  // those in use first, then kept ones
  std::size_t chunks_used_ = 0;
  std::vector<void*> data_;  // of the current chunk's vectors
  std::vector<std::uint64_t*> validity_;
  idx_t row_ = 0;  // within the current chunk
  idx_t capacity_ = 0;
  std::uint64_t rows_ = 0;
  // The bytes of strings too long to inline in a duckdb_string_t (12 bytes): the chunks point
  // here, so a string costs one copy and no call into DuckDB. Those in use first, then kept ones.
  std::vector<StringBlock> string_blocks_;
  std::size_t blocks_used_ = 0;
  char* block_ = nullptr;  // the last block in use
  std::size_t block_used_bytes_ = 0;
  std::size_t block_size_ = 0;
};

}  // namespace shoplake::lake
