// Vertical: each row as a block of "name: value" lines under a "Row N:" heading.
#include <algorithm>
#include <cmath>

#include "cell_text.hpp"
#include "display_width.hpp"
#include "format_factories.hpp"
#include "number_text.hpp"

namespace shoplake::sql::formats {
namespace {

class Vertical final : public OutputFormat {
 public:
  static constexpr std::uint64_t max_rows = 10000;

  std::string_view content_type() const override { return "text/plain; charset=UTF-8"; }

  void begin(const std::vector<ColumnInfo>& columns, std::string&) override {
    columns_ = columns;
    row_number_ = 0;
    std::size_t widest = 0;
    for (const ColumnInfo& column : columns_) widest = std::max(widest, code_points(column.name));
    labels_.clear();
    for (const ColumnInfo& column : columns_) {
      labels_.push_back(column.name + ':');
      labels_.back().append(widest + 1 - code_points(column.name), ' ');
    }
  }

  void write(const ResultChunk& chunk, std::string& out) override {
    for (std::size_t row = 0; row < chunk.rows; ++row) {
      if (row_number_ > max_rows) {
        ++row_number_;
        continue;
      }
      if (row_number_ > 0) out += '\n';
      ++row_number_;
      if (row_number_ > max_rows) continue;
      out += "Row ";
      append_integer(out, row_number_);
      out += ":\n";
      const auto rule = static_cast<std::size_t>(std::log10(row_number_ + 1)) + 1 + 5;
      for (std::size_t i = 0; i < rule; ++i) out += "─";
      out += '\n';
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        out += labels_[i];
        append_cell(out, columns_[i].type, chunk.columns[i], row, TextFlavour::plain);
        out += '\n';
      }
    }
  }

  void finish(const QueryStatistics&, std::string& out) override {
    if (row_number_ > max_rows) out += "Showed first 10000.\n";
  }

 private:
  std::vector<ColumnInfo> columns_;
  std::vector<std::string> labels_;  // "name:" padded to line the values up
  std::uint64_t row_number_ = 0;
};

}  // namespace

std::unique_ptr<OutputFormat> make_vertical() {
  return std::make_unique<Vertical>();
}

}  // namespace shoplake::sql::formats
