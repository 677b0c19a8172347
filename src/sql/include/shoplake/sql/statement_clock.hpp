// The query's "now": one moment, in whole seconds, for the whole statement. The ClickHouse
// dialect writes today(), yesterday() and the day of now() as date literals of it, and now()
// itself as a named parameter that the engine binds on every execution: DuckDB binds a prepared
// statement again each time it runs when it calls DuckDB's own now() or today(), and also when a
// parameter appears in its WHERE clause; a parameter read in a CTE's select list does neither.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace shoplake::sql {

inline constexpr std::string_view kClockParameter = "shoplake_clock_us";

// Whole seconds: ClickHouse's now() has whole seconds.
using StatementClock = std::chrono::sys_seconds;

inline StatementClock statement_clock_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Unix microseconds in whole seconds, the value bound as kClockParameter.
inline std::int64_t clock_parameter_value(std::chrono::system_clock::time_point now) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch());
  return std::chrono::duration_cast<std::chrono::microseconds>(seconds).count();
}

}  // namespace shoplake::sql
