// The segments the log holds, oldest first, the last one active. Shared by the writer, which
// publishes how far each is durable, retention, which drops the oldest, and cursors, which read
// up to what is published (they may outlive the log).
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

namespace shoplake::log {

struct SegmentState {
  std::uint64_t base_offset = 0;
  std::filesystem::path path;
  std::uint64_t written_bytes = 0;       // in the file, durable or not
  std::uint64_t durable_bytes = 0;       // readers stop here; a record boundary
  std::uint64_t end_offset = 0;          // one past the last durable entry
  std::int64_t last_appended_at_ms = 0;  // of its newest durable record, for retention by age
  bool sealed = false;
};

class SegmentRegistry {
 public:
  explicit SegmentRegistry(std::vector<SegmentState> segments);

  std::optional<SegmentState> find(std::uint64_t base_offset) const;
  // The segment whose records hold `offset`: the newest one starting at or before it.
  std::optional<SegmentState> holding(std::uint64_t offset) const;
  std::optional<SegmentState> following(std::uint64_t base_offset) const;
  std::vector<SegmentState> snapshot() const;
  std::uint64_t start_offset() const;
  std::uint64_t segment_count() const;
  std::uint64_t written_bytes() const;

  // The writer's side: the active segment grew, became durable, or was sealed for `next`.
  void set_active_written(std::uint64_t written_bytes);
  void set_active_durable(std::uint64_t durable_bytes, std::uint64_t end_offset,
                          std::int64_t last_appended_at_ms);
  void seal_active(SegmentState next);
  // Retention's side: forgets the `count` oldest segments (never the active one).
  void remove_oldest(std::size_t count);

 private:
  mutable std::mutex mutex_;
  std::vector<SegmentState> segments_;  // never empty
};

}  // namespace shoplake::log
