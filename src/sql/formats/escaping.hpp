// String escaping of each ClickHouse text flavour (18.16's WriteHelpers), plus the UTF-8 repair
// that ClickHouse applies to JSON and JSONCompact output.
#pragma once

#include <string>
#include <string_view>

namespace shoplake::sql::formats {

// TabSeparated: \b \f \n \r \t \0 \\ and \' get a backslash; every other byte passes as is.
void append_escaped(std::string& out, std::string_view text);
// A string inside an array (and the Values format): the escaped text between single quotes.
void append_quoted(std::string& out, std::string_view text);
// CSV: between double quotes, a double quote doubled, nothing else touched.
void append_csv_quoted(std::string& out, std::string_view text);
// JSON: between double quotes; \" \\ \/ \b \f \n \r \t, other control bytes as \u00XX,
// U+2028 and U+2029 as \u2028 and \u2029; other bytes pass (even invalid UTF-8).
void append_json_string(std::string& out, std::string_view text);

// Copies `text`, replacing every run of bytes that is not valid UTF-8 by one U+FFFD, as
// ClickHouse's WriteBufferValidUTF8 does.
void append_valid_utf8(std::string& out, std::string_view text);

}  // namespace shoplake::sql::formats
