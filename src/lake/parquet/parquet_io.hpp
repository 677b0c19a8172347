// The lake's Parquet, written and read through an embedded DuckDB of its own (not the SQL
// engine's: writing must never wait behind users' queries). Data files come out of a DuckDB
// SELECT, one per partition, with the add action's stats taken from COPY … RETURN_STATS (no file
// is read back); checkpoints are the protocol's Parquet schema; a snapshot becomes a SELECT that
// DuckDB (the SQL engine's catalog, `lake` commands) can read.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/lake/actions.hpp"
#include "shoplake/lake/snapshot.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::lake {

struct ParquetOptions {
  int threads = 1;
  std::string memory_limit = "512MB";  // DuckDB syntax
  std::string compression = "zstd";
  // zstd's level 1 instead of DuckDB's default (3): bronze's files come out the same size
  // (7.1 bytes an event) and landing 8 % faster (3.04 -> 3.30 M events/s, medians of eight
  // interleaved pairs of `bench lake`).
  int zstd_level = 1;
  // DuckDB encodes a file's row groups on as many threads as it has, each thread its own: an
  // hour's 64,000 rows of silver in DuckDB's default 122,880-row groups were one group, encoded
  // on one thread (71 -> 48 ms for 107,000 rows on two cores with 32,768).
  std::uint64_t row_group_rows = 32'768;
};

class ParquetIo {
 public:
  static core::Result<std::unique_ptr<ParquetIo>> open(const ParquetOptions& options = {});
  ~ParquetIo();

  // A new connection to the lake's DuckDB, for a caller that stages rows (temporary tables,
  // appenders) before write_data_files.
  core::Result<sql::duck::Connection> connect();

  // Runs `COPY (select_sql) TO …` under `table_root`: one or more new files per distinct value of
  // the partition columns (hive folders `col=value/part-<uuid>.parquet`, partition columns not
  // stored in the files, as Delta expects), zstd, row groups of row_group_rows. Returns one add
  // action per file: path relative to the root and URL-encoded, partitionValues as strings,
  // size, modificationTime, dataChange = data_change, and stats (numRecords, minValues, maxValues,
  // nullCount) converted from RETURN_STATS into Delta's JSON forms (timestamps as ISO-8601 UTC
  // with milliseconds, dates YYYY-MM-DD; long strings get no max, a prefix for min). An empty
  // SELECT writes nothing and returns no actions. The columns of select_sql must be the schema's
  // columns (any order); partition columns must be among them.
  core::Result<std::vector<AddFile>> write_data_files(
      duckdb_connection connection, const std::string& select_sql,
      const std::filesystem::path& table_root, const DeltaSchema& schema,
      const std::vector<std::string>& partition_columns, bool data_change = true);

  // The same for rows that all belong to one partition, which the caller knows (the bronze
  // landing stages each event_date apart): `select_sql` has the data columns only, and the file
  // is written without PARTITION_BY, which buffers every row before encoding (a fifth of the
  // time). An empty SELECT writes nothing.
  core::Result<std::vector<AddFile>> write_partition_file(duckdb_connection connection,
                                                          const std::string& select_sql,
                                                          const std::filesystem::path& table_root,
                                                          const DeltaSchema& schema,
                                                          const PartitionValues& partition,
                                                          bool data_change = true);

  // Writes `<version>.checkpoint.parquet` for `snapshot` in its `_delta_log` (temporary file, then
  // rename): one row per action (protocol, metaData, txn per app, add per live file, remove per
  // tombstone), in the column layout Spark and delta-rs read (PROTOCOL.md, "Checkpoint Schema";
  // partitionValues as map<string,string>, stats as a JSON string). Returns the number of actions,
  // for `_last_checkpoint`.
  core::Result<std::int64_t> write_checkpoint(const Snapshot& snapshot);

  // A SELECT returning the snapshot's rows, columns in schema order with Delta -> DuckDB types,
  // partition columns from each file's partitionValues (cast to their type; null stays NULL),
  // data columns read by name (a column missing in an older file reads as NULL, extra physical
  // columns are not returned). No live files: a typed SELECT with zero rows. Errors for a type
  // this reader cannot map.
  core::Result<std::string> scan_sql(const Snapshot& snapshot) const;

 private:
  struct State;
  explicit ParquetIo(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::lake
