// JSON: each row an object of "name": value pairs, one pair a line.
#include "cell_text.hpp"
#include "format_factories.hpp"
#include "json_document.hpp"

namespace shoplake::sql::formats {
namespace {

class Json final : public JsonDocument {
 protected:
  void append_row(std::string& out, const ResultChunk& chunk, std::size_t row) const override {
    out += "\t\t{\n";
    for (std::size_t i = 0; i < columns().size(); ++i) {
      if (i != 0) out += ",\n";
      out += "\t\t\t";
      out += quoted_names()[i];
      out += ": ";
      append_cell(out, columns()[i].type, chunk.columns[i], row, TextFlavour::json);
    }
    out += "\n\t\t}";
  }
};

}  // namespace

std::unique_ptr<OutputFormat> make_json() {
  return std::make_unique<Json>();
}

}  // namespace shoplake::sql::formats
