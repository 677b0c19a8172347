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

// A time series prints the same date on row after row (event_stream: 360 minutes a day, each
// with every event type), so the last date written is kept as text.
void append_civil_date(std::string& out, std::int64_t days) {
  struct LastDate {
    std::int64_t days = std::numeric_limits<std::int64_t>::min();
    std::string text;
  };
  thread_local LastDate last;
  if (days != last.days) {
    last.text.clear();
    compute_civil_date(last.text, days);
    last.days = days;
  }
  out += last.text;
}

}  // namespace

void append_date(std::string& out, std::int64_t days_since_epoch) {
  append_civil_date(out, days_since_epoch);
}

// A time series by minute and event type repeats each time on consecutive rows (event_stream:
// every event type of a minute), so the last time written is kept as text, as the last date is.
void append_datetime(std::string& out, std::int64_t seconds_since_epoch) {
  struct LastDatetime {
    std::int64_t seconds = std::numeric_limits<std::int64_t>::min();
    std::string text;
  };
  thread_local LastDatetime last;
  if (seconds_since_epoch != last.seconds) {
    const std::int64_t days = floor_div(seconds_since_epoch, 86400);
    const std::int64_t second_of_day = seconds_since_epoch - days * 86400;
    last.text.clear();
    append_civil_date(last.text, days);
    char text[9];
    text[0] = ' ';
    char* cursor = put_digits(text + 1, second_of_day / 3600, 2);
    *cursor++ = ':';
    cursor = put_digits(cursor, second_of_day / 60 % 60, 2);
    *cursor++ = ':';
    put_digits(cursor, second_of_day % 60, 2);
    last.text.append(text, sizeof(text));
    last.seconds = seconds_since_epoch;
  }
  out += last.text;
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
