#include <chrono>
#include <cstdio>
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
using testing::TempDirectory;

constexpr int kAppenders = 4;
constexpr int kAppendsEach = 300;

std::string payload_of(int appender, int sequence) {
  char label[32];
  std::snprintf(label, sizeof label, "%d:%d:", appender, sequence);
  std::string payload(label);
  payload.append(static_cast<std::size_t>(sequence % 97) * 13, static_cast<char>('a' + appender));
  return payload;
}

bool parse_payload(std::string_view payload, int& appender, int& sequence) {
  return std::sscanf(std::string(payload.substr(0, 24)).c_str(), "%d:%d:", &appender, &sequence) ==
             2 &&
         payload == payload_of(appender, sequence);
}

TEST(EventLogConcurrency, ConcurrentAppendersAndAReaderSeeEveryRecordExactlyOnce) {
  TempDirectory directory;
  auto options = options_for(directory.path());
  options.durability = parse_durability_policy("never").value();
  options.segment_bytes = 64 * 1024;
  auto log = open_log(options);
  ASSERT_TRUE(log);

  std::uint64_t expected_entries = 0;
  for (int sequence = 0; sequence < kAppendsEach; ++sequence) {
    expected_entries += kAppenders * static_cast<std::uint64_t>(1 + sequence % 3);
  }

  std::vector<std::vector<int>> seen(kAppenders);
  std::string reader_failure;
  std::thread reader([&] {
    auto cursor = log->read_from(0);
    if (!cursor) {
      reader_failure = cursor.error();
      return;
    }
    std::uint64_t next_offset = 0;
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    while (next_offset < expected_entries && std::chrono::steady_clock::now() < give_up) {
      auto next = cursor.value()->next();
      if (!next) {
        reader_failure = next.error();
        return;
      }
      if (!next.value()) {
        log->wait_for_durable(next_offset, 100ms);
        continue;
      }
      const Record& record = *next.value();
      int appender = -1;
      int sequence = -1;
      if (record.first_offset != next_offset ||
          !parse_payload(record.payload, appender, sequence) || appender < 0 ||
          appender >= kAppenders || record.count != static_cast<std::uint32_t>(1 + sequence % 3)) {
        reader_failure = "unexpected record at offset " + std::to_string(record.first_offset);
        return;
      }
      seen[static_cast<std::size_t>(appender)].push_back(sequence);
      next_offset = record.end_offset();
    }
  });

  std::vector<std::thread> appenders;
  for (int appender = 0; appender < kAppenders; ++appender) {
    appenders.emplace_back([&log, appender] {
      for (int sequence = 0; sequence < kAppendsEach; ++sequence) {
        const std::string payload = payload_of(appender, sequence);
        const RecordToAppend record{
            RecordKind::events, payload, static_cast<std::uint32_t>(1 + sequence % 3), {}};
        const auto outcome = log->append({&record, 1});
        ASSERT_EQ(outcome.status, AppendStatus::durable) << outcome.message;
      }
    });
  }
  for (auto& appender : appenders) appender.join();
  reader.join();

  ASSERT_EQ(reader_failure, "");
  EXPECT_EQ(log->durable_end_offset(), expected_entries);
  EXPECT_GT(log->stats().segments, 3U);
  for (int appender = 0; appender < kAppenders; ++appender) {
    const auto& sequences = seen[static_cast<std::size_t>(appender)];
    ASSERT_EQ(sequences.size(), static_cast<std::size_t>(kAppendsEach)) << appender;
    for (int sequence = 0; sequence < kAppendsEach; ++sequence) {
      ASSERT_EQ(sequences[static_cast<std::size_t>(sequence)], sequence) << appender;
    }
  }
}

}  // namespace
}  // namespace shoplake::log
