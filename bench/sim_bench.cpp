// How fast the simulator produces history as NDJSON: generation plus serialisation into a reused
// string, the work `shoplake simulate --days N` does before writing.
#include <benchmark/benchmark.h>

#include <string>

#include "shoplake/core/ndjson_writer.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/sim/simulator.hpp"

namespace {

using namespace shoplake;

// 2026-11-23, a Monday, at midnight UTC.
constexpr std::int64_t kStartMs = 20780 * core::kMillisPerDay;

void BM_SimulateToNdjson(benchmark::State& state) {
  sim::SimulatorConfig config;
  config.seed = 42;
  config.start_ms = kStartMs;
  sim::Simulator simulator(config);
  core::EventView event;
  std::string out;
  out.reserve(1 << 20);
  std::uint64_t bytes = 0;
  constexpr int kEventsPerIteration = 4096;
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < kEventsPerIteration; ++i) {
      simulator.next(event);
      core::append_ndjson(event, out);
    }
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kEventsPerIteration);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_SimulateToNdjson);

// The model alone, without serialisation: where the time goes when the total is off.
void BM_SimulateOnly(benchmark::State& state) {
  sim::SimulatorConfig config;
  config.seed = 42;
  config.start_ms = kStartMs;
  sim::Simulator simulator(config);
  core::EventView event;
  for (auto _ : state) {
    simulator.next(event);
    benchmark::DoNotOptimize(event.ts_ms);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SimulateOnly);

}  // namespace
