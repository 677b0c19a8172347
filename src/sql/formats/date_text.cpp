#include "date_text.hpp"

#include <fmt/format.h>

#include <iterator>

namespace shoplake::sql::formats {
namespace {

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient;
}

// Howard Hinnant's days_from_civil inverse: proleptic Gregorian calendar for any day count.
void append_civil_date(std::string& out, std::int64_t days) {
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
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}", year, month, day);
}

}  // namespace

void append_date(std::string& out, std::int64_t days_since_epoch) {
  append_civil_date(out, days_since_epoch);
}

void append_datetime(std::string& out, std::int64_t seconds_since_epoch) {
  const std::int64_t days = floor_div(seconds_since_epoch, 86400);
  const std::int64_t second_of_day = seconds_since_epoch - days * 86400;
  append_civil_date(out, days);
  fmt::format_to(std::back_inserter(out), " {:02}:{:02}:{:02}", second_of_day / 3600,
                 second_of_day / 60 % 60, second_of_day % 60);
}

void append_datetime64(std::string& out, std::int64_t ticks, unsigned scale) {
  std::int64_t ticks_per_second = 1;
  for (unsigned i = 0; i < scale; ++i) ticks_per_second *= 10;
  const std::int64_t seconds = floor_div(ticks, ticks_per_second);
  append_datetime(out, seconds);
  if (scale == 0) return;
  fmt::format_to(std::back_inserter(out), ".{:0{}}", ticks - seconds * ticks_per_second, scale);
}

}  // namespace shoplake::sql::formats
