// How fast simulator output is parsed and validated: the work the collector does per request body
// before the events reach the log. One parser, one core.
#include <benchmark/benchmark.h>

#include <string>

#include "shoplake/core/event_codec.hpp"
#include "shoplake/core/event_parser.hpp"
#include "shoplake/core/ndjson_writer.hpp"
#include "shoplake/sim/simulator.hpp"

namespace {

using namespace shoplake;

// 2026-11-23, a Monday, at midnight UTC.
constexpr std::int64_t kStartMs = 20780 * core::kMillisPerDay;
constexpr int kEvents = 200'000;  // ~40 MB of NDJSON: larger than the caches, like real traffic

struct GeneratedBody {
  std::string ndjson;
  std::int64_t last_ts_ms = 0;
};

const GeneratedBody& simulator_output() {
  static const GeneratedBody body = [] {
    GeneratedBody generated;
    sim::SimulatorConfig config;
    config.seed = 7;
    config.start_ms = kStartMs;
    sim::Simulator simulator(config);
    core::EventView event;
    for (int i = 0; i < kEvents; ++i) {
      simulator.next(event);
      core::append_ndjson(event, generated.ndjson);
      generated.last_ts_ms = event.ts_ms;
    }
    return generated;
  }();
  return body;
}

class CountingSink : public core::EventSink {
 public:
  void on_event(const core::EventView& event, std::uint64_t) override { revenue_ += event.price; }
  void on_rejection(const core::Rejection&) override { ++rejected_; }
  double revenue_ = 0;
  std::uint64_t rejected_ = 0;
};

// A parser whose clock is the body's last event, so that every event is inside the window.
core::ValidationOptions options_for(const GeneratedBody& body) {
  core::ValidationOptions options;
  options.now_ms = body.last_ts_ms;
  return options;
}

void report(benchmark::State& state, const GeneratedBody& body, std::uint64_t events,
            std::uint64_t rejected) {
  if (rejected != 0) state.SkipWithError("simulator output was rejected");
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.ndjson.size()));
}

void BM_ParseAndValidateNdjson(benchmark::State& state) {
  const GeneratedBody& body = simulator_output();
  core::EventParser parser(options_for(body));
  CountingSink sink;
  std::uint64_t events = 0;
  for (auto _ : state) {
    events += parser.parse_ndjson(body.ndjson, sink).events;
    benchmark::DoNotOptimize(sink.revenue_);
  }
  report(state, body, events, sink.rejected_);
}
BENCHMARK(BM_ParseAndValidateNdjson)->Unit(benchmark::kMillisecond);

// What the collector does with a body before the log: the parse, and each event encoded into the
// record it appends.
class EncodingSink : public core::EventSink {
 public:
  void on_event(const core::EventView& event, std::uint64_t) override {
    core::append_encoded_event(event, encoded_);
  }
  void on_rejection(const core::Rejection&) override { ++rejected_; }
  std::string encoded_;
  std::uint64_t rejected_ = 0;
};

void BM_ParseAndEncodeNdjson(benchmark::State& state) {
  const GeneratedBody& body = simulator_output();
  core::EventParser parser(options_for(body));
  EncodingSink sink;
  std::string received = body.ndjson;  // as the collector holds a body: with the parse padding
  std::uint64_t events = 0;
  for (auto _ : state) {
    sink.encoded_.clear();
    events += parser.parse_ndjson(core::PaddedText(received), sink).events;
    benchmark::DoNotOptimize(sink.encoded_.data());
  }
  report(state, body, events, sink.rejected_);
}
BENCHMARK(BM_ParseAndEncodeNdjson)->Unit(benchmark::kMillisecond);

}  // namespace
