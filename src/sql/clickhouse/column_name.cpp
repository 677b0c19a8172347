#include "column_name.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include "../formats/escaping.hpp"

namespace shoplake::sql::clickhouse {
namespace {

using Name = std::optional<std::string>;

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

std::string call(std::string_view function, const std::vector<std::string>& args) {
  return std::string(function) + "(" + join(args) + ")";
}

// Literals are named by value, as ClickHouse prints them: 007 -> 7, 0x1F -> 31, 1e3 -> 1000.
std::string number_name(std::string_view text) {
  std::uint64_t integer = 0;
  const bool hex = text.size() > 2 && (text[1] == 'x' || text[1] == 'X');
  const std::string_view digits = hex ? text.substr(2) : text;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), integer, hex ? 16 : 10);
  if (error == std::errc() && end == digits.data() + digits.size()) return std::to_string(integer);
  const double value = std::strtod(std::string(text).c_str(), nullptr);
  std::array<char, 64> buffer{};
  const auto written = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  std::string out(buffer.data(), written.ptr);
  if (out.find_first_of(".en") == std::string::npos) out += '.';
  return out;
}

// A string literal as ClickHouse names it: quoted and escaped as in its Values/array text.
std::string string_name(std::string_view value) {
  std::string out;
  formats::append_quoted(out, value);
  return out;
}

// Words that end an expression rather than name a column.
constexpr std::array<std::string_view, 28> kReserved = {
    "SELECT", "FROM",  "WHERE", "GROUP",  "ORDER",    "HAVING",   "LIMIT",  "AS",    "AND", "OR",
    "NOT",    "IN",    "LIKE",  "ILIKE",  "IS",       "BETWEEN",  "THEN",   "ELSE",  "END", "WHEN",
    "CASE",   "UNION", "OVER",  "FILTER", "DISTINCT", "SETTINGS", "FORMAT", "GLOBAL"};

class Namer {
 public:
  Namer(const std::vector<Token>& tokens, std::size_t begin, std::size_t end)
      : tokens_(tokens), pos_(begin), end_(end) {}

  Name whole() {
    Name name = expression();
    return name && pos_ == end_ ? name : std::nullopt;
  }

 private:
  bool at_end() const { return pos_ >= end_; }
  const Token* peek(std::size_t ahead = 0) const {
    return pos_ + ahead < end_ ? &tokens_[pos_ + ahead] : nullptr;
  }
  bool word(std::string_view upper, std::size_t ahead = 0) const {
    const Token* t = peek(ahead);
    return t && is_word(*t, upper);
  }
  bool symbol(std::string_view s, std::size_t ahead = 0) const {
    const Token* t = peek(ahead);
    return t && is_symbol(*t, s);
  }
  bool accept_word(std::string_view upper) {
    if (!word(upper)) return false;
    ++pos_;
    return true;
  }
  bool accept_symbol(std::string_view s) {
    if (!symbol(s)) return false;
    ++pos_;
    return true;
  }

  // Bounds the recursion on input like `- - - - x` or `NOT NOT … x`.
  struct Deeper {
    explicit Deeper(int& depth) : depth_(++depth) {}
    ~Deeper() { --depth_; }
    Deeper(const Deeper&) = delete;
    Deeper& operator=(const Deeper&) = delete;
    int& depth_;
  };
  static constexpr int kMaxDepth = 64;

  Name expression() {
    Deeper deeper(depth_);
    if (depth_ > kMaxDepth) return std::nullopt;
    if (Name lambda = try_lambda()) return lambda;
    Name condition = disjunction();
    if (!condition || !accept_symbol("?")) return condition;
    Name then = expression();
    if (!then || !accept_symbol(":")) return std::nullopt;
    Name otherwise = expression();
    if (!otherwise) return std::nullopt;
    return call("if", {*condition, *then, *otherwise});
  }

  // `x -> body` and `(x, y) -> body`, named lambda(tuple(x, y), body).
  Name try_lambda() {
    std::vector<std::string> params;
    std::size_t arrow = pos_;
    if (peek() && is_name(*peek()) && symbol("->", 1)) {
      params.push_back(name_of(*peek()));
      arrow = pos_ + 1;
    } else if (symbol("(")) {
      std::size_t i = pos_ + 1;
      while (i < end_ && is_name(tokens_[i])) {
        params.push_back(name_of(tokens_[i]));
        if (i + 1 < end_ && is_symbol(tokens_[i + 1], ",")) {
          i += 2;
        } else {
          ++i;
          break;
        }
      }
      if (params.empty() || i >= end_ || !is_symbol(tokens_[i], ")")) return std::nullopt;
      arrow = i + 1;
    }
    if (params.empty() || arrow >= end_ || !is_symbol(tokens_[arrow], "->")) return std::nullopt;
    pos_ = arrow + 1;
    Name body = expression();
    if (!body) return std::nullopt;
    return call("lambda", {call("tuple", params), *body});
  }

  // a OR b OR c is one call, or(a, b, c), as ClickHouse flattens it.
  Name disjunction() {
    std::vector<std::string> parts;
    do {
      Name part = conjunction();
      if (!part) return std::nullopt;
      parts.push_back(*part);
    } while (accept_word("OR"));
    return parts.size() == 1 ? parts[0] : call("or", parts);
  }

  Name conjunction() {
    std::vector<std::string> parts;
    do {
      Name part = negation();
      if (!part) return std::nullopt;
      parts.push_back(*part);
    } while (accept_word("AND"));
    return parts.size() == 1 ? parts[0] : call("and", parts);
  }

  Name negation() {
    Deeper deeper(depth_);
    if (depth_ > kMaxDepth) return std::nullopt;
    if (accept_word("NOT")) {
      Name operand = negation();
      return operand ? Name(call("not", {*operand})) : std::nullopt;
    }
    return comparison();
  }

  Name comparison() {
    Name left = concatenation();
    if (!left) return std::nullopt;
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kOperators = {{
        {"=", "equals"},
        {"==", "equals"},
        {"!=", "notEquals"},
        {"<>", "notEquals"},
        {"<", "less"},
        {">", "greater"},
        {"<=", "lessOrEquals"},
        {">=", "greaterOrEquals"},
    }};
    for (const auto& [op, function] : kOperators) {
      if (accept_symbol(op)) {
        Name right = concatenation();
        return right ? Name(call(function, {*left, *right})) : std::nullopt;
      }
    }
    if (accept_word("IS")) {
      const bool negated = accept_word("NOT");
      if (!accept_word("NULL")) return std::nullopt;
      return call(negated ? "isNotNull" : "isNull", {*left});
    }
    const bool negated =
        word("NOT") && (word("LIKE", 1) || word("ILIKE", 1) || word("IN", 1) || word("BETWEEN", 1));
    if (negated) ++pos_;
    if (accept_word("GLOBAL") && !word("IN")) return std::nullopt;
    for (std::string_view op : {"LIKE", "ILIKE", "IN"}) {
      if (!accept_word(op)) continue;
      Name right = concatenation();
      if (!right) return std::nullopt;
      std::string function = op == "LIKE" ? "like" : op == "ILIKE" ? "ilike" : "in";
      if (negated)
        function = "not" + std::string(1, static_cast<char>(function[0] - 32)) + function.substr(1);
      return call(function, {*left, *right});
    }
    if (accept_word("BETWEEN")) {
      Name low = concatenation();
      if (!low || !accept_word("AND")) return std::nullopt;
      Name high = concatenation();
      if (!high) return std::nullopt;
      if (negated) {
        return call("or", {call("less", {*left, *low}), call("greater", {*left, *high})});
      }
      return call("and",
                  {call("greaterOrEquals", {*left, *low}), call("lessOrEquals", {*left, *high})});
    }
    return negated ? std::nullopt : left;
  }

  Name concatenation() {
    Name left = additive();
    while (left && accept_symbol("||")) {
      Name right = additive();
      if (!right) return std::nullopt;
      left = call("concat", {*left, *right});
    }
    return left;
  }

  Name additive() {
    Name left = multiplicative();
    while (left && (symbol("+") || symbol("-"))) {
      const bool plus = symbol("+");
      ++pos_;
      Name right = multiplicative();
      if (!right) return std::nullopt;
      left = call(plus ? "plus" : "minus", {*left, *right});
    }
    return left;
  }

  Name multiplicative() {
    Name left = unary();
    while (left && (symbol("*") || symbol("/") || symbol("%"))) {
      const std::string_view op = peek()->text;
      ++pos_;
      Name right = unary();
      if (!right) return std::nullopt;
      left = call(op == "*" ? "multiply" : op == "/" ? "divide" : "modulo", {*left, *right});
    }
    return left;
  }

  Name unary() {
    Deeper deeper(depth_);
    if (depth_ > kMaxDepth) return std::nullopt;
    if (!accept_symbol("-")) return postfix();
    if (peek() && peek()->kind == TokenKind::number) {
      // A negative literal is one value, not negate(): `-1`, as ClickHouse prints it.
      Name literal = postfix();
      return literal ? Name("-" + *literal) : std::nullopt;
    }
    Name operand = unary();
    return operand ? Name(call("negate", {*operand})) : std::nullopt;
  }

  Name postfix() {
    Name value = primary();
    while (value) {
      if (accept_symbol("[")) {
        Name index = expression();
        if (!index || !accept_symbol("]")) return std::nullopt;
        value = call("arrayElement", {*value, *index});
      } else if (symbol(".") && peek(1) && peek(1)->kind == TokenKind::number) {
        value = call("tupleElement", {*value, number_name(peek(1)->text)});
        pos_ += 2;
      } else if (accept_symbol("::")) {
        Name type = type_name();
        if (!type) return std::nullopt;
        value = call("CAST", {*value, string_name(*type)});
      } else {
        break;
      }
    }
    return value;
  }

  // A type as written, e.g. Nullable(String) or Decimal(18, 2).
  Name type_name() {
    if (!peek() || !is_name(*peek())) return std::nullopt;
    std::string type = name_of(*peek());
    ++pos_;
    if (!accept_symbol("(")) return type;
    std::vector<std::string> args;
    while (!accept_symbol(")")) {
      if (!args.empty() && !accept_symbol(",")) return std::nullopt;
      Name arg = peek() && (peek()->kind == TokenKind::number || peek()->kind == TokenKind::string)
                     ? literal()
                     : type_name();
      if (!arg) return std::nullopt;
      args.push_back(*arg);
    }
    return type + "(" + join(args) + ")";
  }

  Name literal() {
    const Token& t = *peek();
    ++pos_;
    return t.kind == TokenKind::number ? number_name(t.text) : string_name(t.value);
  }

  std::optional<std::vector<std::string>> list(std::string_view close) {
    std::vector<std::string> items;
    if (accept_symbol(close)) return items;
    do {
      Name item = expression();
      if (!item) return std::nullopt;
      items.push_back(*item);
    } while (accept_symbol(","));
    if (!accept_symbol(close)) return std::nullopt;
    return items;
  }

  Name primary() {
    const Token* t = peek();
    if (!t) return std::nullopt;
    if (t->kind == TokenKind::number || t->kind == TokenKind::string) return literal();
    if (accept_symbol("[")) {
      auto items = list("]");
      return items ? Name("[" + join(*items) + "]") : std::nullopt;
    }
    if (accept_symbol("(")) {
      if (word("SELECT") || word("WITH")) return std::nullopt;
      auto items = list(")");
      if (!items || items->empty()) return std::nullopt;
      return items->size() == 1 ? (*items)[0] : call("tuple", *items);
    }
    if (t->kind == TokenKind::word) {
      if (accept_word("NULL")) return "NULL";
      if (word("CASE")) return case_expression();
      if (word("CAST") && symbol("(", 1)) {
        const std::size_t start = pos_;
        if (Name cast = cast_expression()) return cast;
        pos_ = start;  // CAST(x, 'Type'): an ordinary call
        return function_call();
      }
      if (word("INTERVAL")) return interval();
      for (std::string_view reserved : kReserved) {
        if (is_word(*t, reserved)) return std::nullopt;
      }
    }
    if (!is_name(*t)) return std::nullopt;
    if (symbol("(", 1)) return function_call();
    // ClickHouse drops a column's table qualifier: t.price is named price.
    std::string name = name_of(*t);
    ++pos_;
    while (symbol(".") && peek(1) && is_name(*peek(1))) {
      name = name_of(*peek(1));
      pos_ += 2;
    }
    if (symbol(".") && symbol("*", 1)) return std::nullopt;
    return name;
  }

  Name function_call() {
    std::string function = name_of(*peek());
    pos_ += 2;
    std::vector<std::string> args;
    if (accept_symbol("*")) {
      if (!accept_symbol(")")) return std::nullopt;
    } else {
      if (accept_word("DISTINCT"))
        function = is_word(tokens_[pos_ - 3], "COUNT") ? "uniqExact" : function + "Distinct";
      auto items = list(")");
      if (!items) return std::nullopt;
      args = std::move(*items);
    }
    std::string name = call(function, args);
    if (accept_symbol("(")) {  // parametric aggregate: quantile(0.9)(x)
      auto items = list(")");
      if (!items) return std::nullopt;
      name += "(" + join(*items) + ")";
    }
    if (word("OVER") || word("FILTER")) return std::nullopt;
    return name;
  }

  Name cast_expression() {
    pos_ += 2;
    Name value = expression();
    if (!value || !accept_word("AS")) return std::nullopt;
    Name type = type_name();
    if (!type || !accept_symbol(")")) return std::nullopt;
    return call("CAST", {*value, string_name(*type)});
  }

  // CASE WHEN c THEN v … ELSE e END -> multiIf(c, v, …, e); CASE x WHEN … -> caseWithExpression.
  Name case_expression() {
    ++pos_;
    std::vector<std::string> args;
    const bool with_operand = !word("WHEN");
    if (with_operand) {
      Name operand = expression();
      if (!operand) return std::nullopt;
      args.push_back(*operand);
    }
    while (accept_word("WHEN")) {
      Name condition = expression();
      if (!condition || !accept_word("THEN")) return std::nullopt;
      Name value = expression();
      if (!value) return std::nullopt;
      args.push_back(*condition);
      args.push_back(*value);
    }
    Name otherwise = "NULL";
    if (accept_word("ELSE")) otherwise = expression();
    if (!otherwise || !accept_word("END")) return std::nullopt;
    args.push_back(*otherwise);
    return call(with_operand ? "caseWithExpression" : "multiIf", args);
  }

  Name interval() {
    ++pos_;
    Name amount = concatenation();
    if (!amount || !peek() || peek()->kind != TokenKind::word) return std::nullopt;
    std::string unit;
    for (char c : peek()->text)
      unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
    static constexpr std::array<std::string_view, 8> kUnits = {
        "second", "minute", "hour", "day", "week", "month", "quarter", "year"};
    for (std::string_view known : kUnits) {
      if (unit != known) continue;
      ++pos_;
      unit[0] = static_cast<char>(unit[0] - 32);
      return call("toInterval" + unit, {*amount});
    }
    return std::nullopt;
  }

  const std::vector<Token>& tokens_;
  std::size_t pos_;
  std::size_t end_;
  int depth_ = 0;
};

}  // namespace

std::optional<std::string> clickhouse_column_name(const std::vector<Token>& tokens,
                                                  std::size_t begin, std::size_t end) {
  if (begin >= end) return std::nullopt;
  return Namer(tokens, begin, end).whole();
}

}  // namespace shoplake::sql::clickhouse
