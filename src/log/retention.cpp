#include "retention.hpp"

#include <system_error>

#include "file_io.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::log {

std::size_t count_deletable_segments(std::span<const SegmentState> segments,
                                     std::optional<std::uint64_t> slowest_consumer,
                                     const RetentionLimits& limits, std::int64_t now_ms) {
  if (!slowest_consumer || segments.empty()) return 0;
  std::uint64_t total_bytes = 0;
  for (const auto& segment : segments) total_bytes += segment.written_bytes;
  std::size_t deletable = 0;
  for (const auto& segment : segments.first(segments.size() - 1)) {
    if (!segment.sealed || segment.end_offset > *slowest_consumer) break;
    const bool over_bytes = total_bytes > limits.bytes;
    const bool too_old = now_ms - segment.last_appended_at_ms >= limits.age.count();
    if (!over_bytes && !too_old) break;
    total_bytes -= segment.written_bytes;
    ++deletable;
  }
  return deletable;
}

Retention::Retention(const std::filesystem::path& directory, RetentionLimits limits,
                     SegmentRegistry& registry, ConsumerOffsets& consumers, OriginIndex& origins)
    : directory_(directory),
      limits_(limits),
      registry_(registry),
      consumers_(consumers),
      origins_(origins) {}

core::Result<std::uint64_t> Retention::enforce() {
  std::lock_guard lock(mutex_);
  const auto segments = registry_.snapshot();
  const std::size_t deletable =
      count_deletable_segments(segments, consumers_.slowest(), limits_, core::now_ms());
  if (deletable == 0) return std::uint64_t{0};
  if (auto persisted =
          origins_.persist_before_deleting_through(segments[deletable - 1].base_offset);
      !persisted) {
    return core::Error{persisted.error()};
  }
  registry_.remove_oldest(deletable);
  std::uint64_t freed = 0;
  for (std::size_t i = 0; i < deletable; ++i) {
    std::error_code error;
    // Stops at the first failure so that the segments left are still a run without gaps.
    if (!std::filesystem::remove(segments[i].path, error) && error) {
      return system_error("cannot delete segment", segments[i].path, error.value());
    }
    freed += segments[i].written_bytes;
  }
  if (auto synced = sync_directory(directory_); !synced) return core::Error{synced.error()};
  return freed;
}

core::Status Retention::register_consumer(std::string_view name) {
  std::lock_guard lock(mutex_);
  return consumers_.register_consumer(name, registry_.start_offset());
}

}  // namespace shoplake::log
