// The value-printing helpers on their own, for cases the table in output_format_test.cpp does not
// reach. Expected texts are what clickhouse-server 18.16 prints for the same values.
#include <gtest/gtest.h>

#include <limits>

#include "date_text.hpp"
#include "display_width.hpp"
#include "escaping.hpp"
#include "number_text.hpp"

namespace shoplake::sql::formats {
namespace {

std::string float64(double value) {
  std::string out;
  append_float64(out, value);
  return out;
}

TEST(NumberText, Float64LikeDoubleConversionShortest) {
  EXPECT_EQ(float64(1e-6), "0.000001");
  EXPECT_EQ(float64(1.5e-6), "0.0000015");
  EXPECT_EQ(float64(-1.5e-7), "-1.5e-7");
  EXPECT_EQ(float64(1e21), "1e21");
  EXPECT_EQ(float64(1e20), "100000000000000000000");
  EXPECT_EQ(float64(1.2345678901234568e20), "123456789012345680000");
  EXPECT_EQ(float64(1.7976931348623157e308), "1.7976931348623157e308");
  EXPECT_EQ(float64(100), "100");
  EXPECT_EQ(float64(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(float64(-0.0), "-0");
  EXPECT_EQ(float64(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(float64(-std::numeric_limits<double>::quiet_NaN()), "nan");
}

TEST(NumberText, Float32WithFloatPrecision) {
  std::string out;
  append_float32(out, static_cast<float>(1.0 / 3));
  out += ' ';
  append_float32(out, 16777217.0f);
  out += ' ';
  append_float32(out, 1e21f);
  EXPECT_EQ(out, "0.33333334 16777216 1e21");
}

TEST(DateText, ProlepticGregorianUtc) {
  std::string out;
  append_date(out, -1);
  out += ' ';
  append_datetime(out, -1);
  out += ' ';
  append_datetime64(out, -1, 3);
  out += ' ';
  append_datetime64(out, 1709210096789, 3);
  EXPECT_EQ(out, "1969-12-31 1969-12-31 23:59:59 1969-12-31 23:59:59.999 2024-02-29 12:34:56.789");
}

TEST(DateText, YearsOutsideFourDigitsAndFractionsOfEveryScale) {
  std::string out;
  append_date(out, -719528);  // 0000-01-01
  out += ' ';
  append_date(out, -719529);  // the day before: year -1
  out += ' ';
  append_date(out, 2932896);  // 9999-12-31
  out += ' ';
  append_date(out, 2932897);  // 10000-01-01
  out += ' ';
  append_datetime64(out, 1709210096000000005, 9);
  out += ' ';
  append_datetime64(out, 17092100960, 1);
  out += ' ';
  append_datetime(out, 86399);
  EXPECT_EQ(out,
            "0000-01-01 -001-12-31 9999-12-31 10000-01-01 2024-02-29 12:34:56.000000005 "
            "2024-02-29 12:34:56.0 1970-01-01 23:59:59");
}

// The last date's text is kept between calls: repeats, changes and returns must all read right.
TEST(DateText, RepeatedAndAlternatingDays) {
  std::string out;
  for (std::int64_t seconds :
       std::initializer_list<std::int64_t>{86399, 0, 86400, 0, -1, -1, 253402300800, 86400}) {
    append_datetime(out, seconds);
    out += '|';
  }
  EXPECT_EQ(out,
            "1970-01-01 23:59:59|1970-01-01 00:00:00|1970-01-02 00:00:00|1970-01-01 00:00:00|"
            "1969-12-31 23:59:59|1969-12-31 23:59:59|10000-01-01 00:00:00|1970-01-02 00:00:00|");
}

// Every escaped byte, at the start, between runs and at the end; other bytes as they are.
TEST(Escaping, TabSeparatedEscapesBetweenRuns) {
  std::string out = ">";
  append_escaped(out, std::string_view("\tab\bc\f\n\r\\'\0d\xc3\xa9\x01\t", 16));
  EXPECT_EQ(out, ">\\tab\\bc\\f\\n\\r\\\\\\'\\0d\xc3\xa9\x01\\t");
  out.clear();
  append_escaped(out, "");
  append_escaped(out, "page_view");
  EXPECT_EQ(out, "page_view");
}

TEST(Escaping, ValidUtf8GroupsEachInvalidRun) {
  std::string out;
  append_valid_utf8(out,
                    "a\xff\xfe"
                    "b\xe2\x80\"\xc3|ok\xf0\x9f\x98\x80\xed\xa0\x80");
  EXPECT_EQ(out, "a\uFFFDb\uFFFD\"\uFFFD|ok\U0001F600\uFFFD");
}

TEST(Escaping, JsonControlAndSeparators) {
  std::string out;
  append_json_string(out, std::string_view("a/\0\x01\x0b\x1f\x7f\xe2\x80\xa8.", 11));
  EXPECT_EQ(out, "\"a\\/\\u0000\\u0001\\u000B\\u001F\x7f\\u2028.\"");
}

// Widths measured from 18.16's PrettyCompact.
TEST(DisplayWidth, As18_16Measures) {
  EXPECT_EQ(display_width("\t", 2), 6u);
  EXPECT_EQ(display_width("a\tb\tc", 2), 15u);
  EXPECT_EQ(display_width("x\nyz"), 3u);
  EXPECT_EQ(display_width("\x1b[1mab"), 5u);
  EXPECT_EQ(display_width("e\xcc\x81"), 1u);
  EXPECT_EQ(display_width("\xe3\x80\x80"), 2u);
  EXPECT_EQ(display_width("xxx\xc2\xad"), 3u);
  EXPECT_EQ(display_width("x\xf0\x9f\x88\x80"), 3u);
  EXPECT_EQ(display_width("xxx\xe2\x9a\xa1"), 5u);
  EXPECT_EQ(display_width("xxx\xf0\x9f\xa7\x90"), 5u);
  EXPECT_EQ(display_width("xxx\xf0\x9f\x91\x8d"), 4u);
  EXPECT_EQ(display_width("ünïcødé 日本 😀"), 14u);
  EXPECT_EQ(display_width("x\xff\xe2\x80y"), 2u);
}

}  // namespace
}  // namespace shoplake::sql::formats
