#include "escaping.hpp"

#include <array>
#include <cstdint>

namespace shoplake::sql::formats {

namespace {

// The escape sequence of each byte TabSeparated escapes, or nullptr for a byte written as it is.
constexpr std::array<const char*, 256> kTabSeparatedEscapes = [] {
  std::array<const char*, 256> escapes{};
  escapes['\b'] = "\\b";
  escapes['\f'] = "\\f";
  escapes['\n'] = "\\n";
  escapes['\r'] = "\\r";
  escapes['\t'] = "\\t";
  escapes['\0'] = "\\0";
  escapes['\\'] = "\\\\";
  escapes['\''] = "\\'";
  return escapes;
}();

}  // namespace

// Runs of bytes that need no escape (nearly every value) are appended whole: a character at a
// time was a tenth of a 2,000-row dashboard answer.
void append_escaped(std::string& out, std::string_view text) {
  std::size_t first_escape = 0;
  while (first_escape < text.size() &&
         kTabSeparatedEscapes[static_cast<unsigned char>(text[first_escape])] == nullptr) {
    ++first_escape;
  }
  if (first_escape == text.size()) {
    out += text;
    return;
  }
  std::size_t run_start = 0;
  for (std::size_t i = first_escape; i < text.size(); ++i) {
    const char* escape = kTabSeparatedEscapes[static_cast<unsigned char>(text[i])];
    if (escape == nullptr) continue;
    out.append(text.data() + run_start, i - run_start);
    out += escape;
    run_start = i + 1;
  }
  out.append(text.data() + run_start, text.size() - run_start);
}

void append_quoted(std::string& out, std::string_view text) {
  out += '\'';
  append_escaped(out, text);
  out += '\'';
}

void append_csv_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  out += '"';
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    switch (byte) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '/':
        out += "\\/";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case 0xE2:
        // U+2028 and U+2029 end a line in JavaScript, so ClickHouse escapes them.
        if (i + 2 < text.size() && text[i + 1] == '\x80' &&
            (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
          out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
          i += 2;
        } else {
          out += text[i];
        }
        break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out += hex[byte >> 4];
          out += hex[byte & 0xF];
        } else {
          out += text[i];
        }
    }
  }
  out += '"';
}

namespace {

// The length a lead byte announces; 0 for a byte that cannot start a sequence.
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xC2) return 0;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  if (lead < 0xF5) return 4;
  return 0;
}

// Well-formed per Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF.
bool is_well_formed(std::string_view text, std::size_t at, std::size_t length) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const auto continuation = [&](std::size_t i) { return (byte(i) & 0xC0) == 0x80; };
  if (length == 1) return true;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (byte(0) == 0xE0) low = 0xA0;
  if (byte(0) == 0xED) high = 0x9F;
  if (byte(0) == 0xF0) low = 0x90;
  if (byte(0) == 0xF4) high = 0x8F;
  if (byte(1) < low || byte(1) > high) return false;
  for (std::size_t i = 2; i < length; ++i) {
    if (!continuation(i)) return false;
  }
  return true;
}

}  // namespace

void append_valid_utf8(std::string& out, std::string_view text) {
  bool just_replaced = false;
  std::size_t valid_from = 0;
  std::size_t at = 0;
  const auto replace_byte = [&] {
    out.append(text, valid_from, at - valid_from);
    if (at > valid_from) just_replaced = false;
    if (!just_replaced) out += "\xEF\xBF\xBD";
    just_replaced = true;
    valid_from = ++at;
  };
  while (at < text.size()) {
    const std::size_t length = sequence_length(static_cast<unsigned char>(text[at]));
    if (length != 0 && at + length <= text.size() && is_well_formed(text, at, length)) {
      at += length;
    } else {
      replace_byte();
    }
  }
  out.append(text, valid_from, at - valid_from);
}

}  // namespace shoplake::sql::formats
