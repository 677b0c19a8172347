#include "shoplake/pipeline/cron.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/time.hpp"

// Weekdays and leap years in the expectations were checked against Python's datetime.

namespace shoplake::pipeline {
namespace {

using core::kMillisPerMinute;

std::int64_t ms(std::string_view rfc3339) {
  return core::parse_rfc3339_ms(rfc3339).value();
}

std::string iso(std::int64_t epoch_ms) {
  return core::format_rfc3339_ms(epoch_ms);
}

CronSchedule must_parse(std::string_view text) {
  auto schedule = CronSchedule::parse(text);
  EXPECT_TRUE(schedule.ok()) << text << ": " << (schedule.ok() ? "" : schedule.error());
  return schedule.ok() ? std::move(schedule).value()
                       : std::move(CronSchedule::parse("* * * * *")).value();
}

std::string parse_error(std::string_view text) {
  auto schedule = CronSchedule::parse(text);
  if (schedule.ok()) return "parsed: " + schedule.value().text();
  return schedule.error();
}

std::string next_after(std::string_view schedule, std::string_view after) {
  return iso(must_parse(schedule).next_after(ms(after)));
}

std::string last_at_or_before(std::string_view schedule, std::string_view at) {
  const auto last = must_parse(schedule).last_at_or_before(ms(at));
  return last ? iso(*last) : "none";
}

std::vector<std::string> fire_times(std::string_view schedule, std::string_view after, int count) {
  const CronSchedule cron = must_parse(schedule);
  std::vector<std::string> times;
  std::int64_t t = ms(after);
  for (int i = 0; i < count; ++i) {
    t = cron.next_after(t);
    times.push_back(iso(t));
  }
  return times;
}

TEST(CronSchedule, MinuteFiveFiresHourly) {
  EXPECT_EQ(fire_times("5 * * * *", "2026-03-10T22:00:00Z", 4),
            (std::vector<std::string>{"2026-03-10T22:05:00.000Z", "2026-03-10T23:05:00.000Z",
                                      "2026-03-11T00:05:00.000Z", "2026-03-11T01:05:00.000Z"}));
}

TEST(CronSchedule, NextIsStrictlyAfterAndLastIsAtOrBefore) {
  EXPECT_EQ(next_after("5 * * * *", "2026-03-10T12:04:59.999Z"), "2026-03-10T12:05:00.000Z");
  EXPECT_EQ(next_after("5 * * * *", "2026-03-10T12:05:00.000Z"), "2026-03-10T13:05:00.000Z");
  EXPECT_EQ(next_after("5 * * * *", "2026-03-10T12:05:00.001Z"), "2026-03-10T13:05:00.000Z");
  EXPECT_EQ(last_at_or_before("5 * * * *", "2026-03-10T12:05:00.000Z"), "2026-03-10T12:05:00.000Z");
  EXPECT_EQ(last_at_or_before("5 * * * *", "2026-03-10T12:05:59.999Z"), "2026-03-10T12:05:00.000Z");
  EXPECT_EQ(last_at_or_before("5 * * * *", "2026-03-10T12:04:59.999Z"), "2026-03-10T11:05:00.000Z");
}

TEST(CronSchedule, TimesBefore1970) {
  EXPECT_EQ(next_after("30 12 * * *", "1969-12-31T12:30:00Z"), "1970-01-01T12:30:00.000Z");
  EXPECT_EQ(last_at_or_before("30 12 * * *", "1970-01-01T12:29:59.999Z"),
            "1969-12-31T12:30:00.000Z");
  EXPECT_EQ(next_after("0 0 29 2 *", "1899-01-01T00:00:00Z"), "1904-02-29T00:00:00.000Z");
}

TEST(CronSchedule, StepsListsRangesAndNames) {
  // 2026-03-13 is a Friday.
  EXPECT_EQ(fire_times("*/15 9-17 * * mon-fri", "2026-03-13T17:30:00Z", 3),
            (std::vector<std::string>{"2026-03-13T17:45:00.000Z", "2026-03-16T09:00:00.000Z",
                                      "2026-03-16T09:15:00.000Z"}));
  EXPECT_EQ(fire_times("5/20 * * * *", "2026-03-13T10:00:00Z", 4),
            (std::vector<std::string>{"2026-03-13T10:05:00.000Z", "2026-03-13T10:25:00.000Z",
                                      "2026-03-13T10:45:00.000Z", "2026-03-13T11:05:00.000Z"}));
  EXPECT_EQ(fire_times("0 0 1-10/3 * *", "2026-03-01T00:00:00Z", 4),
            (std::vector<std::string>{"2026-03-04T00:00:00.000Z", "2026-03-07T00:00:00.000Z",
                                      "2026-03-10T00:00:00.000Z", "2026-04-01T00:00:00.000Z"}));
  EXPECT_EQ(fire_times("1,2,3 */12 * * *", "2026-03-01T00:02:00Z", 4),
            (std::vector<std::string>{"2026-03-01T00:03:00.000Z", "2026-03-01T12:01:00.000Z",
                                      "2026-03-01T12:02:00.000Z", "2026-03-01T12:03:00.000Z"}));
  EXPECT_EQ(fire_times("0 0 1 jan-mar/2,Dec *", "2026-01-15T00:00:00Z", 3),
            (std::vector<std::string>{"2026-03-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z",
                                      "2027-01-01T00:00:00.000Z"}));
}

TEST(CronSchedule, NamesAreCaseInsensitiveAndMatchNumbers) {
  const std::string from = "2026-01-01T00:00:00Z";
  EXPECT_EQ(fire_times("0 6 * JAN-Jun MON-fri", from, 30), fire_times("0 6 * 1-6 1-5", from, 30));
  EXPECT_EQ(fire_times("0 6 * * sun,sat", from, 30), fire_times("0 6 * * 0,6", from, 30));
}

TEST(CronSchedule, SevenIsSunday) {
  const std::string from = "2026-01-01T00:00:00Z";
  EXPECT_EQ(fire_times("0 0 * * 7", from, 10), fire_times("0 0 * * 0", from, 10));
  EXPECT_EQ(fire_times("0 0 * * 5-7", from, 10), fire_times("0 0 * * fri,sat,sun", from, 10));
  EXPECT_EQ(fire_times("0 0 * * 0,7", from, 10), fire_times("0 0 * * sun", from, 10));
}

// A minute-by-minute scan over two months, against sets written out by hand.
TEST(CronSchedule, AgreesWithAMinuteByMinuteScan) {
  struct Case {
    std::string_view schedule;
    std::function<bool(int minute, int hour, unsigned day, unsigned month, int weekday)> fires;
  };
  const std::vector<Case> cases = {
      {"*/15 9-17 * * mon-fri",
       [](int mi, int h, unsigned, unsigned, int wd) {
         return mi % 15 == 0 && h >= 9 && h <= 17 && wd >= 1 && wd <= 5;
       }},
      {"7,37 */5 1-7 * mon",  // both day fields restricted: either may match
       [](int mi, int h, unsigned d, unsigned, int wd) {
         return (mi == 7 || mi == 37) && h % 5 == 0 && (d <= 7 || wd == 1);
       }},
      {"59 23 */10 * 6",  // "*/10" counts as unrestricted: both day fields must match
       [](int mi, int h, unsigned d, unsigned, int wd) {
         return mi == 59 && h == 23 && (d == 1 || d == 11 || d == 21 || d == 31) && wd == 6;
       }},
      {"0 0 31 * *",
       [](int mi, int h, unsigned d, unsigned, int) { return mi == 0 && h == 0 && d == 31; }},
  };
  const std::int64_t start = ms("2026-03-01T00:00:00Z");
  const std::int64_t end = ms("2026-05-01T00:00:00Z");
  for (const Case& c : cases) {
    const CronSchedule cron = must_parse(c.schedule);
    std::vector<std::int64_t> scanned;
    for (std::int64_t t = start; t < end; t += kMillisPerMinute) {
      const std::int64_t days = t / core::kMillisPerDay;
      int year = 0;
      unsigned month = 0;
      unsigned day = 0;
      core::civil_from_days(days, year, month, day);
      const auto minute_of_day = static_cast<int>((t % core::kMillisPerDay) / kMillisPerMinute);
      const int weekday = static_cast<int>((days + 4) % 7);
      if (c.fires(minute_of_day % 60, minute_of_day / 60, day, month, weekday)) {
        scanned.push_back(t);
      }
    }
    std::vector<std::int64_t> searched;
    for (std::int64_t t = cron.next_after(start - 1); t < end; t = cron.next_after(t)) {
      searched.push_back(t);
    }
    EXPECT_FALSE(scanned.empty()) << c.schedule;
    EXPECT_EQ(searched, scanned) << c.schedule;

    std::vector<std::int64_t> searched_back;
    for (auto t = cron.last_at_or_before(end - 1); t && *t >= start;
         t = cron.last_at_or_before(*t - 1)) {
      searched_back.insert(searched_back.begin(), *t);
    }
    EXPECT_EQ(searched_back, scanned) << c.schedule;
  }
}

TEST(CronSchedule, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // Every 13th and every Friday; 2026-03-13 is both.
  EXPECT_EQ(fire_times("0 0 13 * fri", "2026-03-01T00:00:00Z", 6),
            (std::vector<std::string>{"2026-03-06T00:00:00.000Z", "2026-03-13T00:00:00.000Z",
                                      "2026-03-20T00:00:00.000Z", "2026-03-27T00:00:00.000Z",
                                      "2026-04-03T00:00:00.000Z", "2026-04-10T00:00:00.000Z"}));
  EXPECT_EQ(next_after("0 0 13 * fri", "2026-04-10T00:00:00Z"), "2026-04-13T00:00:00.000Z");
  // A day-of-month field starting with '*' leaves the weekday to decide alone.
  EXPECT_EQ(fire_times("0 0 */1 * fri", "2026-03-01T00:00:00Z", 2),
            (std::vector<std::string>{"2026-03-06T00:00:00.000Z", "2026-03-13T00:00:00.000Z"}));
}

TEST(CronSchedule, LeapDay) {
  EXPECT_EQ(next_after("0 0 29 2 *", "2026-01-01T00:00:00Z"), "2028-02-29T00:00:00.000Z");
  EXPECT_EQ(next_after("0 0 29 2 *", "2028-02-29T00:00:00Z"), "2032-02-29T00:00:00.000Z");
  EXPECT_EQ(next_after("0 0 29 2 *", "1999-03-01T00:00:00Z"), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(next_after("0 0 29 2 *", "2096-02-29T00:00:00Z"), "2104-02-29T00:00:00.000Z");
  EXPECT_EQ(last_at_or_before("0 0 29 2 *", "2031-12-31T23:59:00Z"), "2028-02-29T00:00:00.000Z");
  EXPECT_EQ(last_at_or_before("0 0 29 2 *", "2101-01-01T00:00:00Z"), "2096-02-29T00:00:00.000Z");
  // 2100 is no leap year, so in 2103 the last Feb 29 is more than five years back.
  EXPECT_EQ(last_at_or_before("0 0 29 2 *", "2103-06-01T00:00:00Z"), "none");

  const CronSchedule leap_day = must_parse("0 12 29 2 *");
  int count = 0;
  for (std::int64_t t = leap_day.next_after(ms("2000-01-01T00:00:00Z"));
       t < ms("2400-01-01T00:00:00Z"); t = leap_day.next_after(t)) {
    ++count;
  }
  EXPECT_EQ(count, 97);  // leap years in a 400-year cycle
}

TEST(CronSchedule, RareSchedulesAreStillFound) {
  // Feb 29 on a Sunday: 2004, 2032, 2060, 2088, then 2128.
  EXPECT_EQ(fire_times("0 0 29 2 */7", "2000-01-01T00:00:00Z", 5),
            (std::vector<std::string>{"2004-02-29T00:00:00.000Z", "2032-02-29T00:00:00.000Z",
                                      "2060-02-29T00:00:00.000Z", "2088-02-29T00:00:00.000Z",
                                      "2128-02-29T00:00:00.000Z"}));
  EXPECT_EQ(last_at_or_before("0 0 29 2 */7", "2092-01-01T00:00:00Z"), "2088-02-29T00:00:00.000Z");
  EXPECT_EQ(last_at_or_before("0 0 29 2 */7", "2127-01-01T00:00:00Z"), "none");
}

TEST(CronSchedule, MonthAndYearRollover) {
  EXPECT_EQ(next_after("0 0 1 * *", "2026-12-15T00:00:00Z"), "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(next_after("30 * * * *", "2026-12-31T23:45:00Z"), "2027-01-01T00:30:00.000Z");
  EXPECT_EQ(next_after("59 23 31 12 *", "2026-12-31T23:59:00Z"), "2027-12-31T23:59:00.000Z");
  EXPECT_EQ(next_after("0 0 31 * *", "2026-03-31T00:00:00Z"), "2026-05-31T00:00:00.000Z");
  EXPECT_EQ(next_after("0 9 * nov *", "2026-11-30T09:00:00Z"), "2027-11-01T09:00:00.000Z");
  EXPECT_EQ(last_at_or_before("0 0 1 * *", "2027-01-01T00:00:00Z"), "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(last_at_or_before("0 0 1 * *", "2026-12-31T23:59:59.999Z"), "2026-12-01T00:00:00.000Z");
  EXPECT_EQ(last_at_or_before("30 * * * *", "2027-01-01T00:29:00Z"), "2026-12-31T23:30:00.000Z");
  EXPECT_EQ(last_at_or_before("59 23 31 12 *", "2027-12-31T23:58:00Z"), "2026-12-31T23:59:00.000Z");
  EXPECT_EQ(last_at_or_before("0 0 31 * *", "2026-05-30T00:00:00Z"), "2026-03-31T00:00:00.000Z");
  EXPECT_EQ(last_at_or_before("0 9 * nov *", "2027-10-31T23:59:00Z"), "2026-11-30T09:00:00.000Z");
}

// next_after and last_at_or_before bracket every instant: last(t) <= t < next(t), with no fire
// time in between.
TEST(CronSchedule, NextAndLastAreSymmetric) {
  for (const std::string_view text :
       {"5 * * * *", "*/15 9-17 * * mon-fri", "0 0 13 * fri", "0 0 29 2 *", "59 23 31 12 *",
        "1,2,3 */2 1-10/3 jan-jun 0,7", "@weekly"}) {
    const CronSchedule cron = must_parse(text);
    for (std::int64_t t = ms("2023-01-01T00:00:00Z"); t < ms("2030-01-01T00:00:00Z");
         t += 7'777'777'777 / 1000) {
      const std::int64_t next = cron.next_after(t);
      ASSERT_GT(next, t) << text;
      ASSERT_EQ(next % kMillisPerMinute, 0) << text;
      ASSERT_EQ(cron.last_at_or_before(next), next) << text;
      const auto last = cron.last_at_or_before(t);
      ASSERT_TRUE(last.has_value()) << text;
      ASSERT_LE(*last, t) << text;
      ASSERT_EQ(cron.next_after(*last), next) << text;
      ASSERT_EQ(cron.last_at_or_before(next - 1), last) << text;
    }
  }
}

TEST(CronSchedule, EndsOfTheInt64Range) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  const CronSchedule hourly = must_parse("@hourly");
  EXPECT_EQ(hourly.next_after(kMax), kMax);
  const auto last = hourly.last_at_or_before(kMax);
  ASSERT_TRUE(last.has_value());
  EXPECT_LE(*last, kMax);
  EXPECT_GT(*last, kMax - core::kMillisPerHour);
  EXPECT_EQ(*last % core::kMillisPerHour, 0);
  const std::int64_t first = hourly.next_after(kMin);
  EXPECT_LT(first, kMin + core::kMillisPerHour);
  EXPECT_EQ(first % core::kMillisPerHour, 0);
  EXPECT_EQ(hourly.last_at_or_before(kMin), std::nullopt);
}

TEST(CronSchedule, Macros) {
  const std::string from = "2026-01-01T00:00:00Z";
  EXPECT_EQ(fire_times("@yearly", from, 3), fire_times("0 0 1 1 *", from, 3));
  EXPECT_EQ(fire_times("@annually", from, 3), fire_times("0 0 1 1 *", from, 3));
  EXPECT_EQ(fire_times("@monthly", from, 3), fire_times("0 0 1 * *", from, 3));
  EXPECT_EQ(fire_times("@weekly", from, 3), fire_times("0 0 * * 0", from, 3));
  EXPECT_EQ(fire_times("@daily", from, 3), fire_times("0 0 * * *", from, 3));
  EXPECT_EQ(fire_times("@midnight", from, 3), fire_times("0 0 * * *", from, 3));
  EXPECT_EQ(fire_times("@hourly", from, 3), fire_times("0 * * * *", from, 3));
  EXPECT_EQ(fire_times("@Daily", from, 3), fire_times("@daily", from, 3));
  EXPECT_EQ(next_after("@weekly", "2026-03-13T12:00:00Z"), "2026-03-15T00:00:00.000Z");
}

TEST(CronSchedule, TextIsKeptWithoutSurroundingWhitespace) {
  EXPECT_EQ(must_parse("  5 * * * *\n").text(), "5 * * * *");
  EXPECT_EQ(must_parse("@daily").text(), "@daily");
  EXPECT_EQ(must_parse("0\t9  * * 1").text(), "0\t9  * * 1");
}

TEST(CronSchedule, RefusesSchedulesThatNeverFire) {
  EXPECT_EQ(parse_error("0 0 30 2 *"),
            "cron '0 0 30 2 *' never fires: none of its days of month occurs in any of its months");
  EXPECT_EQ(parse_error("0 0 31 4 *"),
            "cron '0 0 31 4 *' never fires: none of its days of month occurs in any of its months");
  EXPECT_EQ(parse_error("0 0 31 apr,jun,sep,nov *").substr(0, 40),
            "cron '0 0 31 apr,jun,sep,nov *' never fi");
  // Both fields restricted: the weekday alone is enough.
  EXPECT_EQ(next_after("0 0 31 4 mon", "2026-04-01T00:00:00Z"), "2026-04-06T00:00:00.000Z");
  // Only the day of month is restricted, so both must match.
  EXPECT_EQ(parse_error("0 0 30 2 */7").substr(0, 28), "cron '0 0 30 2 */7' never fi");
  EXPECT_EQ(next_after("0 0 31 2-4 *", "2026-01-01T00:00:00Z"), "2026-03-31T00:00:00.000Z");
}

TEST(CronSchedule, ErrorsSayWhichFieldAndWhy) {
  EXPECT_EQ(parse_error(""), "cron: the schedule is empty");
  EXPECT_EQ(parse_error(" \t\n"), "cron: the schedule is empty");
  EXPECT_EQ(parse_error("* * *"),
            "cron: expected 5 fields (minute hour day-of-month month day-of-week), got 3");
  EXPECT_EQ(parse_error("0 * * * * *"),
            "cron: expected 5 fields (minute hour day-of-month month day-of-week), got 6");

  EXPECT_EQ(parse_error("60 * * * *"), "cron field 1 (minute) '60': 60 is outside 0-59");
  EXPECT_EQ(parse_error("0 25 * * *"), "cron field 2 (hour) '25': 25 is outside 0-23");
  EXPECT_EQ(parse_error("0 0 0 * *"), "cron field 3 (day-of-month) '0': 0 is outside 1-31");
  EXPECT_EQ(parse_error("0 0 * 1,13 *"), "cron field 4 (month) '1,13': 13 is outside 1-12");
  EXPECT_EQ(parse_error("0 0 * * 8"), "cron field 5 (day-of-week) '8': 8 is outside 0-7");
  EXPECT_EQ(parse_error("99999999999 * * * *"),
            "cron field 1 (minute) '99999999999': 99999999999 is outside 0-59");

  EXPECT_EQ(parse_error("*/0 * * * *"),
            "cron field 1 (minute) '*/0': step 0 is not allowed (steps start at 1)");
  EXPECT_EQ(parse_error("*/x * * * *"), "cron field 1 (minute) '*/x': step 'x' is not a number");
  EXPECT_EQ(parse_error("1-5/ * * * *"), "cron field 1 (minute) '1-5/': step '' is not a number");
  EXPECT_EQ(parse_error("0 17-9 * * *"),
            "cron field 2 (hour) '17-9': range '17-9' is reversed (it must run from low to high)");
  EXPECT_EQ(parse_error("0 0 * * fri-mon"),
            "cron field 5 (day-of-week) 'fri-mon': range 'fri-mon' is reversed (it must run from "
            "low to high)");

  EXPECT_EQ(parse_error("0 0 * foo *"),
            "cron field 4 (month) 'foo': unknown name 'foo' (expected jan-dec or 1-12)");
  EXPECT_EQ(parse_error("0 0 * * funday"),
            "cron field 5 (day-of-week) 'funday': unknown name 'funday' (expected sun-sat or 0-7)");
  EXPECT_EQ(parse_error("mon * * * *"), "cron field 1 (minute) 'mon': 'mon' is not a number");
  EXPECT_EQ(parse_error("0 0 * 1a *"), "cron field 4 (month) '1a': '1a' is not a number");

  EXPECT_EQ(parse_error("1,,2 * * * *"), "cron field 1 (minute) '1,,2': a list item is empty");
  EXPECT_EQ(parse_error("0 1, * * *"), "cron field 2 (hour) '1,': a list item is empty");
  EXPECT_EQ(parse_error("0 1- * * *"), "cron field 2 (hour) '1-': '1-' is missing a value");
  EXPECT_EQ(parse_error("0 -1 * * *"), "cron field 2 (hour) '-1': '-1' is missing a value");
  EXPECT_EQ(parse_error("0 *-3 * * *"), "cron field 2 (hour) '*-3': '*' is not a number");
  // Control bytes are escaped rather than copied into logs.
  EXPECT_EQ(parse_error("0\x01 * * * *"),
            "cron field 1 (minute) '0\\x01': '0\\x01' is not a number");

  EXPECT_EQ(parse_error("@fortnightly"),
            "cron: unknown macro '@fortnightly' (expected @yearly, @annually, @monthly, @weekly, "
            "@daily, @midnight or @hourly)");
  EXPECT_EQ(parse_error("@reboot").substr(0, 31), "cron: unknown macro '@reboot' (");
  EXPECT_EQ(parse_error("@daily 5").substr(0, 32), "cron: unknown macro '@daily 5' (");
}

}  // namespace
}  // namespace shoplake::pipeline
