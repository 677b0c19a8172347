#include "parquet_io.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "checkpoint_writer.hpp"
#include "data_writer.hpp"
#include "duck_values.hpp"
#include "scan_builder.hpp"

namespace shoplake::lake {

namespace duck = sql::duck;

struct ParquetIo::State {
  ParquetOptions options;
  duck::Database database;
  parquet_detail::FileShapeCache shapes;
};

namespace {

// Where DuckDB spills when a write outgrows memory_limit. Its default, ".tmp" in the working
// directory, may be anywhere (or read-only) for a server; DuckDB removes what it made on close.
std::string spill_directory() {
  std::error_code error;
  std::filesystem::path base = std::filesystem::temp_directory_path(error);
  if (error) base = "/tmp";
  return (base / ("shoplake-lake-duckdb-" + std::to_string(::getpid()))).string();
}

core::Result<duck::Database> open_database(const ParquetOptions& options) {
  return duck::open_in_memory(
      {{"threads", std::to_string(std::max(options.threads, 1))},
       {"memory_limit", options.memory_limit},
       {"temp_directory", spill_directory()},
       // Row order inside a file means nothing to a Delta table, and keeping it serializes
       // COPY: without it, row groups are encoded on every thread (1.8x on two cores).
       {"preserve_insertion_order", "false"}},
      "the lake's DuckDB");
}

core::Result<duck::Connection> connect_to(duckdb_database database) {
  duck::Connection connection;
  if (duckdb_connect(database, connection.out()) != DuckDBSuccess) {
    return core::Error{"cannot connect to the lake's DuckDB"};
  }
  return connection;
}

parquet_detail::WriteSettings write_settings_of(const ParquetOptions& options) {
  return {options.compression, options.row_group_rows, options.zstd_level};
}

}  // namespace

ParquetIo::ParquetIo(std::unique_ptr<State> state) : state_(std::move(state)) {}
ParquetIo::~ParquetIo() = default;

core::Result<std::unique_ptr<ParquetIo>> ParquetIo::open(const ParquetOptions& options) {
  if (options.row_group_rows == 0) return core::Error{"row_group_rows must be positive"};
  auto database = open_database(options);
  if (!database) return core::Error{database.error()};
  auto state = std::make_unique<State>();
  state->options = options;
  state->database = std::move(database).value();
  // A first connection proves the setup works before anyone depends on it.
  auto probe = connect_to(state->database.get());
  if (!probe) return core::Error{probe.error()};
  // Every connection on UTC, so the timestamps it prints and parses mean the same on every
  // machine. TimeZone (ICU) cannot be given at open; set globally, it is every new connection's
  // default, which spares each connection a statement (the pipeline opens a few a model).
  if (auto set = parquet_detail::execute(probe.value().get(), "SET GLOBAL TimeZone = 'UTC'",
                                         "setting the lake DuckDB's time zone");
      !set) {
    return core::Error{set.error()};
  }
  // A Delta data file never changes once written, so its footer can be kept: the pipeline's gold
  // models read the same day of silver one after another (8.5 -> 5.5 ms a query over a day of 14
  // files). The parquet reader's option, which DuckDB takes only once it is open.
  if (auto cached =
          parquet_detail::execute(probe.value().get(), "SET GLOBAL parquet_metadata_cache = true",
                                  "keeping Parquet footers in the lake's DuckDB");
      !cached) {
    return core::Error{cached.error()};
  }
  return std::unique_ptr<ParquetIo>(new ParquetIo(std::move(state)));
}

core::Result<duck::Connection> ParquetIo::connect() {
  return connect_to(state_->database.get());
}

core::Result<std::vector<AddFile>> ParquetIo::write_data_files(
    duckdb_connection connection, const std::string& select_sql,
    const std::filesystem::path& table_root, const DeltaSchema& schema,
    const std::vector<std::string>& partition_columns, bool data_change) {
  const auto settings = write_settings_of(state_->options);
  return parquet_detail::write_data_files(connection, select_sql, table_root, schema,
                                          partition_columns, data_change, settings);
}

core::Result<std::vector<AddFile>> ParquetIo::write_partition_file(
    duckdb_connection connection, const std::string& select_sql,
    const std::filesystem::path& table_root, const DeltaSchema& schema,
    const PartitionValues& partition, bool data_change) {
  const auto settings = write_settings_of(state_->options);
  return parquet_detail::write_partition_file(connection, select_sql, table_root, schema, partition,
                                              data_change, settings);
}

core::Result<std::int64_t> ParquetIo::write_checkpoint(const Snapshot& snapshot) {
  auto connection = connect_to(state_->database.get());
  if (!connection) return core::Error{connection.error()};
  return parquet_detail::write_checkpoint(connection.value().get(), snapshot);
}

core::Result<std::string> ParquetIo::scan_sql(const Snapshot& snapshot) const {
  auto connection = connect_to(state_->database.get());
  if (!connection) return core::Error{connection.error()};
  return parquet_detail::build_scan_sql(connection.value().get(), state_->shapes, snapshot);
}

}  // namespace shoplake::lake
