#include "settled_rows.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "live_vectors.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {

SettledRows::SettledRows(std::string table_name, std::vector<TableColumn> columns,
                         std::size_t time_column)
    : table_name_(std::move(table_name)), columns_(std::move(columns)), time_column_(time_column) {}

SettledRows::Snapshot SettledRows::snapshot() const {
  std::lock_guard lock(mutex_);
  return Snapshot{chunks_, boundary_};
}

std::shared_ptr<SettledRows::Chunk> SettledRows::empty_chunk() const {
  std::vector<duck::LogicalType> owned;
  std::vector<duckdb_logical_type> types;
  for (const auto& column : columns_) {
    owned.emplace_back(create_live_column_type(column.type));
    types.push_back(owned.back().get());
  }
  return std::make_shared<Chunk>(duckdb_create_data_chunk(types.data(), types.size()));
}

std::int64_t SettledRows::time_at(const Chunk& chunk, idx_t row) const {
  duckdb_vector times = duckdb_data_chunk_get_vector(chunk.get(), time_column_);
  return static_cast<const std::int64_t*>(duckdb_vector_get_data(times))[row];
}

std::shared_ptr<SettledRows::Chunk> SettledRows::copy_of(const Chunk& from,
                                                         const std::vector<sel_t>& rows) const {
  auto copy = empty_chunk();
  if (rows.empty()) return copy;
  duckdb_selection_vector selection = duckdb_create_selection_vector(rows.size());
  std::copy(rows.begin(), rows.end(), duckdb_selection_vector_get_data_ptr(selection));
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    duckdb_vector_copy_sel(duckdb_data_chunk_get_vector(from.get(), c),
                           duckdb_data_chunk_get_vector(copy->get(), c), selection, rows.size(), 0,
                           0);
  }
  duckdb_destroy_selection_vector(selection);
  duckdb_data_chunk_set_size(copy->get(), rows.size());
  for (idx_t row = 0; row < rows.size(); ++row) {
    copy->latest = std::max(copy->latest, time_at(*copy, row));
  }
  return copy;
}

void SettledRows::drop_before(std::int64_t keep_from) {
  std::erase_if(chunks_, [&](const auto& chunk) { return chunk->latest < keep_from; });
  if (chunks_.empty()) return;
  // Rows are settled in time order, so only the oldest chunk can hold rows on both sides.
  const Chunk& oldest = *chunks_.front();
  std::vector<sel_t> kept;
  for (idx_t row = 0; row < oldest.rows(); ++row) {
    if (time_at(oldest, row) >= keep_from) kept.push_back(static_cast<sel_t>(row));
  }
  if (kept.size() != oldest.rows()) chunks_.front() = copy_of(oldest, kept);
}

core::Status SettledRows::settle(const ResultChunk& rows, std::int64_t boundary,
                                 std::int64_t keep_from) {
  if (auto problem = check_live_shape(table_name_, columns_, rows); !problem.empty()) {
    return core::Error{problem};
  }
  std::lock_guard lock(mutex_);
  const std::int64_t previous = boundary_;
  std::vector<std::size_t> taken;
  const auto& times = rows.columns[time_column_].i64;
  for (std::size_t row = 0; row < rows.rows; ++row) {
    const bool null =
        !rows.columns[time_column_].null.empty() && rows.columns[time_column_].null[row] != 0;
    if (null) {
      return core::Error{
          fmt::format("{}: a settled row has no {}", table_name_, columns_[time_column_].name)};
    }
    if (times[row] >= previous && times[row] < boundary && times[row] >= keep_from) {
      taken.push_back(row);
    }
  }
  drop_before(keep_from);
  const idx_t capacity = duckdb_vector_size();
  std::size_t next = 0;
  while (next < taken.size()) {
    // Top up the last chunk (as a copy: a running query may hold it) or start a new one.
    std::shared_ptr<Chunk> chunk;
    if (!chunks_.empty() && chunks_.back()->rows() < capacity) {
      std::vector<sel_t> all(chunks_.back()->rows());
      for (std::size_t row = 0; row < all.size(); ++row) all[row] = static_cast<sel_t>(row);
      chunk = copy_of(*chunks_.back(), all);
      chunks_.pop_back();
    } else {
      chunk = empty_chunk();
    }
    idx_t at = chunk->rows();
    // Runs of consecutive source rows are written together.
    while (at < capacity && next < taken.size()) {
      std::size_t run = 1;
      while (next + run < taken.size() && at + run < capacity &&
             taken[next + run] == taken[next] + run) {
        ++run;
      }
      for (std::size_t c = 0; c < columns_.size(); ++c) {
        write_live_column(columns_[c].type, rows.columns[c], taken[next], run,
                          duckdb_data_chunk_get_vector(chunk->get(), c), at);
      }
      for (std::size_t k = 0; k < run; ++k) {
        chunk->latest = std::max(chunk->latest, times[taken[next + k]]);
      }
      at += run;
      next += run;
    }
    duckdb_data_chunk_set_size(chunk->get(), at);
    chunks_.push_back(std::move(chunk));
  }
  boundary_ = std::max(boundary_, boundary);
  return core::ok_status();
}

}  // namespace shoplake::sql
