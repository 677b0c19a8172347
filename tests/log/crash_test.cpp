// Kills a process that appends, at random moments, and checks that every append it had
// acknowledged is in the reopened log, once, intact.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "log_test_support.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::log {
namespace {

using namespace std::chrono_literals;
using testing::open_log;
using testing::options_for;
using testing::payload_for;
using testing::TempDirectory;

constexpr int kCycles = 10;
constexpr char kOriginKey[] = "crash/appender";

// The shape of the record starting at `offset`, so the checker can recompute it.
std::uint32_t count_at(std::uint64_t offset) {
  return static_cast<std::uint32_t>(1 + offset % 5);
}
std::size_t payload_size_at(std::uint64_t offset) {
  return 16 + (offset * 7919) % 6000;
}

LogOptions crash_options(const std::filesystem::path& directory, int cycle) {
  auto options = options_for(directory);
  options.segment_bytes = 256 * 1024;
  static const char* const kPolicies[] = {"interval(2)", "always", "never"};
  options.durability = parse_durability_policy(kPolicies[cycle % 3]).value();
  return options;
}

// The child: appends batches of two records until killed, reporting each acknowledged end.
[[noreturn]] void append_until_killed(const LogOptions& options, int acknowledgements) {
  auto opened = EventLog::open(options);
  if (!opened) _exit(2);
  auto& log = *opened.value();
  std::uint64_t next = log.durable_end_offset();
  for (;;) {
    const std::uint64_t second = next + count_at(next);
    const std::string first_payload = payload_for(next, payload_size_at(next));
    const std::string second_payload = payload_for(second, payload_size_at(second));
    const std::string first_end = std::to_string(second);
    const std::string second_end = std::to_string(second + count_at(second));
    const RecordToAppend batch[] = {
        {RecordKind::events, first_payload, count_at(next), {kOriginKey, first_end}},
        {RecordKind::events, second_payload, count_at(second), {kOriginKey, second_end}}};
    const auto outcome = log.append(batch);
    if (outcome.status != AppendStatus::durable || outcome.first_offset != next) _exit(3);
    next = outcome.end_offset;
    if (::write(acknowledgements, &next, sizeof next) != sizeof next) _exit(4);
  }
}

std::uint64_t read_acknowledged_end(int acknowledgements) {
  std::uint64_t highest = 0;
  std::uint64_t end = 0;
  while (::read(acknowledgements, &end, sizeof end) == sizeof end) highest = std::max(highest, end);
  return highest;
}

// Every record from 0 on has the shape its offset dictates and they follow without gaps.
void expect_log_intact(const EventLog& log, std::uint64_t acknowledged_end, int cycle) {
  EXPECT_GE(log.durable_end_offset(), acknowledged_end) << "cycle " << cycle;
  const auto records = testing::read_all(log, 0);
  std::uint64_t next = 0;
  for (const auto& record : records) {
    ASSERT_EQ(record.first_offset, next) << "cycle " << cycle;
    ASSERT_EQ(record.count, count_at(next)) << "cycle " << cycle;
    ASSERT_EQ(record.payload, payload_for(next, payload_size_at(next)))
        << "cycle " << cycle << " offset " << next;
    next = record.end_offset();
    ASSERT_EQ(record.origin_value, std::to_string(next));
  }
  EXPECT_EQ(next, log.durable_end_offset());
  EXPECT_GE(next, acknowledged_end) << "cycle " << cycle << ": an acknowledged record is lost";
  if (next > 0) {
    const auto origins = log.latest_origins();
    const auto origin = origins.find(kOriginKey);
    ASSERT_NE(origin, origins.end()) << "cycle " << cycle;
    EXPECT_EQ(origin->second, std::to_string(next)) << "cycle " << cycle;
  }
}

TEST(EventLogCrash, EveryAcknowledgedAppendSurvivesKill9) {
  TempDirectory directory;
  const auto seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> run_for_ms(10, 60);

  std::uint64_t acknowledged_end = 0;
  std::uint64_t cuts = 0;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    const auto options = crash_options(directory.path(), cycle);
    int pipe_ends[2];
    ASSERT_EQ(::pipe(pipe_ends), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipe_ends[0]);
      append_until_killed(options, pipe_ends[1]);
    }
    ::close(pipe_ends[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(run_for_ms(random)));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "cycle " << cycle << ": the appender exited with "
                                     << WEXITSTATUS(status) << " before it was killed";
    acknowledged_end = std::max(acknowledged_end, read_acknowledged_end(pipe_ends[0]));
    ::close(pipe_ends[0]);

    auto log = open_log(options);
    ASSERT_TRUE(log);
    cuts += log->stats().recovered_cut_bytes;
    expect_log_intact(*log, acknowledged_end, cycle);
    acknowledged_end = log->durable_end_offset();
  }
  EXPECT_GT(acknowledged_end, 0U);
  RecordProperty("recovered_cut_bytes", std::to_string(cuts));
  RecordProperty("acknowledged_end", std::to_string(acknowledged_end));
}

}  // namespace
}  // namespace shoplake::log
