// The speed layer as a running component: reads the event log as records are written, counts
// every event into the minute aggregator, hands each settled minute to a listener (the anomaly
// detector), publishes realtime.* as live SQL tables and checkpoints its state so that a restart
// resumes where it stopped without counting anything twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "shoplake/core/minute_summary.hpp"
#include "shoplake/core/result.hpp"
#include "shoplake/log/event_log.hpp"
#include "shoplake/sql/catalog.hpp"
#include "shoplake/stream/minute_aggregator.hpp"

namespace shoplake::stream {

struct StreamOptions {
  AggregatorOptions aggregation;
  std::filesystem::path state_directory;  // holds the checkpoint; created if missing
  std::chrono::milliseconds checkpoint_interval{std::chrono::seconds(30)};
  // Events stamped further ahead of the wall clock than this are left out of the realtime
  // tables (counted as future_events): one bad clock must not close every open minute.
  std::int64_t max_future_ms = 10 * core::kMillisPerMinute;
  // With nothing new in the log for this long, event time follows the wall clock (lagging by
  // this much), so that minutes close and a shop gone silent shows as silent. Zero: never.
  std::chrono::milliseconds idle_advance_after{std::chrono::seconds(30)};
};

// Settled minutes, oldest first, on the engine's thread. Each minute is handed over once, also
// across restarts (the checkpoint remembers how far it got).
using SettledMinutesListener = std::function<void(std::span<const core::MinuteSummary>)>;

struct StreamStats {
  AggregatorCounters aggregation;
  std::uint64_t future_events = 0;
  std::uint64_t undecodable_records = 0;
  std::uint64_t processed_offset = 0;  // every log entry before it is counted
  std::uint64_t checkpoints = 0;
  std::uint64_t checkpoint_offset = 0;
  std::size_t memory_bytes = 0;
  std::int64_t clock_ms = 0;
};

class StreamEngine {
 public:
  // Restores the checkpoint under options.state_directory when it matches the log, else
  // starts from the oldest offset the log still holds (saying why in the log).
  static core::Result<std::unique_ptr<StreamEngine>> open(log::EventLog& log, StreamOptions options,
                                                          SettledMinutesListener listener);
  ~StreamEngine();  // stop()
  StreamEngine(const StreamEngine&) = delete;
  StreamEngine& operator=(const StreamEngine&) = delete;

  void start();
  // Processes what is already written, checkpoints, and stops the thread.
  void stop();

  // realtime.events_per_minute, revenue_per_minute, category_velocity and kpis_today. The minute
  // tables are time series: from then on, the engine's thread hands each closed minute's rows to
  // `catalog` (Catalog::settle_time_series), which must outlive the engine's thread (stop()).
  core::Status publish_tables(sql::Catalog& catalog);

  // Blocks until every entry before `offset` is counted, or the timeout passes.
  bool wait_for_offset(std::uint64_t offset, std::chrono::milliseconds timeout) const;
  // Writes a checkpoint now (once what it covers is durable in the log).
  core::Status checkpoint();

  StreamStats stats() const;
  std::vector<core::MinuteSummary> settled_history() const;
  DayKpis today() const;
  // Why the engine stopped counting (an unreadable log), or empty while it counts: for /healthz.
  std::string failure() const;

 private:
  struct State;
  explicit StreamEngine(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace shoplake::stream
