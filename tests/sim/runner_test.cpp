// Running a simulator to an NDJSON destination: history, limits, stopping, live pacing and
// wall-clock stamping, files and the progress line.
#include "shoplake/sim/runner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "capture.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/sim/output.hpp"

namespace shoplake::sim {
namespace {

SimulatorConfig history_config(std::int64_t minutes) {
  SimulatorConfig config;
  config.seed = 4;
  config.start_ms = testing::kWednesdayMs;
  config.end_ms = testing::kWednesdayMs + minutes * core::kMillisPerMinute;
  return config;
}

// ts of every line of an NDJSON text.
std::vector<std::int64_t> timestamps_of(std::string_view ndjson) {
  std::vector<std::int64_t> timestamps;
  constexpr std::string_view kKey = "\"ts\":\"";
  for (std::size_t pos = ndjson.find(kKey); pos != std::string_view::npos;
       pos = ndjson.find(kKey, pos + 1)) {
    const std::string_view value = ndjson.substr(pos + kKey.size(), 24);
    timestamps.push_back(core::parse_rfc3339_ms(value).value_or(-1));
  }
  return timestamps;
}

TEST(Runner, HistoryWritesEveryEventOfTheSpanInWholeLines) {
  Simulator reference(history_config(120));
  core::EventView event;
  std::uint64_t expected = 0;
  while (reference.next(event)) ++expected;

  Simulator simulator(history_config(120));
  RunOptions options;
  options.flush_bytes = 64 * 1024;
  std::string written;
  std::size_t chunks = 0;
  std::vector<RunProgress> reports;
  const RunProgress totals = run_simulation(
      simulator, options,
      [&](std::string_view chunk) {
        ASSERT_FALSE(chunk.empty());
        ASSERT_EQ(chunk.back(), '\n');
        ++chunks;
        written.append(chunk);
      },
      [&](const RunProgress& progress) { reports.push_back(progress); });
  EXPECT_EQ(totals.events, expected);
  EXPECT_EQ(totals.bytes, written.size());
  EXPECT_EQ(static_cast<std::uint64_t>(std::count(written.begin(), written.end(), '\n')), expected);
  EXPECT_GT(chunks, 10u);
  ASSERT_FALSE(reports.empty());
  EXPECT_TRUE(reports.back().finished);
  EXPECT_EQ(reports.back().events, expected);
  const std::vector<std::int64_t> timestamps = timestamps_of(written);
  EXPECT_EQ(totals.first_event_ms, timestamps.front());
  EXPECT_EQ(totals.last_event_ms, timestamps.back());
}

TEST(Runner, StopsAtMaxEventsOrWhenAsked) {
  Simulator simulator(history_config(24 * 60));
  RunOptions options;
  options.max_events = 12345;
  std::string written;
  const auto collect = [&](std::string_view chunk) { written.append(chunk); };
  EXPECT_EQ(run_simulation(simulator, options, collect, {}).events, 12345u);
  EXPECT_EQ(std::count(written.begin(), written.end(), '\n'), 12345);

  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(run_simulation(simulator, RunOptions{}, collect, {}, stop.get_token()).events, 0u);
}

TEST(Runner, WallClockPacingEmitsNoEventBeforeItsTime) {
  // The shop opens a moment from now, so that every event has to be waited for.
  SimulatorConfig config;
  config.start_ms = core::now_ms() + 200;
  config.warmup_ms = 0;
  config.events_per_second = 5000;
  Simulator simulator(config);
  RunOptions options;
  options.pacing = Pacing::wall_clock;
  options.max_events = 150;
  std::size_t early = 0;
  const RunProgress totals = run_simulation(simulator, options,
                                            [&](std::string_view chunk) {
                                              const std::int64_t now = core::now_ms();
                                              for (const std::int64_t ts : timestamps_of(chunk))
                                                early += ts > now ? 1 : 0;
                                            },
                                            {});
  const std::int64_t finished_ms = core::now_ms();
  EXPECT_EQ(totals.events, 150u);
  EXPECT_EQ(early, 0u);
  EXPECT_GE(totals.first_event_ms, config.start_ms);
  EXPECT_GE(finished_ms, totals.last_event_ms);
}

TEST(Runner, StampingUsesTheWallClockInOrder) {
  Simulator simulator(history_config(24 * 60));  // event time far from now: stamps replace it
  RunOptions options;
  options.pacing = Pacing::stamp_wall_clock;
  options.max_events = 50000;
  options.flush_bytes = 4096;
  std::string written;
  const std::int64_t before = core::now_ms();
  run_simulation(simulator, options, [&](std::string_view chunk) { written.append(chunk); }, {});
  const std::int64_t after = core::now_ms();
  const std::vector<std::int64_t> timestamps = timestamps_of(written);
  ASSERT_EQ(timestamps.size(), 50000u);
  for (std::size_t i = 0; i < timestamps.size(); ++i) {
    ASSERT_GE(timestamps[i], before);
    ASSERT_LE(timestamps[i], after);
    if (i > 0) {
      ASSERT_GE(timestamps[i], timestamps[i - 1]);
    }
  }
}

TEST(Runner, AWriterThatThrowsEndsTheRun) {
  Simulator simulator(history_config(60));
  const auto failing = [](std::string_view) { throw std::runtime_error("disk full"); };
  EXPECT_THROW(run_simulation(simulator, RunOptions{}, failing, {}), std::runtime_error);
}

TEST(Output, FileReceivesTheBytesAndErrorsNameThePath) {
  const std::string path = ::testing::TempDir() + "shoplake_sim_output_test.ndjson";
  {
    OutputFile file(path);
    file.write("{\"a\":1}\n");
    file.write("{\"a\":2}\n");
    file.close();
  }
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "{\"a\":1}\n{\"a\":2}\n");
  std::remove(path.c_str());
  try {
    OutputFile file("/nonexistent-directory/x.ndjson");
    FAIL() << "opened a file in a missing directory";
  } catch (const std::system_error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent-directory/x.ndjson"), std::string::npos);
  }
}

TEST(Output, ProgressAndSummaryLinesSayWhatHappened) {
  RunProgress progress;
  progress.events = 12345678;
  progress.bytes = 2'000'000'000;
  progress.wall_seconds = 2.0;
  progress.first_event_ms = testing::kWednesdayMs;
  progress.last_event_ms = testing::kWednesdayMs + core::kMillisPerHour;
  const std::string line = ProgressLine::format_progress(progress);
  EXPECT_NE(line.find("12,345,678 events"), std::string::npos) << line;
  EXPECT_NE(line.find("6.17M events/s"), std::string::npos) << line;
  EXPECT_NE(line.find("2026-11-25T01:00:00.000Z"), std::string::npos) << line;
  progress.finished = true;
  const std::string summary = ProgressLine::format_summary(progress);
  EXPECT_NE(summary.find("wrote 12,345,678 events (2.00 GB) in 2.00 s"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("2026-11-25T00:00:00.000Z to 2026-11-25T01:00:00.000Z"), std::string::npos)
      << summary;

  // Not a terminal: one line per report, and the summary last.
  std::FILE* stream = std::tmpfile();
  ASSERT_NE(stream, nullptr);
  ProgressLine reporter(stream);
  progress.finished = false;
  reporter(progress);
  progress.finished = true;
  reporter(progress);
  std::rewind(stream);
  char buffer[512] = {};
  const std::size_t size = std::fread(buffer, 1, sizeof buffer - 1, stream);
  std::fclose(stream);
  const std::string text(buffer, size);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_NE(text.find("wrote"), std::string::npos) << text;
}

}  // namespace
}  // namespace shoplake::sim
