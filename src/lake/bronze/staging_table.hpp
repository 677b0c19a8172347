// Rows staged in a DuckDB temporary table, a data chunk (2048 rows) at a time, so that filling a
// batch costs a store per value instead of a call per value (duckdb_append_* is ~20x slower).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::lake {

struct StagingColumn {
  std::string name;
  duckdb_type type;  // VARCHAR, BIGINT, INTEGER, DOUBLE, DATE, TIMESTAMP_TZ
};

class StagingTable {
 public:
  // Creates (or replaces) TEMP table `name` with `columns` on `connection`.
  static core::Result<StagingTable> create(duckdb_connection connection, std::string name,
                                           std::vector<StagingColumn> columns);
  StagingTable(StagingTable&&) noexcept;
  StagingTable& operator=(StagingTable&&) noexcept;
  ~StagingTable();

  // Setters for the current row; a column not set in a row is NULL.
  void set_string(std::size_t column, std::string_view value);
  void set_int64(std::size_t column, std::int64_t value);
  void set_int32(std::size_t column, std::int32_t value);
  void set_double(std::size_t column, double value);
  void set_timestamp_us(std::size_t column, std::int64_t micros);
  void set_date(std::size_t column, std::int32_t days);
  // Ends the current row (appending the chunk when it is full).
  core::Status end_row();

  // Appends the partial chunk and flushes the appender, so that a SELECT sees every row.
  core::Status flush();
  // Deletes every row (after the batch has been written out).
  core::Status clear();
  std::uint64_t rows() const { return rows_; }
  const std::string& name() const { return name_; }

 private:
  StagingTable() = default;
  void reset_chunk();
  void mark_row_nulls();

  duckdb_connection connection_ = nullptr;
  std::string name_;
  std::vector<StagingColumn> columns_;
  duckdb_appender appender_ = nullptr;
  duckdb_data_chunk chunk_ = nullptr;
  std::vector<duckdb_vector> vectors_;
  std::vector<void*> data_;
  std::vector<std::uint8_t> set_in_row_;
  idx_t row_ = 0;  // within the chunk
  idx_t capacity_ = 0;
  std::uint64_t rows_ = 0;
};

}  // namespace shoplake::lake
