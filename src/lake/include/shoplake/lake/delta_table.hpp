// Operations on one Delta table (delta-rs's "operations" over its "log store"): create, append,
// overwrite of the table or of partitions, optimize, vacuum and checkpoints. Every change is one
// commit created with put-if-absent; a writer that loses the race for a version re-reads the
// winners' commits, checks them for logical conflicts and tries the next version.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/lake/actions.hpp"
#include "shoplake/lake/delta_schema.hpp"
#include "shoplake/lake/snapshot.hpp"

typedef struct _duckdb_connection* duckdb_connection;

namespace shoplake::lake {

class ParquetIo;

struct TableDefinition {
  std::string name;  // metaData.name, e.g. "bronze.events"
  DeltaSchema schema;
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
};

struct TableOptions {
  std::int64_t checkpoint_interval = 10;  // a checkpoint after every N-th version
  int max_commit_attempts = 50;           // versions tried before giving up on a busy table
};

// What a writer wants to be true of the table when its commit lands.
struct CommitRequest {
  std::string operation;                  // commitInfo.operation: WRITE, OPTIMIZE, …
  std::string operation_parameters_json;  // commitInfo.operationParameters, a JSON object
  std::vector<Action> actions;            // add, remove, txn, metaData
  // Partitions this commit reads and replaces (overwrite with replaceWhere): a concurrent commit
  // that adds or removes files in any of them is a conflict. Empty with replaces_table = false:
  // a blind append, which never conflicts with another append.
  std::set<std::string> replaced_partitions;  // partition paths, e.g. "event_date=2026-11-25"
  bool replaces_table = false;
};

// Rows that all belong to one partition, as a SELECT of the schema's data columns.
struct PartitionRows {
  PartitionValues partition;
  std::string select_sql;
};

struct CommitResult {
  std::int64_t version = 0;
  int attempts = 1;  // 1 + races lost
  std::size_t files_added = 0;
  std::size_t files_removed = 0;
  std::int64_t rows_added = 0;
};

struct OptimizeResult {
  std::optional<std::int64_t> version;  // none when nothing needed compacting
  std::size_t files_removed = 0;
  std::size_t files_added = 0;
  std::size_t partitions_compacted = 0;
};

struct VacuumResult {
  std::vector<std::filesystem::path> deleted;  // or, in a dry run, what would be deleted
  std::uintmax_t bytes = 0;
  bool dry_run = false;
};

// The first difference between a table's schema or partition columns and `definition`, or "" when
// they are the same.
std::string definition_difference(const Snapshot& snapshot, const TableDefinition& definition);

class DeltaTable {
 public:
  // Opens the table at `root`, creating it (version 0: protocol 1/2 and metaData) when it does
  // not exist. An existing table must have the same schema and partition columns (an error names
  // the first difference) and a protocol this writer supports.
  static core::Result<std::unique_ptr<DeltaTable>> open_or_create(const std::filesystem::path& root,
                                                                  const TableDefinition& definition,
                                                                  ParquetIo& parquet,
                                                                  const TableOptions& options = {});
  // open_or_create for a table whose snapshot was loaded before: catches up from `known` with the
  // commits since, which spares reading its checkpoint again.
  static core::Result<std::unique_ptr<DeltaTable>> open_from(const Snapshot& known,
                                                             const TableDefinition& definition,
                                                             ParquetIo& parquet,
                                                             const TableOptions& options = {});
  // Opens an existing table for maintenance (optimize, vacuum, checkpoint).
  static core::Result<std::unique_ptr<DeltaTable>> open(const std::filesystem::path& root,
                                                        ParquetIo& parquet,
                                                        const TableOptions& options = {});

  const Snapshot& snapshot() const { return snapshot_; }
  // Catches up with commits made by other writers.
  core::Status refresh();

  // Writes the rows of `select_sql` (columns: the schema's, by name; a different column set or
  // type is refused naming the column) as new files and commits them, with `txn` if given.
  core::Result<CommitResult> append(duckdb_connection connection, const std::string& select_sql,
                                    const std::vector<Txn>& txns = {});
  // The same for rows the caller has already split by partition (the bronze landing stages each
  // event_date apart), which spares DuckDB a PARTITION_BY pass. Column names are checked, types
  // cast to the schema's.
  core::Result<CommitResult> append_partitions(duckdb_connection connection,
                                               const std::vector<PartitionRows>& partitions,
                                               const std::vector<Txn>& txns = {});
  // replaceWhere: replaces the rows of exactly `partitions` (values of the first partition
  // column, e.g. event dates) with the rows of `select_sql`, which must all fall inside them (a
  // row outside is refused, naming its value). An empty list replaces the whole table. Named
  // partitions are written one file each, running `select_sql` once per partition: pass a table
  // or a cheap view. `txns` are committed even when no file changes (the writer's progress moved
  // on).
  core::Result<CommitResult> overwrite(duckdb_connection connection, const std::string& select_sql,
                                       const std::vector<std::string>& partitions,
                                       const std::vector<Txn>& txns = {});
  // The same for a table whose columns change (Delta writers' overwriteSchema): the whole table
  // is replaced, whatever `partitions` names, and the commit carries a metaData action with
  // `definition`'s schema and partition columns (the table keeps its id). `select_sql` has the
  // new columns.
  core::Result<CommitResult> overwrite_with_definition(duckdb_connection connection,
                                                       const std::string& select_sql,
                                                       const std::vector<std::string>& partitions,
                                                       const TableDefinition& definition,
                                                       const std::vector<Txn>& txns = {});

  // Rewrites every partition holding more than one file smaller than `target_file_bytes` into
  // one file (dataChange = false). A partition changed concurrently is left for the next run.
  core::Result<OptimizeResult> optimize(std::uint64_t target_file_bytes = std::uint64_t{128} << 20);
  // Deletes data files under the root that no version newer than now - retention references
  // (removed files whose deletionTimestamp is older than the retention, and files no commit ever
  // added, e.g. from a crashed write, older than the retention).
  core::Result<VacuumResult> vacuum(std::chrono::hours retention = std::chrono::hours(24 * 7),
                                    bool dry_run = false);
  // Writes a checkpoint of the current version and `_last_checkpoint`.
  core::Result<std::int64_t> checkpoint();
  // The same for any snapshot of a table, e.g. one a writer committed earlier: a checkpoint of a
  // past version stays valid while later commits land.
  static core::Result<std::int64_t> checkpoint(const Snapshot& snapshot, ParquetIo& parquet);

  // The commit primitive under every operation.
  core::Result<CommitResult> commit(CommitRequest request);

 private:
  DeltaTable(std::filesystem::path root, ParquetIo& parquet, TableOptions options,
             Snapshot snapshot);
  core::Status check_schema(duckdb_connection connection, const std::string& select_sql,
                            const DeltaSchema& schema) const;
  core::Result<CommitResult> replace(duckdb_connection connection, const std::string& select_sql,
                                     const std::vector<std::string>& partitions,
                                     const TableDefinition* definition,
                                     const std::vector<Txn>& txns);

  std::filesystem::path root_;
  ParquetIo& parquet_;
  TableOptions options_;
  Snapshot snapshot_;
};

// The partition path of an add/remove ("event_date=2026-11-25"; "" for an unpartitioned table),
// which is what conflicts are checked on.
std::string partition_path(const PartitionValues& values);

}  // namespace shoplake::lake
