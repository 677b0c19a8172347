#include "shoplake/core/time_zone.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/time.hpp"

// Expected offsets and transition instants were read off zdump(8) and `TZ=... date` for tzdata
// 2025b; none of the rules involved has changed in decades.

namespace shoplake::core {
namespace {

constexpr std::int64_t kHour = 3600;

std::int64_t ms(std::string_view rfc3339) {
  return parse_rfc3339_ms(rfc3339).value();
}

std::int64_t day(int year, unsigned month, unsigned d) {
  return days_from_civil(year, month, d);
}

std::string zoneinfo_root() {
  const char* tzdir = std::getenv("TZDIR");
  return tzdir != nullptr && tzdir[0] != '\0' ? tzdir : "/usr/share/zoneinfo";
}

TimeZone must_load(std::string_view name) {
  Result<TimeZone> zone = TimeZone::load(name);
  if (!zone) {
    ADD_FAILURE() << zone.error();
    return TimeZone::utc();
  }
  EXPECT_EQ(zone.value().name(), name);
  return std::move(zone).value();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The first instant of each local day, and the day each instant falls on, must agree.
void expect_days_consistent(const TimeZone& zone, std::int64_t from_ms, std::int64_t to_ms) {
  for (std::int64_t t = from_ms; t < to_ms; t += kMillisPerHour + 7 * kMillisPerMinute) {
    const std::int64_t d = zone.local_day(t);
    const std::int64_t start = zone.start_of_local_day_utc_ms(d);
    ASSERT_LE(start, t) << zone.name() << " at " << format_rfc3339_ms(t);
    ASSERT_EQ(zone.local_day(start), d) << zone.name() << " at " << format_rfc3339_ms(t);
    ASSERT_EQ(zone.local_day(start - 1), d - 1) << zone.name() << " at " << format_rfc3339_ms(t);
    const std::int64_t length = zone.start_of_local_day_utc_ms(d + 1) - start;
    ASSERT_GE(length, 22 * kMillisPerHour) << zone.name() << " at " << format_rfc3339_ms(t);
    ASSERT_LE(length, 26 * kMillisPerHour) << zone.name() << " at " << format_rfc3339_ms(t);
  }
}

// ---- Hand-built TZif files ------------------------------------------------------------------

struct Type {
  std::int32_t utoff;
  std::uint8_t isdst;
  std::uint8_t desigidx;
};

struct Tzif {
  char version = '2';  // '\0' for version 1
  std::vector<std::int64_t> transitions;
  std::vector<std::uint8_t> transition_types;
  std::vector<Type> types = {{0, 0, 0}};
  std::string designations = std::string("UTC\0", 4);
  std::uint32_t leapcnt = 0;
  std::string footer = "UTC0";

  std::string bytes() const {
    std::string out;
    if (version == '\0') {
      header(out, version, 4);
      block(out, 4);
      return out;
    }
    // A minimal version 1 block, as `zic -b slim` writes: readers must skip it.
    header(out, version, 0);
    out += std::string(6, '\0') + '\0';
    header(out, version, 8);
    block(out, 8);
    out += '\n' + footer + '\n';
    return out;
  }

 private:
  static void put(std::string& out, std::uint64_t value, int size) {
    for (int i = size - 1; i >= 0; --i) out += static_cast<char>((value >> (8 * i)) & 0xff);
  }
  void header(std::string& out, char v, int time_size) const {
    out += "TZif";
    out += v;
    out += std::string(15, '\0');
    if (time_size == 0) {  // the slim v1 block: one type, one designation byte
      for (const std::uint32_t count : {0u, 0u, 0u, 0u, 1u, 1u}) put(out, count, 4);
      return;
    }
    for (const std::uint64_t count : {std::uint64_t{0}, std::uint64_t{0}, std::uint64_t{leapcnt},
                                      transitions.size(), types.size(), designations.size()}) {
      put(out, count, 4);
    }
  }
  void block(std::string& out, int time_size) const {
    for (const std::int64_t t : transitions) put(out, static_cast<std::uint64_t>(t), time_size);
    for (const std::uint8_t type : transition_types) out += static_cast<char>(type);
    for (const Type& type : types) {
      put(out, static_cast<std::uint32_t>(type.utoff), 4);
      out += static_cast<char>(type.isdst);
      out += static_cast<char>(type.desigidx);
    }
    out += designations;
    for (std::uint32_t i = 0; i < leapcnt; ++i) {
      put(out, 0, time_size);  // occurrence
      put(out, 1, 4);          // correction
    }
  }
};

TimeZone must_parse(const Tzif& tzif) {
  Result<TimeZone> zone = TimeZone::from_tzif("Test/Zone", tzif.bytes());
  if (!zone) {
    ADD_FAILURE() << zone.error();
    return TimeZone::utc();
  }
  return std::move(zone).value();
}

std::string parse_error(const std::string& bytes) {
  Result<TimeZone> zone = TimeZone::from_tzif("Test/Zone", bytes);
  if (zone) return "(accepted)";
  return zone.error();
}

Tzif with_footer(std::string footer) {
  Tzif tzif;
  tzif.types = {{0, 0, 0}, {3600, 1, 4}};
  tzif.designations = std::string("AAA\0BBB\0", 8);
  tzif.footer = std::move(footer);
  return tzif;
}

// ---- Names and files ---------------------------------------------------------------------------

TEST(TimeZoneLoad, UtcAndFixedOffsetsNeedNoFiles) {
  const std::string nowhere = "/nonexistent/zoneinfo";
  Result<TimeZone> utc = TimeZone::load("UTC", nowhere);
  ASSERT_TRUE(utc) << utc.error();
  EXPECT_EQ(utc.value().name(), "UTC");
  EXPECT_EQ(utc.value().offset_seconds_at(ms("2026-07-01T00:00:00Z")), 0);
  EXPECT_EQ(TimeZone::utc().name(), "UTC");
  EXPECT_EQ(TimeZone::utc().local_day(-1), -1);
  EXPECT_EQ(TimeZone::utc().start_of_local_day_utc_ms(day(2026, 3, 29)),
            ms("2026-03-29T00:00:00Z"));

  Result<TimeZone> india = TimeZone::load("+05:30", nowhere);
  ASSERT_TRUE(india) << india.error();
  EXPECT_EQ(india.value().name(), "+05:30");
  EXPECT_EQ(india.value().offset_seconds_at(0), 19800);
  EXPECT_EQ(india.value().local_day(ms("2026-06-01T18:29:59.999Z")), day(2026, 6, 1));
  EXPECT_EQ(india.value().local_day(ms("2026-06-01T18:30:00Z")), day(2026, 6, 2));

  Result<TimeZone> west = TimeZone::load("-05:30", nowhere);
  ASSERT_TRUE(west) << west.error();
  EXPECT_EQ(west.value().offset_seconds_at(0), -19800);
  EXPECT_EQ(west.value().local_day(ms("1970-01-01T05:29:59Z")), -1);
  EXPECT_EQ(west.value().start_of_local_day_utc_ms(0), ms("1970-01-01T05:30:00Z"));

  Result<TimeZone> zero = TimeZone::load("-00:00", nowhere);
  ASSERT_TRUE(zero) << zero.error();
  EXPECT_EQ(zero.value().offset_seconds_at(0), 0);
}

TEST(TimeZoneLoad, RejectsMalformedFixedOffsets) {
  for (const char* name : {"+5", "+0530", "+05:3", "+24:00", "-05:60", "+05:30x", "-", "+"}) {
    Result<TimeZone> zone = TimeZone::load(name, "/nonexistent/zoneinfo");
    ASSERT_FALSE(zone) << name;
    EXPECT_NE(zone.error().find("+HH:MM or -HH:MM"), std::string::npos) << zone.error();
  }
}

TEST(TimeZoneLoad, RejectsNamesThatAreNotPlainRelativePaths) {
  const struct {
    std::string name;
    const char* reason;
  } cases[] = {
      {"", "empty"},
      {"../etc/passwd", "'..' path components are not allowed"},
      {"Europe/../../etc/passwd", "'..' path components are not allowed"},
      {"Europe/..", "'..' path components are not allowed"},
      {"./UTC", "'.' path components are not allowed"},
      {"/etc/localtime", "absolute paths are not allowed"},
      {"Europe//Berlin", "empty path component"},
      {"Europe/Berlin/", "empty path component"},
      {"Europe/Ber lin", "only A-Z a-z 0-9 _ + - / are allowed"},
      {"Europe\\Berlin", "only A-Z a-z 0-9 _ + - / are allowed"},
      {"Europe/Berlin.tab", "only A-Z a-z 0-9 _ + - / are allowed"},
      {std::string("Europe/Berlin\0x", 15), "only A-Z a-z 0-9 _ + - / are allowed"},
      {std::string(256, 'A'), "longer than 255 bytes"},
  };
  for (const auto& c : cases) {
    Result<TimeZone> zone = TimeZone::load(c.name);
    ASSERT_FALSE(zone) << c.name;
    EXPECT_EQ(zone.error().rfind("invalid time zone name '", 0), 0u) << zone.error();
    EXPECT_NE(zone.error().find(c.reason), std::string::npos) << zone.error();
  }
  // Control bytes in a name are escaped, not copied into the message.
  Result<TimeZone> zone = TimeZone::load("Europe/Berlin\n");
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().find("'Europe/Berlin\\x0a'"), std::string::npos) << zone.error();
}

TEST(TimeZoneLoad, UnknownNamesSayWhereTheyWereLookedFor) {
  Result<TimeZone> zone = TimeZone::load("Europe/Berlinn", "/usr/share/zoneinfo");
  ASSERT_FALSE(zone);
  EXPECT_EQ(zone.error(),
            "unknown time zone 'Europe/Berlinn': no such file under /usr/share/zoneinfo");

  zone = TimeZone::load("Europe/Berlinn");
  ASSERT_FALSE(zone);
  EXPECT_EQ(zone.error(),
            "unknown time zone 'Europe/Berlinn': no such file under " + zoneinfo_root());

  zone = TimeZone::load("Europe/Berlin/Mitte");  // a path through a file
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().find("unknown time zone"), std::string::npos) << zone.error();

  zone = TimeZone::load("UTC+2");
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().find("unknown time zone 'UTC+2'"), std::string::npos) << zone.error();

  zone = TimeZone::load("Europe");
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().find("is a directory"), std::string::npos) << zone.error();
}

class TempZoneinfo : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        std::filesystem::temp_directory_path() /
        ("shoplake_tz_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "Broken");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void write(const std::string& name, const std::string& bytes) {
    std::ofstream out(root_ / name, std::ios::binary);
    out << bytes;
  }

  std::filesystem::path root_;
};

TEST_F(TempZoneinfo, TruncatedAndForeignFilesAreReportedWithTheirPath) {
  const std::string berlin = read_file(zoneinfo_root() + "/Europe/Berlin");
  ASSERT_GT(berlin.size(), 100u);
  write("Broken/Truncated", berlin.substr(0, berlin.size() / 2));
  write("Broken/Text", "# this is zone.tab, not a zone\n");
  write("Good", berlin);

  Result<TimeZone> zone = TimeZone::load("Broken/Truncated", root_.string());
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().find("truncated"), std::string::npos) << zone.error();
  EXPECT_NE(zone.error().find((root_ / "Broken/Truncated").string()), std::string::npos)
      << zone.error();

  zone = TimeZone::load("Broken/Text", root_.string());
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().find("not a TZif file"), std::string::npos) << zone.error();

  zone = TimeZone::load("Good", root_.string());
  ASSERT_TRUE(zone) << zone.error();
  EXPECT_EQ(zone.value().offset_seconds_at(ms("2026-07-01T00:00:00Z")), 2 * kHour);
}

TEST_F(TempZoneinfo, TzdirChoosesTheRoot) {
  write("Good", read_file(zoneinfo_root() + "/Asia/Kolkata"));
  const char* saved = std::getenv("TZDIR");
  const std::optional<std::string> previous =
      saved != nullptr ? std::optional<std::string>(saved) : std::nullopt;
  ::setenv("TZDIR", root_.c_str(), 1);
  Result<TimeZone> zone = TimeZone::load("Good");
  Result<TimeZone> missing = TimeZone::load("Europe/Berlin");
  if (previous) {
    ::setenv("TZDIR", previous->c_str(), 1);
  } else {
    ::unsetenv("TZDIR");
  }
  ASSERT_TRUE(zone) << zone.error();
  EXPECT_EQ(zone.value().offset_seconds_at(0), 19800);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(),
            "unknown time zone 'Europe/Berlin': no such file under " + root_.string());
}

// ---- Real zones --------------------------------------------------------------------------------

TEST(TimeZoneReal, BerlinSwitchesAtOneUtc) {
  const TimeZone berlin = must_load("Europe/Berlin");
  EXPECT_EQ(berlin.offset_seconds_at(ms("2026-01-15T12:00:00Z")), 1 * kHour);
  EXPECT_EQ(berlin.offset_seconds_at(ms("2026-03-29T00:59:59.999Z")), 1 * kHour);
  EXPECT_EQ(berlin.offset_seconds_at(ms("2026-03-29T01:00:00Z")), 2 * kHour);
  EXPECT_EQ(berlin.offset_seconds_at(ms("2026-10-25T00:59:59.999Z")), 2 * kHour);
  EXPECT_EQ(berlin.offset_seconds_at(ms("2026-10-25T01:00:00Z")), 1 * kHour);
}

TEST(TimeZoneReal, BerlinDaysAcrossDstAre23And25Hours) {
  const TimeZone berlin = must_load("Europe/Berlin");
  const std::int64_t spring = day(2026, 3, 29);
  EXPECT_EQ(berlin.start_of_local_day_utc_ms(spring), ms("2026-03-28T23:00:00Z"));
  EXPECT_EQ(berlin.start_of_local_day_utc_ms(spring + 1), ms("2026-03-29T22:00:00Z"));
  EXPECT_EQ(berlin.local_day(ms("2026-03-28T22:59:59.999Z")), spring - 1);
  EXPECT_EQ(berlin.local_day(ms("2026-03-28T23:00:00Z")), spring);
  EXPECT_EQ(berlin.local_day(ms("2026-03-29T21:59:59.999Z")), spring);
  EXPECT_EQ(berlin.local_day(ms("2026-03-29T22:00:00Z")), spring + 1);

  const std::int64_t autumn = day(2026, 10, 25);
  EXPECT_EQ(berlin.start_of_local_day_utc_ms(autumn), ms("2026-10-24T22:00:00Z"));
  EXPECT_EQ(berlin.start_of_local_day_utc_ms(autumn + 1), ms("2026-10-25T23:00:00Z"));
  EXPECT_EQ(berlin.local_day(ms("2026-10-25T22:59:59.999Z")), autumn);
  EXPECT_EQ(berlin.local_day(ms("2026-10-25T23:00:00Z")), autumn + 1);

  expect_days_consistent(berlin, ms("2026-01-01T00:00:00Z"), ms("2027-01-01T00:00:00Z"));
}

TEST(TimeZoneReal, BerlinFarFutureComesFromTheFooterRule) {
  // Debian's files list transitions up to 2037; 2100 is computed from "CET-1CEST,M3.5.0,M10.5.0/3".
  const TimeZone berlin = must_load("Europe/Berlin");
  EXPECT_EQ(berlin.offset_seconds_at(ms("2100-03-28T00:59:59Z")), 1 * kHour);
  EXPECT_EQ(berlin.offset_seconds_at(ms("2100-03-28T01:00:00Z")), 2 * kHour);
  EXPECT_EQ(berlin.offset_seconds_at(ms("2100-10-31T00:59:59Z")), 2 * kHour);
  EXPECT_EQ(berlin.offset_seconds_at(ms("2100-10-31T01:00:00Z")), 1 * kHour);
  EXPECT_EQ(berlin.start_of_local_day_utc_ms(day(2100, 3, 28)), ms("2100-03-27T23:00:00Z"));
  EXPECT_EQ(berlin.start_of_local_day_utc_ms(day(2100, 3, 29)), ms("2100-03-28T22:00:00Z"));
  expect_days_consistent(berlin, ms("2099-12-01T00:00:00Z"), ms("2101-02-01T00:00:00Z"));
  // Year 9999: still the same rule.
  EXPECT_EQ(berlin.offset_seconds_at(ms("9999-07-01T00:00:00Z")), 2 * kHour);
  EXPECT_EQ(berlin.offset_seconds_at(ms("9999-12-01T00:00:00Z")), 1 * kHour);
}

TEST(TimeZoneReal, BeforeTheFirstTransitionLocalMeanTimeApplies) {
  const TimeZone berlin = must_load("Europe/Berlin");
  EXPECT_EQ(berlin.offset_seconds_at(ms("1800-01-01T00:00:00Z")), 3208);  // +0:53:28 LMT
  EXPECT_EQ(berlin.offset_seconds_at(std::numeric_limits<std::int64_t>::min()), 3208);

  const TimeZone kolkata = must_load("Asia/Kolkata");
  EXPECT_EQ(kolkata.offset_seconds_at(ms("1800-01-01T00:00:00Z")), 21208);  // +5:53:28 LMT
  EXPECT_EQ(kolkata.offset_seconds_at(-3645237209 * kMillisPerSecond), 21208);
  EXPECT_EQ(kolkata.offset_seconds_at(-3645237208 * kMillisPerSecond), 21200);  // +5:53:20 HMT
}

TEST(TimeZoneReal, NewYork) {
  const TimeZone new_york = must_load("America/New_York");
  EXPECT_EQ(new_york.offset_seconds_at(ms("2026-03-08T06:59:59Z")), -5 * kHour);
  EXPECT_EQ(new_york.offset_seconds_at(ms("2026-03-08T07:00:00Z")), -4 * kHour);
  EXPECT_EQ(new_york.offset_seconds_at(ms("2026-11-01T05:59:59Z")), -4 * kHour);
  EXPECT_EQ(new_york.offset_seconds_at(ms("2026-11-01T06:00:00Z")), -5 * kHour);
  EXPECT_EQ(new_york.offset_seconds_at(ms("2100-03-14T06:59:59Z")), -5 * kHour);
  EXPECT_EQ(new_york.offset_seconds_at(ms("2100-03-14T07:00:00Z")), -4 * kHour);
  EXPECT_EQ(new_york.offset_seconds_at(ms("2100-11-07T05:59:59Z")), -4 * kHour);
  EXPECT_EQ(new_york.offset_seconds_at(ms("2100-11-07T06:00:00Z")), -5 * kHour);

  EXPECT_EQ(new_york.start_of_local_day_utc_ms(day(2026, 3, 8)), ms("2026-03-08T05:00:00Z"));
  EXPECT_EQ(new_york.start_of_local_day_utc_ms(day(2026, 3, 9)), ms("2026-03-09T04:00:00Z"));
  EXPECT_EQ(new_york.start_of_local_day_utc_ms(day(2026, 11, 1)), ms("2026-11-01T04:00:00Z"));
  EXPECT_EQ(new_york.start_of_local_day_utc_ms(day(2026, 11, 2)), ms("2026-11-02T05:00:00Z"));
  EXPECT_EQ(new_york.local_day(ms("2026-11-02T04:59:59.999Z")), day(2026, 11, 1));
  expect_days_consistent(new_york, ms("2026-01-01T00:00:00Z"), ms("2027-01-01T00:00:00Z"));
}

TEST(TimeZoneReal, LordHoweShiftsByHalfAnHour) {
  const TimeZone lord_howe = must_load("Australia/Lord_Howe");
  EXPECT_EQ(lord_howe.offset_seconds_at(ms("2026-04-04T14:59:59Z")), 39600);  // +11:00
  EXPECT_EQ(lord_howe.offset_seconds_at(ms("2026-04-04T15:00:00Z")), 37800);  // +10:30
  EXPECT_EQ(lord_howe.offset_seconds_at(ms("2026-10-03T15:29:59Z")), 37800);
  EXPECT_EQ(lord_howe.offset_seconds_at(ms("2026-10-03T15:30:00Z")), 39600);
  EXPECT_EQ(lord_howe.offset_seconds_at(ms("2100-04-03T14:59:59Z")), 39600);
  EXPECT_EQ(lord_howe.offset_seconds_at(ms("2100-04-03T15:00:00Z")), 37800);
  // 24.5 h in April, 23.5 h in October.
  EXPECT_EQ(lord_howe.start_of_local_day_utc_ms(day(2026, 4, 5)), ms("2026-04-04T13:00:00Z"));
  EXPECT_EQ(lord_howe.start_of_local_day_utc_ms(day(2026, 4, 6)), ms("2026-04-05T13:30:00Z"));
  EXPECT_EQ(lord_howe.start_of_local_day_utc_ms(day(2026, 10, 4)), ms("2026-10-03T13:30:00Z"));
  EXPECT_EQ(lord_howe.start_of_local_day_utc_ms(day(2026, 10, 5)), ms("2026-10-04T13:00:00Z"));
  expect_days_consistent(lord_howe, ms("2026-01-01T00:00:00Z"), ms("2027-01-01T00:00:00Z"));
}

TEST(TimeZoneReal, KolkataIsFiveThirtyAhead) {
  const TimeZone kolkata = must_load("Asia/Kolkata");
  EXPECT_EQ(kolkata.offset_seconds_at(ms("2026-06-01T00:00:00Z")), 19800);
  EXPECT_EQ(kolkata.offset_seconds_at(ms("2100-06-01T00:00:00Z")), 19800);
  EXPECT_EQ(kolkata.offset_seconds_at(std::numeric_limits<std::int64_t>::max()), 19800);
  EXPECT_EQ(kolkata.local_day(ms("2026-06-01T18:29:59.999Z")), day(2026, 6, 1));
  EXPECT_EQ(kolkata.local_day(ms("2026-06-01T18:30:00Z")), day(2026, 6, 2));
  EXPECT_EQ(kolkata.start_of_local_day_utc_ms(day(2026, 6, 2)), ms("2026-06-01T18:30:00Z"));
}

TEST(TimeZoneReal, FooterTimesBeyondADayAndBeforeMidnight) {
  // "IST-2IDT,M3.4.4/26,M10.5.0": 26:00 on the fourth Thursday is 02:00 on Friday.
  const TimeZone jerusalem = must_load("Asia/Jerusalem");
  EXPECT_EQ(jerusalem.offset_seconds_at(ms("2100-03-25T23:59:59Z")), 2 * kHour);
  EXPECT_EQ(jerusalem.offset_seconds_at(ms("2100-03-26T00:00:00Z")), 3 * kHour);
  EXPECT_EQ(jerusalem.offset_seconds_at(ms("2100-10-30T22:59:59Z")), 3 * kHour);
  EXPECT_EQ(jerusalem.offset_seconds_at(ms("2100-10-30T23:00:00Z")), 2 * kHour);

  // "<-02>2<-01>,M3.5.0/-1,M10.5.0/0": -1:00 on the last Sunday is 23:00 the Saturday before.
  const TimeZone nuuk = must_load("America/Nuuk");
  EXPECT_EQ(nuuk.offset_seconds_at(ms("2100-03-28T00:59:59Z")), -2 * kHour);
  EXPECT_EQ(nuuk.offset_seconds_at(ms("2100-03-28T01:00:00Z")), -1 * kHour);
  EXPECT_EQ(nuuk.offset_seconds_at(ms("2100-10-31T00:59:59Z")), -1 * kHour);
  EXPECT_EQ(nuuk.offset_seconds_at(ms("2100-10-31T01:00:00Z")), -2 * kHour);
  expect_days_consistent(nuuk, ms("2100-01-01T00:00:00Z"), ms("2101-01-01T00:00:00Z"));
}

TEST(TimeZoneReal, NegativeDstAndTheSouthernHemisphere) {
  // "IST-1GMT0,M10.5.0,M3.5.0/1": Irish summer time is standard time, winter the "DST".
  const TimeZone dublin = must_load("Europe/Dublin");
  EXPECT_EQ(dublin.offset_seconds_at(ms("2026-01-15T00:00:00Z")), 0);
  EXPECT_EQ(dublin.offset_seconds_at(ms("2026-07-15T00:00:00Z")), 1 * kHour);
  EXPECT_EQ(dublin.offset_seconds_at(ms("2100-01-15T00:00:00Z")), 0);
  EXPECT_EQ(dublin.offset_seconds_at(ms("2100-07-15T00:00:00Z")), 1 * kHour);
  expect_days_consistent(dublin, ms("2100-01-01T00:00:00Z"), ms("2101-01-01T00:00:00Z"));

  const TimeZone auckland = must_load("Pacific/Auckland");
  EXPECT_EQ(auckland.offset_seconds_at(ms("2100-01-15T00:00:00Z")), 13 * kHour);
  EXPECT_EQ(auckland.offset_seconds_at(ms("2100-07-15T00:00:00Z")), 12 * kHour);
  expect_days_consistent(auckland, ms("2100-01-01T00:00:00Z"), ms("2101-01-01T00:00:00Z"));
}

TEST(TimeZoneReal, MidnightThatDoesNotExistStartsTheDayAtTheTransition) {
  // Brazil switched at 00:00 until 2019: 2018-11-04 began at 01:00 local, and 2019-02-16 had 25 h
  // because 23:00-24:00 happened twice.
  const TimeZone sao_paulo = must_load("America/Sao_Paulo");
  EXPECT_EQ(sao_paulo.start_of_local_day_utc_ms(day(2018, 11, 4)), ms("2018-11-04T03:00:00Z"));
  EXPECT_EQ(sao_paulo.local_day(ms("2018-11-04T02:59:59.999Z")), day(2018, 11, 3));
  EXPECT_EQ(sao_paulo.local_day(ms("2018-11-04T03:00:00Z")), day(2018, 11, 4));
  EXPECT_EQ(sao_paulo.start_of_local_day_utc_ms(day(2019, 2, 16)), ms("2019-02-16T02:00:00Z"));
  EXPECT_EQ(sao_paulo.start_of_local_day_utc_ms(day(2019, 2, 17)), ms("2019-02-17T03:00:00Z"));
  expect_days_consistent(sao_paulo, ms("2018-10-01T00:00:00Z"), ms("2019-03-01T00:00:00Z"));
}

TEST(TimeZoneReal, ExtremeInstantsAndDaysDoNotOverflow) {
  const TimeZone berlin = must_load("Europe/Berlin");
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(berlin.offset_seconds_at(kMax), 2 * kHour);  // August 17 of the year 292278994
  const std::int64_t last_day = berlin.local_day(kMax);
  const std::int64_t first_day = berlin.local_day(kMin);
  EXPECT_GT(last_day, 106'751'991'000);
  EXPECT_LT(first_day, -106'751'991'000);
  EXPECT_LE(berlin.start_of_local_day_utc_ms(kMax), kMax);
  EXPECT_GE(berlin.start_of_local_day_utc_ms(kMin), kMin);
  EXPECT_LT(berlin.start_of_local_day_utc_ms(last_day - 10), kMax);
}

TEST(TimeZoneReal, EveryTruncationOfARealFileIsAnError) {
  for (const char* name : {"Europe/Berlin", "UTC", "Asia/Kolkata"}) {
    const std::string bytes = read_file(zoneinfo_root() + "/" + name);
    ASSERT_GT(bytes.size(), 44u) << name;
    ASSERT_TRUE(TimeZone::from_tzif(name, bytes)) << name;
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      Result<TimeZone> zone = TimeZone::from_tzif(name, std::string_view(bytes).substr(0, size));
      ASSERT_FALSE(zone) << name << " cut to " << size << " bytes";
      EXPECT_EQ(zone.error().rfind("invalid TZif data for time zone '", 0), 0u) << zone.error();
    }
  }
}

// ---- Hand-built files --------------------------------------------------------------------------

TEST(TimeZoneTzif, Version1UsesThe32BitBlock) {
  Tzif tzif;
  tzif.version = '\0';
  tzif.transitions = {-1000, 1000};
  tzif.transition_types = {1, 0};
  tzif.types = {{-3600, 0, 0}, {7200, 1, 4}};
  tzif.designations = std::string("AAA\0BBB\0", 8);
  const TimeZone zone = must_parse(tzif);
  EXPECT_EQ(zone.name(), "Test/Zone");
  EXPECT_EQ(zone.offset_seconds_at(-1000 * kMillisPerSecond - 1), -3600);
  EXPECT_EQ(zone.offset_seconds_at(-1000 * kMillisPerSecond), 7200);
  EXPECT_EQ(zone.offset_seconds_at(999'999), 7200);
  EXPECT_EQ(zone.offset_seconds_at(1'000'000), -3600);
  EXPECT_EQ(zone.offset_seconds_at(ms("2100-01-01T00:00:00Z")), -3600);  // no footer in v1
}

TEST(TimeZoneTzif, Version2UsesThe64BitBlockAndAnEmptyFooterKeepsTheLastType) {
  Tzif tzif;
  tzif.transitions = {-(std::int64_t{1} << 40), std::int64_t{1} << 35};
  tzif.transition_types = {1, 2};
  tzif.types = {{0, 0, 0}, {3600, 0, 4}, {7200, 0, 8}};
  tzif.designations = std::string("AAA\0BBB\0CCC\0", 12);
  tzif.footer = "";
  const TimeZone zone = must_parse(tzif);
  EXPECT_EQ(zone.offset_seconds_at((-(std::int64_t{1} << 40) - 1) * kMillisPerSecond), 0);
  EXPECT_EQ(zone.offset_seconds_at(0), 3600);
  EXPECT_EQ(zone.offset_seconds_at((std::int64_t{1} << 35) * kMillisPerSecond), 7200);
  EXPECT_EQ(zone.offset_seconds_at(std::numeric_limits<std::int64_t>::max()), 7200);
}

TEST(TimeZoneTzif, WithoutTransitionsTheFooterRulesEverything) {
  Tzif tzif = with_footer("AAA0BBB-1,M3.5.0/1,M10.5.0/2");
  tzif.version = '3';
  const TimeZone zone = must_parse(tzif);
  EXPECT_EQ(zone.offset_seconds_at(ms("1900-03-25T00:59:59Z")), 0);
  EXPECT_EQ(zone.offset_seconds_at(ms("1900-03-25T01:00:00Z")), 3600);
  EXPECT_EQ(zone.offset_seconds_at(ms("1900-10-28T00:59:59Z")), 3600);
  EXPECT_EQ(zone.offset_seconds_at(ms("1900-10-28T01:00:00Z")), 0);
}

TEST(TimeZoneTzif, DstAllYearPerRfc8536Section3_3_1) {
  // "EST5EDT,0/0,J365/25": daylight time starts on January 1 at 00:00 and ends 25 hours after
  // December 31 begins, the moment the next year's start rule fires again.
  Tzif tzif;
  tzif.version = '3';
  tzif.types = {{-5 * 3600, 0, 0}, {-4 * 3600, 1, 4}};
  tzif.designations = std::string("EST\0EDT\0", 8);
  tzif.footer = "EST5EDT,0/0,J365/25";
  const TimeZone zone = must_parse(tzif);
  for (const char* at : {"2030-01-01T00:00:00Z", "2030-01-01T05:00:00Z", "2030-07-01T00:00:00Z",
                         "2030-12-31T23:59:59Z", "2031-01-01T04:59:59Z", "2031-01-01T05:00:00Z",
                         "2032-12-31T12:00:00Z"}) {
    EXPECT_EQ(zone.offset_seconds_at(ms(at)), -4 * 3600) << at;
  }
  EXPECT_EQ(zone.start_of_local_day_utc_ms(day(2031, 1, 1)), ms("2031-01-01T04:00:00Z"));
}

TEST(TimeZoneTzif, JulianDaysSkipFebruary29ZeroBasedDaysCountIt) {
  // J60 is March 1 in every year; zero-based 59 is February 29 in leap years.
  const TimeZone julian = must_parse(with_footer("AAA0BBB-1,J60/0,J300/0"));
  const TimeZone zero_based = must_parse(with_footer("AAA0BBB-1,59/0,299/0"));
  EXPECT_EQ(julian.offset_seconds_at(ms("2096-02-29T12:00:00Z")), 0);
  EXPECT_EQ(julian.offset_seconds_at(ms("2096-03-01T00:00:00Z")), 3600);
  EXPECT_EQ(zero_based.offset_seconds_at(ms("2096-02-28T23:59:59Z")), 0);
  EXPECT_EQ(zero_based.offset_seconds_at(ms("2096-02-29T00:00:00Z")), 3600);
  EXPECT_EQ(julian.offset_seconds_at(ms("2100-02-28T23:59:59Z")), 0);
  EXPECT_EQ(julian.offset_seconds_at(ms("2100-03-01T00:00:00Z")), 3600);
  EXPECT_EQ(zero_based.offset_seconds_at(ms("2100-02-28T23:59:59Z")), 0);
  EXPECT_EQ(zero_based.offset_seconds_at(ms("2100-03-01T00:00:00Z")), 3600);
  // Day 300 of the year, 00:00 daylight time, is 23:00 UTC the day before: October 26 (J300 and
  // 299 in 2100), October 25 (299 in leap 2096).
  EXPECT_EQ(julian.offset_seconds_at(ms("2096-10-26T22:59:59Z")), 3600);
  EXPECT_EQ(julian.offset_seconds_at(ms("2096-10-26T23:00:00Z")), 0);
  EXPECT_EQ(zero_based.offset_seconds_at(ms("2096-10-25T22:59:59Z")), 3600);
  EXPECT_EQ(zero_based.offset_seconds_at(ms("2096-10-25T23:00:00Z")), 0);
  EXPECT_EQ(julian.offset_seconds_at(ms("2100-10-26T23:00:00Z")), 0);
  EXPECT_EQ(zero_based.offset_seconds_at(ms("2100-10-26T22:59:59Z")), 3600);
}

TEST(TimeZoneTzif, RuleTimesReachPlusMinus167Hours) {
  // 2100: the last Sunday of March is the 28th, of October the 31st.
  const TimeZone zone = must_parse(with_footer("AAA0BBB-1,M3.5.0/-167,M10.5.0/167:59:59"));
  EXPECT_EQ(zone.offset_seconds_at(ms("2100-03-21T00:59:59Z")), 0);
  EXPECT_EQ(zone.offset_seconds_at(ms("2100-03-21T01:00:00Z")), 3600);
  EXPECT_EQ(zone.offset_seconds_at(ms("2100-11-06T22:59:58Z")), 3600);
  EXPECT_EQ(zone.offset_seconds_at(ms("2100-11-06T22:59:59Z")), 0);
}

TEST(TimeZoneTzif, DstWithoutARuleFollowsTheUsDefault) {
  const TimeZone zone = must_parse(with_footer("AAA5BBB"));
  EXPECT_EQ(zone.offset_seconds_at(ms("2100-03-14T06:59:59Z")), -5 * 3600);
  EXPECT_EQ(zone.offset_seconds_at(ms("2100-03-14T07:00:00Z")), -4 * 3600);
}

TEST(TimeZoneTzif, Version4IsAccepted) {
  Tzif tzif = with_footer("<+0530>-5:30");
  tzif.version = '4';
  EXPECT_EQ(must_parse(tzif).offset_seconds_at(0), 19800);
}

TEST(TimeZoneTzif, MalformedDataIsNamed) {
  const auto bytes_with = [](auto change) {
    Tzif tzif;
    tzif.transitions = {100, 200};
    tzif.transition_types = {1, 0};
    tzif.types = {{0, 0, 0}, {3600, 1, 4}};
    tzif.designations = std::string("AAA\0BBB\0", 8);
    change(tzif);
    return tzif.bytes();
  };
  const std::string valid = bytes_with([](Tzif&) {});
  ASSERT_EQ(parse_error(valid), "(accepted)");

  const struct {
    std::string bytes;
    const char* expected;
  } cases[] = {
      {"", "v1 header truncated: 0 bytes at offset 0, need 44"},
      {std::string(44, 'x'), "does not start with \"TZif\": not a TZif file"},
      {"TZif5" + valid.substr(5), "unsupported TZif version byte 53"},
      {valid + "x", "1 unexpected bytes after the footer"},
      {valid.substr(0, valid.size() - 1), "footer TZ string is not terminated by a newline"},
      {bytes_with([](Tzif& t) {
         t.types.clear();
         t.transitions.clear();
         t.transition_types.clear();
       }),
       "typecnt is 0"},
      {bytes_with([](Tzif& t) { t.designations.clear(); }), "charcnt is 0"},
      {bytes_with([](Tzif& t) {
         t.transitions = {200, 200};
       }),
       "transition 1 (200) is not after transition 0 (200)"},
      {bytes_with([](Tzif& t) {
         t.transition_types = {1, 2};
       }),
       "transition 1 uses local time type 2, but there are only 2"},
      {bytes_with([](Tzif& t) { t.types[1].utoff = 93600; }),
       "local time type 1: UTC offset 93600 s is outside -89999..93599"},
      {bytes_with([](Tzif& t) { t.types[1].utoff = std::numeric_limits<std::int32_t>::min(); }),
       "UTC offset -2147483648 s"},
      {bytes_with([](Tzif& t) { t.types[1].isdst = 2; }), "local time type 1: isdst is 2"},
      {bytes_with([](Tzif& t) { t.types[1].desigidx = 8; }),
       "designation index 8 is past the 8 designation bytes"},
      {bytes_with([](Tzif& t) { t.designations = std::string("AAA\0BBBB", 8); }),
       "designation at index 4 is not NUL-terminated"},
      {bytes_with([](Tzif& t) { t.leapcnt = 1; }), "leap-second zones"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST,M3.5.0"; }), "expected ',' before the end"},
      {bytes_with([](Tzif& t) { t.footer = "CET-25"; }), "expected hours 0..24"},
      {bytes_with([](Tzif& t) { t.footer = "CET"; }), "expected hours 0..24"},
      {bytes_with([](Tzif& t) { t.footer = "CE-1"; }), "shorter than 3 characters"},
      {bytes_with([](Tzif& t) { t.footer = "<+1>-1"; }), "shorter than 3 characters"},
      {bytes_with([](Tzif& t) { t.footer = "<+0100-1"; }), "missing '>'"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1:60"; }), "bad minutes"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1,M3.5.0,M10.5.0"; }),
       "a rule without a daylight saving time designation"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST;M3.5.0,M10.5.0"; }),
       "daylight saving time offset: expected hours 0..24"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST-2;M3.5.0,M10.5.0"; }),
       "expected ',' before the start rule"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST,M13.5.0,M10.5.0"; }), "month 1..12"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST,M3.6.0,M10.5.0"; }), "week 1..5"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST,M3.5.7,M10.5.0"; }), "weekday 0..6"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST,J0,J365"; }), "Jn needs n 1..365"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST,0,366"; }), "n needs 0..365"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST,M3.5.0/168,M10.5.0"; }),
       "start rule time: expected hours -167..167"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST,M3.5.0,M10.5.0x"; }),
       "unexpected text after the end rule"},
      {bytes_with([](Tzif& t) { t.footer = "CET-1CEST,X,M10.5.0"; }), "expected Jn, n or Mm.w.d"},
  };
  for (const auto& c : cases) {
    const std::string error = parse_error(c.bytes);
    EXPECT_EQ(error.rfind("invalid TZif data for time zone 'Test/Zone': ", 0), 0u) << error;
    EXPECT_NE(error.find(c.expected), std::string::npos) << error;
  }

  // The two headers of a version 2+ file must agree on the version.
  std::string mismatched = valid;
  mismatched[44 + 7 + 4] = '3';
  EXPECT_NE(parse_error(mismatched).find("the v2+ header says version 3"), std::string::npos)
      << parse_error(mismatched);
}

}  // namespace
}  // namespace shoplake::core
