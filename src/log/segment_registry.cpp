#include "segment_registry.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace shoplake::log {

SegmentRegistry::SegmentRegistry(std::vector<SegmentState> segments)
    : segments_(std::move(segments)) {}

std::optional<SegmentState> SegmentRegistry::find(std::uint64_t base_offset) const {
  std::lock_guard lock(mutex_);
  const auto found =
      std::find_if(segments_.begin(), segments_.end(),
                   [base_offset](const SegmentState& s) { return s.base_offset == base_offset; });
  if (found == segments_.end()) return std::nullopt;
  return *found;
}

std::optional<SegmentState> SegmentRegistry::holding(std::uint64_t offset) const {
  std::lock_guard lock(mutex_);
  const auto after = std::upper_bound(
      segments_.begin(), segments_.end(), offset,
      [](std::uint64_t value, const SegmentState& s) { return value < s.base_offset; });
  if (after == segments_.begin()) return std::nullopt;
  return *std::prev(after);
}

std::optional<SegmentState> SegmentRegistry::following(std::uint64_t base_offset) const {
  std::lock_guard lock(mutex_);
  const auto next =
      std::find_if(segments_.begin(), segments_.end(),
                   [base_offset](const SegmentState& s) { return s.base_offset > base_offset; });
  if (next == segments_.end()) return std::nullopt;
  return *next;
}

std::vector<SegmentState> SegmentRegistry::snapshot() const {
  std::lock_guard lock(mutex_);
  return segments_;
}

std::uint64_t SegmentRegistry::start_offset() const {
  std::lock_guard lock(mutex_);
  return segments_.front().base_offset;
}

std::uint64_t SegmentRegistry::segment_count() const {
  std::lock_guard lock(mutex_);
  return segments_.size();
}

std::uint64_t SegmentRegistry::written_bytes() const {
  std::lock_guard lock(mutex_);
  std::uint64_t total = 0;
  for (const auto& segment : segments_) total += segment.written_bytes;
  return total;
}

void SegmentRegistry::set_active_written(std::uint64_t written_bytes) {
  std::lock_guard lock(mutex_);
  segments_.back().written_bytes = written_bytes;
}

void SegmentRegistry::set_active_durable(std::uint64_t durable_bytes, std::uint64_t end_offset,
                                         std::int64_t last_appended_at_ms) {
  std::lock_guard lock(mutex_);
  auto& active = segments_.back();
  active.durable_bytes = durable_bytes;
  active.end_offset = end_offset;
  active.last_appended_at_ms = last_appended_at_ms;
}

void SegmentRegistry::seal_active(SegmentState next) {
  std::lock_guard lock(mutex_);
  auto& sealed = segments_.back();
  sealed.sealed = true;
  sealed.durable_bytes = sealed.written_bytes;
  segments_.push_back(std::move(next));
}

void SegmentRegistry::remove_oldest(std::size_t count) {
  std::lock_guard lock(mutex_);
  count = std::min(count, segments_.size() - 1);
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(count));
}

}  // namespace shoplake::log
