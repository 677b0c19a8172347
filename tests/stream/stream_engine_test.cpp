#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine_test_support.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/log/event_log.hpp"
#include "shoplake/sim/simulator.hpp"
#include "shoplake/stream/stream_engine.hpp"

namespace shoplake::stream {
namespace {

using namespace std::chrono_literals;
using sql::testing::TempDirectory;

constexpr std::int64_t kStartMs = 1767225600000;  // 2026-01-01T00:00:00Z

std::vector<core::Event> simulate(std::uint64_t seed, std::int64_t hours) {
  sim::SimulatorConfig config;
  config.seed = seed;
  config.start_ms = kStartMs;
  config.end_ms = kStartMs + hours * core::kMillisPerHour;
  config.events_per_second = 20;
  sim::Simulator simulator(config);
  std::vector<core::Event> events;
  core::EventView view;
  while (simulator.next(view)) events.emplace_back(view);
  return events;
}

// Appends events in records of 500, as the collector does per request.
void append(log::EventLog& log, const std::vector<core::Event>& events, std::size_t from,
            std::size_t to) {
  for (std::size_t first = from; first < to; first += 500) {
    const std::size_t last = std::min(to, first + 500);
    std::string payload;
    for (std::size_t i = first; i < last; ++i)
      core::append_encoded_event(events[i].view(), payload);
    log::RecordToAppend record;
    record.payload = payload;
    record.count = static_cast<std::uint32_t>(last - first);
    ASSERT_EQ(log.append(std::span(&record, 1)).status, log::AppendStatus::durable);
  }
}

std::unique_ptr<log::EventLog> open_log(const std::filesystem::path& directory) {
  log::LogOptions options;
  options.directory = directory / "log";
  auto opened = log::EventLog::open(options);
  if (!opened) ADD_FAILURE() << opened.error();
  return opened ? std::move(opened).value() : nullptr;
}

StreamOptions options_for(const std::filesystem::path& directory) {
  StreamOptions options;
  options.state_directory = directory / "stream";
  options.idle_advance_after = 0ms;  // the events are from January: the wall clock is not theirs
  options.checkpoint_interval = 1h;
  return options;
}

// Every settled minute the listener saw, by minute, with how often it saw it.
struct SettledMinutes {
  std::map<std::int64_t, int> seen;
  std::map<std::int64_t, std::uint64_t> events;
  SettledMinutesListener listener() {
    return [this](std::span<const core::MinuteSummary> minutes) {
      for (const auto& minute : minutes) {
        ++seen[minute.minute_ms];
        events[minute.minute_ms] = minute.events;
      }
    };
  }
};

std::unique_ptr<StreamEngine> open_engine(log::EventLog& log, const StreamOptions& options,
                                          SettledMinutesListener listener = {}) {
  auto opened = StreamEngine::open(log, options, std::move(listener));
  if (!opened) ADD_FAILURE() << opened.error();
  return opened ? std::move(opened).value() : nullptr;
}

struct Totals {
  std::uint64_t counted = 0;
  std::uint64_t dau = 0;
  double revenue = 0;
  bool operator==(const Totals&) const = default;
};

Totals totals_of(const StreamEngine& engine) {
  return Totals{engine.stats().aggregation.counted_events, engine.today().active_users,
                engine.today().revenue};
}

Totals totals_of(const std::vector<core::Event>& events) {
  MinuteAggregator aggregator;
  std::vector<core::MinuteSummary> settled;
  for (const auto& event : events) {
    const auto view = event.view();
    aggregator.add(view, settled);
  }
  return Totals{aggregator.counters().counted_events, aggregator.today().active_users,
                aggregator.today().revenue};
}

TEST(StreamEngine, CountsTheLogAndResumesFromItsCheckpointWithoutCountingTwice) {
  TempDirectory directory;
  const auto events = simulate(11, 4);
  const std::size_t third = events.size() / 3;
  auto log = open_log(directory.path());
  ASSERT_TRUE(log);
  SettledMinutes settled;

  append(*log, events, 0, third);
  auto engine = open_engine(*log, options_for(directory.path()), settled.listener());
  ASSERT_TRUE(engine);
  engine->start();
  ASSERT_TRUE(engine->wait_for_offset(third, 10s));
  EXPECT_EQ(totals_of(*engine), totals_of({events.begin(), events.begin() + third}));

  // A checkpoint, more events, then a crash: the state directory is put back as it was at the
  // checkpoint, as if the process had died right after writing it.
  ASSERT_TRUE(engine->checkpoint());
  const auto at_checkpoint = directory.path() / "stream-at-checkpoint";
  std::filesystem::copy(directory.path() / "stream", at_checkpoint);
  append(*log, events, third, 2 * third);
  ASSERT_TRUE(engine->wait_for_offset(2 * third, 10s));
  engine.reset();
  std::filesystem::remove_all(directory.path() / "stream");
  std::filesystem::rename(at_checkpoint, directory.path() / "stream");

  append(*log, events, 2 * third, events.size());
  engine = open_engine(*log, options_for(directory.path()), settled.listener());
  ASSERT_TRUE(engine);
  engine->start();
  ASSERT_TRUE(engine->wait_for_offset(events.size(), 10s));
  EXPECT_EQ(totals_of(*engine), totals_of(events));

  // A restart after a clean stop resumes at the end and counts nothing again.
  engine.reset();
  engine = open_engine(*log, options_for(directory.path()), settled.listener());
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->stats().processed_offset, events.size());
  EXPECT_EQ(totals_of(*engine), totals_of(events));

  // Each minute reached the listener; the ones settled between the checkpoint and the crash
  // were handed over again by the replay, never any other.
  ASSERT_FALSE(settled.seen.empty());
  std::int64_t expected_minute = settled.seen.begin()->first;
  for (const auto& [minute, times] : settled.seen) {
    EXPECT_EQ(minute, expected_minute);
    expected_minute = minute + core::kMillisPerMinute;
    EXPECT_LE(times, 2);
  }
  EXPECT_GE(settled.seen.rbegin()->first, kStartMs + 3 * core::kMillisPerHour);
}

TEST(StreamEngine, RebuildsFromTheLogWhenTheCheckpointIsDamaged) {
  TempDirectory directory;
  const auto events = simulate(12, 2);
  auto log = open_log(directory.path());
  ASSERT_TRUE(log);
  append(*log, events, 0, events.size());
  {
    auto engine = open_engine(*log, options_for(directory.path()));
    ASSERT_TRUE(engine);
    engine->start();
    ASSERT_TRUE(engine->wait_for_offset(events.size(), 10s));
  }
  const auto checkpoint = directory.path() / "stream" / "checkpoint";
  ASSERT_TRUE(std::filesystem::exists(checkpoint));
  std::filesystem::resize_file(checkpoint, std::filesystem::file_size(checkpoint) - 100);

  auto engine = open_engine(*log, options_for(directory.path()));
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->stats().processed_offset, 0U);
  engine->start();
  ASSERT_TRUE(engine->wait_for_offset(events.size(), 10s));
  EXPECT_EQ(totals_of(*engine), totals_of(events));
}

// An event log, a SQL engine and a stream engine publishing realtime.* into it, started.
struct PublishingEngine {
  explicit PublishingEngine(const std::filesystem::path& directory) : log(open_log(directory)) {
    sql::EngineOptions sql_options;
    sql_options.lake_directory = directory / "lake";
    std::filesystem::create_directories(sql_options.lake_directory);
    sql_engine = sql::testing::open_engine(sql_options);
    if (!log || !sql_engine) return;
    engine = open_engine(*log, options_for(directory));
    if (!engine) return;
    if (auto published = engine->publish_tables(sql_engine->catalog()); !published) {
      ADD_FAILURE() << published.error();
      engine.reset();
      return;
    }
    engine->start();
  }
  bool ready() const { return log && sql_engine && engine; }

  std::unique_ptr<log::EventLog> log;
  std::unique_ptr<sql::Engine> sql_engine;
  std::unique_ptr<StreamEngine> engine;  // stopped before the SQL engine goes
};

TEST(StreamEngine, PublishesTheRealtimeTablesAsLiveSqlTables) {
  TempDirectory directory;
  const auto events = simulate(13, 2);
  PublishingEngine published(directory.path());
  ASSERT_TRUE(published.ready());
  auto& log = published.log;
  auto& sql_engine = published.sql_engine;
  auto& engine = published.engine;

  auto count = sql::testing::run(
      *sql_engine, sql::testing::request("SELECT count(*) FROM realtime.events_per_minute"));
  ASSERT_FALSE(count.error) << count.error->message;
  EXPECT_EQ(count.column(0).i64.at(0), 0);

  append(*log, events, 0, events.size());
  ASSERT_TRUE(engine->wait_for_offset(events.size(), 10s));
  auto total = sql::testing::run(
      *sql_engine,
      sql::testing::request("SELECT sum(event_count)::BIGINT, min(minute)::VARCHAR FROM "
                            "realtime.events_per_minute"));
  ASSERT_FALSE(total.error) << total.error->message;
  EXPECT_EQ(total.column(0).i64.at(0), static_cast<std::int64_t>(events.size()));
  EXPECT_EQ(total.column(1).str.at(0), "2026-01-01 00:00:00");

  auto kpis = sql::testing::run(
      *sql_engine, sql::testing::request("SELECT day::VARCHAR, dau_count, revenue FROM "
                                         "realtime.kpis_today"));
  ASSERT_FALSE(kpis.error) << kpis.error->message;
  ASSERT_EQ(kpis.rows, 1U);
  EXPECT_EQ(kpis.column(0).str.at(0), "2026-01-01");
  EXPECT_EQ(kpis.column(1).i64.at(0), static_cast<std::int64_t>(totals_of(events).dau));
  EXPECT_NEAR(kpis.column(2).f64.at(0), totals_of(events).revenue, 1e-6);

  auto velocity = sql::testing::run(
      *sql_engine,
      sql::testing::request("SELECT count(DISTINCT category), sum(units_sold)::BIGINT FROM "
                            "realtime.category_velocity"));
  ASSERT_FALSE(velocity.error) << velocity.error->message;
  std::set<std::string> categories_sold;
  std::int64_t units_sold = 0;
  for (const auto& event : events) {
    if (event.type != core::EventType::purchase) continue;
    categories_sold.insert(event.category);
    units_sold += event.quantity;
  }
  EXPECT_EQ(velocity.column(0).i64.at(0), static_cast<std::int64_t>(categories_sold.size()));
  EXPECT_EQ(velocity.column(1).i64.at(0), units_sold);

  auto revenue = sql::testing::run(
      *sql_engine, sql::testing::request("SELECT sum(revenue) FROM realtime.revenue_per_minute"));
  ASSERT_FALSE(revenue.error) << revenue.error->message;
  EXPECT_NEAR(revenue.column(0).f64.at(0), totals_of(events).revenue, 1e-3);
}

// Closed minutes are handed to the SQL engine as they close and read from there; the open ones
// are scanned per query. Either way every minute is there once, with its final counts.
TEST(StreamEngine, MinutesReadTheSameOnceTheyAreHandedToTheSqlEngine) {
  TempDirectory directory;
  const auto events = simulate(29, 3);
  PublishingEngine published(directory.path());
  ASSERT_TRUE(published.ready());
  auto& log = published.log;
  auto& sql_engine = published.sql_engine;
  auto& engine = published.engine;

  const auto per_minute = [&] {
    auto outcome = sql::testing::run(
        *sql_engine, sql::testing::request("SELECT epoch_ms(minute), sum(event_count)::BIGINT, "
                                           "count(*) FROM realtime.events_per_minute GROUP BY "
                                           "ALL ORDER BY 1"));
    EXPECT_FALSE(outcome.error) << outcome.error->message;
    std::map<std::int64_t, std::int64_t> counts;
    for (std::size_t c = 0; c < outcome.chunks.size(); ++c) {
      for (std::size_t r = 0; r < outcome.chunks[c].rows; ++r) {
        counts[outcome.column(0, c).i64[r]] = outcome.column(1, c).i64[r];
      }
    }
    return counts;
  };
  const auto recount = [&](std::size_t through) {
    std::map<std::int64_t, std::int64_t> counts;
    for (std::size_t i = 0; i < through; ++i) {
      ++counts[events[i].ts_ms / core::kMillisPerMinute * core::kMillisPerMinute];
    }
    return counts;
  };
  // In three parts, so that minutes are handed over in several steps.
  std::size_t appended = 0;
  for (const std::size_t through : {events.size() / 3, 2 * events.size() / 3, events.size()}) {
    append(*log, events, appended, through);
    appended = through;
    ASSERT_TRUE(engine->wait_for_offset(through, 10s));
    EXPECT_EQ(per_minute(), recount(through)) << "after " << through << " events";
  }
}

}  // namespace
}  // namespace shoplake::stream
