// Appends encoded records to the active segment, makes them durable and rolls to a new segment;
// publishes each step to the registry. Used by the flusher thread only.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <span>

#include "file_io.hpp"
#include "segment_registry.hpp"
#include "shoplake/core/result.hpp"

namespace shoplake::log {

class SegmentWriter {
 public:
  // Opens the registry's active segment for appending after its last durable record.
  static core::Result<SegmentWriter> open(SegmentRegistry& registry);
  SegmentWriter(SegmentWriter&&) noexcept;
  SegmentWriter& operator=(SegmentWriter&&) = delete;
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;
  ~SegmentWriter() = default;

  // `records` are whole records; `end_offset` and `last_appended_at_ms` are those of the last.
  core::Status append(std::span<const std::byte> records, std::uint64_t end_offset,
                      std::int64_t last_appended_at_ms);
  core::Status sync();
  // Lets readers see everything appended so far; call after sync() unless durability is write().
  void publish_durable();
  // Seals the active segment and starts an empty one at its end offset. With `sync_sealed` the
  // sealed segment is synced first, so that after a power cut recovery need only check the last
  // segment; without (durability policy never, which promises nothing across a power cut) the
  // roll does not wait for the disk.
  core::Status roll(bool sync_sealed);

  std::uint64_t active_base() const { return base_offset_; }
  std::uint64_t active_bytes() const { return written_bytes_; }
  bool active_holds_entries() const { return end_offset_ > base_offset_; }
  std::uint64_t end_offset() const { return end_offset_; }
  std::uint64_t fsyncs() const { return fsyncs_.load(std::memory_order_relaxed); }

 private:
  SegmentWriter(SegmentRegistry& registry, FileDescriptor file, const SegmentState& active);

  SegmentRegistry& registry_;
  FileDescriptor file_;
  std::filesystem::path path_;
  std::uint64_t base_offset_ = 0;
  std::uint64_t written_bytes_ = 0;
  std::uint64_t end_offset_ = 0;
  std::int64_t last_appended_at_ms_ = 0;
  std::atomic<std::uint64_t> fsyncs_{0};
};

}  // namespace shoplake::log
