#include "cell_text.hpp"

#include <cmath>
#include <string_view>

#include "date_text.hpp"
#include "escaping.hpp"
#include "number_text.hpp"

namespace shoplake::sql::formats {
namespace {

bool is_null(const ColumnData& data, std::size_t row) {
  return !data.null.empty() && data.null[row] != 0;
}

std::string_view strip_wrapper(std::string_view name, std::string_view wrapper) {
  if (name.starts_with(wrapper) && name.ends_with(')')) {
    return name.substr(wrapper.size(), name.size() - wrapper.size() - 1);
  }
  return name;
}

// The type name without Nullable(...) and LowCardinality(...).
std::string_view base_name(std::string_view name) {
  return strip_wrapper(strip_wrapper(name, "LowCardinality("), "Nullable(");
}

// An array's element type name: the element's own, or else read from "Array(T)".
std::string_view element_name(const ColumnType& array, std::string_view array_name) {
  if (array.element && !array.element->clickhouse_name.empty()) {
    return array.element->clickhouse_name;
  }
  return strip_wrapper(base_name(array_name), "Array(");
}

bool is_64bit_integer(std::string_view name) {
  const std::string_view base = base_name(name);
  return base == "Int64" || base == "UInt64";
}

enum class Quote : std::uint8_t { none, single, double_quote };

// Values of non-numeric text types (dates, times) in the quotes the flavour puts around them.
template <typename Print>
void append_in_quotes(std::string& out, Quote quote, Print print) {
  const char mark = quote == Quote::single ? '\'' : '"';
  if (quote != Quote::none) out += mark;
  print();
  if (quote != Quote::none) out += mark;
}

// TextFlavour plus `quoted`, the Values syntax that array elements take outside JSON.
enum class Style : std::uint8_t { plain, escaped, csv, json, quoted };

void append_value(std::string& out, const ColumnType& type, std::string_view name,
                  const ColumnData& data, std::size_t row, Style style);

void append_array(std::string& out, const ColumnType& type, std::string_view name,
                  const ColumnData& data, std::size_t row, Style element_style) {
  out += '[';
  if (type.element && data.element) {
    const std::string_view inner_name = element_name(type, name);
    for (std::uint32_t i = data.offsets[row]; i < data.offsets[row + 1]; ++i) {
      if (i != data.offsets[row]) out += ',';
      append_value(out, *type.element, inner_name, *data.element, i, element_style);
    }
  }
  out += ']';
}

void append_value(std::string& out, const ColumnType& type, std::string_view name,
                  const ColumnData& data, std::size_t row, Style style) {
  if (is_null(data, row)) {
    switch (style) {
      case Style::plain:
        out += "ᴺᵁᴸᴸ";
        break;
      case Style::escaped:
      case Style::csv:
        out += "\\N";
        break;
      case Style::json:
        out += "null";
        break;
      case Style::quoted:
        out += "NULL";
        break;
    }
    return;
  }
  const Quote quote = style == Style::quoted                          ? Quote::single
                      : (style == Style::csv || style == Style::json) ? Quote::double_quote
                                                                      : Quote::none;
  const bool quote_integer = style == Style::json && is_64bit_integer(name);
  switch (type.storage) {
    case Storage::int64:
      if (quote_integer) out += '"';
      append_integer(out, data.i64[row]);
      if (quote_integer) out += '"';
      break;
    case Storage::uint64:
      if (quote_integer) out += '"';
      append_integer(out, data.u64[row]);
      if (quote_integer) out += '"';
      break;
    case Storage::float32:
    case Storage::float64: {
      const double value = data.f64[row];
      if (style == Style::json && !std::isfinite(value)) {
        out += "null";
      } else if (type.storage == Storage::float32) {
        append_float32(out, value);
      } else {
        append_float64(out, value);
      }
      break;
    }
    case Storage::decimal:
      out += data.str[row];
      break;
    case Storage::string:
      switch (style) {
        case Style::plain:
          out += data.str[row];
          break;
        case Style::escaped:
          append_escaped(out, data.str[row]);
          break;
        case Style::csv:
          append_csv_quoted(out, data.str[row]);
          break;
        case Style::json:
          append_json_string(out, data.str[row]);
          break;
        case Style::quoted:
          append_quoted(out, data.str[row]);
          break;
      }
      break;
    case Storage::date:
      append_in_quotes(out, quote, [&] { append_date(out, data.i64[row]); });
      break;
    case Storage::datetime:
      append_in_quotes(out, quote, [&] { append_datetime(out, data.i64[row]); });
      break;
    case Storage::datetime64:
      append_in_quotes(out, quote, [&] { append_datetime64(out, data.i64[row], type.scale); });
      break;
    case Storage::array:
      if (style == Style::json) {
        append_array(out, type, name, data, row, Style::json);
      } else if (style == Style::csv) {
        std::string text;
        append_array(text, type, name, data, row, Style::quoted);
        append_csv_quoted(out, text);
      } else {
        append_array(out, type, name, data, row, Style::quoted);
      }
      break;
  }
}

}  // namespace

void append_cell(std::string& out, const ColumnType& type, const ColumnData& data, std::size_t row,
                 TextFlavour flavour) {
  static constexpr Style styles[] = {Style::plain, Style::escaped, Style::csv, Style::json};
  append_value(out, type, type.clickhouse_name, data, row,
               styles[static_cast<std::size_t>(flavour)]);
}

bool is_right_aligned(const ColumnType& type) {
  return type.storage != Storage::string && type.storage != Storage::array;
}

bool may_hold_invalid_utf8(const ColumnType& type) {
  if (type.storage == Storage::array) return type.element && may_hold_invalid_utf8(*type.element);
  return type.storage == Storage::string;
}

}  // namespace shoplake::sql::formats
