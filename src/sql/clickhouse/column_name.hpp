// The name ClickHouse gives an unaliased select-list expression: its AST written back with
// operators as function calls, e.g. `price * 2 > 1` -> `greater(multiply(price, 2), 1)`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "lexer.hpp"

namespace shoplake::sql::clickhouse {

// Empty when tokens [begin, end) are not one expression the namer understands (subqueries,
// window functions, …); the column then keeps DuckDB's name.
std::optional<std::string> clickhouse_column_name(const std::vector<Token>& tokens,
                                                  std::size_t begin, std::size_t end);

}  // namespace shoplake::sql::clickhouse
