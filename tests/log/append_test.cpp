#include <atomic>
#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "log_test_support.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::log {
namespace {

using namespace std::chrono_literals;
using testing::append_one;
using testing::open_log;
using testing::options_for;
using testing::payload_for;
using testing::read_all;
using testing::TempDirectory;

TEST(EventLogAppend, OffsetsAreContiguousAcrossRecordsBatchesAndRestarts) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.durability = parse_durability_policy("never").value();
  std::uint64_t expected_first = 0;
  for (int session = 0; session < 3; ++session) {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->durable_end_offset(), expected_first);
    for (std::uint32_t i = 0; i < 5; ++i) {
      const std::string a = payload_for(expected_first, 10 + i);
      const std::string b = payload_for(expected_first + 1, 20);
      const RecordToAppend batch[] = {{RecordKind::events, a, i + 1, {}},
                                      {RecordKind::rejections, b, 0, {}},
                                      {RecordKind::events, b, 2, {}}};
      const auto outcome = log->append(batch);
      ASSERT_EQ(outcome.status, AppendStatus::durable) << outcome.message;
      EXPECT_EQ(outcome.first_offset, expected_first);
      EXPECT_EQ(outcome.end_offset, expected_first + i + 3);
      expected_first = outcome.end_offset;
    }
    EXPECT_EQ(log->durable_end_offset(), expected_first);
  }
  auto log = open_log(options);
  ASSERT_TRUE(log);
  const auto records = read_all(*log, 0);
  ASSERT_EQ(records.size(), 45U);
  std::uint64_t next = 0;
  for (const auto& record : records) {
    EXPECT_EQ(record.first_offset, next);
    next = record.end_offset();
  }
  EXPECT_EQ(next, expected_first);
  EXPECT_EQ(records[1].kind, RecordKind::rejections);
  EXPECT_EQ(records[1].count, 0U);
}

TEST(EventLogAppend, RecordsCarryTheirAppendTime) {
  TempDirectory directory;
  auto log = open_log(options_for(directory.path()));
  ASSERT_TRUE(log);
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  ASSERT_EQ(append_one(*log, "x").status, AppendStatus::durable);
  const auto records = read_all(*log, 0);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_GE(records[0].appended_at_ms, before);
  EXPECT_LT(records[0].appended_at_ms, before + 60'000);
}

TEST(EventLogDurability, AlwaysSyncsBeforeEachAcknowledgement) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.durability = parse_durability_policy("always").value();
  auto log = open_log(options);
  ASSERT_TRUE(log);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(append_one(*log, "one record").status, AppendStatus::durable);
    // A lone appender waits for its own fsync each time: nothing to share it with.
    EXPECT_EQ(log->stats().fsyncs, static_cast<std::uint64_t>(i + 1));
  }
}

void append_from_threads(EventLog& log, int threads, int appends_each) {
  std::latch start(threads);
  std::vector<std::thread> appenders;
  for (int t = 0; t < threads; ++t) {
    appenders.emplace_back([&log, &start, appends_each] {
      start.arrive_and_wait();
      for (int i = 0; i < appends_each; ++i) {
        const auto outcome = append_one(log, "shared fsync");
        EXPECT_EQ(outcome.status, AppendStatus::durable) << outcome.message;
      }
    });
  }
  for (auto& appender : appenders) appender.join();
}

TEST(EventLogDurability, AlwaysWithConcurrentAppendersSyncsEveryAppendAtMostOnce) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.durability = parse_durability_policy("always").value();
  auto log = open_log(options);
  ASSERT_TRUE(log);
  append_from_threads(*log, 4, 25);
  // Each appender has one append in flight, so an fsync covers at most four of them.
  const auto fsyncs = log->stats().fsyncs;
  EXPECT_GE(fsyncs, 25U);
  EXPECT_LE(fsyncs, 100U);
  EXPECT_EQ(log->durable_end_offset(), 100U);
}

TEST(EventLogDurability, IntervalSyncsALoneAppendAtOnce) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.durability = parse_durability_policy("interval(5000)").value();
  auto log = open_log(options);
  ASSERT_TRUE(log);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(append_one(*log, "alone").status, AppendStatus::durable);
  // Answered once written; its fsync did not wait for the interval: none ran within it.
  EXPECT_EQ(log->wait_for_durable(0, 2500ms), 1U);
  EXPECT_EQ(log->stats().fsyncs, 1U);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
}

TEST(EventLogDurability, IntervalSharesOneFsyncPerIntervalAmongConcurrentAppenders) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.durability = parse_durability_policy("interval(500)").value();
  auto log = open_log(options);
  ASSERT_TRUE(log);
  ASSERT_EQ(append_one(*log, "first").status, AppendStatus::durable);
  ASSERT_EQ(log->wait_for_durable(0, 2500ms), 1U);
  ASSERT_EQ(log->stats().fsyncs, 1U);
  // Within an interval of that fsync: the four are answered once written, and share the next
  // fsync, an interval after the first.
  const auto first_synced = std::chrono::steady_clock::now();
  append_from_threads(*log, 4, 1);
  EXPECT_EQ(log->durable_end_offset(), 1U);
  EXPECT_EQ(log->wait_for_durable(4, 2500ms), 5U);
  EXPECT_GE(std::chrono::steady_clock::now() - first_synced, 400ms);
  EXPECT_EQ(log->stats().fsyncs, 2U);
}

TEST(EventLogDurability, NeverOnlyWrites) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.durability = parse_durability_policy("never").value();
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    append_from_threads(*log, 4, 25);
    EXPECT_EQ(log->stats().fsyncs, 0U);
    EXPECT_EQ(read_all(*log, 0).size(), 100U);
  }
  auto reopened = open_log(options);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->durable_end_offset(), 100U);
}

TEST(EventLogAppend, OverloadRefusesAtOnceAndWritesNothing) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.durability = parse_durability_policy("interval(500)").value();
  options.max_pending_bytes = 1000;
  auto log = open_log(options);
  ASSERT_TRUE(log);
  const std::string payload(600, 'p');
  // After this fsync the next one waits for the interval, so the next append stays pending.
  ASSERT_EQ(append_one(*log, "warm-up").status, AppendStatus::durable);
  ASSERT_EQ(log->wait_for_durable(0, 2500ms), 1U);

  std::thread pending([&] { EXPECT_EQ(append_one(*log, payload).status, AppendStatus::durable); });
  while (log->stats().records_appended < 2) std::this_thread::sleep_for(1ms);
  const auto refused = append_one(*log, payload);
  const bool refused_while_pending = log->durable_end_offset() == 1;
  pending.join();

  EXPECT_EQ(refused.status, AppendStatus::overloaded);
  EXPECT_TRUE(refused_while_pending);
  EXPECT_NE(refused.message.find("max_pending_bytes"), std::string::npos) << refused.message;
  const auto stats = log->stats();
  EXPECT_EQ(stats.overloaded_appends, 1U);
  EXPECT_EQ(stats.records_appended, 2U);
  EXPECT_EQ(read_all(*log, 0).size(), 2U);
  // The refused append took no offset: the next one follows the pending one directly.
  const auto next = append_one(*log, payload);
  ASSERT_EQ(next.status, AppendStatus::durable) << next.message;
  EXPECT_EQ(next.first_offset, 2U);
}

TEST(EventLogAppend, RefusesBatchesThatCanNeverBeAccepted) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.max_pending_bytes = 1000;
  auto log = open_log(options);
  ASSERT_TRUE(log);
  const auto too_big = append_one(*log, std::string(2000, 'x'));
  EXPECT_EQ(too_big.status, AppendStatus::failed);
  EXPECT_NE(too_big.message.find("never fit"), std::string::npos) << too_big.message;

  const RecordToAppend bad_kind{static_cast<RecordKind>(7), "x", 1, {}};
  const auto kind = log->append({&bad_kind, 1});
  EXPECT_EQ(kind.status, AppendStatus::failed);
  EXPECT_NE(kind.message.find("kind"), std::string::npos) << kind.message;

  EXPECT_EQ(log->durable_end_offset(), 0U);
  EXPECT_EQ(log->stats().records_appended, 0U);
}

TEST(EventLogAppend, RefusesASecondOpenOfTheSameDirectory) {
  TempDirectory directory;
  auto log = open_log(options_for(directory.path()));
  ASSERT_TRUE(log);
  auto second = EventLog::open(options_for(directory.path()));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("already open"), std::string::npos) << second.error();
}

TEST(EventLogAppend, RejectsBadOptions) {
  LogOptions options;
  auto no_directory = EventLog::open(options);
  ASSERT_FALSE(no_directory);
  EXPECT_NE(no_directory.error().find("directory"), std::string::npos);
  TempDirectory directory;
  options = options_for(directory.path());
  options.segment_bytes = 0;
  EXPECT_FALSE(EventLog::open(options));
}

}  // namespace
}  // namespace shoplake::log
