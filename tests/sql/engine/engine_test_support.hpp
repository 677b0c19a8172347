// Opening an engine on a temporary lake directory and running a query to its end.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shoplake/sql/engine.hpp"

namespace shoplake::sql::testing {

class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "shoplake-sql-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::unique_ptr<Engine> open_engine(EngineOptions options) {
  auto engine = Engine::open(options);
  if (!engine) ADD_FAILURE() << engine.error();
  return engine ? std::move(engine).value() : nullptr;
}

// A whole result: its columns, its chunks appended into one, or the error that ended it.
struct Outcome {
  std::vector<ColumnInfo> columns;
  std::vector<ResultChunk> chunks;
  std::size_t rows = 0;
  std::optional<QueryError> error;
  QueryStatistics statistics;

  const ColumnData& column(std::size_t index, std::size_t chunk = 0) const {
    return chunks.at(chunk).columns.at(index);
  }
};

inline Outcome run(Engine& engine, QueryRequest request) {
  Outcome outcome;
  auto started = engine.query(request);
  if (auto* error = std::get_if<QueryError>(&started)) {
    outcome.error = *error;
    return outcome;
  }
  auto& stream = *std::get<std::unique_ptr<ResultStream>>(started);
  outcome.columns = stream.columns();
  while (true) {
    ResultChunk chunk;
    auto more = stream.next(chunk);
    if (auto* error = std::get_if<QueryError>(&more)) {
      outcome.error = *error;
      break;
    }
    if (!std::get<bool>(more)) break;
    outcome.rows += chunk.rows;
    outcome.chunks.push_back(std::move(chunk));
  }
  outcome.statistics = stream.statistics();
  return outcome;
}

// A request for `sql`; designated initializers would trip GCC's -Wmissing-field-initializers.
inline QueryRequest request(std::string sql) {
  QueryRequest built;
  built.sql = std::move(sql);
  return built;
}

inline Outcome run(Engine& engine, const std::string& sql) {
  return run(engine, request(sql));
}

}  // namespace shoplake::sql::testing
