#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

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

// Every record (40 header + 960 payload bytes) fills a 1000-byte segment, which then rolls: record
// i sits alone in the segment starting at offset i.
constexpr std::size_t kPayloadBytes = 960;

LogOptions one_record_segments(const std::filesystem::path& directory) {
  auto options = options_for(directory);
  options.durability = parse_durability_policy("never").value();
  options.segment_bytes = 1000;
  options.retention_bytes = 0;
  options.retention_age = std::chrono::hours(24);
  return options;
}

void append_records(EventLog& log, std::uint64_t from, std::uint64_t to) {
  for (std::uint64_t offset = from; offset < to; ++offset) {
    const auto outcome = append_one(log, payload_for(offset, kPayloadBytes));
    ASSERT_EQ(outcome.status, AppendStatus::durable) << outcome.message;
    ASSERT_EQ(outcome.first_offset, offset);
  }
}

TEST(EventLogConsumers, OffsetsPersistAcrossReopen) {
  TempDirectory directory;
  const auto options = one_record_segments(directory.path());
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    append_records(*log, 0, 5);
    EXPECT_FALSE(log->consumer_offset("lake"));
    ASSERT_TRUE(log->register_consumer("lake"));
    EXPECT_EQ(log->consumer_offset("lake"), 0U);
    ASSERT_TRUE(log->commit_consumer("lake", 3));
    ASSERT_TRUE(log->register_consumer("stream"));
    ASSERT_TRUE(log->commit_consumer("stream", 5));
    ASSERT_TRUE(log->register_consumer("lake"));  // registering again keeps the offset
    EXPECT_EQ(log->consumer_offset("lake"), 3U);
  }
  auto log = open_log(options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->consumer_offset("lake"), 3U);
  EXPECT_EQ(log->consumer_offset("stream"), 5U);
  EXPECT_FALSE(log->consumer_offset("other"));
  EXPECT_TRUE(std::filesystem::exists(directory.path() / "consumers" / "lake"));
}

TEST(EventLogConsumers, RejectsBadNamesUnknownConsumersAndOffsetsPastTheEnd) {
  TempDirectory directory;
  auto log = open_log(one_record_segments(directory.path()));
  ASSERT_TRUE(log);
  append_records(*log, 0, 2);
  for (const char* bad : {"", "../escape", ".hidden", "a/b", "name.tmp", "sp ace"}) {
    auto registered = log->register_consumer(bad);
    ASSERT_FALSE(registered) << "accepted \"" << bad << "\"";
    EXPECT_NE(registered.error().find("consumer name"), std::string::npos) << registered.error();
  }
  auto unknown = log->commit_consumer("nobody", 1);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("not registered"), std::string::npos) << unknown.error();
  ASSERT_TRUE(log->register_consumer("lake"));
  auto ahead = log->commit_consumer("lake", 3);
  ASSERT_FALSE(ahead);
  EXPECT_NE(ahead.error().find("ends at 2"), std::string::npos) << ahead.error();
  EXPECT_EQ(log->consumer_offset("lake"), 0U);
}

TEST(EventLogRetention, KeepsEverythingWithoutConsumers) {
  TempDirectory directory;
  auto options = one_record_segments(directory.path());
  options.retention_age = 0s;
  auto log = open_log(options);
  ASSERT_TRUE(log);
  append_records(*log, 0, 10);
  const auto freed = log->enforce_retention();
  ASSERT_TRUE(freed) << freed.error();
  EXPECT_EQ(freed.value(), 0U);
  EXPECT_EQ(log->start_offset(), 0U);
  EXPECT_EQ(read_all(*log, 0).size(), 10U);
}

TEST(EventLogRetention, DeletesOnlySegmentsBehindEveryConsumer) {
  TempDirectory directory;
  auto log = open_log(one_record_segments(directory.path()));
  ASSERT_TRUE(log);
  append_records(*log, 0, 10);
  ASSERT_EQ(log->stats().segments, 11U);
  ASSERT_TRUE(log->register_consumer("fast"));
  ASSERT_TRUE(log->register_consumer("slow"));
  ASSERT_TRUE(log->commit_consumer("fast", 9));
  ASSERT_TRUE(log->commit_consumer("slow", 4));

  const auto freed = log->enforce_retention();
  ASSERT_TRUE(freed) << freed.error();
  EXPECT_EQ(freed.value(), 4000U);
  EXPECT_EQ(log->start_offset(), 4U);
  EXPECT_EQ(log->stats().segments, 7U);
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "00000000000000000003.log"));
  EXPECT_TRUE(std::filesystem::exists(directory.path() / "00000000000000000004.log"));

  auto gone = log->read_from(3);
  ASSERT_FALSE(gone);
  EXPECT_NE(gone.error().find("no longer stored"), std::string::npos) << gone.error();
  const auto kept = read_all(*log, 4);
  ASSERT_EQ(kept.size(), 6U);
  EXPECT_EQ(kept.front().payload, payload_for(4, kPayloadBytes));
}

TEST(EventLogRetention, DeletesOldestFirstOnlyBeyondTheLimits) {
  TempDirectory directory;
  auto options = one_record_segments(directory.path());
  options.retention_bytes = std::uint64_t{1} << 30;
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    append_records(*log, 0, 10);
    ASSERT_TRUE(log->register_consumer("lake"));
    ASSERT_TRUE(log->commit_consumer("lake", 10));
    // Under both limits: consumed, but kept for replay.
    EXPECT_EQ(log->enforce_retention().value(), 0U);
    EXPECT_EQ(log->start_offset(), 0U);
  }
  options.retention_bytes = 3000;
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->enforce_retention().value(), 7000U);
    EXPECT_EQ(log->start_offset(), 7U);
    EXPECT_EQ(log->stats().bytes_on_disk, 3000U);
  }
  options.retention_bytes = std::uint64_t{1} << 30;
  options.retention_age = 0s;
  auto log = open_log(options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->enforce_retention().value(), 3000U);
  EXPECT_EQ(log->start_offset(), 10U);
}

TEST(EventLogRetention, OffsetsNeverRepeatAfterEverythingWasTruncated) {
  TempDirectory directory;
  auto options = one_record_segments(directory.path());
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    append_records(*log, 0, 6);
    ASSERT_TRUE(log->register_consumer("lake"));
    ASSERT_TRUE(log->commit_consumer("lake", 6));
    EXPECT_EQ(log->enforce_retention().value(), 6000U);
    EXPECT_EQ(log->start_offset(), 6U);
    EXPECT_EQ(log->durable_end_offset(), 6U);
    EXPECT_TRUE(read_all(*log, 6).empty());
  }
  EXPECT_EQ(testing::segment_files(directory.path()).size(), 1U);
  auto log = open_log(options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->start_offset(), 6U);
  EXPECT_EQ(log->durable_end_offset(), 6U);
  EXPECT_FALSE(log->read_from(0));
  const auto next = append_one(*log, payload_for(6, kPayloadBytes));
  ASSERT_EQ(next.status, AppendStatus::durable);
  EXPECT_EQ(next.first_offset, 6U);
  const auto records = read_all(*log, 6);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].payload, payload_for(6, kPayloadBytes));
}

TEST(EventLogOrigins, LatestValuesSurviveReopenAndTruncation) {
  TempDirectory directory;
  auto options = one_record_segments(directory.path());
  const std::map<std::string, std::string> expected = {
      {"kafka/orders/0", "41"}, {"kafka/orders/1", "7"}, {"replay", "done"}};
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    ASSERT_EQ(append_one(*log, "a", 1, {"kafka/orders/0", "12"}).status, AppendStatus::durable);
    ASSERT_EQ(append_one(*log, "b", 1, {"kafka/orders/1", "7"}).status, AppendStatus::durable);
    ASSERT_EQ(append_one(*log, "c", 1, {"kafka/orders/0", "41"}).status, AppendStatus::durable);
    ASSERT_EQ(append_one(*log, "", 0, {"replay", "done"}).status, AppendStatus::durable);
    append_records(*log, 3, 5);
    EXPECT_EQ(log->latest_origins(), expected);
  }
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->latest_origins(), expected);
    // Keys whose latest records go with the truncated segments must be kept elsewhere first.
    ASSERT_TRUE(log->register_consumer("lake"));
    ASSERT_TRUE(log->commit_consumer("lake", 5));
    options.retention_age = 0s;
  }
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    ASSERT_GT(log->enforce_retention().value(), 0U);
    EXPECT_EQ(log->start_offset(), 5U);
    EXPECT_EQ(log->latest_origins(), expected);
    EXPECT_TRUE(std::filesystem::exists(directory.path() / "origins"));
    ASSERT_EQ(append_one(*log, "d", 1, {"kafka/orders/1", "8"}).status, AppendStatus::durable);
  }
  auto log = open_log(options);
  ASSERT_TRUE(log);
  auto updated = expected;
  updated["kafka/orders/1"] = "8";
  EXPECT_EQ(log->latest_origins(), updated);
}

TEST(EventLogOrigins, DamagedOriginsFileIsAnError) {
  TempDirectory directory;
  std::ofstream(directory.path() / "origins") << "SLORIGN1 not really";
  auto opened = EventLog::open(options_for(directory.path()));
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().find("origins"), std::string::npos) << opened.error();
}

}  // namespace
}  // namespace shoplake::log
