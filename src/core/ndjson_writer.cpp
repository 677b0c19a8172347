#include "shoplake/core/ndjson_writer.hpp"

#include <charconv>

#include "shoplake/core/time.hpp"

namespace shoplake::core {

void append_json_string(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t clean_from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + clean_from, i - clean_from);
    clean_from = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(text.data() + clean_from, text.size() - clean_from);
  out.push_back('"');
}

namespace {

void append_key(std::string_view key, std::string& out) {
  out.push_back(',');
  out.push_back('"');
  out.append(key);
  out.append("\":");
}

void append_string_field(std::string_view key, std::string_view value, std::string& out) {
  append_key(key, out);
  append_json_string(value, out);
}

template <typename Number>
void append_number(Number value, std::string& out) {
  char digits[32];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

// `properties` is a JSON object; its members go into the top level, after the contract fields.
void append_properties_members(std::string_view properties, std::string& out) {
  const std::size_t open = properties.find('{');
  const std::size_t close = properties.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close <= open) return;
  const std::string_view inner = properties.substr(open + 1, close - open - 1);
  if (inner.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
  out.push_back(',');
  out.append(inner);
}

}  // namespace

void append_ndjson(const EventView& event, std::string& out) {
  out.append("{\"event_id\":");
  append_json_string(event.event_id, out);
  append_key("event_type", out);
  out.push_back('"');
  out.append(to_string(event.type));
  out.push_back('"');
  append_key("ts", out);
  out.push_back('"');
  append_rfc3339_ms(event.ts_ms, out);
  out.push_back('"');
  append_string_field("user_id", event.user_id, out);
  if (!event.session_id.empty()) append_string_field("session_id", event.session_id, out);
  if (!event.source.empty()) append_string_field("source", event.source, out);
  if (carries_product(event.type)) {
    append_string_field("product_id", event.product_id, out);
    append_string_field("category", event.category, out);
    append_key("price", out);
    append_number(event.price, out);
    append_key("quantity", out);
    append_number(event.quantity, out);
  }
  if (event.type == EventType::purchase) append_string_field("order_id", event.order_id, out);
  if (!event.currency.empty() && event.currency != kDefaultCurrency) {
    append_string_field("currency", event.currency, out);
  }
  append_properties_members(event.properties, out);
  out.append("}\n");
}

}  // namespace shoplake::core
