#include "staged_rows.hpp"

#include <cstring>

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::lake {

StagedRows::StagedRows(std::vector<StagingColumn> columns)
    : columns_(std::move(columns)), scan_(std::make_unique<sql::ChunkScan>(*this)) {
  capacity_ = duckdb_vector_size();
  start_chunk();
}

StagedRows::~StagedRows() {
  // No query can find the rows once the scan is gone; then they are freed.
  scan_.reset();
  for (auto& chunk : chunks_) duckdb_destroy_data_chunk(&chunk);
}

core::Status StagedRows::register_function(duckdb_connection connection) {
  return sql::register_chunk_scan(connection);
}

sql::duck::LogicalType StagedRows::column_type(std::size_t column) const {
  return sql::duck::LogicalType(duckdb_create_logical_type(columns_[column].type));
}

void StagedRows::start_chunk() {
  if (chunks_used_ == chunks_.size()) {
    std::vector<duckdb_logical_type> types;
    for (const StagingColumn& column : columns_) {
      types.push_back(duckdb_create_logical_type(column.type));
    }
    chunks_.push_back(duckdb_create_data_chunk(types.data(), types.size()));
    for (auto& type : types) duckdb_destroy_logical_type(&type);
  }
  duckdb_data_chunk chunk = chunks_[chunks_used_++];
  data_.clear();
  validity_.clear();
  for (idx_t column = 0; column < columns_.size(); ++column) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, column);
    duckdb_vector_ensure_validity_writable(vector);
    data_.push_back(duckdb_vector_get_data(vector));
    // Every row starts NULL and a setter marks its value valid: a store per value. A check of
    // every column at the end of each row, with a call into DuckDB for each NULL, was a third
    // of the staging's time.
    std::uint64_t* validity = duckdb_vector_get_validity(vector);
    std::memset(validity, 0, (capacity_ + 63) / 64 * sizeof(std::uint64_t));
    validity_.push_back(validity);
  }
  row_ = 0;
}

char* StagedRows::string_space_in_new_block(std::size_t bytes) {
  constexpr std::size_t kBlockBytes = std::size_t{1} << 20;
  if (blocks_used_ == string_blocks_.size() || string_blocks_[blocks_used_].size < bytes) {
    const std::size_t size = std::max(kBlockBytes, bytes);
    string_blocks_.insert(string_blocks_.begin() + static_cast<std::ptrdiff_t>(blocks_used_),
                          StringBlock{std::make_unique_for_overwrite<char[]>(size), size});
  }
  ++blocks_used_;
  block_ = string_blocks_[blocks_used_ - 1].bytes.get();
  block_used_bytes_ = bytes;
  block_size_ = string_blocks_[blocks_used_ - 1].size;
  return block_;
}

void StagedRows::set_string(std::size_t column, std::string_view value) {
  constexpr std::size_t kInlineBytes = 12;
  auto& slot = static_cast<duckdb_string_t*>(data_[column])[row_];
  const auto length = static_cast<std::uint32_t>(value.size());
  if (value.size() <= kInlineBytes) {
    // Fixed-size copies the compiler turns into moves (two overlapping ones cover every length
    // from 4 to 12), where a copy of the exact length was a call: most values here are short.
    char inlined[kInlineBytes] = {};
    const char* text = value.data();
    if (length >= 8) {
      std::memcpy(inlined, text, 8);
      std::memcpy(inlined + length - 8, text + length - 8, 8);
    } else if (length >= 4) {
      std::memcpy(inlined, text, 4);
      std::memcpy(inlined + length - 4, text + length - 4, 4);
    } else {
      for (std::uint32_t i = 0; i < length; ++i) inlined[i] = text[i];
    }
    slot.value.inlined.length = length;
    std::memcpy(slot.value.inlined.inlined, inlined, kInlineBytes);
  } else {
    char* bytes = string_space(value.size());
    std::memcpy(bytes, value.data(), value.size());
    slot.value.pointer.length = length;
    std::memcpy(slot.value.pointer.prefix, value.data(), 4);
    slot.value.pointer.ptr = bytes;
  }
  mark_valid(column);
}
void StagedRows::set_int64(std::size_t column, std::int64_t value) {
  static_cast<std::int64_t*>(data_[column])[row_] = value;
  mark_valid(column);
}
void StagedRows::set_int32(std::size_t column, std::int32_t value) {
  static_cast<std::int32_t*>(data_[column])[row_] = value;
  mark_valid(column);
}
void StagedRows::set_double(std::size_t column, double value) {
  static_cast<double*>(data_[column])[row_] = value;
  mark_valid(column);
}
void StagedRows::set_timestamp_us(std::size_t column, std::int64_t micros) {
  static_cast<duckdb_timestamp*>(data_[column])[row_].micros = micros;
  mark_valid(column);
}
void StagedRows::set_date(std::size_t column, std::int32_t days) {
  static_cast<duckdb_date*>(data_[column])[row_].days = days;
  mark_valid(column);
}

void StagedRows::end_row() {
  ++row_;
  ++rows_;
  duckdb_data_chunk_set_size(chunks_[chunks_used_ - 1], row_);
  if (row_ == capacity_) start_chunk();
}

std::span<const duckdb_data_chunk> StagedRows::chunks() const {
  return {chunks_.data(), chunks_used_};
}

void StagedRows::clear() {
  for (std::size_t index = chunks_used_; index < chunks_.size(); ++index) {
    duckdb_destroy_data_chunk(&chunks_[index]);
  }
  chunks_.resize(chunks_used_);
  // Reset keeps each vector's buffer: the next batch writes to the same, warm pages.
  for (auto& chunk : chunks_) duckdb_data_chunk_reset(chunk);
  chunks_used_ = 0;
  string_blocks_.resize(blocks_used_);
  blocks_used_ = 0;
  block_ = nullptr;
  block_used_bytes_ = 0;
  block_size_ = 0;
  rows_ = 0;
  start_chunk();
}

}  // namespace shoplake::lake
