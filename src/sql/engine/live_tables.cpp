#include "live_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>

#include "live_vectors.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

struct ScanState {
  SettledRows::Snapshot settled;  // handed over first, by reference
  std::size_t next_settled = 0;
  ResultChunk open;  // then these, written
  std::size_t position = 0;
};

void bind_live_table(duckdb_bind_info info) {
  auto* registry = static_cast<LiveTableRegistry*>(duckdb_bind_get_extra_info(info));
  duck::Value key_value(duckdb_bind_get_parameter(info, 0));
  duck::DuckString key(duckdb_get_varchar(key_value.get()));
  auto table = registry->find(key ? key.get() : "");
  if (!table) {
    duckdb_bind_set_error(info, fmt::format("live table version {} was dropped or replaced; run "
                                            "the query again",
                                            key ? key.get() : "")
                                    .c_str());
    return;
  }
  for (const auto& column : table->columns) {
    duck::LogicalType type(create_live_column_type(column.type));
    duckdb_bind_add_result_column(info, column.name.c_str(), type.get());
  }
  duckdb_bind_set_bind_data(
      info, new std::shared_ptr<const LiveTable>(std::move(table)),
      [](void* data) { delete static_cast<std::shared_ptr<const LiveTable>*>(data); });
}

void init_live_table(duckdb_init_info info) {
  const auto& table =
      **static_cast<std::shared_ptr<const LiveTable>*>(duckdb_init_get_bind_data(info));
  auto state = std::make_unique<ScanState>();
  if (table.settled) state->settled = table.settled->snapshot();
  try {
    state->open = table.scan(state->settled.boundary);
  } catch (const std::exception& error) {
    duckdb_init_set_error(
        info, fmt::format("live table {} failed: {}", table.qualified_name, error.what()).c_str());
    return;
  }
  if (auto problem = check_live_shape(table.qualified_name, table.columns, state->open);
      !problem.empty()) {
    duckdb_init_set_error(info, problem.c_str());
    return;
  }
  duckdb_init_set_max_threads(info, 1);
  duckdb_init_set_init_data(info, state.release(),
                            [](void* data) { delete static_cast<ScanState*>(data); });
}

void scan_live_table(duckdb_function_info info, duckdb_data_chunk output) {
  const auto& table =
      **static_cast<std::shared_ptr<const LiveTable>*>(duckdb_function_get_bind_data(info));
  auto& state = *static_cast<ScanState*>(duckdb_function_get_init_data(info));
  const std::size_t column_count = table.columns.size();
  if (state.next_settled < state.settled.chunks.size()) {
    const auto& chunk = *state.settled.chunks[state.next_settled++];
    for (std::size_t c = 0; c < column_count; ++c) {
      duckdb_vector_reference_vector(duckdb_data_chunk_get_vector(output, c),
                                     duckdb_data_chunk_get_vector(chunk.get(), c));
    }
    duckdb_data_chunk_set_size(output, chunk.rows());
    return;
  }
  idx_t count = std::min<idx_t>(duckdb_vector_size(), state.open.rows - state.position);
  for (std::size_t c = 0; c < column_count; ++c) {
    write_live_column(table.columns[c].type, state.open.columns[c], state.position, count,
                      duckdb_data_chunk_get_vector(output, c));
  }
  state.position += count;
  duckdb_data_chunk_set_size(output, count);
}

}  // namespace

core::Status LiveTableRegistry::register_function(duckdb_connection connection) {
  duck::TableFunction function(duckdb_create_table_function());
  duckdb_table_function_set_name(function.get(), kFunctionName);
  duck::LogicalType varchar(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  duckdb_table_function_add_parameter(function.get(), varchar.get());
  duckdb_table_function_set_extra_info(function.get(), this, nullptr);
  duckdb_table_function_set_bind(function.get(), bind_live_table);
  duckdb_table_function_set_init(function.get(), init_live_table);
  duckdb_table_function_set_function(function.get(), scan_live_table);
  if (duckdb_register_table_function(connection, function.get()) != DuckDBSuccess) {
    return core::Error{"cannot register the live table function"};
  }
  return core::ok_status();
}

std::string LiveTableRegistry::add(const std::string& schema, const std::string& name,
                                   LiveTable table) {
  std::lock_guard lock(mutex_);
  std::string key = fmt::format("{}.{}#{}", schema, name, next_version_++);
  versions_[key] = Version{std::make_shared<const LiveTable>(std::move(table)), std::nullopt};
  return key;
}

void LiveTableRegistry::commit(const std::string& schema, const std::string& name,
                               const std::string& key) {
  std::lock_guard lock(mutex_);
  std::string table_key = schema + "." + name;
  supersede(table_key);
  current_[table_key] = key;
  collect();
}

void LiveTableRegistry::abandon(const std::string& key) {
  std::lock_guard lock(mutex_);
  versions_.erase(key);
}

void LiveTableRegistry::remove(const std::string& schema, const std::string& name) {
  std::lock_guard lock(mutex_);
  std::string table_key = schema + "." + name;
  supersede(table_key);
  current_.erase(table_key);
  collect();
}

void LiveTableRegistry::supersede(const std::string& table_key) {
  auto current = current_.find(table_key);
  if (current == current_.end()) return;
  auto version = versions_.find(current->second);
  if (version != versions_.end()) version->second.superseded_at = ++epoch_;
}

LiveTableRegistry::Pin LiveTableRegistry::pin() {
  std::lock_guard lock(mutex_);
  pinned_epochs_.insert(epoch_);
  return Pin(this, epoch_);
}

void LiveTableRegistry::unpin(std::uint64_t epoch) {
  std::lock_guard lock(mutex_);
  pinned_epochs_.erase(pinned_epochs_.find(epoch));
  collect();
}

void LiveTableRegistry::collect() {
  // A query pinned at epoch e started after every replacement up to e was visible.
  std::uint64_t oldest_pin = pinned_epochs_.empty() ? epoch_ : *pinned_epochs_.begin();
  std::erase_if(versions_, [&](const auto& entry) {
    return entry.second.superseded_at && *entry.second.superseded_at <= oldest_pin;
  });
}

std::shared_ptr<const LiveTable> LiveTableRegistry::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto found = versions_.find(key);
  return found == versions_.end() ? nullptr : found->second.table;
}

}  // namespace shoplake::sql
