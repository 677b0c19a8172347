// Helpers shared by the event log tests: a scratch directory, payloads that can be checked
// against their offsets, and reading a whole log back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shoplake/log/event_log.hpp"

namespace shoplake::log::testing {

// A fresh directory under the system temporary directory, removed with everything in it.
class TempDirectory {
 public:
  TempDirectory();
  ~TempDirectory();
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A record read back, owning its bytes.
struct StoredRecord {
  RecordKind kind = RecordKind::events;
  std::uint64_t first_offset = 0;
  std::uint32_t count = 0;
  std::int64_t appended_at_ms = 0;
  std::string payload;
  std::string origin_key;
  std::string origin_value;
  std::uint64_t end_offset() const { return first_offset + count; }
};

LogOptions options_for(const std::filesystem::path& directory);
// Fails the current test (and returns null) when the log does not open.
std::unique_ptr<EventLog> open_log(const LogOptions& options);

// `size` bytes that only a record whose first offset is `offset` carries.
std::string payload_for(std::uint64_t offset, std::size_t size);

AppendOutcome append_one(EventLog& log, std::string_view payload, std::uint32_t count = 1,
                         Origin origin = {});

// Under the interval policy an answered append becomes readable at the next fsync: waits for it.
void wait_until_readable(const EventLog& log);
// Every record appended so far from `offset` on, once durable; fails the current test on a read
// error.
std::vector<StoredRecord> read_all(const EventLog& log, std::uint64_t offset);
std::vector<StoredRecord> drain(LogCursor& cursor);

std::vector<std::filesystem::path> segment_files(const std::filesystem::path& directory);

}  // namespace shoplake::log::testing
