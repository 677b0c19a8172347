#include "shoplake/core/time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace shoplake::core {
namespace {

// 2026-11-25T13:04:05Z, worked out independently: 20782 days after 1970-01-01.
constexpr std::int64_t kSample =
    20782 * kMillisPerDay + 13 * kMillisPerHour + 4 * kMillisPerMinute + 5 * kMillisPerSecond;

TEST(ParseRfc3339, KnownInstants) {
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339_ms("2000-01-01T00:00:00Z"), 946684800000);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05Z"), kSample);
  EXPECT_EQ(parse_rfc3339_ms("1969-12-31T23:59:59Z"), -1000);
}

TEST(ParseRfc3339, OffsetsAreSubtracted) {
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T15:04:05+02:00"), kSample);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T07:34:05-05:30"), kSample);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05+00:00"), kSample);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05-00:00"), kSample);
  // The offset can carry the instant into another day.
  EXPECT_EQ(parse_rfc3339_ms("2026-11-26T01:04:05+12:00"), kSample);
}

TEST(ParseRfc3339, FractionsOfOneToNineDigitsKeepMilliseconds) {
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05.1Z"), kSample + 100);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05.12Z"), kSample + 120);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05.123Z"), kSample + 123);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05.1239Z"), kSample + 123);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05.12399Z"), kSample + 123);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05.123999Z"), kSample + 123);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05.9999999Z"), kSample + 999);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05.00000001Z"), kSample);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T13:04:05.987654321Z"), kSample + 987);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25T15:04:05.5+02:00"), kSample + 500);
}

TEST(ParseRfc3339, LowerCaseSeparatorsAndSpace) {
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25t13:04:05z"), kSample);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25 13:04:05Z"), kSample);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-25 13:04:05.250+00:00"), kSample + 250);
}

TEST(ParseRfc3339, LeapSecondFoldsIntoTheNextMinute) {
  EXPECT_EQ(parse_rfc3339_ms("2016-12-31T23:59:60Z"), parse_rfc3339_ms("2017-01-01T00:00:00Z"));
}

TEST(ParseRfc3339, LeapYears) {
  EXPECT_TRUE(parse_rfc3339_ms("2024-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(parse_rfc3339_ms("2000-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339_ms("2023-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339_ms("1900-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339_ms("2100-02-29T00:00:00Z").has_value());
  EXPECT_EQ(*parse_rfc3339_ms("2024-03-01T00:00:00Z") - *parse_rfc3339_ms("2024-02-28T00:00:00Z"),
            2 * kMillisPerDay);
}

TEST(ParseRfc3339, RejectsInvalidDatesAndTimes) {
  for (const char* text : {
           "2026-02-30T00:00:00Z",
           "2026-04-31T00:00:00Z",
           "2026-00-10T00:00:00Z",
           "2026-13-10T00:00:00Z",
           "2026-11-00T00:00:00Z",
           "2026-11-32T00:00:00Z",
           "2026-11-25T24:00:00Z",
           "2026-11-25T13:60:00Z",
           "2026-11-25T13:04:61Z",
           "2026-11-25T13:04:05+24:00",
           "2026-11-25T13:04:05+02:60",
       }) {
    EXPECT_FALSE(parse_rfc3339_ms(text).has_value()) << text;
  }
}

TEST(ParseRfc3339, RejectsBadShapes) {
  for (const char* text : {
           "",
           "2026",
           "2026-11-25",
           "2026-11-25T13:04Z",
           "2026-11-25T13:04:05",
           "2026-11-25T13:04:05.Z",
           "2026-11-25T13:04:05.123",
           "2026-11-25T13:04:05ZZ",
           "2026-11-25T13:04:05Z ",
           " 2026-11-25T13:04:05Z",
           "2026-11-25X13:04:05Z",
           "2026/11/25T13:04:05Z",
           "26-11-25T13:04:05Z",
           "2026-1-25T13:04:05Z",
           "2026-11-25T13:04:05+0200",
           "2026-11-25T13:04:05+02",
           "2026-11-25T13:04:05+02:0",
           "2026-11-25T13:04:05+02:00x",
           "2026-11-25T13:04:05UTC",
           "+2026-11-25T13:04:05Z",
           "2026-11-25T13:04:05,123Z",
           "abcd-ef-ghTij:kl:mnZ",
           "1700000000000",
       }) {
    EXPECT_FALSE(parse_rfc3339_ms(text).has_value()) << '"' << text << '"';
  }
}

TEST(FormatRfc3339, WritesUtcWithMilliseconds) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(kSample + 123), "2026-11-25T13:04:05.123Z");
  EXPECT_EQ(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_ms(*parse_rfc3339_ms("2024-02-29T23:59:59.007Z")),
            "2024-02-29T23:59:59.007Z");
  EXPECT_EQ(format_rfc3339_ms(*parse_rfc3339_ms("0001-01-01T00:00:00Z")),
            "0001-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339, AppendsToWhatIsThere) {
  std::string out = "ts=";
  append_rfc3339_ms(0, out);
  append_rfc3339_ms(1, out);
  EXPECT_EQ(out, "ts=1970-01-01T00:00:00.000Z1970-01-01T00:00:00.001Z");
}

TEST(FormatRfc3339, ClampsToFourDigitYearsAsAWholeInstant) {
  const std::int64_t first = days_from_civil(0, 1, 1) * kMillisPerDay;
  const std::int64_t last = days_from_civil(10000, 1, 1) * kMillisPerDay - 1;
  EXPECT_EQ(format_rfc3339_ms(first), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(last), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_ms(first - 1), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(last + 1), "9999-12-31T23:59:59.999Z");
  // 10000-02-29 exists (10000 is divisible by 400); clamping only its year would give 9999-02-29.
  const std::string leap_day = format_rfc3339_ms(days_from_civil(10000, 2, 29) * kMillisPerDay);
  EXPECT_EQ(leap_day, "9999-12-31T23:59:59.999Z");
  EXPECT_TRUE(parse_rfc3339_ms(leap_day).has_value());
  EXPECT_EQ(format_rfc3339_ms(INT64_MIN), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(INT64_MAX), "9999-12-31T23:59:59.999Z");
}

TEST(FormatRfc3339, ParsesBackToTheSameInstant) {
  const std::int64_t first = days_from_civil(0, 1, 1) * kMillisPerDay;
  const std::int64_t last = days_from_civil(10000, 1, 1) * kMillisPerDay - 1;
  // A step that is prime and not a whole number of seconds visits varied dates and times.
  const std::int64_t step = 7919LL * kMillisPerDay + 3 * kMillisPerHour + 7 * kMillisPerSecond + 13;
  int checked = 0;
  for (std::int64_t ms = first; ms <= last; ms += step) {
    const std::string text = format_rfc3339_ms(ms);
    ASSERT_EQ(parse_rfc3339_ms(text), ms) << text;
    ++checked;
  }
  EXPECT_GT(checked, 400);
  EXPECT_EQ(parse_rfc3339_ms(format_rfc3339_ms(last)), last);
}

TEST(CivilDays, KnownDays) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1970, 1, 2), 1);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(2026, 11, 25), 20782);
  EXPECT_EQ(days_from_civil(0, 1, 1), -719528);
  EXPECT_EQ(days_from_civil(-1, 12, 31), -719529);
  EXPECT_EQ(days_from_civil(-400, 1, 1), -719528 - 146097);
}

TEST(CivilDays, LeapYearLengths) {
  const auto year_length = [](int year) {
    return days_from_civil(year + 1, 1, 1) - days_from_civil(year, 1, 1);
  };
  EXPECT_EQ(year_length(2023), 365);
  EXPECT_EQ(year_length(2024), 366);
  EXPECT_EQ(year_length(1900), 365);
  EXPECT_EQ(year_length(2000), 366);
  EXPECT_EQ(year_length(0), 366);
  EXPECT_EQ(year_length(-4), 366);
  EXPECT_EQ(year_length(-100), 365);
  EXPECT_EQ(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28), 2);
  EXPECT_EQ(days_from_civil(2023, 3, 1) - days_from_civil(2023, 2, 28), 1);
}

TEST(CivilDays, RoundTripAndConsecutiveDatesOverAWideRange) {
  // About 2,700 years either side of the epoch, negative days included.
  int previous_year = 0;
  unsigned previous_month = 0, previous_day = 0;
  civil_from_days(-1'000'001, previous_year, previous_month, previous_day);
  for (std::int64_t days = -1'000'000; days <= 1'000'000; ++days) {
    int year;
    unsigned month, day;
    civil_from_days(days, year, month, day);
    ASSERT_EQ(days_from_civil(year, month, day), days) << year << '-' << month << '-' << day;
    ASSERT_GE(month, 1u);
    ASSERT_LE(month, 12u);
    ASSERT_GE(day, 1u);
    ASSERT_LE(day, 31u);
    // Each day is the day after the previous one: same month and day + 1, or the 1st of the next.
    const bool next_in_month =
        year == previous_year && month == previous_month && day == previous_day + 1;
    const bool next_month =
        day == 1 && ((month == previous_month + 1 && year == previous_year) ||
                     (month == 1 && previous_month == 12 && year == previous_year + 1));
    ASSERT_TRUE(next_in_month || next_month) << days;
    previous_year = year;
    previous_month = month;
    previous_day = day;
  }
}

TEST(CivilDays, FarDates) {
  for (const std::int64_t days : {-100'000'000LL, -719'529LL, 0LL, 2'932'896LL, 100'000'000LL}) {
    int year;
    unsigned month, day;
    civil_from_days(days, year, month, day);
    EXPECT_EQ(days_from_civil(year, month, day), days);
  }
}

TEST(NowMs, IsAPlausibleWallClock) {
  const std::int64_t now = now_ms();
  EXPECT_GT(now, *parse_rfc3339_ms("2024-01-01T00:00:00Z"));
  EXPECT_LT(now, *parse_rfc3339_ms("2100-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace shoplake::core
