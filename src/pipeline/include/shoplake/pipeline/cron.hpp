// Cron schedules for the pipeline's DAG: the five fields of crontab(5) (minute, hour, day of
// month, month, day of week) with lists, ranges, steps and names, and the @hourly/@daily/…
// macros. Times are UTC epoch milliseconds, at minute resolution.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shoplake/core/result.hpp"

namespace shoplake::pipeline {

class CronSchedule {
 public:
  // "5 * * * *", "*/15 9-17 * * mon-fri", "@daily", … Errors name the field, its position and
  // why: "cron field 2 (hour) '25': 25 is outside 0-23". A schedule that can never fire, such as
  // "0 0 30 2 *", is refused too, so that next_after always has an answer.
  static core::Result<CronSchedule> parse(std::string_view text);

  // The first fire time strictly after `after_ms`. Should that lie beyond the int64 millisecond
  // range (some 292 million years out), INT64_MAX, which is no whole minute and so never a fire
  // time.
  std::int64_t next_after(std::int64_t after_ms) const;
  // The last fire time at or before `at_ms`; nullopt if there is none in the 5 years before it,
  // which only happens to rare schedules: "0 0 29 2 *" skips 2100, "0 0 29 2 */7" (Feb 29 on a
  // Sunday) fires 28 or 40 years apart.
  std::optional<std::int64_t> last_at_or_before(std::int64_t at_ms) const;

  const std::string& text() const { return text_; }

 private:
  CronSchedule() = default;
  bool fires_on_day(std::int64_t year, unsigned month, unsigned day) const;

  std::string text_;
  std::uint64_t minutes_ = 0;             // bit m: minute m (0-59)
  std::uint32_t hours_ = 0;               // bit h (0-23)
  std::uint32_t days_of_month_ = 0;       // bit d (1-31)
  std::uint16_t months_ = 0;              // bit m (1-12)
  std::uint8_t days_of_week_ = 0;         // bit d (0-6, Sunday = 0)
  bool day_of_month_restricted_ = false;  // crontab(5): when both day fields are restricted,
  bool day_of_week_restricted_ = false;   // a day matching either one fires
};

}  // namespace shoplake::pipeline
