// Reading DuckDB result vectors into shoplake's ResultChunk columns.
#pragma once

#include <duckdb.h>

#include <memory>
#include <string>
#include <vector>

#include "shoplake/sql/result.hpp"

namespace shoplake::sql {

// The DuckDB type a result column must be cast to before it can be read ("VARCHAR",
// "VARCHAR[]"), or empty when it is read as it is. Types without a ClickHouse counterpart
// (UUID, INTERVAL, TIME, STRUCT, …) travel as DuckDB's text for them.
std::string text_cast_target(duckdb_logical_type type);

// How one column's vectors are read; built once per query from the column's type.
class ColumnReader {
 public:
  explicit ColumnReader(duckdb_logical_type type);
  // Appends `count` rows of `vector`, from row `first`, to `out`; returns the bytes appended.
  std::size_t append(duckdb_vector vector, idx_t first, idx_t count, ColumnData& out) const;

 private:
  void reserve(ColumnData& out, std::size_t count) const;

  duckdb_type type_id_;
  duckdb_type decimal_storage_ = DUCKDB_TYPE_INVALID;
  std::uint8_t decimal_scale_ = 0;
  std::unique_ptr<ColumnReader> element_;
  duckdb_type enum_storage_ = DUCKDB_TYPE_INVALID;
  std::vector<std::string> enum_members_;
};

}  // namespace shoplake::sql
