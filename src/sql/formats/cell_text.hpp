// One value of a result as text in each of ClickHouse's serialisation flavours (its IDataType's
// serializeText, ...Escaped, ...CSV and ...JSON), for every Storage, arrays nested to any depth.
#pragma once

#include <cstddef>
#include <string>

#include "shoplake/sql/result.hpp"

namespace shoplake::sql::formats {

enum class TextFlavour : std::uint8_t {
  plain,    // Pretty, Vertical: strings as they are, NULL as ᴺᵁᴸᴸ
  escaped,  // TabSeparated: strings escaped, NULL as \N
  csv,      // CSV: strings, dates and arrays in double quotes, NULL as \N
  json,     // JSON*: 64-bit integers quoted (as 18.16's output_format_json_quote_64bit_integers),
            // inf and nan as null
};

void append_cell(std::string& out, const ColumnType& type, const ColumnData& data, std::size_t row,
                 TextFlavour flavour);

// Numbers, decimals, dates and times sit at the right edge of a Pretty cell.
bool is_right_aligned(const ColumnType& type);

// Whether values of the type are text that may hold invalid UTF-8 (String, or arrays of it).
bool may_hold_invalid_utf8(const ColumnType& type);

}  // namespace shoplake::sql::formats
