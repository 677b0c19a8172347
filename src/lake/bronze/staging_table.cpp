#include "staging_table.hpp"

#include <fmt/format.h>

#include <cstring>
#include <utility>

namespace shoplake::lake {
namespace {

const char* sql_type(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    default:
      return "VARCHAR";
  }
}

}  // namespace

core::Result<StagingTable> StagingTable::create(duckdb_connection connection, std::string name,
                                                std::vector<StagingColumn> columns) {
  std::string definition;
  for (const StagingColumn& column : columns) {
    definition += fmt::format("{}{} {}", definition.empty() ? "" : ", ",
                              sql::duck::quote_identifier(column.name), sql_type(column.type));
  }
  const std::string create = fmt::format("CREATE OR REPLACE TEMP TABLE {} ({})",
                                         sql::duck::quote_identifier(name), definition);
  if (auto error = sql::duck::run(connection, create)) {
    return core::Error{fmt::format("cannot create staging table {}: {}", name, error->message)};
  }
  StagingTable table;
  table.connection_ = connection;
  table.name_ = std::move(name);
  table.columns_ = std::move(columns);
  if (duckdb_appender_create_ext(connection, "temp", "main", table.name_.c_str(),
                                 &table.appender_) == DuckDBError) {
    std::string message = table.appender_ ? duckdb_appender_error(table.appender_) : "unknown";
    return core::Error{fmt::format("cannot append to {}: {}", table.name_, message)};
  }
  std::vector<duckdb_logical_type> types;
  for (const StagingColumn& column : table.columns_) {
    types.push_back(duckdb_create_logical_type(column.type));
  }
  table.chunk_ = duckdb_create_data_chunk(types.data(), types.size());
  for (auto& type : types) duckdb_destroy_logical_type(&type);
  table.capacity_ = duckdb_vector_size();
  table.reset_chunk();
  return table;
}

StagingTable::StagingTable(StagingTable&& other) noexcept {
  *this = std::move(other);
}

StagingTable& StagingTable::operator=(StagingTable&& other) noexcept {
  if (this == &other) return *this;
  if (chunk_) duckdb_destroy_data_chunk(&chunk_);
  if (appender_) duckdb_appender_destroy(&appender_);
  connection_ = other.connection_;
  name_ = std::move(other.name_);
  columns_ = std::move(other.columns_);
  appender_ = std::exchange(other.appender_, nullptr);
  chunk_ = std::exchange(other.chunk_, nullptr);
  vectors_ = std::move(other.vectors_);
  data_ = std::move(other.data_);
  set_in_row_ = std::move(other.set_in_row_);
  row_ = other.row_;
  capacity_ = other.capacity_;
  rows_ = other.rows_;
  return *this;
}

StagingTable::~StagingTable() {
  if (chunk_) duckdb_destroy_data_chunk(&chunk_);
  if (appender_) duckdb_appender_destroy(&appender_);
}

void StagingTable::reset_chunk() {
  duckdb_data_chunk_reset(chunk_);
  vectors_.clear();
  data_.clear();
  for (idx_t column = 0; column < columns_.size(); ++column) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk_, column);
    duckdb_vector_ensure_validity_writable(vector);
    vectors_.push_back(vector);
    data_.push_back(duckdb_vector_get_data(vector));
  }
  set_in_row_.assign(columns_.size(), 0);
  row_ = 0;
}

void StagingTable::set_string(std::size_t column, std::string_view value) {
  duckdb_vector_assign_string_element_len(vectors_[column], row_, value.data(), value.size());
  set_in_row_[column] = 1;
}
void StagingTable::set_int64(std::size_t column, std::int64_t value) {
  static_cast<std::int64_t*>(data_[column])[row_] = value;
  set_in_row_[column] = 1;
}
void StagingTable::set_int32(std::size_t column, std::int32_t value) {
  static_cast<std::int32_t*>(data_[column])[row_] = value;
  set_in_row_[column] = 1;
}
void StagingTable::set_double(std::size_t column, double value) {
  static_cast<double*>(data_[column])[row_] = value;
  set_in_row_[column] = 1;
}
void StagingTable::set_timestamp_us(std::size_t column, std::int64_t micros) {
  static_cast<duckdb_timestamp*>(data_[column])[row_].micros = micros;
  set_in_row_[column] = 1;
}
void StagingTable::set_date(std::size_t column, std::int32_t days) {
  static_cast<duckdb_date*>(data_[column])[row_].days = days;
  set_in_row_[column] = 1;
}

void StagingTable::mark_row_nulls() {
  for (std::size_t column = 0; column < columns_.size(); ++column) {
    if (set_in_row_[column]) {
      set_in_row_[column] = 0;
      continue;
    }
    duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vectors_[column]), row_);
  }
}

core::Status StagingTable::end_row() {
  mark_row_nulls();
  ++row_;
  ++rows_;
  if (row_ < capacity_) return core::ok_status();
  duckdb_data_chunk_set_size(chunk_, row_);
  if (duckdb_append_data_chunk(appender_, chunk_) == DuckDBError) {
    return core::Error{fmt::format("staging {}: {}", name_, duckdb_appender_error(appender_))};
  }
  reset_chunk();
  return core::ok_status();
}

core::Status StagingTable::flush() {
  if (row_ > 0) {
    duckdb_data_chunk_set_size(chunk_, row_);
    if (duckdb_append_data_chunk(appender_, chunk_) == DuckDBError) {
      return core::Error{fmt::format("staging {}: {}", name_, duckdb_appender_error(appender_))};
    }
    reset_chunk();
  }
  if (duckdb_appender_flush(appender_) == DuckDBError) {
    return core::Error{fmt::format("staging {}: {}", name_, duckdb_appender_error(appender_))};
  }
  return core::ok_status();
}

core::Status StagingTable::clear() {
  if (auto error =
          sql::duck::run(connection_, "DELETE FROM " + sql::duck::quote_identifier(name_))) {
    return core::Error{fmt::format("cannot clear staging table {}: {}", name_, error->message)};
  }
  rows_ = 0;
  return core::ok_status();
}

}  // namespace shoplake::lake
