// What Pretty and PrettyCompact share: each chunk drawn as a table of its own (ClickHouse draws
// one per block), columns as wide as their widest cell, 10000 rows at most in all and then
// ClickHouse's "Showed first 10000." notice.
#pragma once

#include <string>
#include <vector>

#include "shoplake/sql/output_format.hpp"

namespace shoplake::sql::formats {

// One chunk ready to draw: text and display width of every name and cell.
struct PrettyTable {
  struct Column {
    std::string name;
    std::size_t name_width = 0;
    std::size_t width = 0;  // the widest of the name and every cell
    bool right_aligned = false;
    std::vector<std::string> cells;
    std::vector<std::size_t> cell_widths;
  };
  std::vector<Column> columns;
  std::size_t rows_to_draw = 0;  // fewer than the chunk's when the row limit cuts in
};

class PrettyTableFormat : public OutputFormat {
 public:
  static constexpr std::uint64_t max_rows = 10000;

  std::string_view content_type() const override { return "text/plain; charset=UTF-8"; }
  void begin(const std::vector<ColumnInfo>& columns, std::string& out) override;
  void write(const ResultChunk& chunk, std::string& out) override;
  void finish(const QueryStatistics& statistics, std::string& out) override;

 protected:
  virtual void draw(const PrettyTable& table, std::string& out) const = 0;

  // The name in bold, as ClickHouse sends it over HTTP.
  static void append_bold(std::string& out, const std::string& name);
  static void append_padded(std::string& out, const std::string& text, std::size_t text_width,
                            std::size_t width, bool right_aligned);
  static void append_repeated(std::string& out, std::string_view piece, std::size_t times);

 private:
  std::vector<ColumnInfo> columns_;
  std::uint64_t total_rows_ = 0;
};

}  // namespace shoplake::sql::formats
