#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "log_test_support.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::log {
namespace {

using testing::append_one;
using testing::open_log;
using testing::options_for;
using testing::payload_for;
using testing::read_all;
using testing::TempDirectory;

constexpr std::uint64_t kHeaderBytes = 40;
constexpr std::uint64_t kPayloadBytes = 100;
constexpr std::uint64_t kRecordBytes = kHeaderBytes + kPayloadBytes;

// Five records of one entry each, in one segment file, which it returns.
std::filesystem::path write_five_records(const LogOptions& options) {
  auto log = open_log(options);
  for (std::uint64_t offset = 0; offset < 5; ++offset) {
    EXPECT_EQ(append_one(*log, payload_for(offset, kPayloadBytes)).status, AppendStatus::durable);
  }
  const auto files = testing::segment_files(options.directory);
  EXPECT_EQ(files.size(), 1U);
  EXPECT_EQ(std::filesystem::file_size(files.back()), 5 * kRecordBytes);
  return files.back();
}

void expect_records_intact(const EventLog& log, std::uint64_t count) {
  const auto records = read_all(log, 0);
  ASSERT_EQ(records.size(), count);
  for (std::uint64_t offset = 0; offset < count; ++offset) {
    EXPECT_EQ(records[offset].first_offset, offset);
    EXPECT_EQ(records[offset].payload, payload_for(offset, kPayloadBytes)) << offset;
  }
}

// Captures what the log reports through spdlog while it lives.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

void flip_byte(const std::filesystem::path& file, std::uint64_t position) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  stream.seekg(static_cast<std::streamoff>(position));
  const char original = static_cast<char>(stream.get());
  stream.seekp(static_cast<std::streamoff>(position));
  stream.put(static_cast<char>(original ^ 0x20));
}

TEST(EventLogRecovery, CutsARecordTornMidWay) {
  TempDirectory directory;
  const auto options = options_for(directory.path());
  const auto file = write_five_records(options);
  std::filesystem::resize_file(file, 5 * kRecordBytes - 10);

  CapturedLog captured;
  auto log = open_log(options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->stats().recovered_cut_bytes, kRecordBytes - 10);
  EXPECT_EQ(log->durable_end_offset(), 4U);
  expect_records_intact(*log, 4);
  EXPECT_EQ(std::filesystem::file_size(file), 4 * kRecordBytes);
  // fmt, not operator+: GCC 12 at -O3 warns on that chain of string temporaries (bug 105651).
  const std::string expected =
      fmt::format("event log: cut {} bytes of torn tail from {} at position {}", kRecordBytes - 10,
                  file.string(), 4 * kRecordBytes);
  EXPECT_NE(captured.text().find(expected), std::string::npos) << captured.text();

  // The offsets of the lost record were never acknowledged; the log continues after the cut.
  const auto next = append_one(*log, payload_for(4, kPayloadBytes));
  ASSERT_EQ(next.status, AppendStatus::durable);
  EXPECT_EQ(next.first_offset, 4U);
  expect_records_intact(*log, 5);
}

TEST(EventLogRecovery, CutsTheLastRecordWhenOneOfItsBytesFlipped) {
  TempDirectory directory;
  const auto options = options_for(directory.path());
  const auto file = write_five_records(options);
  flip_byte(file, 4 * kRecordBytes + kHeaderBytes + 17);

  auto log = open_log(options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->stats().recovered_cut_bytes, kRecordBytes);
  expect_records_intact(*log, 4);
}

TEST(EventLogRecovery, CutsFromADamagedHeaderOnKeepingEverythingBefore) {
  TempDirectory directory;
  const auto options = options_for(directory.path());
  const auto file = write_five_records(options);
  flip_byte(file, 2 * kRecordBytes + 9);  // payload length of the third record

  auto log = open_log(options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->stats().recovered_cut_bytes, 3 * kRecordBytes);
  expect_records_intact(*log, 2);
}

TEST(EventLogRecovery, CutsGarbageAppendedAfterTheLastRecord) {
  TempDirectory directory;
  const auto options = options_for(directory.path());
  const auto file = write_five_records(options);
  {
    std::ofstream stream(file, std::ios::app | std::ios::binary);
    stream << payload_for(99, 100);
  }
  auto log = open_log(options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->stats().recovered_cut_bytes, 100U);
  expect_records_intact(*log, 5);
}

TEST(EventLogRecovery, CutsZeroFilledTailAsAfterAPowerLoss) {
  TempDirectory directory;
  const auto options = options_for(directory.path());
  const auto file = write_five_records(options);
  std::filesystem::resize_file(file, 5 * kRecordBytes + 4096);
  auto log = open_log(options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->stats().recovered_cut_bytes, 4096U);
  expect_records_intact(*log, 5);
}

TEST(EventLogRecovery, IntactLogCutsNothing) {
  TempDirectory directory;
  const auto options = options_for(directory.path());
  write_five_records(options);
  auto log = open_log(options);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->stats().recovered_cut_bytes, 0U);
  expect_records_intact(*log, 5);
}

TEST(EventLogRecovery, ZeroLengthSegmentNamesWhereOffsetsContinue) {
  TempDirectory directory;
  std::ofstream(directory.path() / "00000000000000000042.log").close();
  auto log = open_log(options_for(directory.path()));
  ASSERT_TRUE(log);
  EXPECT_EQ(log->start_offset(), 42U);
  EXPECT_EQ(log->durable_end_offset(), 42U);
  const auto outcome = append_one(*log, "x");
  ASSERT_EQ(outcome.status, AppendStatus::durable);
  EXPECT_EQ(outcome.first_offset, 42U);
}

TEST(EventLogRecovery, SurvivesACrashDuringSegmentRoll) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.segment_bytes = 1000;
  {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    for (std::uint64_t offset = 0; offset < 4; ++offset) {
      ASSERT_EQ(append_one(*log, payload_for(offset, 600)).status, AppendStatus::durable);
    }
  }
  // Two records fill a segment, which then rolls: the last file is new and empty.
  const auto empty_segment = directory.path() / "00000000000000000004.log";
  ASSERT_EQ(testing::segment_files(directory.path()).size(), 3U);
  ASSERT_EQ(std::filesystem::file_size(empty_segment), 0U);

  const auto check = [&options](std::uint64_t records_expected) {
    auto log = open_log(options);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->durable_end_offset(), records_expected);
    EXPECT_EQ(log->stats().recovered_cut_bytes, 0U);
    const auto records = read_all(*log, 0);
    ASSERT_EQ(records.size(), records_expected);
    for (std::uint64_t offset = 0; offset < records_expected; ++offset) {
      EXPECT_EQ(records[offset].payload, payload_for(offset, 600));
    }
  };
  check(4);  // crashed after creating the next segment
  std::filesystem::remove(empty_segment);
  check(4);  // crashed before creating it

  auto log = open_log(options);
  ASSERT_TRUE(log);
  const auto next = append_one(*log, payload_for(4, 600));
  ASSERT_EQ(next.status, AppendStatus::durable);
  EXPECT_EQ(next.first_offset, 4U);
  EXPECT_EQ(std::filesystem::file_size(empty_segment), 640U);
  EXPECT_EQ(read_all(*log, 0).size(), 5U);
}

TEST(EventLogRecovery, RemovesLeftoverTemporaryFiles) {
  TempDirectory directory;
  std::ofstream(directory.path() / "origins.tmp") << "half written";
  auto log = open_log(options_for(directory.path()));
  ASSERT_TRUE(log);
  EXPECT_FALSE(std::filesystem::exists(directory.path() / "origins.tmp"));
}

}  // namespace
}  // namespace shoplake::log
