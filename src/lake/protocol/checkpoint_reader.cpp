#include "checkpoint_reader.hpp"

#include <fmt/format.h>

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
    duck::Config config;
    char* open_error = nullptr;
    if (duckdb_create_config(config.out()) != DuckDBSuccess ||
        duckdb_set_config(config.get(), "threads", "2") != DuckDBSuccess) {
      opened.error = "cannot configure DuckDB";
      return opened;
    }
    if (duckdb_open_ext(nullptr, opened.database.out(), config.get(), &open_error) !=
        DuckDBSuccess) {
      opened.error = open_error != nullptr ? open_error : "unknown error";
      duckdb_free(open_error);
      opened.database.reset();
    }
    return opened;
  }();
  return shared;
}

std::string describe(const std::vector<std::filesystem::path>& files) {
  if (files.size() == 1) return files.front().string();
  return fmt::format("{} ({} parts)", files.front().string(), files.size());
}

// Only the action columns replay needs: a checkpoint may also hold commitInfo, cdc or
// rowIdHighWaterMark, and Spark's and delta-rs's checkpoints lack columns they never filled, so
// the columns are picked by name rather than listed. union_by_name lets parts differ.
std::string checkpoint_query(const std::vector<std::filesystem::path>& files) {
  std::string list;
  for (const auto& file : files) {
    if (!list.empty()) list += ", ";
    list += duck::quote_literal(file.string());
  }
  return fmt::format(
      "SELECT to_json(t) FROM (SELECT COLUMNS(c -> c IN ('protocol', 'metaData', 'txn', 'add', "
      "'remove')) FROM read_parquet([{}], union_by_name = true)) t",
      list);
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
  duck::Result result;
  if (duckdb_query(connection.get(), checkpoint_query(files).c_str(), result.out()) !=
      DuckDBSuccess) {
    const char* message = duckdb_result_error(result.get());
    return core::Error{fmt::format("cannot read checkpoint {}: {}", name,
                                   message != nullptr ? message : "unknown DuckDB error")};
  }
  std::size_t row = 0;
  while (true) {
    duck::DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk) break;
    idx_t rows = duckdb_data_chunk_get_size(chunk.get());
    if (rows == 0) break;
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk.get(), 0);
    auto* texts = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
    std::uint64_t* validity = duckdb_vector_get_validity(vector);
    for (idx_t i = 0; i < rows; ++i, ++row) {
      if (validity != nullptr && !duckdb_validity_row_is_valid(validity, i)) continue;
      std::string_view text(duckdb_string_t_data(&texts[i]), duckdb_string_t_length(texts[i]));
      auto actions = parse_action_object(text, fmt::format("{} row {}", name, row + 1));
      if (!actions) return core::Error{actions.error()};
      for (auto& action : actions.value()) sink(std::move(action));
    }
  }
  return core::ok_status();
}

}  // namespace shoplake::lake::detail
