// What JSON and JSONCompact share: one document with "meta", "data", "rows" and "statistics",
// tab-indented as ClickHouse lays it out, passed through UTF-8 repair when strings can occur.
#pragma once

#include <string>
#include <vector>

#include "shoplake/sql/output_format.hpp"

namespace shoplake::sql::formats {

class JsonDocument : public OutputFormat {
 public:
  std::string_view content_type() const override { return "application/json; charset=UTF-8"; }
  void begin(const std::vector<ColumnInfo>& columns, std::string& out) override;
  void write(const ResultChunk& chunk, std::string& out) override;
  void finish(const QueryStatistics& statistics, std::string& out) override;

 protected:
  // Appends one element of "data", without the separator before it.
  virtual void append_row(std::string& out, const ResultChunk& chunk, std::size_t row) const = 0;
  const std::vector<ColumnInfo>& columns() const { return columns_; }
  // Column names as JSON strings.
  const std::vector<std::string>& quoted_names() const { return quoted_names_; }

 private:
  void emit(std::string& out, const std::string& text) const;

  std::vector<ColumnInfo> columns_;
  std::vector<std::string> quoted_names_;
  bool repair_utf8_ = false;
  std::uint64_t rows_ = 0;
};

}  // namespace shoplake::sql::formats
