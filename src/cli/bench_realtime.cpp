// `shoplake bench realtime`: the speed layer's three figures. Aggregate updates per second on one
// core from pre-parsed events; memory per million distinct sessions; and accepted → visible: the
// time from an append to the event log returning (the collector's acknowledgement) to the stream
// engine having counted it, so that any SELECT on realtime.* started from then on sees it.
#include <fmt/core.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "bench_statistics.hpp"
#include "commands.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/log/event_log.hpp"
#include "shoplake/sim/simulator.hpp"
#include "shoplake/sql/engine.hpp"
#include "shoplake/stream/stream_engine.hpp"

namespace shoplake::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchRealtimeOptions {
  std::uint64_t events = 2'000'000;
  int runs = 5;
  std::uint64_t sessions = 1'000'000;
  double rate = 100'000;
  double latency_seconds = 10;
  std::size_t events_per_append = 100;
};

// A day of simulator traffic at the highest rate it models, owned.
std::vector<core::Event> simulated_events(std::uint64_t count) {
  sim::SimulatorConfig config;
  config.seed = 17;
  config.start_ms = core::now_ms() / core::kMillisPerDay * core::kMillisPerDay;
  config.events_per_second = sim::kMaxEventsPerSecond;
  sim::Simulator simulator(config);
  std::vector<core::Event> events;
  events.reserve(count);
  core::EventView view;
  while (events.size() < count && simulator.next(view)) events.emplace_back(view);
  return events;
}

double updates_per_second(const std::vector<core::EventView>& views) {
  stream::MinuteAggregator aggregator;
  std::vector<core::MinuteSummary> settled;
  settled.reserve(4096);
  const auto started = Clock::now();
  for (const auto& view : views) aggregator.add(view, settled);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (aggregator.counters().counted_events != views.size()) {
    throw CommandError{1, "bench realtime: the aggregator did not count every event"};
  }
  return static_cast<double>(views.size()) / seconds;
}

// Bytes the aggregator holds per distinct session: `sessions` sessions of one user each, each
// with a view and an add_to_cart, within one day.
double bytes_per_session(std::uint64_t sessions) {
  stream::MinuteAggregator aggregator;
  std::vector<core::MinuteSummary> settled;
  const std::size_t empty_bytes = aggregator.memory_bytes();
  const std::int64_t day_start = core::now_ms() / core::kMillisPerDay * core::kMillisPerDay;
  std::string user, session;
  for (std::uint64_t i = 0; i < sessions; ++i) {
    user = fmt::format("user-{}", i);
    session = fmt::format("session-{}", i);
    core::EventView event;
    event.event_id = "e";
    event.user_id = user;
    event.session_id = session;
    event.source = "web";
    // Spread over the day, in order, as a day of traffic comes.
    event.ts_ms = day_start + static_cast<std::int64_t>(i * (core::kMillisPerDay - 1) / sessions);
    event.type = core::EventType::view;
    aggregator.add(event, settled);
    event.type = core::EventType::add_to_cart;
    event.product_id = "p";
    event.category = "books";
    event.price = 1;
    event.quantity = 1;
    aggregator.add(event, settled);
  }
  return static_cast<double>(aggregator.memory_bytes() - empty_bytes) /
         static_cast<double>(sessions);
}

struct Appended {
  std::uint64_t end_offset;
  Clock::time_point acknowledged;
};

// Appends records of `events_per_append` events at `rate` events/s (event time = now) and
// measures, for each, acknowledgement → counted by the stream engine.
std::vector<double> visible_latencies(const BenchRealtimeOptions& options,
                                      const std::vector<core::Event>& events) {
  const auto scratch =
      std::filesystem::temp_directory_path() / fmt::format("shoplake-bench-realtime-{}", getpid());
  std::filesystem::remove_all(scratch);
  std::vector<double> latencies;
  {
    log::LogOptions log_options;
    log_options.directory = scratch / "log";
    auto opened_log = log::EventLog::open(log_options);
    if (!opened_log) throw CommandError{1, opened_log.error()};
    auto& event_log = *opened_log.value();
    sql::EngineOptions sql_options;
    sql_options.lake_directory = scratch / "lake";
    std::filesystem::create_directories(sql_options.lake_directory);
    auto sql_engine = sql::Engine::open(sql_options);
    if (!sql_engine) throw CommandError{1, sql_engine.error()};
    stream::StreamOptions stream_options;
    stream_options.state_directory = scratch / "stream";
    auto opened = stream::StreamEngine::open(event_log, stream_options, {});
    if (!opened) throw CommandError{1, opened.error()};
    auto& engine = *opened.value();
    if (auto published = engine.publish_tables(sql_engine.value()->catalog()); !published) {
      throw CommandError{1, published.error()};
    }
    engine.start();

    std::mutex mutex;
    std::deque<Appended> waiting;
    bool done = false;
    std::thread watcher([&] {
      for (;;) {
        Appended next{};
        {
          std::lock_guard lock(mutex);
          if (waiting.empty()) {
            if (done) return;
          } else {
            next = waiting.front();
            waiting.pop_front();
          }
        }
        if (next.end_offset == 0) {
          std::this_thread::sleep_for(std::chrono::microseconds(50));
          continue;
        }
        engine.wait_for_offset(next.end_offset, std::chrono::seconds(10));
        latencies.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - next.acknowledged).count());
      }
    });

    const auto interval = std::chrono::duration<double>(
        static_cast<double>(options.events_per_append) / options.rate);
    const auto end = Clock::now() + std::chrono::duration<double>(options.latency_seconds);
    auto due = Clock::now();
    std::string payload;
    std::size_t next_event = 0;
    std::uint64_t appended = 0;
    while (Clock::now() < end) {
      std::this_thread::sleep_until(due);
      due += std::chrono::duration_cast<Clock::duration>(interval);
      payload.clear();
      const std::int64_t now = core::now_ms();
      for (std::size_t i = 0; i < options.events_per_append; ++i) {
        core::EventView view = events[next_event++ % events.size()].view();
        view.ts_ms = now;
        core::append_encoded_event(view, payload);
      }
      log::RecordToAppend record;
      record.payload = payload;
      record.count = static_cast<std::uint32_t>(options.events_per_append);
      const auto outcome = event_log.append(std::span(&record, 1));
      if (outcome.status != log::AppendStatus::durable) {
        throw CommandError{1, "bench realtime: append failed: " + outcome.message};
      }
      appended += options.events_per_append;
      std::lock_guard lock(mutex);
      waiting.push_back({outcome.end_offset, Clock::now()});
    }
    {
      std::lock_guard lock(mutex);
      done = true;
    }
    watcher.join();
    if (engine.stats().aggregation.counted_events != appended) {
      throw CommandError{1, "bench realtime: the stream engine did not count every event"};
    }
    engine.stop();
  }
  std::filesystem::remove_all(scratch);
  return latencies;
}

void run_bench_realtime(const BenchRealtimeOptions& options) {
  fmt::print(stderr, "bench realtime: generating {} simulator events…\n", options.events);
  const auto events = simulated_events(options.events);
  std::vector<core::EventView> views;
  views.reserve(events.size());
  for (const auto& event : events) views.push_back(event.view());

  std::vector<double> rates;
  for (int run = 0; run < options.runs; ++run) rates.push_back(updates_per_second(views));
  fmt::print(
      "aggregate updates, one core, pre-parsed events: {:.2f} M/s (median of {} runs over {} "
      "events; min {:.2f}, max {:.2f})\n",
      median(rates) / 1e6, options.runs, views.size(),
      *std::min_element(rates.begin(), rates.end()) / 1e6,
      *std::max_element(rates.begin(), rates.end()) / 1e6);

  fmt::print("memory per million distinct sessions (a day's KPIs and minutes): {:.1f} MB\n",
             bytes_per_session(options.sessions) * 1e6 / (1 << 20));

  std::vector<double> p50s, p99s;
  for (int run = 0; run < std::min(options.runs, 3); ++run) {
    const auto latencies = visible_latencies(options, events);
    p50s.push_back(percentile(latencies, 0.5));
    p99s.push_back(percentile(latencies, 0.99));
    fmt::print(stderr, "bench realtime: run {}: {} appends, p50 {:.3f} ms, p99 {:.3f} ms\n",
               run + 1, latencies.size(), p50s.back(), p99s.back());
  }
  fmt::print(
      "accepted → visible at {:.0f} events/s ({} events per append, fsync interval 10 ms): p50 "
      "{:.3f} ms, p99 {:.3f} ms (median of {} runs of {} s)\n",
      options.rate, options.events_per_append, median(p50s), median(p99s), p50s.size(),
      options.latency_seconds);
}

}  // namespace

void add_bench_realtime_command(CLI::App& bench) {
  auto options = std::make_shared<BenchRealtimeOptions>();
  auto* command = bench.add_subcommand(
      "realtime",
      "The real-time engine: aggregate updates per second on one core (pre-parsed simulator "
      "events), memory per million distinct sessions, and accepted → visible latency at a fixed "
      "rate (an append to the event log returning, to the stream engine having counted it)");
  command->add_option("--events", options->events, "Pre-parsed events per throughput run")
      ->capture_default_str();
  command->add_option("--runs", options->runs, "Runs; the median is reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--sessions", options->sessions, "Distinct sessions for the memory figure")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--rate", options->rate, "Events per second for the latency measurement")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--latency-seconds", options->latency_seconds, "Seconds per latency run")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--events-per-append", options->events_per_append,
                   "Events per log append (a collector request)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->callback([options] { run_bench_realtime(*options); });
}

}  // namespace shoplake::cli
