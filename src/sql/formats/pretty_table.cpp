#include "pretty_table.hpp"

#include <algorithm>

#include "cell_text.hpp"
#include "display_width.hpp"

namespace shoplake::sql::formats {
namespace {

// ClickHouse's output_format_pretty_max_column_pad_width: wider cells are drawn whole but padded
// as if this wide.
constexpr std::size_t max_pad_width = 250;

}  // namespace

void PrettyTableFormat::begin(const std::vector<ColumnInfo>& columns, std::string&) {
  columns_ = columns;
  total_rows_ = 0;
}

void PrettyTableFormat::write(const ResultChunk& chunk, std::string& out) {
  if (chunk.rows == 0) return;
  if (total_rows_ >= max_rows) {
    total_rows_ += chunk.rows;
    return;
  }
  PrettyTable table;
  table.rows_to_draw = std::min<std::uint64_t>(chunk.rows, max_rows - total_rows_);
  // A tab's width depends on where the cell starts: after "│ " and every column before it.
  std::size_t prefix = 2;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    PrettyTable::Column& column = table.columns.emplace_back();
    column.name = columns_[i].name;
    column.right_aligned = is_right_aligned(columns_[i].type);
    column.cells.resize(chunk.rows);
    column.cell_widths.resize(chunk.rows);
    for (std::size_t row = 0; row < chunk.rows; ++row) {
      append_cell(column.cells[row], columns_[i].type, chunk.columns[i], row, TextFlavour::plain);
      column.cell_widths[row] = std::min(max_pad_width, display_width(column.cells[row], prefix));
      column.width = std::max(column.width, column.cell_widths[row]);
    }
    column.name_width = std::min(max_pad_width, display_width(column.name));
    column.width = std::max(column.width, column.name_width);
    prefix += column.width + 3;
  }
  draw(table, out);
  total_rows_ += chunk.rows;
}

void PrettyTableFormat::finish(const QueryStatistics&, std::string& out) {
  if (total_rows_ >= max_rows) out += "  Showed first 10000.\n";
}

void PrettyTableFormat::append_bold(std::string& out, const std::string& name) {
  out += "\033[1m";
  out += name;
  out += "\033[0m";
}

void PrettyTableFormat::append_padded(std::string& out, const std::string& text,
                                      std::size_t text_width, std::size_t width,
                                      bool right_aligned) {
  if (right_aligned) out.append(width - text_width, ' ');
  out += text;
  if (!right_aligned) out.append(width - text_width, ' ');
}

void PrettyTableFormat::append_repeated(std::string& out, std::string_view piece,
                                        std::size_t times) {
  for (std::size_t i = 0; i < times; ++i) out += piece;
}

}  // namespace shoplake::sql::formats
