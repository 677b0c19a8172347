#include "shoplake/sim/runner.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "shoplake/core/ndjson_writer.hpp"

namespace shoplake::sim {

namespace {

using Clock = std::chrono::steady_clock;

// How often the loop looks up from its work: the stop request and the progress clock are checked
// every this many events, and a paced run never sleeps longer than kLongestSleep at a time.
constexpr std::uint64_t kCheckEveryEvents = 4096;
constexpr std::uint32_t kStampClockEveryEvents = 256;
constexpr auto kLongestSleep = std::chrono::milliseconds(100);
constexpr auto kProgressInterval = std::chrono::seconds(1);

class RunLoop {
 public:
  RunLoop(Simulator& simulator, const RunOptions& options, const ChunkWriter& write,
          const ProgressObserver& progress, std::stop_token stop)
      : simulator_(simulator),
        options_(options),
        write_(write),
        progress_(progress),
        stop_(std::move(stop)),
        started_(Clock::now()),
        next_report_(started_ + kProgressInterval) {
    out_.reserve(options.flush_bytes + 4096);
  }

  RunProgress run() {
    while (totals_.events < options_.max_events) {
      if (totals_.events % kCheckEveryEvents == 0) {
        if (stop_.stop_requested()) break;
        report_if_due();
      }
      if (options_.pacing == Pacing::wall_clock && !wait_until_due()) break;
      if (!simulator_.next(event_)) break;
      if (options_.pacing == Pacing::stamp_wall_clock) stamp_with_wall_clock();
      core::append_ndjson(event_, out_);
      if (totals_.events == 0) totals_.first_event_ms = event_.ts_ms;
      totals_.last_event_ms = event_.ts_ms;
      ++totals_.events;
      if (out_.size() >= options_.flush_bytes) flush();
    }
    flush();
    totals_.wall_seconds = seconds_since_start();
    totals_.finished = true;
    if (progress_) progress_(totals_);
    return totals_;
  }

 private:
  // Live pacing: returns once the next event is due, or false if the run should end.
  bool wait_until_due() {
    for (;;) {
      if (stop_.stop_requested()) return false;
      const std::int64_t due = simulator_.next_event_ms();
      if (due >= simulator_.config().end_ms) return false;
      const std::int64_t now = core::now_ms();
      if (due <= now) return true;
      // Nothing to emit right now: hand what we have on, so a live reader sees it at once.
      flush();
      report_if_due();
      const auto wait =
          std::min<std::chrono::milliseconds>(std::chrono::milliseconds(due - now), kLongestSleep);
      std::this_thread::sleep_for(wait);
    }
  }

  void stamp_with_wall_clock() {
    if (until_clock_read_ == 0) {
      stamp_ms_ = std::max(stamp_ms_, core::now_ms());
      until_clock_read_ = kStampClockEveryEvents;
    }
    --until_clock_read_;
    event_.ts_ms = stamp_ms_;
  }

  void flush() {
    if (out_.empty()) return;
    write_(out_);
    totals_.bytes += out_.size();
    out_.clear();
    until_clock_read_ = 0;  // writing may have blocked: read the clock again before stamping
  }

  void report_if_due() {
    const auto now = Clock::now();
    if (now < next_report_) return;
    next_report_ = now + kProgressInterval;
    if (!progress_) return;
    RunProgress snapshot = totals_;
    snapshot.bytes += out_.size();
    snapshot.wall_seconds = seconds_since_start();
    progress_(snapshot);
  }

  double seconds_since_start() const {
    return std::chrono::duration<double>(Clock::now() - started_).count();
  }

  Simulator& simulator_;
  const RunOptions& options_;
  const ChunkWriter& write_;
  const ProgressObserver& progress_;
  std::stop_token stop_;
  Clock::time_point started_;
  Clock::time_point next_report_;
  std::string out_;
  core::EventView event_;
  RunProgress totals_;
  std::int64_t stamp_ms_ = 0;
  std::uint32_t until_clock_read_ = 0;
};

}  // namespace

RunProgress run_simulation(Simulator& simulator, const RunOptions& options,
                           const ChunkWriter& write, const ProgressObserver& progress,
                           std::stop_token stop) {
  return RunLoop(simulator, options, write, progress, std::move(stop)).run();
}

}  // namespace shoplake::sim
