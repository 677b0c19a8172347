#include "log_test_support.hpp"

#include <stdlib.h>

#include <algorithm>
#include <system_error>

#include <gtest/gtest.h>

namespace shoplake::log::testing {

TempDirectory::TempDirectory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "shoplake-log-test-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
  }
  path_ = pattern;
}

TempDirectory::~TempDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

LogOptions options_for(const std::filesystem::path& directory) {
  LogOptions options;
  options.directory = directory;
  return options;
}

std::unique_ptr<EventLog> open_log(const LogOptions& options) {
  auto opened = EventLog::open(options);
  if (!opened) {
    ADD_FAILURE() << "cannot open the log: " << opened.error();
    return nullptr;
  }
  return std::move(opened.value());
}

std::string payload_for(std::uint64_t offset, std::size_t size) {
  std::string payload(size, '\0');
  std::uint64_t state = offset * 0x9E3779B97F4A7C15ULL + size;
  for (auto& c : payload) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    c = static_cast<char>(state >> 56);
  }
  return payload;
}

AppendOutcome append_one(EventLog& log, std::string_view payload, std::uint32_t count,
                         Origin origin) {
  const RecordToAppend record{RecordKind::events, payload, count, origin};
  return log.append({&record, 1});
}

std::vector<StoredRecord> drain(LogCursor& cursor) {
  std::vector<StoredRecord> records;
  for (;;) {
    auto next = cursor.next();
    if (!next) {
      ADD_FAILURE() << "read error: " << next.error();
      return records;
    }
    if (!next.value()) return records;
    const Record& record = *next.value();
    records.push_back({record.kind, record.first_offset, record.count, record.appended_at_ms,
                       std::string(record.payload), std::string(record.origin.key),
                       std::string(record.origin.value)});
  }
}

void wait_until_readable(const EventLog& log) {
  const std::uint64_t appended_end = log.appended_end_offset();
  if (appended_end > 0) log.wait_for_durable(appended_end - 1, std::chrono::seconds(10));
}

std::vector<StoredRecord> read_all(const EventLog& log, std::uint64_t offset) {
  wait_until_readable(log);
  auto cursor = log.read_from(offset);
  if (!cursor) {
    ADD_FAILURE() << "read_from(" << offset << "): " << cursor.error();
    return {};
  }
  return drain(*cursor.value());
}

std::vector<std::filesystem::path> segment_files(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".log") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace shoplake::log::testing
