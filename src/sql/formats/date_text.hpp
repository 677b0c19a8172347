// Date and DateTime text in UTC, as ClickHouse prints them: "2024-02-29", "2024-02-29 12:34:56",
// and DateTime64 with its fraction, "2024-02-29 12:34:56.789".
#pragma once

#include <cstdint>
#include <string>

namespace shoplake::sql::formats {

void append_date(std::string& out, std::int64_t days_since_epoch);
void append_datetime(std::string& out, std::int64_t seconds_since_epoch);
// `ticks` counts units of 10^-scale seconds.
void append_datetime64(std::string& out, std::int64_t ticks, unsigned scale);

}  // namespace shoplake::sql::formats
