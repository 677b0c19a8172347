#include "group_commit.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "record_format.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::log {
namespace {

// A buffer that grew for a burst is given back once batches are small again.
constexpr std::size_t kRetainedBufferBytes = std::size_t{8} << 20;

AppendOutcome refusal(AppendStatus status, std::string message) {
  AppendOutcome outcome;
  outcome.status = status;
  outcome.message = std::move(message);
  return outcome;
}

void copy_bytes(std::byte*& out, std::string_view bytes) {
  if (bytes.empty()) return;
  std::memcpy(out, bytes.data(), bytes.size());
  out += bytes.size();
}

}  // namespace

GroupCommitter::GroupCommitter(const LogOptions& options, SegmentWriter writer,
                               OriginIndex& origins, std::function<void()> maintenance,
                               std::chrono::milliseconds maintenance_period)
    : policy_(options.durability),
      segment_bytes_(options.segment_bytes),
      max_pending_bytes_(options.max_pending_bytes),
      origins_(origins),
      maintenance_(std::move(maintenance)),
      maintenance_period_(maintenance_period),
      pending_(options.max_pending_bytes),
      next_offset_(writer.end_offset()),
      durable_end_offset_(writer.end_offset()),
      written_end_offset_(writer.end_offset()),
      writer_(std::move(writer)),
      writing_(options.max_pending_bytes),
      written_{0, next_offset_} {
  flusher_ = std::thread([this] { run_flusher(); });
}

GroupCommitter::~GroupCommitter() {
  close();
}

std::optional<std::string> GroupCommitter::check_batch(std::span<const RecordToAppend> records,
                                                       std::uint64_t& batch_bytes,
                                                       std::uint64_t& batch_entries) const {
  for (std::size_t i = 0; i < records.size(); ++i) {
    const RecordToAppend& record = records[i];
    if (!is_valid_record_kind(record.kind)) {
      return fmt::format("event log: record {} has unknown kind {}", i,
                         static_cast<unsigned>(record.kind));
    }
    if (record.origin.key.size() > kMaxOriginFieldBytes ||
        record.origin.value.size() > kMaxOriginFieldBytes) {
      return fmt::format("event log: record {} has an origin key or value over {} bytes", i,
                         kMaxOriginFieldBytes);
    }
    if (record.payload.size() > std::numeric_limits<std::uint32_t>::max()) {
      return fmt::format("event log: record {} has a payload of {} bytes, over the 4 GiB limit", i,
                         record.payload.size());
    }
    batch_bytes += kRecordHeaderSize + record.origin.key.size() + record.origin.value.size() +
                   record.payload.size();
    batch_entries += record.count;
  }
  if (batch_bytes > max_pending_bytes_) {
    return fmt::format(
        "event log: a batch of {} bytes can never fit under max_pending_bytes ({}); split it",
        batch_bytes, max_pending_bytes_);
  }
  return std::nullopt;
}

void GroupCommitter::encode_batch(std::span<const RecordToAppend> records,
                                  std::uint64_t first_offset, std::int64_t appended_at_ms,
                                  std::uint64_t batch_bytes) {
  std::byte* out = pending_.extend(static_cast<std::size_t>(batch_bytes));
  std::uint64_t offset = first_offset;
  for (const RecordToAppend& record : records) {
    RecordHeader header;
    header.kind = record.kind;
    header.payload_length = static_cast<std::uint32_t>(record.payload.size());
    header.count = record.count;
    header.first_offset = offset;
    header.appended_at_ms = appended_at_ms;
    header.origin_key_length = static_cast<std::uint32_t>(record.origin.key.size());
    header.origin_value_length = static_cast<std::uint32_t>(record.origin.value.size());
    encode_header(header, out);  // the flusher fills in the checksum, off the appenders' lock
    out += kRecordHeaderSize;
    copy_bytes(out, record.origin.key);
    copy_bytes(out, record.origin.value);
    copy_bytes(out, record.payload);
    offset += record.count;
  }
}

AppendOutcome GroupCommitter::append(std::span<const RecordToAppend> records) {
  std::uint64_t batch_bytes = 0;
  std::uint64_t batch_entries = 0;
  if (auto problem = check_batch(records, batch_bytes, batch_entries)) {
    return refusal(AppendStatus::failed, std::move(*problem));
  }
  const std::int64_t appended_at_ms = core::now_ms();

  std::unique_lock lock(mutex_);
  if (failure_) return refusal(AppendStatus::failed, *failure_);
  if (closing_) return refusal(AppendStatus::closed, "event log: closed");
  // Bounds both the memory of what waits to be written and what an OS crash could take back.
  const std::uint64_t waiting_bytes = appended_bytes_ - durable_bytes_;
  if (waiting_bytes + batch_bytes > max_pending_bytes_) {
    ++counters_.overloaded_appends;
    return refusal(AppendStatus::overloaded,
                   fmt::format("event log: overloaded, {} bytes wait to be made durable and {} "
                               "more would pass max_pending_bytes ({})",
                               waiting_bytes, batch_bytes, max_pending_bytes_));
  }
  const std::uint64_t first_offset = next_offset_;
  if (batch_bytes > 0) {
    if (pending_.empty()) pending_since_ = Clock::now();
    encode_batch(records, first_offset, appended_at_ms, batch_bytes);
    if (flusher_idle_) flusher_wake_.notify_one();
  }
  next_offset_ += batch_entries;
  appended_bytes_ += batch_bytes;
  counters_.records_appended += records.size();
  counters_.bytes_appended += batch_bytes;

  const std::uint64_t ticket = appended_bytes_;
  const std::uint64_t& answered_bytes =
      policy_.mode == FsyncMode::always ? durable_bytes_ : written_bytes_;
  durable_changed_.wait(lock, [&] { return answered_bytes >= ticket || failure_.has_value(); });
  if (answered_bytes < ticket) return refusal(AppendStatus::failed, *failure_);
  AppendOutcome outcome;
  outcome.status = AppendStatus::durable;
  outcome.first_offset = first_offset;
  outcome.end_offset = first_offset + batch_entries;
  return outcome;
}

std::uint64_t GroupCommitter::appended_end_offset() const {
  std::lock_guard lock(mutex_);
  return next_offset_;
}

std::uint64_t GroupCommitter::durable_end_offset() const {
  return durable_end_offset_.load(std::memory_order_acquire);
}

std::uint64_t GroupCommitter::wait_for_durable(std::uint64_t offset,
                                               std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  durable_changed_.wait_for(lock, timeout, [&] {
    return durable_end_offset() > offset || closing_ || closed_ || failure_.has_value();
  });
  return durable_end_offset();
}

std::uint64_t GroupCommitter::written_end_offset() const {
  return written_end_offset_.load(std::memory_order_acquire);
}

std::uint64_t GroupCommitter::wait_for_written(std::uint64_t offset,
                                               std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  durable_changed_.wait_for(lock, timeout, [&] {
    return written_end_offset() > offset || closing_ || closed_ || failure_.has_value();
  });
  return written_end_offset();
}

void GroupCommitter::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  flusher_wake_.notify_one();
  if (flusher_.joinable()) flusher_.join();
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  durable_changed_.notify_all();
}

GroupCommitCounters GroupCommitter::counters() const {
  GroupCommitCounters copy;
  {
    std::lock_guard lock(mutex_);
    copy = counters_;
  }
  copy.fsyncs = writer_.fsyncs();
  return copy;
}

void GroupCommitter::wait_for_flusher_work(std::unique_lock<std::mutex>& lock,
                                           Clock::time_point deadline) {
  flusher_idle_ = true;
  while (pending_.empty() && !closing_ && Clock::now() < deadline) {
    flusher_wake_.wait_until(lock, deadline);
  }
  flusher_idle_ = false;
}

GroupCommitter::Clock::time_point GroupCommitter::interval_sync_deadline() const {
  // At most one fsync per interval, and none later than an interval after the oldest append
  // waiting for it; a lone append after a quiet interval is synced at once.
  const auto oldest_waiting = *unsynced_since_ + policy_.interval;
  if (!last_sync_started_) return *unsynced_since_;
  return std::min(oldest_waiting, *last_sync_started_ + policy_.interval);
}

bool GroupCommitter::sync_due(bool closing, Clock::time_point now) const {
  if (policy_.mode != FsyncMode::interval || closing) return true;
  return now >= interval_sync_deadline();
}

void GroupCommitter::run_flusher() {
  try {
    auto next_maintenance = Clock::now() + maintenance_period_;
    std::unique_lock lock(mutex_);
    for (;;) {
      auto deadline = next_maintenance;
      if (unsynced_since_ && policy_.mode == FsyncMode::interval) {
        deadline = std::min(deadline, interval_sync_deadline());
      }
      wait_for_flusher_work(lock, deadline);
      const bool closing = closing_;
      const bool took_batch = !pending_.empty();
      const Clock::time_point batch_since = pending_since_;
      if (took_batch) std::swap(pending_, writing_);
      lock.unlock();

      core::Status status = core::ok_status();
      if (took_batch) {
        status = write_batch(writing_);
        if (status) announce_written();
        // A roll inside the batch published what came before it, not what followed.
        if (written_.bytes > published_bytes_ && !unsynced_since_) unsynced_since_ = batch_since;
        if (writing_.capacity() > kRetainedBufferBytes &&
            writing_.size() < writing_.capacity() / 4) {
          writing_.release_memory();
        }
        writing_.clear();
      }
      const auto now = Clock::now();
      if (status && unsynced_since_ && sync_due(closing, now)) status = sync_and_publish();
      if (!status) {
        fail(status.error());
        return;
      }
      if (now >= next_maintenance) {
        maintenance_();
        next_maintenance = Clock::now() + maintenance_period_;
      }
      lock.lock();
      if (closing_ && pending_.empty() && !unsynced_since_) return;
    }
  } catch (const std::exception& error) {
    fail(fmt::format("event log: the flusher stopped: {}", error.what()));
  }
}

core::Status GroupCommitter::write_batch(ByteBuffer& batch) {
  const std::span<std::byte> bytes = batch.bytes();
  if (writer_.active_bytes() >= segment_bytes_ && writer_.active_holds_entries()) {
    if (auto rolled = writer_.roll(policy_.mode != FsyncMode::never); !rolled) return rolled;
    publish();
  }
  std::size_t run_start = 0;
  std::size_t position = 0;
  std::uint64_t run_end_offset = written_.end_offset;
  std::int64_t run_last_appended_at_ms = 0;
  while (position < bytes.size()) {
    auto header = decode_header(bytes.subspan(position).first<kRecordHeaderSize>());
    if (!header) return core::Error{"event log: pending buffer damaged: " + header.error()};
    const auto record = bytes.subspan(position, header.value().record_bytes());
    store_record_crc(record);
    if (header.value().origin_key_length > 0) {
      const Record view = view_record(header.value(), record);
      unpublished_origins_.push_back(OriginUpdate{
          std::string(view.origin.key), std::string(view.origin.value), writer_.active_base()});
    }
    position += record.size();
    run_end_offset = header.value().end_offset();
    run_last_appended_at_ms = header.value().appended_at_ms;

    const bool segment_full = writer_.active_bytes() + (position - run_start) >= segment_bytes_ &&
                              run_end_offset > writer_.active_base();
    if (segment_full) {
      const auto run = bytes.subspan(run_start, position - run_start);
      if (auto written = write_run(run, run_end_offset, run_last_appended_at_ms); !written) {
        return written;
      }
      if (auto rolled = writer_.roll(policy_.mode != FsyncMode::never); !rolled) return rolled;
      publish();  // the roll made everything written so far durable under the policy
      run_start = position;
    }
  }
  if (position == run_start) return core::ok_status();
  return write_run(bytes.subspan(run_start, position - run_start), run_end_offset,
                   run_last_appended_at_ms);
}

core::Status GroupCommitter::write_run(std::span<const std::byte> run, std::uint64_t end_offset,
                                       std::int64_t last_appended_at_ms) {
  if (auto written = writer_.append(run, end_offset, last_appended_at_ms); !written) {
    return written;
  }
  written_.bytes += run.size();
  written_.end_offset = end_offset;
  return core::ok_status();
}

core::Status GroupCommitter::sync_and_publish() {
  if (policy_.mode != FsyncMode::never) {
    last_sync_started_ = Clock::now();
    if (auto synced = writer_.sync(); !synced) return synced;
  }
  publish();
  return core::ok_status();
}

void GroupCommitter::publish() {
  writer_.publish_durable();
  if (!unpublished_origins_.empty()) {
    origins_.apply(unpublished_origins_);
    unpublished_origins_.clear();
  }
  unsynced_since_.reset();
  published_bytes_ = written_.bytes;
  {
    std::lock_guard lock(mutex_);
    durable_bytes_ = written_.bytes;
    written_bytes_ = written_.bytes;
    durable_end_offset_.store(written_.end_offset, std::memory_order_release);
    written_end_offset_.store(written_.end_offset, std::memory_order_release);
  }
  durable_changed_.notify_all();
}

void GroupCommitter::announce_written() {
  {
    std::lock_guard lock(mutex_);
    // Answers appends under "interval" (under "always" the fsync does, under "never" the publish
    // that follows, so that an answered append is durable there); readers of written records go
    // on under every policy.
    if (policy_.mode == FsyncMode::interval) written_bytes_ = written_.bytes;
    written_end_offset_.store(written_.end_offset, std::memory_order_release);
  }
  durable_changed_.notify_all();
}

void GroupCommitter::fail(const std::string& message) {
  spdlog::error("{}; the event log accepts nothing more until it is reopened", message);
  {
    std::lock_guard lock(mutex_);
    failure_ = message;
  }
  durable_changed_.notify_all();
}

}  // namespace shoplake::log
