// JSONCompact: JSON with each row an array of values on one line.
#include "cell_text.hpp"
#include "format_factories.hpp"
#include "json_document.hpp"

namespace shoplake::sql::formats {
namespace {

class JsonCompact final : public JsonDocument {
 protected:
  void append_row(std::string& out, const ResultChunk& chunk, std::size_t row) const override {
    out += "\t\t[";
    for (std::size_t i = 0; i < columns().size(); ++i) {
      if (i != 0) out += ", ";
      append_cell(out, columns()[i].type, chunk.columns[i], row, TextFlavour::json);
    }
    out += ']';
  }
};

}  // namespace

std::unique_ptr<OutputFormat> make_json_compact() {
  return std::make_unique<JsonCompact>();
}

}  // namespace shoplake::sql::formats
