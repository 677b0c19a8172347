#include "lexer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shoplake::sql::clickhouse {
namespace {

std::vector<Token> lex(std::string_view text) {
  auto result = tokenize(text);
  EXPECT_TRUE(std::holds_alternative<std::vector<Token>>(result)) << text;
  return std::holds_alternative<std::vector<Token>>(result) ? std::get<std::vector<Token>>(result)
                                                            : std::vector<Token>{};
}

LexError lex_error(std::string_view text) {
  auto result = tokenize(text);
  EXPECT_TRUE(std::holds_alternative<LexError>(result)) << text;
  return std::holds_alternative<LexError>(result) ? std::get<LexError>(result) : LexError{};
}

TEST(Lexer, StringsDecodeClickHouseEscapes) {
  const auto tokens = lex(R"('it\'s' 'a''b' 'tab\there' '\x41\d' 'back\\slash')");
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[0].kind, TokenKind::string);
  EXPECT_EQ(tokens[0].value, "it's");
  EXPECT_EQ(tokens[1].value, "a'b");
  EXPECT_EQ(tokens[2].value, "tab\there");
  EXPECT_EQ(tokens[3].value, "Ad");  // \c is c for any other c
  EXPECT_EQ(tokens[4].value, "back\\slash");
}

TEST(Lexer, KeywordsInsideStringsCommentsAndQuotedNamesStayThere) {
  const auto tokens =
      lex("SELECT 'FROM x FORMAT JSON' -- FORMAT CSV\n, `SETTINGS` /* LIMIT 1, 2 */ , \"a\"\"b\"");
  ASSERT_EQ(tokens.size(), 6u);
  EXPECT_EQ(tokens[1].value, "FROM x FORMAT JSON");
  EXPECT_EQ(tokens[3].kind, TokenKind::quoted_identifier);
  EXPECT_EQ(tokens[3].value, "SETTINGS");
  EXPECT_FALSE(is_word(tokens[3], "SETTINGS"));
  EXPECT_EQ(tokens[5].value, "a\"b");
  EXPECT_TRUE(tokens[2].space_before);  // the comment separated them
}

TEST(Lexer, NumbersAndOperators) {
  const auto tokens = lex("1.5e-3 0x1F .5 t.1 a->b<=c||d::Int8 x!=y");
  std::vector<std::string> texts;
  for (const Token& t : tokens) texts.emplace_back(t.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"1.5e-3", "0x1F", ".5", "t", ".", "1", "a", "->", "b",
                                             "<=", "c", "||", "d", "::", "Int8", "x", "!=", "y"}));
  EXPECT_EQ(tokens[0].kind, TokenKind::number);
  EXPECT_EQ(tokens[2].kind, TokenKind::number);
  EXPECT_EQ(tokens[5].kind, TokenKind::number);
}

TEST(Lexer, ErrorsSayWhereTheyStart) {
  EXPECT_EQ(lex_error("SELECT 'abc").position, 7u);
  EXPECT_EQ(lex_error("SELECT 'abc").message, "unterminated string literal");
  EXPECT_EQ(lex_error("SELECT `abc").message, "unterminated quoted identifier");
  EXPECT_EQ(lex_error("SELECT 1 /* x").position, 9u);
  EXPECT_EQ(lex_error("SELECT 1 /* x").message, "unterminated comment");
  EXPECT_EQ(lex_error("SELECT 'a\\'").position, 7u);  // the escaped quote does not close it
  EXPECT_EQ(lex_error("SELECT #").position, 7u);
}

TEST(Lexer, DuckDbLiterals) {
  EXPECT_EQ(duckdb_string_literal("it's \\"), "'it''s \\'");
  EXPECT_EQ(duckdb_identifier("a\"b"), "\"a\"\"b\"");
}

}  // namespace
}  // namespace shoplake::sql::clickhouse
