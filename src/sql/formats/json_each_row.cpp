// JSONEachRow: one JSON object a line. Unlike JSON, ClickHouse does not repair invalid UTF-8 here.
#include "cell_text.hpp"
#include "escaping.hpp"
#include "format_factories.hpp"

namespace shoplake::sql::formats {
namespace {

class JsonEachRow final : public OutputFormat {
 public:
  std::string_view content_type() const override { return "text/plain; charset=UTF-8"; }

  void begin(const std::vector<ColumnInfo>& columns, std::string&) override {
    columns_ = columns;
    for (const ColumnInfo& column : columns_) {
      std::string key;
      append_json_string(key, column.name);
      keys_.push_back(std::move(key) + ':');
    }
  }

  void write(const ResultChunk& chunk, std::string& out) override {
    for (std::size_t row = 0; row < chunk.rows; ++row) {
      out += '{';
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (i != 0) out += ',';
        out += keys_[i];
        append_cell(out, columns_[i].type, chunk.columns[i], row, TextFlavour::json);
      }
      out += "}\n";
    }
  }

  void finish(const QueryStatistics&, std::string&) override {}

 private:
  std::vector<ColumnInfo> columns_;
  std::vector<std::string> keys_;
};

}  // namespace

std::unique_ptr<OutputFormat> make_json_each_row() {
  return std::make_unique<JsonEachRow>();
}

}  // namespace shoplake::sql::formats
