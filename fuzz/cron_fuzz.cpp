// libFuzzer target for CronSchedule::parse. Any input must parse or fail with a message, without a
// crash, a sanitizer report or a hang (parse refuses schedules that never fire, so a search that
// does not end means that check is wrong). Every schedule that parses must keep what the scheduler
// relies on: the next fire time is a whole minute strictly after the instant, and searching back
// from it finds that very time.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string_view>

#include "shoplake/pipeline/cron.hpp"

namespace {

using shoplake::pipeline::CronSchedule;

constexpr std::int64_t kMillisPerMinute = 60'000;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

// Instants from the input stay within some 35,000 years of 1970, where every next fire time fits;
// the ends of the range are exercised separately for crashes only.
constexpr std::int64_t kCheckedRange = std::int64_t{1} << 50;

[[noreturn]] void fail(const char* what, std::string_view text, std::int64_t instant) {
  std::fprintf(stderr, "cron_fuzz: %s for '%.*s' at utc_ms %lld\n", what,
               static_cast<int>(text.size()), text.data(), static_cast<long long>(instant));
  __builtin_trap();
}

void check_at(const CronSchedule& cron, std::int64_t instant) {
  const std::int64_t next = cron.next_after(instant);
  if (next <= instant) fail("next_after is not after the instant", cron.text(), instant);
  if (next % kMillisPerMinute != 0) fail("next_after is not a whole minute", cron.text(), instant);
  if (cron.last_at_or_before(next) != next) {
    fail("last_at_or_before(next_after) is not next_after", cron.text(), instant);
  }
  const auto last = cron.last_at_or_before(instant);
  if (!last) return;
  if (*last > instant) fail("last_at_or_before is after the instant", cron.text(), instant);
  if (cron.next_after(*last) != next) {
    fail("a fire time lies between last_at_or_before and next_after", cron.text(), instant);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto parsed = CronSchedule::parse(bytes);
  if (!parsed) {
    if (parsed.error().empty()) fail("an error without a message", bytes, 0);
    return 0;
  }
  const CronSchedule& cron = parsed.value();

  // One instant derived from the whole input (FNV-1a), plus fixed ones around 1970 and now.
  std::uint64_t hash = 14695981039346656037u;
  for (std::size_t i = 0; i < size; ++i) hash = (hash ^ data[i]) * 1099511628211u;
  const auto derived =
      static_cast<std::int64_t>(hash % (std::uint64_t{2} * kCheckedRange)) - kCheckedRange;
  for (const std::int64_t instant :
       {derived, derived / 10000, std::int64_t{-1}, std::int64_t{0}, std::int64_t{1774745999999}}) {
    check_at(cron, instant);
  }

  // Only for crashes and sanitizer reports: the answers there are clamped.
  (void)cron.next_after(kMax);
  (void)cron.next_after(std::numeric_limits<std::int64_t>::min());
  (void)cron.last_at_or_before(kMax);
  (void)cron.last_at_or_before(std::numeric_limits<std::int64_t>::min());
  return 0;
}
