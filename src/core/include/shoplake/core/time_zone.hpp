// IANA time zones read from TZif files (RFC 8536), so that "today" can be computed in a configured
// zone without the C library's process-wide TZ state and without std::chrono::tzdb (absent from
// GCC 12's libstdc++). See docs/TIME-ZONES.md for the names load() accepts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/core/result.hpp"

namespace shoplake::core {

// The footer of a TZif file: a POSIX TZ string, parsed, for instants from the last transition on.
// An implementation detail of TimeZone, here only because TimeZone holds one.
namespace time_zone_detail {

struct RuleDate {
  enum class Kind : std::uint8_t { kJulian1, kZeroBased, kMonthWeekDay };  // Jn, n, Mm.w.d
  Kind kind = Kind::kMonthWeekDay;
  std::uint16_t day = 0;  // Jn: 1..365, n: 0..365
  std::uint8_t month = 0, week = 0, weekday = 0;
  std::int32_t time_seconds = 2 * 3600;  // local time of day, -167 h..167 h
};

struct PosixRule {
  std::int32_t std_offset = 0;  // seconds east of UTC, unlike the TZ string's own sign
  std::int32_t dst_offset = 0;
  bool has_dst = false;
  RuleDate start, end;
};

}  // namespace time_zone_detail

class TimeZone {
 public:
  // "UTC" and fixed offsets "+HH:MM"/"-HH:MM" need no files. Any other name is a file under the
  // zoneinfo root: $TZDIR if set and non-empty, else /usr/share/zoneinfo.
  static Result<TimeZone> load(std::string_view name);
  // The same, with an explicit zoneinfo root instead of $TZDIR.
  static Result<TimeZone> load(std::string_view name, const std::string& zoneinfo_root);
  // Parses the contents of a TZif file (versions 1 to 4). Never throws on malformed input.
  static Result<TimeZone> from_tzif(std::string_view name, std::string_view tzif_bytes);
  static TimeZone utc();

  const std::string& name() const { return name_; }

  // Seconds east of UTC in force at that instant.
  std::int32_t offset_seconds_at(std::int64_t utc_ms) const;
  // Days since 1970-01-01 of the local calendar date at that instant.
  std::int64_t local_day(std::int64_t utc_ms) const;
  // The first UTC instant whose local date is local_day or later: local midnight, or, where a
  // transition skips midnight, the transition. Days beyond about ±292 million years are clamped so
  // that the result fits.
  std::int64_t start_of_local_day_utc_ms(std::int64_t local_day) const;

 private:
  struct Segment {
    std::int32_t offset;
    std::int64_t end;  // the next instant (UTC seconds) at which the offset may change
  };
  Segment segment_at(std::int64_t utc_seconds) const;

  std::string name_;
  std::int32_t initial_offset_ = 0;        // before the first transition
  std::vector<std::int64_t> transitions_;  // UTC seconds, strictly ascending
  std::vector<std::int32_t> offsets_;      // in force from transitions_[i] on
  bool has_rule_ = false;
  time_zone_detail::PosixRule rule_;
};

}  // namespace shoplake::core
