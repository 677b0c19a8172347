#include "shoplake/pipeline/dates.hpp"

#include <fmt/format.h>

#include "shoplake/core/time.hpp"

namespace shoplake::pipeline {

std::optional<std::int64_t> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < lengths[i]; ++j) {
      const char c = text[starts[i] + j];
      if (c < '0' || c > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (c - '0');
    }
  }
  if (parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31) return std::nullopt;
  const std::int64_t days = core::days_from_civil(parts[0], static_cast<unsigned>(parts[1]),
                                                  static_cast<unsigned>(parts[2]));
  // 2026-02-30 maps onto March: a day that does not exist does not round-trip.
  if (format_date(days) != text) return std::nullopt;
  return days;
}

std::string format_date(std::int64_t days) {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  core::civil_from_days(days, year, month, day);
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

std::int64_t day_of_ms(std::int64_t epoch_ms) {
  constexpr std::int64_t kMillisPerDay = 86'400'000;
  return epoch_ms >= 0 ? epoch_ms / kMillisPerDay
                       : -((-epoch_ms + kMillisPerDay - 1) / kMillisPerDay);
}

}  // namespace shoplake::pipeline
