// The LogCursor behind EventLog::read_from: walks the segments in order, reading each up to what
// the registry says is durable (or written), and follows into segments created after it was made.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "file_io.hpp"
#include "segment_reader.hpp"
#include "segment_registry.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::log {

class SegmentCursor final : public LogCursor {
 public:
  // Starts at the beginning of the segment at `segment_base`; records that end at or before
  // `from_offset` are passed over.
  SegmentCursor(std::shared_ptr<const SegmentRegistry> registry, std::uint64_t segment_base,
                std::uint64_t from_offset, ReadVisibility visibility);

  core::Result<std::optional<Record>> next() override;

 private:
  struct ReadableExtent {
    std::uint64_t limit = 0;
    bool sealed = false;
  };

  core::Status open_segment();
  core::Result<ReadableExtent> readable_extent() const;
  // Moves to the segment after a finished sealed one; false when there is none yet.
  core::Result<bool> advance_segment();
  bool passed_over(const RecordHeader& header) const;

  std::shared_ptr<const SegmentRegistry> registry_;
  std::uint64_t segment_base_;
  std::uint64_t from_offset_;
  ReadVisibility visibility_;
  std::filesystem::path path_;
  FileDescriptor file_;
  SegmentReader reader_;
  std::uint64_t position_ = 0;         // in the current segment
  std::uint64_t expected_offset_ = 0;  // first offset of the next record
  bool skipping_ = true;               // still before the first record to return
};

}  // namespace shoplake::log
