// One table's part of a pass: read it through the engine, make sure ClickHouse has a matching
// table, send the rows that changed.
#pragma once

#include <cstdint>
#include <string>

#include "clickhouse_http.hpp"
#include "mirror_table.hpp"
#include "sent_rows.hpp"
#include "shoplake/sql/clickhouse_export.hpp"
#include "shoplake/sql/engine.hpp"

namespace shoplake::sql::exporter {

// What the exporter remembers of a table between passes.
struct TableState {
  std::string columns;  // MirrorTable::column_list() as last checked against ClickHouse
  bool ready = false;   // ClickHouse has the table with exactly `columns`
  SentRows sent;
};

// ReplacingMergeTree's version: the export time in ms, strictly increasing so that of two
// batches with one key the later wins even within a millisecond.
class VersionClock {
 public:
  std::uint64_t next();

 private:
  std::uint64_t last_ = 0;
};

struct TableTarget {
  std::string database;
  std::string table;
};

TableExport export_table(Engine& engine, ClickHouseHttp& http, const ServerFeatures& features,
                         const TableTarget& target, std::size_t batch_rows, VersionClock& clock,
                         TableState& state);

}  // namespace shoplake::sql::exporter
