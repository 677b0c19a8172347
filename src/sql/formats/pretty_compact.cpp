// PrettyCompact: the names set into the top line, no rules between rows.
#include "format_factories.hpp"
#include "pretty_table.hpp"

namespace shoplake::sql::formats {
namespace {

class PrettyCompact final : public PrettyTableFormat {
 protected:
  void draw(const PrettyTable& table, std::string& out) const override {
    out += "┌─";
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const PrettyTable::Column& column = table.columns[i];
      if (i != 0) out += "─┬─";
      const std::size_t fill = column.width - column.name_width;
      if (column.right_aligned) append_repeated(out, "─", fill);
      append_bold(out, column.name);
      if (!column.right_aligned) append_repeated(out, "─", fill);
    }
    out += "─┐\n";
    for (std::size_t row = 0; row < table.rows_to_draw; ++row) {
      out += "│ ";
      for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const PrettyTable::Column& column = table.columns[i];
        if (i != 0) out += " │ ";
        append_padded(out, column.cells[row], column.cell_widths[row], column.width,
                      column.right_aligned);
      }
      out += " │\n";
    }
    out += "└";
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      if (i != 0) out += "┴";
      append_repeated(out, "─", table.columns[i].width + 2);
    }
    out += "┘\n";
  }
};

}  // namespace

std::unique_ptr<OutputFormat> make_pretty_compact() {
  return std::make_unique<PrettyCompact>();
}

}  // namespace shoplake::sql::formats
