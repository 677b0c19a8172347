#include "segment_cursor.hpp"

#include <fcntl.h>

#include <utility>

#include <fmt/format.h>

namespace shoplake::log {
namespace {

constexpr std::size_t kCursorReadAhead = 1024 * 1024;

core::Error truncated_away(std::uint64_t offset, std::uint64_t base_offset) {
  return core::Error{fmt::format(
      "event log: offset {} is no longer stored: its segment (from offset {}) was deleted by "
      "retention",
      offset, base_offset)};
}

}  // namespace

SegmentCursor::SegmentCursor(std::shared_ptr<const SegmentRegistry> registry,
                             std::uint64_t segment_base, std::uint64_t from_offset,
                             ReadVisibility visibility)
    : registry_(std::move(registry)),
      segment_base_(segment_base),
      from_offset_(from_offset),
      visibility_(visibility),
      reader_(kCursorReadAhead),
      expected_offset_(segment_base) {}

core::Status SegmentCursor::open_segment() {
  const auto segment = registry_->find(segment_base_);
  if (!segment) return truncated_away(expected_offset_, segment_base_);
  auto opened = open_file(segment->path, O_RDONLY);
  if (!opened) {
    // Retention may delete the file between the look-up and the open.
    if (!registry_->find(segment_base_)) return truncated_away(expected_offset_, segment_base_);
    return core::Error{opened.error()};
  }
  file_ = std::move(opened.value());
  path_ = segment->path;
  reader_.attach(file_.get(), path_);
  return core::ok_status();
}

core::Result<SegmentCursor::ReadableExtent> SegmentCursor::readable_extent() const {
  if (const auto segment = registry_->find(segment_base_)) {
    // Written bytes end on a record boundary too: runs of whole records are written at once.
    const auto limit =
        visibility_ == ReadVisibility::durable ? segment->durable_bytes : segment->written_bytes;
    return ReadableExtent{limit, segment->sealed};
  }
  // Deleted while we read it: only sealed segments are deleted, so the file we hold is complete.
  auto size = file_size(file_.get(), path_);
  if (!size) return core::Error{size.error()};
  return ReadableExtent{size.value(), true};
}

core::Result<bool> SegmentCursor::advance_segment() {
  const auto next = registry_->following(segment_base_);
  if (!next) return false;
  if (next->base_offset != expected_offset_) {
    // Retention deletes oldest first: when the segment after ours is gone, ours is too.
    if (!registry_->find(segment_base_)) return truncated_away(expected_offset_, segment_base_);
    return core::Error{fmt::format(
        "event log: {} ends at offset {} but the next segment starts at {}: the segment is "
        "damaged",
        path_.string(), expected_offset_, next->base_offset)};
  }
  segment_base_ = next->base_offset;
  position_ = 0;
  file_ = FileDescriptor();
  return true;
}

bool SegmentCursor::passed_over(const RecordHeader& header) const {
  // A record without entries at exactly `from_offset_` may not have been seen yet: keep it.
  if (header.count == 0) return header.first_offset < from_offset_;
  return header.end_offset() <= from_offset_;
}

core::Result<std::optional<Record>> SegmentCursor::next() {
  for (;;) {
    if (!file_.valid()) {
      if (auto opened = open_segment(); !opened) return core::Error{opened.error()};
    }
    auto extent = readable_extent();
    if (!extent) return core::Error{extent.error()};
    if (position_ < extent.value().limit) {
      // Records before the start offset are stepped over by their headers alone.
      auto outcome = reader_.read(position_, extent.value().limit, expected_offset_,
                                  skipping_ ? RecordCheck::header_only : RecordCheck::whole);
      if (skipping_ && outcome.status == ReadRecordOutcome::Status::record &&
          !passed_over(outcome.header)) {
        skipping_ = false;
        outcome =
            reader_.read(position_, extent.value().limit, expected_offset_, RecordCheck::whole);
      }
      if (outcome.status != ReadRecordOutcome::Status::record) {
        return core::Error{fmt::format("event log: {}: {}", path_.string(), outcome.problem)};
      }
      position_ += outcome.header.record_bytes();
      expected_offset_ = outcome.header.end_offset();
      if (skipping_) continue;
      return std::optional<Record>(view_record(outcome.header, outcome.bytes));
    }
    if (!extent.value().sealed) return std::optional<Record>();
    auto advanced = advance_segment();
    if (!advanced) return core::Error{advanced.error()};
    if (!advanced.value()) return std::optional<Record>();
  }
}

}  // namespace shoplake::log
