// Truncation: a sealed segment goes only when every registered consumer has passed its end, and
// then, oldest first, only while the log is over its byte limit or the segment over its age.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>

#include "consumer_offsets.hpp"
#include "origin_index.hpp"
#include "segment_registry.hpp"
#include "shoplake/core/result.hpp"

namespace shoplake::log {

struct RetentionLimits {
  std::uint64_t bytes = 0;
  std::chrono::milliseconds age{0};
};

// How many of the oldest `segments` (oldest first, the last one active) may be deleted. With no
// consumer registered, none: nothing accepted is dropped unread.
std::size_t count_deletable_segments(std::span<const SegmentState> segments,
                                     std::optional<std::uint64_t> slowest_consumer,
                                     const RetentionLimits& limits, std::int64_t now_ms);

class Retention {
 public:
  Retention(const std::filesystem::path& directory, RetentionLimits limits,
            SegmentRegistry& registry, ConsumerOffsets& consumers, OriginIndex& origins);

  // Deletes what count_deletable_segments allows; returns the bytes freed.
  core::Result<std::uint64_t> enforce();
  // Registers a consumer at the oldest stored offset, which no deletion may move meanwhile.
  core::Status register_consumer(std::string_view name);

 private:
  const std::filesystem::path directory_;
  const RetentionLimits limits_;
  SegmentRegistry& registry_;
  ConsumerOffsets& consumers_;
  OriginIndex& origins_;
  std::mutex mutex_;
};

}  // namespace shoplake::log
