// How a shoplake table looks in ClickHouse: its columns in types the server has, its key, the
// CREATE TABLE for it, and the conversion of a chunk's values into those types.
#pragma once

#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/sql/result.hpp"

namespace shoplake::sql::exporter {

// What the target server supports, from its version().
struct ServerFeatures {
  bool datetime64 = true;  // DateTime64 exists from ClickHouse 20.1

  static ServerFeatures of_version(const std::string& version);
};

// The column ReplacingMergeTree keeps the newest row by: the export time in ms.
inline constexpr const char* kVersionColumn = "_shoplake_version";

struct MirrorTable {
  std::string database;
  std::string table;
  // As sent: clickhouse_name is the ClickHouse column type (Nullable(...) included), which is
  // also what the JSONEachRow writer reads to pick each value's spelling.
  std::vector<ColumnInfo> columns;
  std::vector<std::size_t> key;  // indexes into columns, in ORDER BY order

  std::string qualified_name() const;  // `db`.`table`
  std::string create_sql() const;
  // "name Type" a line, the version column last: what system.columns lists for the table.
  std::string column_list() const;
};

// Fails when the source's columns cannot be mirrored (a column named like the version column).
core::Result<MirrorTable> mirror_table(const std::string& database, const std::string& table,
                                       const std::vector<ColumnInfo>& source,
                                       const ServerFeatures& features);

// Rewrites `chunk` (in the source's types) into the mirror's: DateTime64 to whole seconds when
// the server has only DateTime.
void convert_chunk(const std::vector<ColumnInfo>& source, const MirrorTable& mirror,
                   ResultChunk& chunk);

}  // namespace shoplake::sql::exporter
