// Opening the segments of a log directory: the sealed ones are only walked (they were synced when
// sealed), the last one is checked record by record and a torn or corrupt tail is cut off.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "origin_index.hpp"
#include "segment_registry.hpp"
#include "shoplake/core/result.hpp"

namespace shoplake::log {

struct RecoveredSegments {
  std::vector<SegmentState> segments;  // oldest first, never empty; the last is active
  std::uint64_t cut_bytes = 0;         // torn or corrupt tail removed from the last segment
};

// Replays every record's origin into `origins` on the way. An empty directory gets its first
// segment.
core::Result<RecoveredSegments> recover_segments(const std::filesystem::path& directory,
                                                 OriginIndex& origins);

}  // namespace shoplake::log
