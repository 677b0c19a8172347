#include "json_document.hpp"

#include "cell_text.hpp"
#include "escaping.hpp"
#include "number_text.hpp"

namespace shoplake::sql::formats {

void JsonDocument::begin(const std::vector<ColumnInfo>& columns, std::string& out) {
  columns_ = columns;
  quoted_names_.clear();
  rows_ = 0;
  repair_utf8_ = false;
  for (const ColumnInfo& column : columns_) {
    append_json_string(quoted_names_.emplace_back(), column.name);
    repair_utf8_ = repair_utf8_ || may_hold_invalid_utf8(column.type);
  }
  std::string text = "{\n\t\"meta\":\n\t[\n";
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    text += "\t\t{\n\t\t\t\"name\": ";
    text += quoted_names_[i];
    text += ",\n\t\t\t\"type\": ";
    append_json_string(text, columns_[i].type.clickhouse_name);
    text += i + 1 < columns_.size() ? "\n\t\t},\n" : "\n\t\t}\n";
  }
  text += "\t],\n\n\t\"data\":\n\t[\n";
  emit(out, text);
}

void JsonDocument::write(const ResultChunk& chunk, std::string& out) {
  std::string text;
  for (std::size_t row = 0; row < chunk.rows; ++row, ++rows_) {
    if (rows_ > 0) text += ",\n";
    append_row(text, chunk, row);
  }
  emit(out, text);
}

void JsonDocument::finish(const QueryStatistics& statistics, std::string& out) {
  out += "\n\t],\n\n\t\"rows\": ";
  append_integer(out, rows_);
  out += ",\n\n\t\"statistics\":\n\t{\n\t\t\"elapsed\": ";
  append_float64(out, statistics.elapsed_seconds);
  out += ",\n\t\t\"rows_read\": ";
  append_integer(out, statistics.rows_read);
  out += ",\n\t\t\"bytes_read\": ";
  append_integer(out, statistics.bytes_read);
  out += "\n\t}\n}\n";
}

void JsonDocument::emit(std::string& out, const std::string& text) const {
  if (repair_utf8_) {
    append_valid_utf8(out, text);
  } else {
    out += text;
  }
}

}  // namespace shoplake::sql::formats
