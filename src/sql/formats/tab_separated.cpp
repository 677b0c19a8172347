// TabSeparated, TabSeparatedWithNames, TabSeparatedWithNamesAndTypes (and their TSV aliases).
#include "cell_text.hpp"
#include "escaping.hpp"
#include "format_factories.hpp"

namespace shoplake::sql::formats {
namespace {

class TabSeparated final : public OutputFormat {
 public:
  explicit TabSeparated(HeaderRows header) : header_(header) {}

  std::string_view content_type() const override {
    return "text/tab-separated-values; charset=UTF-8";
  }

  void begin(const std::vector<ColumnInfo>& columns, std::string& out) override {
    columns_ = columns;
    if (header_ == HeaderRows::none) return;
    append_line(out, [](const ColumnInfo& column) -> const std::string& { return column.name; });
    if (header_ == HeaderRows::names_and_types) {
      append_line(out, [](const ColumnInfo& column) -> const std::string& {
        return column.type.clickhouse_name;
      });
    }
  }

  void write(const ResultChunk& chunk, std::string& out) override {
    for (std::size_t row = 0; row < chunk.rows; ++row) {
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (i != 0) out += '\t';
        append_cell(out, columns_[i].type, chunk.columns[i], row, TextFlavour::escaped);
      }
      out += '\n';
    }
  }

  void finish(const QueryStatistics&, std::string&) override {}

 private:
  template <typename Field>
  void append_line(std::string& out, Field field) const {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i != 0) out += '\t';
      append_escaped(out, field(columns_[i]));
    }
    out += '\n';
  }

  HeaderRows header_;
  std::vector<ColumnInfo> columns_;
};

}  // namespace

std::unique_ptr<OutputFormat> make_tab_separated(HeaderRows header) {
  return std::make_unique<TabSeparated>(header);
}

}  // namespace shoplake::sql::formats
