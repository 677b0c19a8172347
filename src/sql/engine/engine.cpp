#include "shoplake/sql/engine.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "allocator_decay.hpp"
#include "connection_pool.hpp"
#include "duckdb_catalog.hpp"
#include "lake_scans.hpp"
#include "live_tables.hpp"
#include "pinned_settings.hpp"
#include "query_stream.hpp"
#include "query_watchdog.hpp"
#include "shoplake/sql/duckdb_handles.hpp"
#include "system_schema.hpp"
#include "time_travel.hpp"

namespace shoplake::sql {
namespace {

// Idle connections kept for reuse; more are opened when more queries run at once.
constexpr std::size_t kMaxIdleConnections = 16;

std::filesystem::path normalized_directory(const std::filesystem::path& directory) {
  if (directory.empty()) return {};
  auto normal = std::filesystem::absolute(directory).lexically_normal();
  return normal.has_filename() ? normal : normal.parent_path();
}

// Freed memory is kept this long before it goes back to the kernel: longer than a dashboard's
// refresh, so that its queries reuse warm pages (allocator_decay.hpp).
constexpr std::chrono::milliseconds kAllocatorDecay{10'000};

core::Result<duck::Database> open_database(const EngineOptions& options) {
  spdlog::debug("{}", set_allocator_decay(kAllocatorDecay));
  // DuckDB would also purge a worker thread's memory whenever the thread has been idle for half
  // a second, i.e. between two refreshes of a dashboard; a threshold of 0 turns that off and
  // leaves the returning of memory to the decay.
  // Late materialization (a top-N over the sort columns, then a semi join on row ids for the
  // rest) is off: over a dashboard's small in-memory table its hash join costs more than the
  // whole query (0.39 against 0.07 ms for `ORDER BY event_date DESC LIMIT 1` over 30 rows);
  // it pays only for a small LIMIT over a large Parquet table (0.13 against 0.5 s over 5 M
  // rows), an ad-hoc query, and DuckDB cannot be told which tables to use it on.
  return duck::open_in_memory({{"threads", std::to_string(std::max(options.threads, 1))},
                               {"memory_limit", options.memory_limit},
                               {"allocator_flush_threshold", "0B"},
                               {"late_materialization_max_rows", "0"}},
                              "DuckDB");
}

class DuckdbEngine final : public Engine {
 public:
  explicit DuckdbEngine(const EngineOptions& options)
      : options_(options), lake_directory_(normalized_directory(options.lake_directory)) {}

  core::Status open() {
    auto database = open_database(options_);
    if (!database) return core::Error{database.error()};
    database_ = std::move(database).value();
    duck::Connection setup;
    if (duckdb_connect(database_.get(), setup.out()) != DuckDBSuccess) {
      return core::Error{"cannot connect to DuckDB"};
    }
    if (auto restricted = restrict_file_access(setup.get()); !restricted) return restricted;
    auto pinned = pin_settings_read_per_query(setup.get());
    if (!pinned) return core::Error{pinned.error()};
    spdlog::debug("{}", pinned.value());
    for (const char* schema : Catalog::kSchemas) {
      if (auto error = duck::run(setup.get(), "CREATE SCHEMA " + duck::quote_identifier(schema))) {
        return core::Error{error->message};
      }
    }
    if (auto error =
            duck::run(setup.get(), "CREATE SCHEMA " + duck::quote_identifier(kSnapshotSchema))) {
      return core::Error{error->message};
    }
    if (auto installed = install_system_schema(setup.get()); !installed) {
      return installed;
    }
    if (auto registered = live_tables_.register_function(setup.get()); !registered) {
      return registered;
    }
    if (auto registered = lake_scans_.register_function(setup.get()); !registered) {
      return registered;
    }
    for (const auto& statement : options_.setup_sql) {
      if (auto error = duck::run(setup.get(), statement)) {
        return core::Error{fmt::format("setup SQL failed: {}\n{}", error->message, statement)};
      }
    }
    // From here on nobody, not even trusted code, changes the database-wide settings.
    if (auto error = duck::run(setup.get(), "SET lock_configuration = true")) {
      return core::Error{error->message};
    }
    catalog_ = std::make_unique<DuckdbCatalog>(std::move(setup), live_tables_, lake_scans_,
                                               lake_directory_);
    pool_ = std::make_unique<ConnectionPool>(database_.get(), install_connection_macros,
                                             kMaxIdleConnections);
    return core::ok_status();
  }

  std::variant<std::unique_ptr<ResultStream>, QueryError> query(
      const QueryRequest& request) override {
    QueryLimits limits{options_.query_timeout, options_.max_result_rows};
    if (request.timeout) limits.timeout = std::min(limits.timeout, *request.timeout);
    if (request.max_result_rows)
      limits.max_rows = std::min(limits.max_rows, *request.max_result_rows);
    // Time travel is expanded before anything parses the query: DuckDB has no such syntax.
    auto expanded = expand_time_travel(request.sql, catalog_->time_travel_resolver());
    if (!expanded) return QueryError{QueryErrorKind::bad_arguments, expanded.error()};
    const bool traveled = expanded.value() != request.sql;
    QueryRequest traveled_request;
    if (traveled) {
      traveled_request = request;
      traveled_request.sql = std::move(expanded).value();
    }
    auto lease = pool_->acquire();
    if (!lease) return QueryError{QueryErrorKind::internal, lease.error()};
    auto stream = std::make_unique<QueryStream>(live_tables_.pin(), std::move(lease).value(),
                                                watchdog_, limits, catalog_->version());
    if (auto error = stream->start(traveled ? traveled_request : request)) return *error;
    return std::unique_ptr<ResultStream>(std::move(stream));
  }

  Catalog& catalog() override { return *catalog_; }
  std::string duckdb_version() const override { return duckdb_library_version(); }

 private:
  // Users may read files in the lake directory only. DuckDB accepts allowed_directories only
  // while external access is still on, so the order matters.
  core::Status restrict_file_access(duckdb_connection connection) {
    std::vector<std::string> statements;
    if (!lake_directory_.empty()) {
      statements.push_back(fmt::format("SET allowed_directories = [{}]",
                                       duck::quote_literal(lake_directory_.string() + "/")));
    }
    statements.push_back("SET enable_external_access = false");
    for (const auto& statement : statements) {
      if (auto error = duck::run(connection, statement)) return core::Error{error->message};
    }
    return core::ok_status();
  }

  EngineOptions options_;
  std::filesystem::path lake_directory_;
  // Declared in destruction order reversed: the registries outlive the database whose functions
  // point at them; the watchdog stops before the connections it may interrupt close.
  LiveTableRegistry live_tables_;
  LakeScanRegistry lake_scans_;
  duck::Database database_;
  std::unique_ptr<DuckdbCatalog> catalog_;
  std::unique_ptr<ConnectionPool> pool_;
  QueryWatchdog watchdog_;
};

}  // namespace

core::Result<std::unique_ptr<Engine>> Engine::open(const EngineOptions& options) {
  auto engine = std::make_unique<DuckdbEngine>(options);
  if (auto opened = engine->open(); !opened) return core::Error{opened.error()};
  spdlog::debug("SQL engine open: DuckDB {}, {} threads, memory limit {}", duckdb_library_version(),
                options.threads, options.memory_limit);
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace shoplake::sql
