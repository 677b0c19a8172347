// ClickHouse's lexical rules: what is a string, a quoted identifier, a comment, a number. The
// translator rewrites tokens, never raw text, so a keyword inside a string or comment is never
// touched.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace shoplake::sql::clickhouse {

enum class TokenKind {
  word,               // a bare identifier or keyword
  quoted_identifier,  // `x` or "x"
  string,             // 'x'
  number,
  symbol,  // an operator or punctuation: ( ) [ ] , . ; -> <= || …
};

struct Token {
  TokenKind kind = TokenKind::symbol;
  std::string_view text;  // as written
  std::string value;      // string and quoted identifier: the content with escapes decoded
  std::size_t offset = 0;
  bool space_before = false;  // whitespace or a comment separates it from the previous token
};

struct LexError {
  std::string message;
  std::size_t position = 0;
};

std::variant<std::vector<Token>, LexError> tokenize(std::string_view text);

// Case-insensitive match of a bare word, e.g. is_word(t, "SELECT").
bool is_word(const Token& token, std::string_view upper);
bool is_symbol(const Token& token, std::string_view symbol);
// A bare or quoted identifier's name.
bool is_name(const Token& token);
std::string name_of(const Token& token);

// DuckDB literal syntax for a decoded string / identifier.
std::string duckdb_string_literal(std::string_view value);
std::string duckdb_identifier(std::string_view name);

}  // namespace shoplake::sql::clickhouse
