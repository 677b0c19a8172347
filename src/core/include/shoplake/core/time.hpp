// Event-time helpers: RFC 3339 <-> UTC epoch milliseconds, without the C library's time zone state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoplake::core {

// Days since 1970-01-01 for a proleptic Gregorian civil date, and back (Howard Hinnant's
// algorithm). Years are 64-bit: an instant anywhere in the int64 millisecond range lies some 292
// million years from 1970 (cron schedules search that far).
struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1-12
  unsigned day;    // 1-31
};
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
CivilDate civil_from_days(std::int64_t days);
// The same for callers that hold years as int (years of RFC 3339 and Parquet values).
void civil_from_days(std::int64_t days, int& year, unsigned& month, unsigned& day);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"; 't', ' ' and 'z' are accepted as RFC 3339
// allows. Fractions beyond milliseconds are truncated. Returns nullopt on anything else.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

// Appends "YYYY-MM-DDTHH:MM:SS.mmmZ".
void append_rfc3339_ms(std::int64_t epoch_ms, std::string& out);
std::string format_rfc3339_ms(std::int64_t epoch_ms);

inline constexpr std::int64_t kMillisPerSecond = 1000;
inline constexpr std::int64_t kMillisPerMinute = 60 * kMillisPerSecond;
inline constexpr std::int64_t kMillisPerHour = 60 * kMillisPerMinute;
inline constexpr std::int64_t kMillisPerDay = 24 * kMillisPerHour;

std::int64_t now_ms();  // wall clock, UTC epoch milliseconds

}  // namespace shoplake::core
