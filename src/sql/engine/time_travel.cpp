#include "time_travel.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <limits>
#include <regex>

#include "shoplake/core/time.hpp"

namespace shoplake::sql {
namespace {

// From the start of an identifier: schema.table, the kind and the literal.
const std::regex& time_travel_pattern() {
  static const std::regex pattern(
      R"re(^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\s+(VERSION|TIMESTAMP)\s+AS\s+OF\s+(-?[0-9]+|'[^']*'))re",
      std::regex::icase);
  return pattern;
}

core::Result<TimeTravelPoint> parse_point(const std::string& kind, const std::string& literal) {
  TimeTravelPoint point;
  const bool by_version = std::toupper(static_cast<unsigned char>(kind.front())) == 'V';
  std::string text = literal;
  if (text.size() >= 2 && text.front() == '\'') text = text.substr(1, text.size() - 2);
  if (by_version) {
    std::int64_t version = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
    if (text.empty() || text.front() == '-' || error != std::errc{} ||
        end != text.data() + text.size()) {
      return core::Error{fmt::format("VERSION AS OF {}: expected a version number from 0 to {}",
                                     literal, std::numeric_limits<std::int64_t>::max())};
    }
    point.version = version;
    return point;
  }
  // Spark accepts a date or a timestamp without zone; both are UTC here.
  std::string timestamp = text;
  if (timestamp.size() == 10) timestamp += "T00:00:00";
  if (timestamp.find_first_of("Zz+", 10) == std::string::npos &&
      timestamp.find('-', 10) == std::string::npos) {
    timestamp += "Z";
  }
  auto parsed = core::parse_rfc3339_ms(timestamp);
  if (!parsed) {
    return core::Error{fmt::format(
        "TIMESTAMP AS OF {}: expected a date or time such as '2026-11-25 10:00:00' (UTC)",
        literal)};
  }
  point.timestamp_ms = *parsed;
  return point;
}

// Whether the word OF appears at all: most queries have none, and then the pattern (a regex
// tried at every word) need not run.
bool has_word_of(const std::string& sql) {
  auto is_word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  for (std::size_t i = 0; i + 1 < sql.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(sql[i])) == 'O' &&
        std::toupper(static_cast<unsigned char>(sql[i + 1])) == 'F' &&
        (i == 0 || !is_word_char(sql[i - 1])) &&
        (i + 2 == sql.size() || !is_word_char(sql[i + 2]))) {
      return true;
    }
  }
  return false;
}

}  // namespace

core::Result<std::string> expand_time_travel(const std::string& sql,
                                             const TimeTravelResolver& resolver) {
  if (!has_word_of(sql)) return sql;
  std::string out;
  std::size_t i = 0;
  const std::size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    // Copy string literals, quoted identifiers and comments through untouched.
    if (c == '\'' || c == '"') {
      const std::size_t end = sql.find(c, i + 1);
      const std::size_t stop = end == std::string::npos ? n : end + 1;
      out.append(sql, i, stop - i);
      i = stop;
      continue;
    }
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const std::size_t end = sql.find('\n', i);
      const std::size_t stop = end == std::string::npos ? n : end;
      out.append(sql, i, stop - i);
      i = stop;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      const std::size_t end = sql.find("*/", i + 2);
      const std::size_t stop = end == std::string::npos ? n : end + 2;
      out.append(sql, i, stop - i);
      i = stop;
      continue;
    }
    const bool word_start = (std::isalpha(static_cast<unsigned char>(c)) || c == '_') &&
                            (i == 0 || !(std::isalnum(static_cast<unsigned char>(sql[i - 1])) ||
                                         sql[i - 1] == '_' || sql[i - 1] == '.'));
    if (word_start) {
      std::smatch match;
      const std::string rest = sql.substr(i, 512);
      if (std::regex_search(rest, match, time_travel_pattern())) {
        if (!resolver) {
          return core::Error{"time travel (VERSION AS OF / TIMESTAMP AS OF) needs the lake"};
        }
        auto point = parse_point(match[3].str(), match[4].str());
        if (!point) return core::Error{point.error()};
        auto select = resolver(match[1].str(), match[2].str(), point.value());
        if (!select) return core::Error{select.error()};
        out += fmt::format("({}) AS \"{}\"", select.value(), match[2].str());
        i += static_cast<std::size_t>(match.length(0));
        continue;
      }
      // Skip the whole word so that its tail is not taken for a new one.
      std::size_t end = i;
      while (end < n && (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_')) {
        ++end;
      }
      out.append(sql, i, end - i);
      i = end;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace shoplake::sql
