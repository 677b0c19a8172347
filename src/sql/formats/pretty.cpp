// Pretty: a table with heavy lines around the names and a rule between rows.
#include "format_factories.hpp"
#include "pretty_table.hpp"

namespace shoplake::sql::formats {
namespace {

class Pretty final : public PrettyTableFormat {
 protected:
  void draw(const PrettyTable& table, std::string& out) const override {
    const auto append_rule = [&](std::string_view left, std::string_view line,
                                 std::string_view cross, std::string_view right) {
      out += left;
      for (std::size_t i = 0; i < table.columns.size(); ++i) {
        if (i != 0) out += cross;
        append_repeated(out, line, table.columns[i].width + 2);
      }
      out += right;
      out += '\n';
    };
    append_rule("┏", "━", "┳", "┓");
    out += "┃ ";
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const PrettyTable::Column& column = table.columns[i];
      if (i != 0) out += " ┃ ";
      out += "\033[1m";
      append_padded(out, column.name, column.name_width, column.width, column.right_aligned);
      out += "\033[0m";
    }
    out += " ┃\n";
    append_rule("┡", "━", "╇", "┩");
    for (std::size_t row = 0; row < table.rows_to_draw; ++row) {
      if (row != 0) append_rule("├", "─", "┼", "┤");
      out += "│ ";
      for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const PrettyTable::Column& column = table.columns[i];
        if (i != 0) out += " │ ";
        append_padded(out, column.cells[row], column.cell_widths[row], column.width,
                      column.right_aligned);
      }
      out += " │\n";
    }
    append_rule("└", "─", "┴", "┘");
  }
};

}  // namespace

std::unique_ptr<OutputFormat> make_pretty() {
  return std::make_unique<Pretty>();
}

}  // namespace shoplake::sql::formats
