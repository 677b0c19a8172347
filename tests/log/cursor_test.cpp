#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "log_test_support.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::log {
namespace {

using namespace std::chrono_literals;
using testing::append_one;
using testing::drain;
using testing::open_log;
using testing::options_for;
using testing::payload_for;
using testing::read_all;
using testing::TempDirectory;
using testing::wait_until_readable;

LogOptions small_segments(const std::filesystem::path& directory) {
  auto options = options_for(directory);
  options.durability = parse_durability_policy("never").value();
  options.segment_bytes = 1000;
  return options;
}

// Record i holds offsets [2i, 2i + 2) and a payload of 50 + 37 * (i % 13) bytes.
void append_numbered(EventLog& log, int from, int to) {
  for (int i = from; i < to; ++i) {
    const auto first = static_cast<std::uint64_t>(2 * i);
    const auto outcome = append_one(log, payload_for(first, 50 + 37 * (i % 13)), 2);
    ASSERT_EQ(outcome.status, AppendStatus::durable) << outcome.message;
    ASSERT_EQ(outcome.first_offset, first);
  }
}

void expect_numbered(const std::vector<testing::StoredRecord>& records, int from) {
  for (std::size_t k = 0; k < records.size(); ++k) {
    const int i = from + static_cast<int>(k);
    const auto first = static_cast<std::uint64_t>(2 * i);
    ASSERT_EQ(records[k].first_offset, first);
    ASSERT_EQ(records[k].count, 2U);
    ASSERT_EQ(records[k].payload, payload_for(first, 50 + 37 * (i % 13))) << "record " << i;
  }
}

TEST(EventLogCursor, ReadsEverythingInOrderAcrossSegments) {
  TempDirectory directory;
  auto log = open_log(small_segments(directory.path()));
  ASSERT_TRUE(log);
  append_numbered(*log, 0, 60);
  EXPECT_GT(log->stats().segments, 10U);
  const auto records = read_all(*log, 0);
  ASSERT_EQ(records.size(), 60U);
  expect_numbered(records, 0);
}

TEST(EventLogCursor, SeesRecordsAppendedLaterIncludingInNewSegments) {
  TempDirectory directory;
  auto log = open_log(small_segments(directory.path()));
  ASSERT_TRUE(log);
  append_numbered(*log, 0, 5);
  wait_until_readable(*log);
  auto cursor = log->read_from(0);
  ASSERT_TRUE(cursor) << cursor.error();
  expect_numbered(drain(*cursor.value()), 0);
  auto at_end = cursor.value()->next();
  ASSERT_TRUE(at_end);
  EXPECT_FALSE(at_end.value());

  const auto segments_before = log->stats().segments;
  append_numbered(*log, 5, 40);
  EXPECT_GT(log->stats().segments, segments_before + 5);
  wait_until_readable(*log);
  const auto later = drain(*cursor.value());
  ASSERT_EQ(later.size(), 35U);
  expect_numbered(later, 5);
}

TEST(EventLogCursor, StartsAtTheRecordHoldingTheOffset) {
  TempDirectory directory;
  auto log = open_log(small_segments(directory.path()));
  ASSERT_TRUE(log);
  append_numbered(*log, 0, 30);
  for (std::uint64_t offset : {0, 1, 7, 8, 33, 59}) {
    const auto records = read_all(*log, offset);
    ASSERT_FALSE(records.empty()) << offset;
    EXPECT_EQ(records.front().first_offset, offset / 2 * 2) << offset;
    EXPECT_EQ(records.size(), 30 - offset / 2) << offset;
  }
  EXPECT_TRUE(read_all(*log, 60).empty());
}

TEST(EventLogCursor, KeepsRecordsWithoutEntriesAtTheStartOffset) {
  TempDirectory directory;
  auto log = open_log(options_for(directory.path()));
  ASSERT_TRUE(log);
  ASSERT_EQ(append_one(*log, "a", 3).status, AppendStatus::durable);
  ASSERT_EQ(append_one(*log, "", 0, {"kafka/t/0", "3"}).status, AppendStatus::durable);
  ASSERT_EQ(append_one(*log, "b", 2).status, AppendStatus::durable);
  const auto records = read_all(*log, 3);
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].count, 0U);
  EXPECT_EQ(records[0].origin_key, "kafka/t/0");
  EXPECT_EQ(records[1].payload, "b");
}

TEST(EventLogCursor, RefusesOffsetsPastTheEnd) {
  TempDirectory directory;
  auto log = open_log(options_for(directory.path()));
  ASSERT_TRUE(log);
  ASSERT_EQ(append_one(*log, "a", 3).status, AppendStatus::durable);
  auto beyond = log->read_from(4);
  ASSERT_FALSE(beyond);
  EXPECT_NE(beyond.error().find("past the end"), std::string::npos) << beyond.error();
}

TEST(EventLogCursor, WaitForDurableWakesOnAppend) {
  TempDirectory directory;
  auto log = open_log(options_for(directory.path()));
  ASSERT_TRUE(log);
  EXPECT_EQ(log->wait_for_durable(0, 10ms), 0U);  // times out: nothing appended
  std::thread appender([&] {
    std::this_thread::sleep_for(30ms);
    EXPECT_EQ(append_one(*log, "late", 4).status, AppendStatus::durable);
  });
  EXPECT_EQ(log->wait_for_durable(0, 10s), 4U);
  appender.join();
}

TEST(EventLogCursor, AWrittenCursorReadsAnsweredRecordsBeforeTheirFsync) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.durability = parse_durability_policy("interval(500)").value();
  auto log = open_log(options);
  ASSERT_TRUE(log);
  ASSERT_EQ(append_one(*log, "first").status, AppendStatus::durable);
  ASSERT_EQ(log->wait_for_durable(0, 2500ms), 1U);
  // The next fsync waits for the interval: this append is answered and written, not durable.
  ASSERT_EQ(append_one(*log, "second", 3).status, AppendStatus::durable);
  ASSERT_EQ(log->durable_end_offset(), 1U);
  EXPECT_EQ(log->wait_for_written(1, 2500ms), 4U);

  auto written = log->read_from(1, ReadVisibility::written);
  ASSERT_TRUE(written) << written.error();
  const auto records = drain(*written.value());
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].payload, "second");
  EXPECT_EQ(records[0].first_offset, 1U);
  EXPECT_EQ(log->durable_end_offset(), 1U) << "the interval passed during the test";

  auto durable = log->read_from(1);
  ASSERT_TRUE(durable) << durable.error();
  EXPECT_TRUE(drain(*durable.value()).empty());
  EXPECT_FALSE(log->read_from(4)) << "past the durable end";
  EXPECT_TRUE(log->read_from(4, ReadVisibility::written));
}

TEST(EventLogCursor, ReportsCorruptionInASealedSegmentWithFileAndPosition) {
  TempDirectory directory;
  const auto options = small_segments(directory.path());
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    append_numbered(*log, 0, 30);
  }
  const auto files = testing::segment_files(directory.path());
  ASSERT_GT(files.size(), 2U);
  {
    std::fstream file(files[1], std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(60);
    file.put('\x7f');
  }
  auto log = open_log(options);
  ASSERT_TRUE(log);
  auto cursor = log->read_from(0);
  ASSERT_TRUE(cursor);
  for (;;) {
    auto next = cursor.value()->next();
    if (!next) {
      EXPECT_NE(next.error().find(files[1].filename().string()), std::string::npos) << next.error();
      EXPECT_NE(next.error().find("position 0"), std::string::npos) << next.error();
      break;
    }
    ASSERT_TRUE(next.value()) << "read past the damaged segment without an error";
  }
}

TEST(EventLogCursor, ReportsASealedSegmentThatLostItsTail) {
  TempDirectory directory;
  const auto options = small_segments(directory.path());
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    append_numbered(*log, 0, 30);
  }
  // What a power cut can leave under durability "never", which does not sync sealed segments.
  const auto files = testing::segment_files(directory.path());
  ASSERT_GT(files.size(), 2U);
  std::filesystem::resize_file(files[1], 0);
  auto log = open_log(options);
  ASSERT_TRUE(log);
  auto cursor = log->read_from(0);
  ASSERT_TRUE(cursor);
  for (;;) {
    auto next = cursor.value()->next();
    if (!next) {
      EXPECT_NE(next.error().find("damaged"), std::string::npos) << next.error();
      EXPECT_NE(next.error().find(files[1].filename().string()), std::string::npos) << next.error();
      break;
    }
    ASSERT_TRUE(next.value()) << "read past the emptied segment without an error";
  }
}

}  // namespace
}  // namespace shoplake::log
