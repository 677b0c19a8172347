// Data files: COPY … TO with RETURN_STATS, turned into add actions (internal to
// shoplake_lake_parquet; ParquetIo::write_data_files is the public face).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/lake/actions.hpp"
#include "shoplake/lake/delta_schema.hpp"

namespace shoplake::lake::parquet_detail {

struct WriteSettings {
  std::string compression;
  std::uint64_t row_group_rows = 0;
  int zstd_level = 0;  // 0: DuckDB's default; used only with zstd
};

core::Result<std::vector<AddFile>> write_data_files(
    duckdb_connection connection, const std::string& select_sql,
    const std::filesystem::path& table_root, const DeltaSchema& schema,
    const std::vector<std::string>& partition_columns, bool data_change,
    const WriteSettings& settings);

// The rows of `select_sql` (the schema's data columns) all belong to `partition`: one file in its
// folder, written without PARTITION_BY, which buffers every row per partition before encoding.
core::Result<std::vector<AddFile>> write_partition_file(
    duckdb_connection connection, const std::string& select_sql,
    const std::filesystem::path& table_root, const DeltaSchema& schema,
    const PartitionValues& partition, bool data_change, const WriteSettings& settings);

// The folder of a partition under the table root: col=value/… with Hive's escaping, and
// __HIVE_DEFAULT_PARTITION__ for NULL.
std::string partition_folder(const PartitionValues& partition);

// The VARCHAR expression giving a partition column's value as Delta logs it (PROTOCOL.md,
// "Partition Value Serialization"): dates YYYY-MM-DD, timestamps ISO-8601 in UTC, numbers and
// booleans as DuckDB prints them; an empty string becomes NULL, as the protocol reads it.
// `value` is the SQL expression of the column.
core::Result<std::string> partition_text_expression(const DeltaField& field,
                                                    const std::string& value);

}  // namespace shoplake::lake::parquet_detail
