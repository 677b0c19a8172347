// CSV and CSVWithNames.
#include "cell_text.hpp"
#include "escaping.hpp"
#include "format_factories.hpp"

namespace shoplake::sql::formats {
namespace {

class Csv final : public OutputFormat {
 public:
  explicit Csv(HeaderRows header) : header_(header) {}

  std::string_view content_type() const override {
    return header_ == HeaderRows::none ? "text/csv; charset=UTF-8; header=absent"
                                       : "text/csv; charset=UTF-8; header=present";
  }

  void begin(const std::vector<ColumnInfo>& columns, std::string& out) override {
    columns_ = columns;
    if (header_ == HeaderRows::none) return;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i != 0) out += ',';
      append_csv_quoted(out, columns_[i].name);
    }
    out += '\n';
  }

  void write(const ResultChunk& chunk, std::string& out) override {
    for (std::size_t row = 0; row < chunk.rows; ++row) {
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (i != 0) out += ',';
        append_cell(out, columns_[i].type, chunk.columns[i], row, TextFlavour::csv);
      }
      out += '\n';
    }
  }

  void finish(const QueryStatistics&, std::string&) override {}

 private:
  HeaderRows header_;
  std::vector<ColumnInfo> columns_;
};

}  // namespace

std::unique_ptr<OutputFormat> make_csv(HeaderRows header) {
  return std::make_unique<Csv>(header);
}

}  // namespace shoplake::sql::formats
