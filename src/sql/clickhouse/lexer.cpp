#include "lexer.hpp"

#include <array>
#include <cctype>

namespace shoplake::sql::clickhouse {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// Bytes >= 0x80 too: UTF-8 names reach DuckDB, which accepts them, instead of failing here.
bool is_word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_word_char(char c) {
  return is_word_start(c) || is_digit(c);
}
int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ClickHouse's escapes: C's, \xHH, and \c -> c for any other c. A doubled quote is one quote.
std::variant<std::size_t, LexError> read_quoted(std::string_view text, std::size_t start,
                                                std::string& value) {
  const char quote = text[start];
  std::size_t i = start + 1;
  while (i < text.size()) {
    const char c = text[i];
    if (c == quote) {
      if (i + 1 < text.size() && text[i + 1] == quote) {
        value += quote;
        i += 2;
        continue;
      }
      return i + 1;
    }
    if (c != '\\') {
      value += c;
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) break;
    const char e = text[i + 1];
    i += 2;
    switch (e) {
      case 'n':
        value += '\n';
        break;
      case 't':
        value += '\t';
        break;
      case 'r':
        value += '\r';
        break;
      case 'b':
        value += '\b';
        break;
      case 'f':
        value += '\f';
        break;
      case 'a':
        value += '\a';
        break;
      case 'v':
        value += '\v';
        break;
      case '0':
        value += '\0';
        break;
      case 'x':
        if (i + 1 < text.size() && hex_value(text[i]) >= 0 && hex_value(text[i + 1]) >= 0) {
          value += static_cast<char>(hex_value(text[i]) * 16 + hex_value(text[i + 1]));
          i += 2;
        } else {
          value += 'x';
        }
        break;
      default:
        value += e;
    }
  }
  const char* what = quote == '\'' ? "string literal" : "quoted identifier";
  return LexError{std::string("unterminated ") + what, start};
}

std::size_t read_number(std::string_view text, std::size_t i) {
  if (text[i] == '0' && i + 2 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
      hex_value(text[i + 2]) >= 0) {
    i += 2;
    while (i < text.size() && hex_value(text[i]) >= 0) ++i;
    return i;
  }
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (j < text.size() && is_digit(text[j])) {
      i = j;
      while (i < text.size() && is_digit(text[i])) ++i;
    }
  }
  return i;
}

constexpr std::array<std::string_view, 9> kTwoCharSymbols = {"->", "<=", ">=", "!=", "<>",
                                                             "==", "||", "::", "=>"};
constexpr std::string_view kOneCharSymbols = "()[]{},.;+-*/%=<>?:!@^&|~$";

}  // namespace

std::variant<std::vector<Token>, LexError> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  bool space = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (is_space(c)) {
      space = true;
      ++i;
      continue;
    }
    if (text.substr(i, 2) == "--") {
      while (i < text.size() && text[i] != '\n') ++i;
      space = true;
      continue;
    }
    if (text.substr(i, 2) == "/*") {
      const std::size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) return LexError{"unterminated comment", i};
      i = end + 2;
      space = true;
      continue;
    }
    Token token;
    token.offset = i;
    token.space_before = space;
    space = false;
    std::size_t end = i + 1;
    const bool after_operand =
        !tokens.empty() && (tokens.back().kind == TokenKind::word ||
                            tokens.back().kind == TokenKind::quoted_identifier ||
                            is_symbol(tokens.back(), ")") || is_symbol(tokens.back(), "]"));
    if (c == '\'' || c == '`' || c == '"') {
      auto quoted = read_quoted(text, i, token.value);
      if (auto* error = std::get_if<LexError>(&quoted)) return *error;
      end = std::get<std::size_t>(quoted);
      token.kind = c == '\'' ? TokenKind::string : TokenKind::quoted_identifier;
    } else if (is_digit(c) ||
               (c == '.' && !after_operand && i + 1 < text.size() && is_digit(text[i + 1]))) {
      end = read_number(text, i);
      token.kind = TokenKind::number;
    } else if (is_word_start(c)) {
      while (end < text.size() && is_word_char(text[end])) ++end;
      token.kind = TokenKind::word;
    } else {
      bool two = false;
      for (std::string_view symbol : kTwoCharSymbols) two = two || text.substr(i, 2) == symbol;
      if (two) {
        end = i + 2;
      } else if (kOneCharSymbols.find(c) == std::string_view::npos) {
        return LexError{"unexpected character '" + std::string(1, c) + "'", i};
      }
      token.kind = TokenKind::symbol;
    }
    token.text = text.substr(i, end - i);
    if (token.kind == TokenKind::word) token.value = std::string(token.text);
    tokens.push_back(std::move(token));
    i = end;
  }
  return tokens;
}

bool is_word(const Token& token, std::string_view upper) {
  if (token.kind != TokenKind::word || token.text.size() != upper.size()) return false;
  for (std::size_t i = 0; i < upper.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(token.text[i])) != upper[i]) return false;
  }
  return true;
}

bool is_symbol(const Token& token, std::string_view symbol) {
  return token.kind == TokenKind::symbol && token.text == symbol;
}

bool is_name(const Token& token) {
  return token.kind == TokenKind::word || token.kind == TokenKind::quoted_identifier;
}

std::string name_of(const Token& token) {
  return token.value;
}

std::string duckdb_string_literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string duckdb_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace shoplake::sql::clickhouse
