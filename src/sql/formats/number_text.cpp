#include "number_text.hpp"

#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

namespace shoplake::sql::formats {
namespace {

// `scientific` is to_chars' shortest round-trip text in scientific form, e.g. "-1.25e+20".
void append_shortest_layout(std::string& out, std::string_view scientific) {
  if (scientific.front() == '-') {
    out += '-';
    scientific.remove_prefix(1);
  }
  const auto e = scientific.find('e');
  std::string digits;
  for (const char c : scientific.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  const auto exponent_text = scientific.substr(e + 1);
  const char* first = exponent_text.data() + (exponent_text.front() == '+' ? 1 : 0);
  std::from_chars(first, exponent_text.data() + exponent_text.size(), exponent);

  const int length = static_cast<int>(digits.size());
  if (exponent >= -6 && exponent < 21) {
    const int point = exponent + 1;  // digits before the decimal point
    if (point <= 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-point), '0');
      out += digits;
    } else if (point >= length) {
      out += digits;
      out.append(static_cast<std::size_t>(point - length), '0');
    } else {
      out.append(digits, 0, static_cast<std::size_t>(point));
      out += '.';
      out.append(digits, static_cast<std::size_t>(point));
    }
    return;
  }
  out += digits.front();
  if (length > 1) {
    out += '.';
    out.append(digits, 1);
  }
  out += 'e';
  char buffer[8];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, exponent);
  out.append(buffer, end);
}

template <typename Float>
void append_float(std::string& out, Float value) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-inf" : "inf";
    return;
  }
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  append_shortest_layout(out, std::string_view(buffer, result.ptr));
}

template <typename Integer>
void append_integer_text(std::string& out, Integer value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

}  // namespace

void append_integer(std::string& out, std::int64_t value) {
  append_integer_text(out, value);
}
void append_integer(std::string& out, std::uint64_t value) {
  append_integer_text(out, value);
}
void append_float64(std::string& out, double value) {
  append_float(out, value);
}
void append_float32(std::string& out, double value) {
  append_float(out, static_cast<float>(value));
}

}  // namespace shoplake::sql::formats
