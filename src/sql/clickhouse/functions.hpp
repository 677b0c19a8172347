// ClickHouse functions in DuckDB: the macros that define them and the calls the translator
// renames because DuckDB already has a builtin of that name with another meaning.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace shoplake::sql::clickhouse {

// The DuckDB function a ClickHouse call must use instead (case-insensitive); empty: keep the name.
std::string_view renamed_function(std::string_view clickhouse_name);

// ASCII case-insensitive equality: SQL keywords and ClickHouse function names.
bool equals_ignore_case(std::string_view a, std::string_view b);

// Every name the macros define, for tests that check none shadows a DuckDB builtin.
std::vector<std::string> macro_names();

}  // namespace shoplake::sql::clickhouse
