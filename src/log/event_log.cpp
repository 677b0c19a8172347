#include "shoplake/log/event_log.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <exception>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "consumer_offsets.hpp"
#include "file_io.hpp"
#include "group_commit.hpp"
#include "origin_index.hpp"
#include "recovery.hpp"
#include "retention.hpp"
#include "segment_cursor.hpp"
#include "segment_files.hpp"
#include "segment_registry.hpp"
#include "segment_writer.hpp"

namespace shoplake::log {
namespace {

constexpr std::string_view kLockFileName = "LOCK";
constexpr std::string_view kOriginsFileName = "origins";
constexpr std::string_view kConsumersDirectoryName = "consumers";
constexpr std::chrono::milliseconds kRetentionPeriod{5000};

core::Status validate_options(const LogOptions& options) {
  const auto bad = [](std::string_view why) {
    return core::Error{fmt::format("event log: bad options: {}", why)};
  };
  if (options.directory.empty()) return bad("no directory");
  if (options.segment_bytes == 0) return bad("segment_bytes must be positive");
  if (options.max_pending_bytes == 0) return bad("max_pending_bytes must be positive");
  if (options.durability.interval.count() < 0) return bad("the fsync interval is negative");
  if (options.retention_age.count() < 0) return bad("retention_age is negative");
  return core::ok_status();
}

// One process at a time: two writers would interleave records and reuse offsets.
core::Result<FileDescriptor> lock_directory(const std::filesystem::path& directory) {
  const auto path = directory / kLockFileName;
  auto opened = open_file(path, O_RDWR | O_CREAT);
  if (!opened) return core::Error{opened.error()};
  while (::flock(opened.value().get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      return core::Error{fmt::format("event log: {} is already open (locked through {})",
                                     directory.string(), path.string())};
    }
    return system_error("cannot lock", path, errno);
  }
  return std::move(opened.value());
}

}  // namespace

struct EventLog::State {
  LogOptions options;
  FileDescriptor directory_lock;
  std::uint64_t recovered_cut_bytes = 0;
  std::shared_ptr<SegmentRegistry> registry;
  std::unique_ptr<OriginIndex> origins;
  std::unique_ptr<ConsumerOffsets> consumers;
  std::unique_ptr<Retention> retention;
  // Last, so that it is destroyed first: its flusher thread uses everything above.
  std::unique_ptr<GroupCommitter> committer;

  core::Status open(const LogOptions& log_options);
};

core::Result<std::unique_ptr<EventLog>> EventLog::open(const LogOptions& options) {
  try {
    auto state = std::make_unique<State>();
    if (auto opened = state->open(options); !opened) return core::Error{opened.error()};
    return std::unique_ptr<EventLog>(new EventLog(std::move(state)));
  } catch (const std::exception& error) {
    return core::Error{
        fmt::format("event log: cannot open {}: {}", options.directory.string(), error.what())};
  }
}

core::Status EventLog::State::open(const LogOptions& log_options) {
  if (auto valid = validate_options(log_options); !valid) return valid;
  options = log_options;
  const auto& directory = options.directory;
  if (auto created = ensure_directory(directory); !created) return created;
  auto lock = lock_directory(directory);
  if (!lock) return core::Error{lock.error()};
  directory_lock = std::move(lock.value());
  if (auto cleaned = remove_temporary_files(directory); !cleaned) return cleaned;

  consumers = std::make_unique<ConsumerOffsets>(directory / kConsumersDirectoryName);
  if (auto loaded = consumers->load(); !loaded) return loaded;
  if (auto cleaned = remove_temporary_files(directory / kConsumersDirectoryName); !cleaned) {
    return cleaned;
  }
  origins = std::make_unique<OriginIndex>(directory / kOriginsFileName);
  if (auto loaded = origins->load(); !loaded) return loaded;

  auto recovered = recover_segments(directory, *origins);
  if (!recovered) return core::Error{recovered.error()};
  recovered_cut_bytes = recovered.value().cut_bytes;
  registry = std::make_shared<SegmentRegistry>(std::move(recovered.value().segments));
  retention = std::make_unique<Retention>(
      directory,
      RetentionLimits{options.retention_bytes,
                      std::chrono::duration_cast<std::chrono::milliseconds>(options.retention_age)},
      *registry, *consumers, *origins);

  auto writer = SegmentWriter::open(*registry);
  if (!writer) return core::Error{writer.error()};
  committer = std::make_unique<GroupCommitter>(
      options, std::move(writer.value()), *origins,
      [this] {
        // A failed clean-up must not stop the flusher: appends do not depend on it.
        try {
          if (auto enforced = retention->enforce(); !enforced) {
            spdlog::warn("event log: retention: {}", enforced.error());
          }
        } catch (const std::exception& error) {
          spdlog::warn("event log: retention: {}", error.what());
        }
      },
      kRetentionPeriod);
  return core::ok_status();
}

EventLog::EventLog(std::unique_ptr<State> state) : state_(std::move(state)) {}

EventLog::~EventLog() = default;

AppendOutcome EventLog::append(std::span<const RecordToAppend> records) {
  try {
    return state_->committer->append(records);
  } catch (const std::exception& error) {
    AppendOutcome outcome;
    outcome.status = AppendStatus::failed;
    outcome.message = fmt::format("event log: append failed: {}", error.what());
    return outcome;
  }
}

std::uint64_t EventLog::start_offset() const {
  return state_->registry->start_offset();
}

std::uint64_t EventLog::appended_end_offset() const {
  return state_->committer->appended_end_offset();
}

std::uint64_t EventLog::durable_end_offset() const {
  return state_->committer->durable_end_offset();
}

std::uint64_t EventLog::wait_for_durable(std::uint64_t offset,
                                         std::chrono::milliseconds timeout) const {
  return state_->committer->wait_for_durable(offset, timeout);
}

std::uint64_t EventLog::written_end_offset() const {
  return state_->committer->written_end_offset();
}

std::uint64_t EventLog::wait_for_written(std::uint64_t offset,
                                         std::chrono::milliseconds timeout) const {
  return state_->committer->wait_for_written(offset, timeout);
}

core::Result<std::unique_ptr<LogCursor>> EventLog::read_from(std::uint64_t offset,
                                                             ReadVisibility visibility) const {
  const std::uint64_t start = start_offset();
  if (offset < start) {
    return core::Error{fmt::format(
        "event log: offset {} is no longer stored: the oldest stored offset is {} (older "
        "segments were deleted by retention)",
        offset, start)};
  }
  const std::uint64_t end =
      visibility == ReadVisibility::durable ? durable_end_offset() : written_end_offset();
  if (offset > end) {
    return core::Error{
        fmt::format("event log: offset {} is past the end of the log ({})", offset, end)};
  }
  const auto segment = state_->registry->holding(offset);
  if (!segment) {
    return core::Error{fmt::format("event log: offset {} is no longer stored", offset)};
  }
  try {
    return std::unique_ptr<LogCursor>(std::make_unique<SegmentCursor>(
        state_->registry, segment->base_offset, offset, visibility));
  } catch (const std::exception& error) {
    return core::Error{fmt::format("event log: cannot read: {}", error.what())};
  }
}

core::Status EventLog::register_consumer(std::string_view name) {
  return state_->retention->register_consumer(name);
}

core::Status EventLog::commit_consumer(std::string_view name, std::uint64_t offset) {
  const std::uint64_t end = durable_end_offset();
  if (offset > end) {
    return core::Error{
        fmt::format("event log: consumer \"{}\" cannot commit offset {}: the log ends at {}", name,
                    offset, end)};
  }
  return state_->consumers->commit(name, offset);
}

std::optional<std::uint64_t> EventLog::consumer_offset(std::string_view name) const {
  return state_->consumers->offset(name);
}

std::map<std::string, std::string> EventLog::latest_origins() const {
  return state_->origins->latest();
}

core::Result<std::uint64_t> EventLog::enforce_retention() {
  return state_->retention->enforce();
}

LogStats EventLog::stats() const {
  const auto counters = state_->committer->counters();
  LogStats stats;
  stats.records_appended = counters.records_appended;
  stats.bytes_appended = counters.bytes_appended;
  stats.fsyncs = counters.fsyncs;
  stats.overloaded_appends = counters.overloaded_appends;
  stats.segments = state_->registry->segment_count();
  stats.bytes_on_disk = state_->registry->written_bytes();
  stats.recovered_cut_bytes = state_->recovered_cut_bytes;
  return stats;
}

}  // namespace shoplake::log
