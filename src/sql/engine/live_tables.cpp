#include "live_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

struct ScanState {
  ResultChunk chunk;
  std::size_t position = 0;
};

// The ColumnData vector holding a column's values, with its length, per catalog.hpp.
std::size_t value_count(TableColumnType type, const ColumnData& column) {
  switch (type) {
    case TableColumnType::boolean:
      return std::max(column.i64.size(), column.u64.size());
    case TableColumnType::uint64:
      return column.u64.size();
    case TableColumnType::float64:
      return column.f64.size();
    case TableColumnType::string:
      return column.str.size();
    default:
      return column.i64.size();
  }
}

std::string check_shape(const LiveTable& table, const ResultChunk& chunk) {
  if (chunk.columns.size() != table.columns.size()) {
    return fmt::format("live table {} produced {} columns, but declares {}", table.qualified_name,
                       chunk.columns.size(), table.columns.size());
  }
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const auto& column = chunk.columns[c];
    if (value_count(table.columns[c].type, column) < chunk.rows ||
        (!column.null.empty() && column.null.size() < chunk.rows)) {
      return fmt::format("live table {}: column {} holds fewer values than its {} rows",
                         table.qualified_name, table.columns[c].name, chunk.rows);
    }
  }
  return {};
}

void write_column(TableColumnType type, const ColumnData& column, std::size_t first, idx_t count,
                  duckdb_vector vector) {
  void* data = duckdb_vector_get_data(vector);
  for (idx_t row = 0; row < count; ++row) {
    std::size_t source = first + row;
    if (!column.null.empty() && column.null[source] != 0) {
      duckdb_vector_ensure_validity_writable(vector);
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), row);
      continue;
    }
    switch (type) {
      case TableColumnType::boolean:
        static_cast<bool*>(data)[row] =
            source < column.i64.size() ? column.i64[source] != 0 : column.u64[source] != 0;
        break;
      case TableColumnType::int64:
      case TableColumnType::timestamp_s:
      case TableColumnType::timestamp_ms:
        static_cast<std::int64_t*>(data)[row] = column.i64[source];
        break;
      case TableColumnType::uint64:
        static_cast<std::uint64_t*>(data)[row] = column.u64[source];
        break;
      case TableColumnType::float64:
        static_cast<double*>(data)[row] = column.f64[source];
        break;
      case TableColumnType::date:
        static_cast<std::int32_t*>(data)[row] = static_cast<std::int32_t>(column.i64[source]);
        break;
      case TableColumnType::string:
        duckdb_vector_assign_string_element_len(vector, row, column.str[source].data(),
                                                column.str[source].size());
        break;
    }
  }
}

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
    duck::LogicalType type(duckdb_create_logical_type(live_column_duckdb_type(column.type)));
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
  try {
    state->chunk = table.scan();
  } catch (const std::exception& error) {
    duckdb_init_set_error(
        info, fmt::format("live table {} failed: {}", table.qualified_name, error.what()).c_str());
    return;
  }
  if (auto problem = check_shape(table, state->chunk); !problem.empty()) {
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
  idx_t count = std::min<idx_t>(duckdb_vector_size(), state.chunk.rows - state.position);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    write_column(table.columns[c].type, state.chunk.columns[c], state.position, count,
                 duckdb_data_chunk_get_vector(output, c));
  }
  state.position += count;
  duckdb_data_chunk_set_size(output, count);
}

}  // namespace

duckdb_type live_column_duckdb_type(TableColumnType type) {
  switch (type) {
    case TableColumnType::boolean:
      return DUCKDB_TYPE_BOOLEAN;
    case TableColumnType::int64:
      return DUCKDB_TYPE_BIGINT;
    case TableColumnType::uint64:
      return DUCKDB_TYPE_UBIGINT;
    case TableColumnType::float64:
      return DUCKDB_TYPE_DOUBLE;
    case TableColumnType::string:
      return DUCKDB_TYPE_VARCHAR;
    case TableColumnType::date:
      return DUCKDB_TYPE_DATE;
    case TableColumnType::timestamp_s:
      return DUCKDB_TYPE_TIMESTAMP_S;
    case TableColumnType::timestamp_ms:
      return DUCKDB_TYPE_TIMESTAMP_MS;
  }
  return DUCKDB_TYPE_VARCHAR;
}

const char* live_column_duckdb_name(TableColumnType type) {
  switch (type) {
    case TableColumnType::boolean:
      return "BOOLEAN";
    case TableColumnType::int64:
      return "BIGINT";
    case TableColumnType::uint64:
      return "UBIGINT";
    case TableColumnType::float64:
      return "DOUBLE";
    case TableColumnType::string:
      return "VARCHAR";
    case TableColumnType::date:
      return "DATE";
    case TableColumnType::timestamp_s:
      return "TIMESTAMP_S";
    case TableColumnType::timestamp_ms:
      return "TIMESTAMP_MS";
  }
  return "VARCHAR";
}

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
