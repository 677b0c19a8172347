// Drives a Simulator to an NDJSON destination: history as fast as possible, or live against the
// wall clock.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <stop_token>
#include <string_view>

#include "shoplake/sim/simulator.hpp"

namespace shoplake::sim {

enum class Pacing : std::uint8_t {
  // Emit as fast as possible; ts is the simulator's event time (history, or a live backlog).
  as_fast_as_possible,
  // Live: each event is emitted once the wall clock reaches its ts, so event time is wall time
  // and the emitted rate is the simulator's own (its configured mean, shaped by day and week).
  wall_clock,
  // Live load test: emit as fast as possible and stamp each event with the wall-clock time it was
  // produced at (never decreasing), so a collector's event-time window accepts it. The event
  // order is the model's, but the time between a session's events is compressed.
  stamp_wall_clock,
};

struct RunOptions {
  Pacing pacing = Pacing::as_fast_as_possible;
  std::uint64_t max_events = std::numeric_limits<std::uint64_t>::max();
  std::size_t flush_bytes = std::size_t{1} << 20;  // hand output on in chunks of about this size
};

struct RunProgress {
  std::uint64_t events = 0;
  std::uint64_t bytes = 0;
  double wall_seconds = 0;
  std::int64_t first_event_ms = 0;  // ts of the first and last event written (0 if none)
  std::int64_t last_event_ms = 0;
  bool finished = false;
};

// Receives NDJSON text, whole lines only. May throw to abort the run.
using ChunkWriter = std::function<void(std::string_view ndjson)>;
// Called about once a second while running, then once more with finished = true.
using ProgressObserver = std::function<void(const RunProgress&)>;

// Runs until the simulator's end_ms, max_events, or a stop request, and returns the totals.
RunProgress run_simulation(Simulator& simulator, const RunOptions& options,
                           const ChunkWriter& write, const ProgressObserver& progress,
                           std::stop_token stop = {});

}  // namespace shoplake::sim
