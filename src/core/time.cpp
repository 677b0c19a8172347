#include "shoplake/core/time.hpp"

#include <algorithm>
#include <chrono>

namespace shoplake::core {

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

void civil_from_days(std::int64_t days, int& year, unsigned& month, unsigned& day) {
  const CivilDate date = civil_from_days(days);
  year = static_cast<int>(date.year);
  month = date.month;
  day = date.day;
}

namespace {

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, unsigned& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(int year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

void append_padded(unsigned value, int width, std::string& out) {
  char digits[8];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits, static_cast<std::size_t>(width));
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) {
  unsigned year, month, day, hour, minute, second;
  if (!read_digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !read_digits(text, 5, 2, month) || text[7] != '-' || !read_digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !read_digits(text, 11, 2, hour) ||
      text[13] != ':' || !read_digits(text, 14, 2, minute) || text[16] != ':' ||
      !read_digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  // Leap second 60 is accepted by RFC 3339; it is folded into the next second's first instant.
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(static_cast<int>(year), month) ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    int kept = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (kept < 3) {
        millis = millis * 10 + (text[pos] - '0');
        ++kept;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
    while (kept < 3) {
      millis *= 10;
      ++kept;
    }
  }
  if (pos >= text.size()) return std::nullopt;
  std::int64_t offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const bool negative = text[pos] == '-';
    unsigned off_hour, off_minute;
    if (!read_digits(text, pos + 1, 2, off_hour) || pos + 3 >= text.size() ||
        text[pos + 3] != ':' || !read_digits(text, pos + 4, 2, off_minute) || off_hour > 23 ||
        off_minute > 59) {
      return std::nullopt;
    }
    offset_minutes = static_cast<std::int64_t>(off_hour * 60 + off_minute) * (negative ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(static_cast<int>(year), month, day);
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  return (seconds - offset_minutes * 60) * kMillisPerSecond + millis;
}

void append_rfc3339_ms(std::int64_t epoch_ms, std::string& out) {
  // RFC 3339 has four-digit years only: times outside them are written as the nearest one there
  // is. (Clamping the year alone would keep the month and day and could write "9999-02-29".)
  static const std::int64_t kEarliest = days_from_civil(0, 1, 1) * kMillisPerDay;
  static const std::int64_t kLatest = days_from_civil(10000, 1, 1) * kMillisPerDay - 1;
  epoch_ms = std::clamp(epoch_ms, kEarliest, kLatest);
  std::int64_t days = epoch_ms / kMillisPerDay;
  std::int64_t rest = epoch_ms % kMillisPerDay;
  if (rest < 0) {
    rest += kMillisPerDay;
    --days;
  }
  int year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  const auto in_day = static_cast<unsigned>(rest);
  append_padded(static_cast<unsigned>(year), 4, out);
  out.push_back('-');
  append_padded(month, 2, out);
  out.push_back('-');
  append_padded(day, 2, out);
  out.push_back('T');
  append_padded(in_day / 3600000, 2, out);
  out.push_back(':');
  append_padded(in_day / 60000 % 60, 2, out);
  out.push_back(':');
  append_padded(in_day / 1000 % 60, 2, out);
  out.push_back('.');
  append_padded(in_day % 1000, 3, out);
  out.push_back('Z');
}

std::string format_rfc3339_ms(std::int64_t epoch_ms) {
  std::string out;
  append_rfc3339_ms(epoch_ms, out);
  return out;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace shoplake::core
