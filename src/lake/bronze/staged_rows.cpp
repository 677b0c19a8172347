#include "staged_rows.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::lake {
namespace {

constexpr const char* kFunctionName = "shoplake_staged_rows";

// Live batches by key: the table function finds its rows here at bind time.
struct Registry {
  std::mutex mutex;
  std::unordered_map<std::int64_t, StagedRows*> batches;
  std::atomic<std::int64_t> next_key{1};
};

Registry& registry() {
  static Registry instance;
  return instance;
}

// Shared by the threads of one scan: each call takes the next chunk, so COPY encodes on every
// thread (a single-threaded source would make the whole pipeline single-threaded).
struct ScanState {
  std::atomic<std::size_t> next_chunk{0};
};

void bind_staged_rows(duckdb_bind_info info) {
  sql::duck::Value key_value(duckdb_bind_get_parameter(info, 0));
  const std::int64_t key = duckdb_get_int64(key_value.get());
  StagedRows* batch = nullptr;
  {
    std::lock_guard lock(registry().mutex);
    auto found = registry().batches.find(key);
    if (found != registry().batches.end()) batch = found->second;
  }
  if (batch == nullptr) {
    duckdb_bind_set_error(info, fmt::format("staged batch {} is gone", key).c_str());
    return;
  }
  for (const StagingColumn& column : batch->columns()) {
    sql::duck::LogicalType type(duckdb_create_logical_type(column.type));
    duckdb_bind_add_result_column(info, column.name.c_str(), type.get());
  }
  duckdb_bind_set_bind_data(info, batch, nullptr);
}

void init_staged_rows(duckdb_init_info info) {
  auto* batch = static_cast<StagedRows*>(duckdb_init_get_bind_data(info));
  duckdb_init_set_max_threads(info, std::max<idx_t>(1, batch->chunks().size()));
  duckdb_init_set_init_data(info, new ScanState,
                            [](void* data) { delete static_cast<ScanState*>(data); });
}

void scan_staged_rows(duckdb_function_info info, duckdb_data_chunk output) {
  auto* batch = static_cast<StagedRows*>(duckdb_function_get_bind_data(info));
  auto& state = *static_cast<ScanState*>(duckdb_function_get_init_data(info));
  const auto& chunks = batch->chunks();
  std::size_t index = state.next_chunk.fetch_add(1);
  while (index < chunks.size() && duckdb_data_chunk_get_size(chunks[index]) == 0) {
    index = state.next_chunk.fetch_add(1);
  }
  if (index >= chunks.size()) {
    duckdb_data_chunk_set_size(output, 0);
    return;
  }
  duckdb_data_chunk source = chunks[index];
  for (idx_t column = 0; column < batch->columns().size(); ++column) {
    duckdb_vector_reference_vector(duckdb_data_chunk_get_vector(output, column),
                                   duckdb_data_chunk_get_vector(source, column));
  }
  duckdb_data_chunk_set_size(output, duckdb_data_chunk_get_size(source));
}

}  // namespace

StagedRows::StagedRows(std::vector<StagingColumn> columns)
    : columns_(std::move(columns)), key_(registry().next_key.fetch_add(1)) {
  capacity_ = duckdb_vector_size();
  start_chunk();
  std::lock_guard lock(registry().mutex);
  registry().batches[key_] = this;
}

StagedRows::~StagedRows() {
  {
    std::lock_guard lock(registry().mutex);
    registry().batches.erase(key_);
  }
  for (auto& chunk : chunks_) duckdb_destroy_data_chunk(&chunk);
}

core::Status StagedRows::register_function(duckdb_connection connection) {
  // A function of that name is already in this database: registered by an earlier writer.
  sql::duck::Result probe;
  const std::string exists =
      fmt::format("SELECT 1 FROM duckdb_functions() WHERE function_name = '{}'", kFunctionName);
  if (duckdb_query(connection, exists.c_str(), probe.out()) == DuckDBSuccess &&
      duckdb_row_count(probe.get()) > 0) {
    return core::ok_status();
  }
  sql::duck::TableFunction function(duckdb_create_table_function());
  duckdb_table_function_set_name(function.get(), kFunctionName);
  sql::duck::LogicalType bigint(duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
  duckdb_table_function_add_parameter(function.get(), bigint.get());
  duckdb_table_function_set_bind(function.get(), bind_staged_rows);
  duckdb_table_function_set_init(function.get(), init_staged_rows);
  duckdb_table_function_set_function(function.get(), scan_staged_rows);
  if (duckdb_register_table_function(connection, function.get()) != DuckDBSuccess) {
    return core::Error{"cannot register the staged rows function"};
  }
  return core::ok_status();
}

std::string StagedRows::select_sql() const {
  return fmt::format("SELECT * FROM {}({})", kFunctionName, key_);
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
  vectors_.clear();
  data_.clear();
  for (idx_t column = 0; column < columns_.size(); ++column) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, column);
    duckdb_vector_ensure_validity_writable(vector);
    vectors_.push_back(vector);
    data_.push_back(duckdb_vector_get_data(vector));
  }
  set_in_row_.assign(columns_.size(), 0);
  row_ = 0;
}

char* StagedRows::string_space(std::size_t bytes) {
  constexpr std::size_t kBlockBytes = std::size_t{1} << 20;
  if (blocks_used_ > 0 && block_used_bytes_ + bytes <= string_blocks_[blocks_used_ - 1].size) {
    char* space = string_blocks_[blocks_used_ - 1].bytes.get() + block_used_bytes_;
    block_used_bytes_ += bytes;
    return space;
  }
  if (blocks_used_ == string_blocks_.size() || string_blocks_[blocks_used_].size < bytes) {
    const std::size_t size = std::max(kBlockBytes, bytes);
    string_blocks_.insert(string_blocks_.begin() + static_cast<std::ptrdiff_t>(blocks_used_),
                          StringBlock{std::make_unique_for_overwrite<char[]>(size), size});
  }
  ++blocks_used_;
  block_used_bytes_ = bytes;
  return string_blocks_[blocks_used_ - 1].bytes.get();
}

void StagedRows::set_string(std::size_t column, std::string_view value) {
  constexpr std::size_t kInlineBytes = 12;
  auto& slot = static_cast<duckdb_string_t*>(data_[column])[row_];
  const auto length = static_cast<std::uint32_t>(value.size());
  if (value.size() <= kInlineBytes) {
    slot.value.inlined.length = length;
    std::memset(slot.value.inlined.inlined, 0, kInlineBytes);
    std::memcpy(slot.value.inlined.inlined, value.data(), value.size());
  } else {
    char* bytes = string_space(value.size());
    std::memcpy(bytes, value.data(), value.size());
    slot.value.pointer.length = length;
    std::memcpy(slot.value.pointer.prefix, value.data(), 4);
    slot.value.pointer.ptr = bytes;
  }
  set_in_row_[column] = 1;
}
void StagedRows::set_int64(std::size_t column, std::int64_t value) {
  static_cast<std::int64_t*>(data_[column])[row_] = value;
  set_in_row_[column] = 1;
}
void StagedRows::set_int32(std::size_t column, std::int32_t value) {
  static_cast<std::int32_t*>(data_[column])[row_] = value;
  set_in_row_[column] = 1;
}
void StagedRows::set_double(std::size_t column, double value) {
  static_cast<double*>(data_[column])[row_] = value;
  set_in_row_[column] = 1;
}
void StagedRows::set_timestamp_us(std::size_t column, std::int64_t micros) {
  static_cast<duckdb_timestamp*>(data_[column])[row_].micros = micros;
  set_in_row_[column] = 1;
}
void StagedRows::set_date(std::size_t column, std::int32_t days) {
  static_cast<duckdb_date*>(data_[column])[row_].days = days;
  set_in_row_[column] = 1;
}

void StagedRows::end_row() {
  for (std::size_t column = 0; column < columns_.size(); ++column) {
    if (set_in_row_[column]) {
      set_in_row_[column] = 0;
    } else {
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vectors_[column]), row_);
    }
  }
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
  block_used_bytes_ = 0;
  rows_ = 0;
  start_chunk();
}

}  // namespace shoplake::lake
