#include "date_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <limits>

namespace shoplake::sql::formats {
namespace {

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient;
}

// `value` as exactly `width` digits, zero-padded: the caller knows it fits. A dashboard's time
// series prints a date or a time on every row, and fmt's format strings were ~11 % of the samples
// of `bench query`'s event_stream panel (2,000 rows; perf).
char* put_digits(char* cursor, std::int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    cursor[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return cursor + width;
}

// Howard Hinnant's days_from_civil inverse: proleptic Gregorian calendar for any day count.
void compute_civil_date(std::string& out, std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t day_of_era = z - era * 146097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_index = (5 * day_of_year + 2) / 153;
  const std::int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const std::int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) {
    fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}", year, month, day);
    return;
  }
  char text[10];
  char* cursor = put_digits(text, year, 4);
  *cursor++ = '-';
  cursor = put_digits(cursor, month, 2);
  *cursor++ = '-';
  put_digits(cursor, day, 2);
  out.append(text, sizeof(text));
}

// The text of the last value written, kept: a time series prints the same date on row after
// row and the same time for every event type of a minute (event_stream: 360 minutes a day, each
// with every event type).
struct LastText {
  std::int64_t value = std::numeric_limits<std::int64_t>::min();
  std::string text;
};

template <typename Compute>
void append_remembered(std::string& out, LastText& last, std::int64_t value, Compute compute) {
  if (value != last.value) {
    last.text.clear();
    compute(last.text);
    last.value = value;
  }
  out += last.text;
}

void append_civil_date(std::string& out, std::int64_t days) {
  thread_local LastText last;
  append_remembered(out, last, days, [&](std::string& text) { compute_civil_date(text, days); });
}

// hh:mm:ss after a space.
void compute_time_of_day(std::string& out, std::int64_t second_of_day) {
  char text[9];
  text[0] = ' ';
  char* cursor = put_digits(text + 1, second_of_day / 3600, 2);
  *cursor++ = ':';
  cursor = put_digits(cursor, second_of_day / 60 % 60, 2);
  *cursor++ = ':';
  put_digits(cursor, second_of_day % 60, 2);
  out.append(text, sizeof(text));
}

}  // namespace

void append_date(std::string& out, std::int64_t days_since_epoch) {
  append_civil_date(out, days_since_epoch);
}

void append_datetime(std::string& out, std::int64_t seconds_since_epoch) {
  thread_local LastText last;
  append_remembered(out, last, seconds_since_epoch, [&](std::string& text) {
    const std::int64_t days = floor_div(seconds_since_epoch, 86400);
    append_civil_date(text, days);
    compute_time_of_day(text, seconds_since_epoch - days * 86400);
  });
}

void append_datetime64(std::string& out, std::int64_t ticks, unsigned scale) {
  std::int64_t ticks_per_second = 1;
  for (unsigned i = 0; i < scale; ++i) ticks_per_second *= 10;
  const std::int64_t seconds = floor_div(ticks, ticks_per_second);
  append_datetime(out, seconds);
  if (scale == 0) return;
  char text[1 + 18];  // ClickHouse's DateTime64 scales go up to 9; an int64 has 18 digits
  text[0] = '.';
  const int width = static_cast<int>(std::min(scale, 18u));
  put_digits(text + 1, ticks - seconds * ticks_per_second, width);
  out.append(text, 1 + static_cast<std::size_t>(width));
}

}  // namespace shoplake::sql::formats
