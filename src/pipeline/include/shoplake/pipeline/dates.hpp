// Calendar days as the pipeline names them: "YYYY-MM-DD", UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoplake::pipeline {

// Days since 1970-01-01 of a "YYYY-MM-DD" that names a real day; nullopt otherwise.
std::optional<std::int64_t> parse_date(std::string_view text);
std::string format_date(std::int64_t days);
// The UTC day of an epoch-millisecond time.
std::int64_t day_of_ms(std::int64_t epoch_ms);

}  // namespace shoplake::pipeline
