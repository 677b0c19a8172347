// The read-only front door: which statements users may run.
#pragma once

#include <duckdb.h>

#include <optional>
#include <string>
#include <string_view>

namespace shoplake::sql {

// "INSERT", "CREATE", "ATTACH", … for messages.
std::string_view statement_kind_name(duckdb_statement_type type);

bool is_read_only_kind(duckdb_statement_type type);

// The first keyword of `sql` when it starts a statement that writes or changes settings
// ("INSERT", "SET", …), so it is refused before DuckDB binds it. What is allowed is decided on the
// prepared statement; this only refuses early (and names the statement when its table is missing).
std::optional<std::string> writing_keyword(std::string_view sql);

// The first function `sql` calls that changes state beyond its query (enable_logging, checkpoint,
// setseed, query('…'), …; statement_guard.cpp lists them), as written, or nothing. A read-only
// transaction does not stop these: they write no table. Names inside string literals, quoted
// identifiers and comments are told apart as DuckDB's lexer does.
std::optional<std::string> state_changing_function(std::string_view sql);

bool starts_with_explain(std::string_view sql);

// The statement an EXPLAIN explains ("EXPLAIN ANALYZE SELECT 1" -> "SELECT 1"), or nothing when
// `sql` does not start with EXPLAIN in a form this understands. EXPLAIN ANALYZE runs its statement,
// so it may only explain what is itself allowed.
std::optional<std::string> explained_statement(std::string_view sql);

}  // namespace shoplake::sql
