#include "file_stats.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "shoplake/core/time.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::lake::parquet_detail {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::int64_t kSecondsPerDay = 86'400;

const std::string* find_value(const StringMap& map, std::string_view key) {
  for (const auto& [name, value] : map) {
    if (name == key) return value ? &*value : nullptr;
  }
  return nullptr;
}

const StringMap* find_column(const NestedStringMap& statistics, const std::string& key) {
  for (const auto& [name, column] : statistics) {
    if (name == key) return &column;
  }
  return nullptr;
}

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
  Number value{};
  const char* end = text.data() + text.size();
  auto [next, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || next != end) return std::nullopt;
  return value;
}

// Digits at text[pos, pos + count) as a number.
std::optional<int> digits_at(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool valid_date(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > kDays[month - 1]) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month != 2 || day <= 28 || leap;
}

std::optional<std::string> delta_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto year = digits_at(text, 0, 4);
  auto month = digits_at(text, 5, 2);
  auto day = digits_at(text, 8, 2);
  if (!year || !month || !day || !valid_date(*year, *month, *day)) return std::nullopt;
  return std::string(text);
}

struct Instant {
  std::int64_t seconds = 0;  // since the epoch
  std::int64_t nanos = 0;    // 0 <= nanos < 1e9
};

// "YYYY-MM-DD HH:MM:SS[.fffffffff][(+|-)HH[:MM[:SS]]]", the fraction and the offset optional, as
// DuckDB prints TIMESTAMP and TIMESTAMP WITH TIME ZONE values.
std::optional<Instant> parse_timestamp(std::string_view text) {
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' ||
      (text[10] != ' ' && text[10] != 'T') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  auto year = digits_at(text, 0, 4);
  auto month = digits_at(text, 5, 2);
  auto day = digits_at(text, 8, 2);
  auto hour = digits_at(text, 11, 2);
  auto minute = digits_at(text, 14, 2);
  auto second = digits_at(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (!valid_date(*year, *month, *day) || *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t fraction_nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t scale = 100'000'000;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start >= 9) return std::nullopt;
      fraction_nanos += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset_seconds = 0;
  if (pos < text.size()) {
    const char sign = text[pos];
    if (sign == 'Z' && pos + 1 == text.size()) {
      pos = text.size();
    } else if (sign == '+' || sign == '-') {
      ++pos;
      int parts[3] = {0, 0, 0};
      for (int part = 0; part < 3 && pos < text.size(); ++part) {
        if (part > 0) {
          if (text[pos] != ':') return std::nullopt;
          ++pos;
        }
        auto value = digits_at(text, pos, 2);
        if (!value) return std::nullopt;
        parts[part] = *value;
        pos += 2;
      }
      offset_seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
      if (sign == '-') offset_seconds = -offset_seconds;
    } else {
      return std::nullopt;
    }
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t seconds =
      core::days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) *
          kSecondsPerDay +
      *hour * 3600 + *minute * 60 + *second - offset_seconds;
  return Instant{seconds, fraction_nanos};
}

std::optional<Json> bound_value(const DeltaField& field, const std::string& text,
                                Rounding rounding) {
  const std::string& type = field.type;
  if (type == "long" || type == "integer" || type == "short" || type == "byte") {
    auto value = parse_number<std::int64_t>(text);
    if (!value) return std::nullopt;
    return Json(*value);
  }
  if (type == "double" || type == "float") {
    auto value = parse_number<double>(text);
    if (!value || !std::isfinite(*value)) return std::nullopt;
    return Json(*value);
  }
  if (type == "date") {
    auto value = delta_date(text);
    if (!value) return std::nullopt;
    return Json(*value);
  }
  if (type == "timestamp" || type == "timestamp_ntz") {
    auto value = delta_timestamp(text, rounding, type == "timestamp");
    if (!value) return std::nullopt;
    return Json(*value);
  }
  if (type == "string") {
    auto length = utf8_length(text);
    if (!length) return std::nullopt;
    if (rounding == Rounding::up) {
      if (*length > kStringStatsPrefix) return std::nullopt;
      return Json(text);
    }
    auto prefix = utf8_prefix(text, kStringStatsPrefix);
    if (!prefix) return std::nullopt;
    return Json(*prefix);
  }
  return std::nullopt;  // boolean, binary, decimal: no bounds written
}

}  // namespace

std::optional<std::size_t> utf8_length(std::string_view text) {
  std::size_t chars = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t width = 0;
    if (lead < 0x80) {
      width = 1;
    } else if ((lead & 0xE0) == 0xC0 && lead >= 0xC2) {
      width = 2;
    } else if ((lead & 0xF0) == 0xE0) {
      width = 3;
    } else if ((lead & 0xF8) == 0xF0 && lead <= 0xF4) {
      width = 4;
    } else {
      return std::nullopt;
    }
    if (i + width > text.size()) return std::nullopt;
    for (std::size_t k = 1; k < width; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return std::nullopt;
    }
    i += width;
    ++chars;
  }
  return chars;
}

std::optional<std::string> utf8_prefix(std::string_view text, std::size_t max_chars) {
  if (!utf8_length(text)) return std::nullopt;
  std::size_t chars = 0;
  std::size_t i = 0;
  while (i < text.size() && chars < max_chars) {
    const auto lead = static_cast<unsigned char>(text[i]);
    i += lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
    ++chars;
  }
  return std::string(text.substr(0, i));
}

std::optional<std::string> delta_timestamp(std::string_view duckdb_text, Rounding rounding,
                                           bool with_zone) {
  auto instant = parse_timestamp(duckdb_text);
  if (!instant) return std::nullopt;
  constexpr std::int64_t kNanosPerMilli = 1'000'000;
  std::int64_t total_millis = instant->seconds * 1000 + instant->nanos / kNanosPerMilli;
  if (rounding == Rounding::up && instant->nanos % kNanosPerMilli != 0) ++total_millis;
  std::int64_t days = total_millis / (kSecondsPerDay * 1000);
  std::int64_t millis_of_day = total_millis % (kSecondsPerDay * 1000);
  if (millis_of_day < 0) {
    millis_of_day += kSecondsPerDay * 1000;
    --days;
  }
  const core::CivilDate date = core::civil_from_days(days);
  if (date.year < 1 || date.year > 9999) return std::nullopt;
  const std::int64_t seconds_of_day = millis_of_day / 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}", date.year, date.month, date.day,
                     seconds_of_day / 3600, seconds_of_day / 60 % 60, seconds_of_day % 60,
                     millis_of_day % 1000, with_zone ? "Z" : "");
}

std::string delta_stats_json(std::int64_t num_records, const NestedStringMap& column_statistics,
                             const std::vector<DeltaField>& data_fields) {
  Json min_values = Json::object();
  Json max_values = Json::object();
  Json null_count = Json::object();
  for (const auto& field : data_fields) {
    if (is_nested_type(field.type)) continue;
    const StringMap* column =
        find_column(column_statistics, sql::duck::quote_identifier(field.name));
    if (column == nullptr) continue;
    if (const std::string* nulls = find_value(*column, "null_count")) {
      if (auto count = parse_number<std::int64_t>(*nulls)) null_count[field.name] = *count;
    }
    const std::string* has_nan = find_value(*column, "has_nan");
    if (has_nan != nullptr && *has_nan != "false") continue;
    if (const std::string* min = find_value(*column, "min")) {
      if (auto value = bound_value(field, *min, Rounding::down)) min_values[field.name] = *value;
    }
    if (const std::string* max = find_value(*column, "max")) {
      if (auto value = bound_value(field, *max, Rounding::up)) max_values[field.name] = *value;
    }
  }
  Json stats = Json::object();
  stats["numRecords"] = num_records;
  stats["minValues"] = std::move(min_values);
  stats["maxValues"] = std::move(max_values);
  stats["nullCount"] = std::move(null_count);
  // Every string in it passed utf8_length, so dump() cannot meet invalid UTF-8; `replace` only
  // keeps that promise exception-free.
  return stats.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace shoplake::lake::parquet_detail
