#include "shoplake/sql/chunk_scan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>

namespace shoplake::sql {
namespace {

constexpr const char* kFunctionName = "shoplake_chunks";

// Live sources by key: the table function finds its source here when a query is bound.
struct ChunkSources {
  std::mutex mutex;
  std::unordered_map<std::int64_t, const ChunkSource*> sources;
  std::atomic<std::int64_t> next_key{1};
};

ChunkSources& chunk_sources() {
  static ChunkSources instance;
  return instance;
}

// Shared by the threads of one scan: each call takes the next chunk, so the query runs on every
// thread (a single-threaded source would make the whole pipeline single-threaded).
struct ChunkScanState {
  std::atomic<std::size_t> next_chunk{0};
};

void bind_chunks(duckdb_bind_info info) {
  duck::Value key_value(duckdb_bind_get_parameter(info, 0));
  const std::int64_t key = duckdb_get_int64(key_value.get());
  const ChunkSource* source = nullptr;
  {
    const std::lock_guard lock(chunk_sources().mutex);
    const auto found = chunk_sources().sources.find(key);
    if (found != chunk_sources().sources.end()) source = found->second;
  }
  if (source == nullptr) {
    duckdb_bind_set_error(info,
                          fmt::format("the rows of {}({}) are gone", kFunctionName, key).c_str());
    return;
  }
  for (std::size_t column = 0; column < source->column_count(); ++column) {
    const duck::LogicalType type = source->column_type(column);
    duckdb_bind_add_result_column(info, source->column_name(column).c_str(), type.get());
  }
  duckdb_bind_set_bind_data(info, const_cast<ChunkSource*>(source), nullptr);
}

void init_chunks(duckdb_init_info info) {
  const auto* source = static_cast<const ChunkSource*>(duckdb_init_get_bind_data(info));
  duckdb_init_set_max_threads(info, std::max<idx_t>(1, source->chunks().size()));
  duckdb_init_set_init_data(info, new ChunkScanState,
                            [](void* data) { delete static_cast<ChunkScanState*>(data); });
}

void scan_chunks(duckdb_function_info info, duckdb_data_chunk output) {
  const auto* source = static_cast<const ChunkSource*>(duckdb_function_get_bind_data(info));
  auto& state = *static_cast<ChunkScanState*>(duckdb_function_get_init_data(info));
  const auto chunks = source->chunks();
  std::size_t index = state.next_chunk.fetch_add(1);
  while (index < chunks.size() && duckdb_data_chunk_get_size(chunks[index]) == 0) {
    index = state.next_chunk.fetch_add(1);
  }
  if (index >= chunks.size()) {
    duckdb_data_chunk_set_size(output, 0);
    return;
  }
  const duckdb_data_chunk chunk = chunks[index];
  for (idx_t column = 0; column < source->column_count(); ++column) {
    duckdb_vector_reference_vector(duckdb_data_chunk_get_vector(output, column),
                                   duckdb_data_chunk_get_vector(chunk, column));
  }
  duckdb_data_chunk_set_size(output, duckdb_data_chunk_get_size(chunk));
}

}  // namespace

core::Status register_chunk_scan(duckdb_connection connection) {
  // A function of that name is already in this database: registered by an earlier caller.
  duck::Result probe;
  const std::string exists =
      fmt::format("SELECT 1 FROM duckdb_functions() WHERE function_name = '{}'", kFunctionName);
  if (duckdb_query(connection, exists.c_str(), probe.out()) == DuckDBSuccess &&
      duckdb_row_count(probe.get()) > 0) {
    return core::ok_status();
  }
  duck::TableFunction function(duckdb_create_table_function());
  duckdb_table_function_set_name(function.get(), kFunctionName);
  duck::LogicalType bigint(duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
  duckdb_table_function_add_parameter(function.get(), bigint.get());
  duckdb_table_function_set_bind(function.get(), bind_chunks);
  duckdb_table_function_set_init(function.get(), init_chunks);
  duckdb_table_function_set_function(function.get(), scan_chunks);
  if (duckdb_register_table_function(connection, function.get()) != DuckDBSuccess) {
    return core::Error{fmt::format("cannot register the table function {}", kFunctionName)};
  }
  return core::ok_status();
}

ChunkScan::ChunkScan(const ChunkSource& source) : key_(chunk_sources().next_key.fetch_add(1)) {
  const std::lock_guard lock(chunk_sources().mutex);
  chunk_sources().sources[key_] = &source;
}

ChunkScan::~ChunkScan() {
  const std::lock_guard lock(chunk_sources().mutex);
  chunk_sources().sources.erase(key_);
}

std::string ChunkScan::select_sql() const {
  return fmt::format("SELECT * FROM {}({})", kFunctionName, key_);
}

std::unique_ptr<ResultChunks> ResultChunks::take(duck::Result result) {
  std::unique_ptr<ResultChunks> held(new ResultChunks());
  held->result_ = std::move(result);
  duckdb_result* rows = held->result_.get();
  for (idx_t column = 0; column < duckdb_column_count(rows); ++column) {
    const char* name = duckdb_column_name(rows, column);
    held->names_.emplace_back(name != nullptr ? name : "");
  }
  while (duckdb_data_chunk chunk = duckdb_fetch_chunk(*rows)) {
    held->rows_ += duckdb_data_chunk_get_size(chunk);
    held->chunks_.push_back(chunk);
  }
  return held;
}

ResultChunks::~ResultChunks() {
  for (auto& chunk : chunks_) duckdb_destroy_data_chunk(&chunk);
}

duck::LogicalType ResultChunks::column_type(std::size_t column) const {
  return duck::LogicalType(duckdb_column_logical_type(result_.get(), static_cast<idx_t>(column)));
}

}  // namespace shoplake::sql
