#include "checkpoint_reader.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::lake::detail {
namespace {

namespace duck = sql::duck;

// Opened on first use and shared by every thread (DuckDB databases are thread-safe; each read
// gets its own connection). Nothing outlives it but the process.
struct SharedDatabase {
  duck::Database database;
  std::string error;
};

const SharedDatabase& shared_database() {
  static const SharedDatabase shared = [] {
    SharedDatabase opened;
    auto database = duck::open_in_memory({{"threads", "2"}}, "the checkpoint reader's DuckDB");
    if (database) {
      opened.database = std::move(database).value();
    } else {
      opened.error = database.error();
    }
    return opened;
  }();
  return shared;
}

std::string describe(const std::vector<std::filesystem::path>& files) {
  if (files.size() == 1) return files.front().string();
  return fmt::format("{} ({} parts)", files.front().string(), files.size());
}

std::string file_list(const std::vector<std::filesystem::path>& files) {
  std::string list;
  for (const auto& file : files) {
    if (!list.empty()) list += ", ";
    list += duck::quote_literal(file.string());
  }
  return list;
}

// Every action of the checkpoint as JSON, one object per row. Only the action columns replay
// needs: a checkpoint may also hold commitInfo, cdc or rowIdHighWaterMark, and Spark's and
// delta-rs's checkpoints lack columns they never filled, so the columns are picked by name
// rather than listed. union_by_name lets parts differ. `without_adds` leaves the add column out
// (read typed instead).
std::string json_query(const std::vector<std::filesystem::path>& files, bool without_adds) {
  return fmt::format(
      "SELECT to_json(t) FROM (SELECT COLUMNS(c -> c IN ('protocol', 'metaData', 'txn', {}"
      "'remove')) FROM read_parquet([{}], union_by_name = true) WHERE {}) t",
      without_adds ? "" : "'add', ", file_list(files), without_adds ? "add IS NULL" : "true");
}

// The add actions, typed: they are nearly every row of a large checkpoint, and turning each into
// JSON text and parsing it back cost more than replaying the JSON commits. Binding fails when a
// field is missing (a checkpoint with stats_parsed only, or without deletionVector); the caller
// then reads them as JSON.
std::string typed_add_query(const std::vector<std::filesystem::path>& files,
                            bool with_deletion_vector) {
  return fmt::format(
      "SELECT add.path, add.size, add.modificationTime, add.dataChange, add.stats, "
      "map_keys(add.partitionValues), map_values(add.partitionValues), {} "
      "FROM read_parquet([{}], union_by_name = true) WHERE add IS NOT NULL",
      with_deletion_vector ? "add.deletionVector IS NOT NULL" : "false", file_list(files));
}

std::optional<std::string> text_at(duckdb_vector vector, idx_t row) {
  std::uint64_t* validity = duckdb_vector_get_validity(vector);
  if (validity != nullptr && !duckdb_validity_row_is_valid(validity, row)) return std::nullopt;
  auto* texts = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
  return std::string(duckdb_string_t_data(&texts[row]), duckdb_string_t_length(texts[row]));
}

template <typename T>
std::optional<T> value_at(duckdb_vector vector, idx_t row) {
  std::uint64_t* validity = duckdb_vector_get_validity(vector);
  if (validity != nullptr && !duckdb_validity_row_is_valid(validity, row)) return std::nullopt;
  return static_cast<T*>(duckdb_vector_get_data(vector))[row];
}

// The strings of a LIST(VARCHAR) cell; a NULL element is nullopt.
std::vector<std::optional<std::string>> list_at(duckdb_vector vector, idx_t row) {
  std::vector<std::optional<std::string>> items;
  std::uint64_t* validity = duckdb_vector_get_validity(vector);
  if (validity != nullptr && !duckdb_validity_row_is_valid(validity, row)) return items;
  const auto& entry = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(vector))[row];
  duckdb_vector child = duckdb_list_vector_get_child(vector);
  for (idx_t i = entry.offset; i < entry.offset + entry.length; ++i) {
    items.push_back(text_at(child, i));
  }
  return items;
}

// Runs `sql`; false with `error` set when DuckDB refuses it.
bool run_query(duckdb_connection connection, const std::string& sql, duck::Result& result,
               std::string& error) {
  if (duckdb_query(connection, sql.c_str(), result.out()) == DuckDBSuccess) return true;
  const char* message = duckdb_result_error(result.get());
  error = message != nullptr ? message : "unknown DuckDB error";
  return false;
}

core::Status read_typed_adds(duck::Result& result, const std::string& name,
                             const std::function<void(Action&&)>& sink) {
  std::size_t row = 0;
  while (true) {
    duck::DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk) break;
    const idx_t rows = duckdb_data_chunk_get_size(chunk.get());
    if (rows == 0) break;
    duckdb_vector columns[8];
    for (idx_t c = 0; c < 8; ++c) columns[c] = duckdb_data_chunk_get_vector(chunk.get(), c);
    for (idx_t i = 0; i < rows; ++i, ++row) {
      AddFile add;
      auto path = text_at(columns[0], i);
      auto size = value_at<std::int64_t>(columns[1], i);
      if (!path || !size) {
        return core::Error{fmt::format("checkpoint {}: add action {} has no {}", name, row + 1,
                                       path ? "size" : "path")};
      }
      add.path = std::move(*path);
      add.size = *size;
      add.modification_time = value_at<std::int64_t>(columns[2], i).value_or(0);
      add.data_change = value_at<bool>(columns[3], i).value_or(true);
      add.stats = text_at(columns[4], i);
      auto keys = list_at(columns[5], i);
      auto values = list_at(columns[6], i);
      for (std::size_t k = 0; k < keys.size() && k < values.size(); ++k) {
        add.partition_values.emplace_back(keys[k].value_or(""), std::move(values[k]));
      }
      add.has_deletion_vector = value_at<bool>(columns[7], i).value_or(false);
      sink(std::move(add));
    }
  }
  return core::ok_status();
}

core::Status read_json_rows(duck::Result& result, const std::string& name,
                            const std::function<void(Action&&)>& sink) {
  std::size_t row = 0;
  while (true) {
    duck::DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk) break;
    idx_t rows = duckdb_data_chunk_get_size(chunk.get());
    if (rows == 0) break;
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk.get(), 0);
    for (idx_t i = 0; i < rows; ++i, ++row) {
      auto text = text_at(vector, i);
      if (!text) continue;
      auto actions = parse_action_object(*text, name);
      if (!actions) {
        return core::Error{fmt::format("{} (row {} of the rest)", actions.error(), row + 1)};
      }
      for (auto& action : actions.value()) sink(std::move(action));
    }
  }
  return core::ok_status();
}

}  // namespace

core::Status read_checkpoint(const std::vector<std::filesystem::path>& files,
                             const std::function<void(Action&&)>& sink) {
  const std::string name = describe(files);
  const SharedDatabase& shared = shared_database();
  if (!shared.database) {
    return core::Error{
        fmt::format("cannot read checkpoint {}: DuckDB did not open: {}", name, shared.error)};
  }
  duck::Connection connection;
  if (duckdb_connect(shared.database.get(), connection.out()) != DuckDBSuccess) {
    return core::Error{fmt::format("cannot read checkpoint {}: no DuckDB connection", name)};
  }
  std::string error;
  duck::Result adds;
  bool typed = run_query(connection.get(), typed_add_query(files, true), adds, error) ||
               run_query(connection.get(), typed_add_query(files, false), adds, error);
  if (typed) {
    if (auto read = read_typed_adds(adds, name, sink); !read) return read;
  }
  duck::Result rest;
  if (!run_query(connection.get(), json_query(files, typed), rest, error)) {
    return core::Error{fmt::format("cannot read checkpoint {}: {}", name, error)};
  }
  return read_json_rows(rest, name, sink);
}

}  // namespace shoplake::lake::detail
