// The durable event log under <data>/log/: append-only segment files of CRC32C-framed records,
// offsets that never repeat, group commit under a durability policy, named consumer offsets,
// truncation behind every consumer, and recovery that cuts a torn tail. It stores bytes: what a
// record's payload means (encoded events, rejections) is the caller's business.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "shoplake/core/result.hpp"

namespace shoplake::log {

enum class FsyncMode : std::uint8_t {
  always,  // answered after the fsync (concurrent appends still share one fsync)
  // Answered once written (survives kill -9 of shoplake); one fsync per interval covers all
  // written in it, so an OS crash or power cut loses at most the last interval. Readers see only
  // fsynced records.
  interval,
  never,  // write() only: survives kill -9 of shoplake, not a power cut
};

struct DurabilityPolicy {
  FsyncMode mode = FsyncMode::interval;
  std::chrono::milliseconds interval{10};
  bool operator==(const DurabilityPolicy&) const = default;
};

// "always", "never", "interval" (10 ms) or "interval(25)" / "interval(25ms)".
core::Result<DurabilityPolicy> parse_durability_policy(std::string_view text);
std::string to_string(const DurabilityPolicy& policy);

struct LogOptions {
  std::filesystem::path directory;  // created if missing
  DurabilityPolicy durability;
  std::uint64_t segment_bytes = std::uint64_t{128} << 20;  // roll to a new segment past this
  // Appended but not yet durable bytes above which append() refuses with `overloaded`, so that
  // memory stays bounded whatever the load (the collector turns it into 429).
  std::uint64_t max_pending_bytes = std::uint64_t{64} << 20;
  // Segments every consumer has passed are kept for replay until either limit is exceeded.
  std::uint64_t retention_bytes = std::uint64_t{1} << 30;
  std::chrono::seconds retention_age{std::chrono::hours(24)};
};

enum class RecordKind : std::uint8_t {
  events = 1,      // payload: encoded accepted events
  rejections = 2,  // payload: encoded rejected lines with their reasons
};

// Where a record's entries came from, for sources that must resume exactly where the log stops
// (Kafka: key "kafka/<topic>/<partition>", value the next offset to consume). Empty key: none.
struct Origin {
  std::string_view key;
  std::string_view value;
};

// One record to append: `count` entries in `payload`, which take offsets [first, first + count).
struct RecordToAppend {
  RecordKind kind = RecordKind::events;
  std::string_view payload;
  std::uint32_t count = 0;  // may be 0 (a record that only moves an origin)
  Origin origin;
};

// A record read back; its views stay valid until the cursor's next call.
struct Record {
  RecordKind kind = RecordKind::events;
  std::uint64_t first_offset = 0;
  std::uint32_t count = 0;
  std::int64_t appended_at_ms = 0;  // wall clock at append
  std::string_view payload;
  Origin origin;
  std::uint64_t end_offset() const { return first_offset + count; }
};

enum class AppendStatus : std::uint8_t {
  durable,     // written under the policy in force; offsets assigned
  overloaded,  // max_pending_bytes reached: nothing written, try again later
  failed,      // I/O error: nothing acknowledged; `message` says what
  closed,      // the log is shutting down
};

struct AppendOutcome {
  AppendStatus status = AppendStatus::failed;
  std::uint64_t first_offset = 0;  // of the first record's first entry
  std::uint64_t end_offset = 0;    // one past the last entry of the last record
  std::string message;
};

struct LogStats {
  std::uint64_t records_appended = 0;
  std::uint64_t bytes_appended = 0;
  std::uint64_t fsyncs = 0;
  std::uint64_t overloaded_appends = 0;
  std::uint64_t segments = 0;
  std::uint64_t bytes_on_disk = 0;
  std::uint64_t recovered_cut_bytes = 0;  // torn/corrupt tail removed at open
};

class LogCursor;

// How far a cursor reads. The speed layer reads what is written (it survives kill -9, and a
// checkpoint of derived state waits for durability), everything that must never see an event an
// OS crash could take back reads what is durable.
enum class ReadVisibility : std::uint8_t { durable, written };

class EventLog {
 public:
  // Opens or creates the log; checks every record of the last segment and cuts a torn or corrupt
  // tail (logging how many bytes). Errors name the file and what is wrong.
  static core::Result<std::unique_ptr<EventLog>> open(const LogOptions& options);
  ~EventLog();  // makes everything appended durable, then closes
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Appends the records as one unit (consecutive offsets, nothing else between them) and returns
  // once they are durable under the policy. Thread-safe; concurrent callers share fsyncs.
  AppendOutcome append(std::span<const RecordToAppend> records);

  std::uint64_t start_offset() const;         // oldest offset still stored
  std::uint64_t durable_end_offset() const;   // one past the last durable entry
  std::uint64_t appended_end_offset() const;  // one past the last appended (answered) entry
  std::uint64_t written_end_offset() const;   // one past the last entry written to a segment
  // Blocks until durable_end_offset() > offset, the timeout passes or the log closes; returns
  // durable_end_offset().
  std::uint64_t wait_for_durable(std::uint64_t offset, std::chrono::milliseconds timeout) const;
  // The same for written_end_offset().
  std::uint64_t wait_for_written(std::uint64_t offset, std::chrono::milliseconds timeout) const;

  // Reads records from the one holding `offset` on (a record that starts before `offset` is
  // returned whole: skip its first entries), up to what `visibility` allows. Errors if `offset`
  // was truncated away.
  core::Result<std::unique_ptr<LogCursor>> read_from(
      std::uint64_t offset, ReadVisibility visibility = ReadVisibility::durable) const;

  // Consumers: each stores the offset it has fully processed, persisted atomically under
  // <directory>/consumers/<name>. Segments are deleted only behind every registered consumer.
  core::Status register_consumer(std::string_view name);
  core::Status commit_consumer(std::string_view name, std::uint64_t offset);
  std::optional<std::uint64_t> consumer_offset(std::string_view name) const;

  // The latest origin value for every origin key ever appended, surviving truncation.
  std::map<std::string, std::string> latest_origins() const;

  // Deletes segments behind every consumer beyond the retention limits; also run periodically
  // by the log itself. Returns the bytes freed.
  core::Result<std::uint64_t> enforce_retention();

  LogStats stats() const;

 private:
  struct State;
  explicit EventLog(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class LogCursor {
 public:
  virtual ~LogCursor() = default;
  // The next visible record, nullopt when there is none yet (call again after
  // wait_for_durable or wait_for_written), or an error (corruption in a sealed segment names file
  // and position).
  virtual core::Result<std::optional<Record>> next() = 0;
};

}  // namespace shoplake::log
