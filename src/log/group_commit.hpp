// Group commit: appenders copy their records into a shared pending buffer under a short lock,
// taking their offsets there; one flusher thread writes that buffer to the active segment, syncs
// it as the durability policy says, and only then wakes the appenders it covers. Concurrent
// appenders thereby share write() and fsync calls, and nothing is done per entry.
// When an append is answered depends on the policy: "always" after the fsync that covers it;
// "interval" and "never" once it is written to the segment file (in the page cache, where it
// survives a crash of shoplake). Under "interval" the flusher then syncs at most once per
// interval, and no later than an interval after the oldest unsynced write. Readers see only what
// is durable under the policy, fsynced under "interval", so no reader ever sees an offset that an
// OS crash could take back.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "byte_buffer.hpp"
#include "origin_index.hpp"
#include "segment_writer.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::log {

struct GroupCommitCounters {
  std::uint64_t records_appended = 0;
  std::uint64_t bytes_appended = 0;
  std::uint64_t overloaded_appends = 0;
  std::uint64_t fsyncs = 0;
};

class GroupCommitter {
 public:
  // `maintenance` runs on the flusher thread every `maintenance_period` (retention).
  GroupCommitter(const LogOptions& options, SegmentWriter writer, OriginIndex& origins,
                 std::function<void()> maintenance, std::chrono::milliseconds maintenance_period);
  ~GroupCommitter();  // close()
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  AppendOutcome append(std::span<const RecordToAppend> records);
  std::uint64_t durable_end_offset() const;
  std::uint64_t appended_end_offset() const;
  std::uint64_t wait_for_durable(std::uint64_t offset, std::chrono::milliseconds timeout) const;
  std::uint64_t written_end_offset() const;
  std::uint64_t wait_for_written(std::uint64_t offset, std::chrono::milliseconds timeout) const;
  // Refuses new appends, makes every accepted one durable and stops the flusher.
  void close();
  GroupCommitCounters counters() const;

 private:
  using Clock = std::chrono::steady_clock;

  // What the flusher has written so far, as totals since open.
  struct WriteProgress {
    std::uint64_t bytes = 0;  // counted like appended_bytes_
    std::uint64_t end_offset = 0;
  };

  std::optional<std::string> check_batch(std::span<const RecordToAppend> records,
                                         std::uint64_t& batch_bytes,
                                         std::uint64_t& batch_entries) const;
  void encode_batch(std::span<const RecordToAppend> records, std::uint64_t first_offset,
                    std::int64_t appended_at_ms, std::uint64_t batch_bytes);

  void run_flusher();
  // Waits for pending data, a sync deadline, maintenance time or close.
  void wait_for_flusher_work(std::unique_lock<std::mutex>& lock, Clock::time_point deadline);
  core::Status write_batch(ByteBuffer& batch);
  core::Status write_run(std::span<const std::byte> run, std::uint64_t end_offset,
                         std::int64_t last_appended_at_ms);
  core::Status sync_and_publish();
  void announce_written();
  void publish();
  void fail(const std::string& message);
  Clock::time_point interval_sync_deadline() const;
  bool sync_due(bool closing, Clock::time_point now) const;

  const DurabilityPolicy policy_;
  const std::uint64_t segment_bytes_;
  const std::uint64_t max_pending_bytes_;
  OriginIndex& origins_;
  const std::function<void()> maintenance_;
  const std::chrono::milliseconds maintenance_period_;

  // Shared by appenders and the flusher.
  mutable std::mutex mutex_;
  std::condition_variable flusher_wake_;
  mutable std::condition_variable durable_changed_;
  ByteBuffer pending_;
  Clock::time_point pending_since_{};  // when the oldest record in pending_ was appended
  std::uint64_t next_offset_ = 0;      // the next entry's offset
  std::uint64_t appended_bytes_ = 0;   // total accepted since open
  std::uint64_t written_bytes_ = 0;    // total written to the segment files since open
  std::uint64_t durable_bytes_ = 0;    // total durable since open
  std::atomic<std::uint64_t> durable_end_offset_{0};
  std::atomic<std::uint64_t> written_end_offset_{0};
  bool flusher_idle_ = false;
  bool closing_ = false;
  bool closed_ = false;
  std::optional<std::string> failure_;  // an I/O error stopped the log: nothing more is accepted
  GroupCommitCounters counters_;

  // The flusher's own.
  SegmentWriter writer_;
  ByteBuffer writing_;
  WriteProgress written_;
  std::uint64_t published_bytes_ = 0;                // of written_.bytes, durable and announced
  std::optional<Clock::time_point> unsynced_since_;  // oldest append written but not synced
  std::optional<Clock::time_point> last_sync_started_;
  std::vector<OriginUpdate> unpublished_origins_;  // in written records, not yet durable

  std::thread flusher_;
};

}  // namespace shoplake::log
