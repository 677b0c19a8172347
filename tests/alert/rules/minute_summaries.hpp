// Simulator runs turned into the minute summaries the stream engine will feed the detector: a
// test-only stand-in, exact (distinct users, buyers and orders; purchases counted once by
// event_id) and simple rather than fast.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "shoplake/core/minute_summary.hpp"
#include "shoplake/sim/simulator.hpp"

namespace shoplake::alert::testing {

// Calls `each` with every minute of the run in [config.start_ms, config.end_ms), in order, a
// minute without events included (as a zero summary).
void for_each_minute(const sim::SimulatorConfig& config,
                     const std::function<void(const core::MinuteSummary&)>& each);

std::vector<core::MinuteSummary> minute_summaries(const sim::SimulatorConfig& config);

}  // namespace shoplake::alert::testing
