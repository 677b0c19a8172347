// libFuzzer target for TimeZone::from_tzif. Any input must parse or fail without a crash or a
// sanitizer report, and every zone that parses must keep what start_of_local_day_utc_ms promises
// the real-time engine: a day's first instant is not after any instant of that day, the
// millisecond before it is on an earlier day, and the next day does not start sooner. (A valid
// but odd file can swing local time back across midnight or skip a whole day, so "on that very
// day" only holds for real zones; the unit tests check it there.)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string_view>

#include "shoplake/core/time_zone.hpp"

namespace {

using shoplake::core::TimeZone;

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

// Instants near the ends of time, near 1970, in the years real files list transitions for, and in
// the years only a footer rule covers.
constexpr std::int64_t kInstants[] = {
    kMin,
    kMin + 1,
    -(std::int64_t{1} << 62),
    -5364662400000,  // 1800-01-01
    -2147483649000,  // just before the 32-bit range
    -1,
    0,
    1774745999999,    // 2026-03-29T00:59:59.999Z
    1774746000000,    // 2026-03-29T01:00:00Z
    1792890000000,    // 2026-10-25T01:00:00Z
    2147483648000,    // just after the 32-bit range
    4109878800000,    // 2100-03-28T01:00:00Z
    4128627600000,    // 2100-10-31T01:00:00Z
    253402300799999,  // 9999-12-31T23:59:59.999Z
    kMax - 1,
    kMax,
};

// Days at the ends of time are clamped (and start - 1 could overflow), so the checks stay inside.
constexpr std::int64_t kCheckedRange = std::int64_t{1} << 50;

[[noreturn]] void fail(const char* what, std::int64_t instant) {
  std::fprintf(stderr, "time_zone_fuzz: %s at utc_ms %lld\n", what,
               static_cast<long long>(instant));
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto zone = TimeZone::from_tzif("Fuzz/Zone", bytes);
  if (!zone) {
    if (zone.error().empty()) fail("an error without a message", 0);
    return 0;
  }
  const TimeZone& tz = zone.value();
  for (const std::int64_t instant : kInstants) {
    const std::int32_t offset = tz.offset_seconds_at(instant);
    if (offset < -89999 || offset > 93599) fail("an offset outside RFC 9636's range", instant);
    const std::int64_t day = tz.local_day(instant);
    const std::int64_t start = tz.start_of_local_day_utc_ms(day);
    const std::int64_t next = tz.start_of_local_day_utc_ms(day + 1);
    if (instant < -kCheckedRange || instant > kCheckedRange) continue;
    if (start > instant) fail("the day starts after an instant on it", instant);
    if (tz.local_day(start) < day) fail("the day's first instant is on an earlier day", instant);
    if (tz.local_day(start - 1) >= day) fail("the day's first instant is not the first", instant);
    if (next < start) fail("the next day starts before this one", instant);
  }
  return 0;
}
