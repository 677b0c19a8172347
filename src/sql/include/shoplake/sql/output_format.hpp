// The ClickHouse output formats (FORMAT TabSeparated, JSON, Pretty, ...) as streaming writers that
// reproduce what clickhouse-server 18.16 sends byte for byte. A caller drives one writer per query:
// begin() once, write() per chunk, finish() once, sending `out` to the client after each call.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/sql/result.hpp"

namespace shoplake::sql {

class OutputFormat {
 public:
  virtual ~OutputFormat() = default;

  // The Content-Type header ClickHouse sends with this format.
  virtual std::string_view content_type() const = 0;

  // Each call appends to `out` and never reads what is already there.
  virtual void begin(const std::vector<ColumnInfo>& columns, std::string& out) = 0;
  virtual void write(const ResultChunk& chunk, std::string& out) = 0;
  virtual void finish(const QueryStatistics& statistics, std::string& out) = 0;
};

// The writer for a format name as ClickHouse spells it (case-sensitive, aliases such as TSV
// included); nullptr when shoplake does not have that format.
std::unique_ptr<OutputFormat> make_output_format(std::string_view clickhouse_name);

}  // namespace shoplake::sql
