#include "sent_rows.hpp"

#include <cstring>
#include <functional>

namespace shoplake::sql::exporter {
namespace {

template <typename T>
void append_bytes(std::string& out, const T& value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

}  // namespace

SentRows::Entry* SentRows::visit(std::string key) {
  Entry& entry = entries_[std::move(key)];
  if (entry.pass == pass_) return nullptr;
  entry.pass = pass_;
  return &entry;
}

void SentRows::end_pass() {
  std::erase_if(entries_, [&](const auto& item) { return item.second.pass != pass_; });
}

std::optional<std::string> row_key(const std::vector<ColumnInfo>& columns, const ResultChunk& chunk,
                                   const std::vector<std::size_t>& key, std::size_t row) {
  std::string out;
  for (std::size_t index : key) {
    const ColumnData& data = chunk.columns[index];
    if (!data.null.empty() && data.null[row] != 0) return std::nullopt;
    // Key columns are dimensions: strings, or dates and times held as integers.
    if (columns[index].type.storage == Storage::string) {
      const std::string& text = data.str[row];
      append_bytes(out, static_cast<std::uint64_t>(text.size()));
      out += text;
    } else {
      append_bytes(out, data.i64[row]);
    }
  }
  return out;
}

std::uint64_t row_hash(std::string_view row_text) {
  return std::hash<std::string_view>{}(row_text);
}

}  // namespace shoplake::sql::exporter
