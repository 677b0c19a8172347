#include "shoplake/pipeline/cron.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "shoplake/core/message_text.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::pipeline {

namespace {

constexpr std::int64_t kMillisPerMinute = 60'000;
constexpr std::int64_t kMinutesPerDay = 24 * 60;

// Fire times are whole minutes that must still fit in int64 milliseconds; C++ division truncates
// toward zero, so both quotients stay inside the range once multiplied back.
constexpr std::int64_t kFirstMinute = std::numeric_limits<std::int64_t>::min() / kMillisPerMinute;
constexpr std::int64_t kLastMinute = std::numeric_limits<std::int64_t>::max() / kMillisPerMinute;

// At least five calendar years, leap days included.
constexpr std::int64_t kLookbackMinutes = 5 * 366 * kMinutesPerDay;

// Numbers are read by hand and saturate here: every field value and useful step is far smaller,
// so a saturated value still reads as out of range (or as a step past the whole field).
constexpr unsigned kSaturatedNumber = 1'000'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

using core::civil_from_days;
using core::CivilDate;
using core::days_from_civil;

// 0 = Sunday, as in crontab(5); 1970-01-01 was a Thursday.
unsigned weekday_from_days(std::int64_t days) {
  return static_cast<unsigned>(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

bool is_leap(std::int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

bool has_bit(std::uint64_t mask, unsigned bit) {
  return bit < 64 && ((mask >> bit) & 1) != 0;
}

std::optional<unsigned> lowest_bit_from(std::uint64_t mask, unsigned from) {
  if (from >= 64) return std::nullopt;
  const std::uint64_t candidates = mask & (~std::uint64_t{0} << from);
  if (candidates == 0) return std::nullopt;
  return static_cast<unsigned>(std::countr_zero(candidates));
}

std::optional<unsigned> highest_bit_to(std::uint64_t mask, unsigned to) {
  const std::uint64_t candidates = to >= 63 ? mask : mask & ((std::uint64_t{2} << to) - 1);
  if (candidates == 0) return std::nullopt;
  return static_cast<unsigned>(63 - std::countl_zero(candidates));
}

// A position in the calendar, walked field by field so that a whole month, day or hour that
// cannot match is skipped in one step.
struct Cursor {
  std::int64_t year;
  unsigned month;
  unsigned day;
  unsigned hour;
  unsigned minute;

  static Cursor at_minute(std::int64_t epoch_minute) {
    const std::int64_t days = floor_div(epoch_minute, kMinutesPerDay);
    const auto minute_of_day = static_cast<unsigned>(epoch_minute - days * kMinutesPerDay);
    const CivilDate date = civil_from_days(days);
    return {date.year, date.month, date.day, minute_of_day / 60, minute_of_day % 60};
  }

  std::int64_t epoch_minute() const {
    return days_from_civil(year, month, day) * kMinutesPerDay + hour * 60 + minute;
  }

  void start_of_month(std::int64_t new_year, unsigned new_month) {
    year = new_year;
    month = new_month;
    day = 1;
    hour = 0;
    minute = 0;
  }
  void end_of_month(std::int64_t new_year, unsigned new_month) {
    year = new_year;
    month = new_month;
    day = days_in_month(year, month);
    hour = 23;
    minute = 59;
  }
  void next_day() {
    if (day < days_in_month(year, month)) {
      ++day;
      hour = 0;
      minute = 0;
    } else if (month < 12) {
      start_of_month(year, month + 1);
    } else {
      start_of_month(year + 1, 1);
    }
  }
  void previous_day() {
    if (day > 1) {
      --day;
      hour = 23;
      minute = 59;
    } else if (month > 1) {
      end_of_month(year, month - 1);
    } else {
      end_of_month(year - 1, 12);
    }
  }
};

// ---- parsing ---------------------------------------------------------------------------------

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {"sun", "mon", "tue", "wed",
                                                           "thu", "fri", "sat"};

struct FieldSpec {
  std::string_view name;
  unsigned min;
  unsigned max;
  std::span<const std::string_view> names;  // names[i] stands for min + i
  std::string_view names_hint;
};

constexpr std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, {}, {}},
    {"hour", 0, 23, {}, {}},
    {"day-of-month", 1, 31, {}, {}},
    {"month", 1, 12, kMonthNames, "jan-dec"},
    // 7 is Sunday too, as crontab(5) allows; the caller folds it onto 0.
    {"day-of-week", 0, 7, kWeekdayNames, "sun-sat"},
}};

struct Macro {
  std::string_view name;
  std::string_view fields;
};

constexpr std::array<Macro, 7> kMacros = {{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

constexpr std::string_view kWhitespace = " \t\n\r\f\v";

char lower_ascii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lower_ascii(x) == lower_ascii(y);
         });
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool all_letters(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

unsigned saturating_number(std::string_view digits) {
  unsigned value = 0;
  for (const char c : digits) {
    value = std::min(value * 10 + static_cast<unsigned>(c - '0'), kSaturatedNumber);
  }
  return value;
}

// Why one field is wrong, before the caller adds which field it is.
struct FieldError {
  std::string why;
};

using FieldValue = std::variant<unsigned, FieldError>;

FieldValue parse_value(const FieldSpec& spec, std::string_view token, std::string_view item) {
  if (token.empty())
    return FieldError{fmt::format("{} is missing a value", core::quoted_for_message(item))};
  if (all_digits(token)) {
    const unsigned value = saturating_number(token);
    if (value < spec.min || value > spec.max) {
      return FieldError{fmt::format("{} is outside {}-{}", token, spec.min, spec.max)};
    }
    return value;
  }
  if (!spec.names.empty() && all_letters(token)) {
    for (std::size_t i = 0; i < spec.names.size(); ++i) {
      if (equals_ignoring_case(token, spec.names[i])) return spec.min + static_cast<unsigned>(i);
    }
    return FieldError{fmt::format("unknown name {} (expected {} or {}-{})",
                                  core::quoted_for_message(token), spec.names_hint, spec.min,
                                  spec.max)};
  }
  return FieldError{fmt::format("{} is not a number", core::quoted_for_message(token))};
}

// One list item: `*`, `a`, `a-b`, each optionally followed by `/step`; `a/step` runs to the
// field's maximum.
std::variant<std::uint64_t, FieldError> parse_item(const FieldSpec& spec, std::string_view item) {
  if (item.empty()) return FieldError{"a list item is empty"};
  const std::size_t slash = item.find('/');
  const std::string_view range = item.substr(0, slash);
  unsigned step = 1;
  if (slash != std::string_view::npos) {
    const std::string_view step_text = item.substr(slash + 1);
    if (!all_digits(step_text)) {
      return FieldError{
          fmt::format("step {} is not a number", core::quoted_for_message(step_text))};
    }
    step = saturating_number(step_text);
    if (step == 0) return FieldError{"step 0 is not allowed (steps start at 1)"};
  }

  unsigned first = spec.min;
  unsigned last = spec.max;
  if (range != "*") {
    const std::size_t dash = range.find('-');
    const FieldValue start = parse_value(spec, range.substr(0, dash), item);
    if (const auto* error = std::get_if<FieldError>(&start)) return *error;
    first = std::get<unsigned>(start);
    if (dash != std::string_view::npos) {
      const FieldValue end = parse_value(spec, range.substr(dash + 1), item);
      if (const auto* error = std::get_if<FieldError>(&end)) return *error;
      last = std::get<unsigned>(end);
      if (last < first) {
        return FieldError{fmt::format("range {} is reversed (it must run from low to high)",
                                      core::quoted_for_message(range))};
      }
    } else if (slash == std::string_view::npos) {
      last = first;
    }
  }

  std::uint64_t bits = 0;
  for (unsigned value = first; value <= last; value += step) bits |= std::uint64_t{1} << value;
  return bits;
}

std::variant<std::uint64_t, FieldError> parse_field(const FieldSpec& spec, std::string_view text) {
  std::uint64_t bits = 0;
  std::size_t item_start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', item_start);
    const auto item = parse_item(spec, text.substr(item_start, comma - item_start));
    if (const auto* error = std::get_if<FieldError>(&item)) return *error;
    bits |= std::get<std::uint64_t>(item);
    if (comma == std::string_view::npos) return bits;
    item_start = comma + 1;
  }
}

std::string_view trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t position = 0;
  while (position < text.size()) {
    const std::size_t start = text.find_first_not_of(kWhitespace, position);
    if (start == std::string_view::npos) break;
    const std::size_t end = std::min(text.find_first_of(kWhitespace, start), text.size());
    fields.push_back(text.substr(start, end - start));
    position = end;
  }
  return fields;
}

}  // namespace

core::Result<CronSchedule> CronSchedule::parse(std::string_view text) {
  const std::string_view schedule_text = trimmed(text);
  if (schedule_text.empty()) return core::Error{"cron: the schedule is empty"};

  std::string_view field_text = schedule_text;
  if (schedule_text.front() == '@') {
    const auto macro = std::find_if(kMacros.begin(), kMacros.end(), [&](const Macro& m) {
      return equals_ignoring_case(m.name, schedule_text);
    });
    if (macro == kMacros.end()) {
      // @reboot is a real crontab macro, but it names an event, not a time a scheduler can compute.
      return core::Error{fmt::format(
          "cron: unknown macro {} (expected @yearly, @annually, @monthly, @weekly, @daily, "
          "@midnight or @hourly)",
          core::quoted_for_message(schedule_text))};
    }
    field_text = macro->fields;
  }

  const std::vector<std::string_view> fields = split_fields(field_text);
  if (fields.size() != kFields.size()) {
    return core::Error{
        fmt::format("cron: expected 5 fields (minute hour day-of-month month day-of-week), got {}",
                    fields.size())};
  }

  std::array<std::uint64_t, kFields.size()> bits{};
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    auto parsed = parse_field(kFields[i], fields[i]);
    if (auto* error = std::get_if<FieldError>(&parsed)) {
      return core::Error{fmt::format("cron field {} ({}) {}: {}", i + 1, kFields[i].name,
                                     core::quoted_for_message(fields[i]), error->why)};
    }
    bits[i] = std::get<std::uint64_t>(parsed);
  }

  CronSchedule schedule;
  schedule.text_ = std::string(schedule_text);
  schedule.minutes_ = bits[0];
  schedule.hours_ = static_cast<std::uint32_t>(bits[1]);
  schedule.days_of_month_ = static_cast<std::uint32_t>(bits[2]);
  schedule.months_ = static_cast<std::uint16_t>(bits[3]);
  schedule.days_of_week_ = static_cast<std::uint8_t>((bits[4] | (bits[4] >> 7)) & 0x7f);
  // Vixie cron's rule: a field counts as unrestricted when it starts with '*', so "*/2" does too.
  schedule.day_of_month_restricted_ = fields[2].front() != '*';
  schedule.day_of_week_restricted_ = fields[4].front() != '*';

  // When both day fields are restricted, the weekday alone fires in every month. Otherwise the
  // day of month must exist in one of the months; any weekday then follows, since within the
  // 400-year Gregorian cycle every date, Feb 29 included, falls on each of the seven weekdays.
  if (!(schedule.day_of_month_restricted_ && schedule.day_of_week_restricted_)) {
    bool some_day_exists = false;
    for (unsigned month = 1; month <= 12 && !some_day_exists; ++month) {
      if (!has_bit(schedule.months_, month)) continue;
      const unsigned longest = days_in_month(2000, month);  // a leap year: Feb 29 exists
      const std::uint64_t possible_days = ((std::uint64_t{2} << longest) - 1) & ~std::uint64_t{1};
      some_day_exists = (schedule.days_of_month_ & possible_days) != 0;
    }
    if (!some_day_exists) {
      return core::Error{
          fmt::format("cron {} never fires: none of its days of month occurs in any of its months",
                      core::quoted_for_message(schedule_text))};
    }
  }
  return schedule;
}

bool CronSchedule::fires_on_day(std::int64_t year, unsigned month, unsigned day) const {
  const bool day_of_month_matches = has_bit(days_of_month_, day);
  // Computing the weekday costs a civil conversion; most days are settled without it.
  if (!day_of_month_matches && !(day_of_month_restricted_ && day_of_week_restricted_)) {
    return false;
  }
  if (day_of_month_matches && day_of_month_restricted_ && day_of_week_restricted_) return true;
  return has_bit(days_of_week_, weekday_from_days(days_from_civil(year, month, day)));
}

std::int64_t CronSchedule::next_after(std::int64_t after_ms) const {
  Cursor at = Cursor::at_minute(floor_div(after_ms, kMillisPerMinute) + 1);
  // Terminates because parse refuses schedules that never fire.
  for (;;) {
    if (!has_bit(months_, at.month)) {
      if (const auto month = lowest_bit_from(months_, at.month + 1)) {
        at.start_of_month(at.year, *month);
      } else {
        at.start_of_month(at.year + 1, *lowest_bit_from(months_, 1));
      }
      continue;
    }
    if (!fires_on_day(at.year, at.month, at.day)) {
      at.next_day();
      continue;
    }
    const auto hour = lowest_bit_from(hours_, at.hour);
    if (!hour) {
      at.next_day();
      continue;
    }
    if (*hour != at.hour) {
      at.hour = *hour;
      at.minute = 0;
    }
    const auto minute = lowest_bit_from(minutes_, at.minute);
    if (!minute) {
      if (at.hour == 23) {
        at.next_day();
      } else {
        ++at.hour;
        at.minute = 0;
      }
      continue;
    }
    at.minute = *minute;
    const std::int64_t fire_minute = at.epoch_minute();
    return fire_minute > kLastMinute ? std::numeric_limits<std::int64_t>::max()
                                     : fire_minute * kMillisPerMinute;
  }
}

std::optional<std::int64_t> CronSchedule::last_at_or_before(std::int64_t at_ms) const {
  const std::int64_t start_minute = floor_div(at_ms, kMillisPerMinute);
  const std::int64_t earliest_minute = std::max(start_minute - kLookbackMinutes, kFirstMinute);
  Cursor at = Cursor::at_minute(start_minute);
  // The cursor only moves back and always sits on the latest minute still to be checked, so once
  // it is before the window nothing in the window is left.
  while (at.epoch_minute() >= earliest_minute) {
    if (!has_bit(months_, at.month)) {
      if (const auto month = highest_bit_to(months_, at.month - 1)) {
        at.end_of_month(at.year, *month);
      } else {
        at.end_of_month(at.year - 1, *highest_bit_to(months_, 12));
      }
      continue;
    }
    if (!fires_on_day(at.year, at.month, at.day)) {
      at.previous_day();
      continue;
    }
    const auto hour = highest_bit_to(hours_, at.hour);
    if (!hour) {
      at.previous_day();
      continue;
    }
    if (*hour != at.hour) {
      at.hour = *hour;
      at.minute = 59;
    }
    const auto minute = highest_bit_to(minutes_, at.minute);
    if (!minute) {
      if (at.hour == 0) {
        at.previous_day();
      } else {
        --at.hour;
        at.minute = 59;
      }
      continue;
    }
    at.minute = *minute;
    const std::int64_t fire_minute = at.epoch_minute();
    if (fire_minute < earliest_minute) return std::nullopt;
    return fire_minute * kMillisPerMinute;
  }
  return std::nullopt;
}

}  // namespace shoplake::pipeline
