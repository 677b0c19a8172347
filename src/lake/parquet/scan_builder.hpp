// The SELECT that reads a snapshot (internal to shoplake_lake_parquet; ParquetIo::scan_sql is the
// public face). It needs to know which columns each data file physically has, so a column no file
// of a group holds reads as NULL instead of failing to bind, and which timestamps are stored
// without a time zone (Spark's INT96), so they are read as UTC whatever the reader's TimeZone.
// Data files never change once written, so what their footers say is cached by path.
#pragma once

#include <duckdb.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/lake/snapshot.hpp"

namespace shoplake::lake::parquet_detail {

// A data file's top-level columns as its footer has them: lower-cased names (DuckDB binds names
// ignoring case), sorted, with the DuckDB type of each, and among them the timestamps without a
// time zone, sorted.
struct FileShape {
  std::vector<std::string> columns;
  std::vector<std::string> column_types;  // of columns[i]
  std::vector<std::string> naive_timestamps;
  bool operator==(const FileShape&) const = default;
};

class FileShapeCache {
 public:
  // The shape of each file in `files` (absolute paths), in order; footers not seen before are
  // read through `connection`.
  core::Result<std::vector<std::shared_ptr<const FileShape>>> shapes(
      duckdb_connection connection, const std::vector<std::string>& files);

 private:
  std::shared_ptr<const FileShape> intern(FileShape shape);

  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const FileShape>> by_path_;
  // Most files of a table share a few shapes; each is stored once.
  std::vector<std::shared_ptr<const FileShape>> distinct_;
};

core::Result<std::string> build_scan_sql(duckdb_connection connection, FileShapeCache& cache,
                                         const Snapshot& snapshot);

}  // namespace shoplake::lake::parquet_detail
