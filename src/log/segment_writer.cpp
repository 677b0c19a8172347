#include "segment_writer.hpp"

#include <fcntl.h>

#include <utility>

#include "segment_files.hpp"

namespace shoplake::log {

core::Result<SegmentWriter> SegmentWriter::open(SegmentRegistry& registry) {
  const auto segments = registry.snapshot();
  const SegmentState& active = segments.back();
  auto file = open_file(active.path, O_WRONLY);
  if (!file) return core::Error{file.error()};
  return SegmentWriter(registry, std::move(file.value()), active);
}

SegmentWriter::SegmentWriter(SegmentRegistry& registry, FileDescriptor file,
                             const SegmentState& active)
    : registry_(registry),
      file_(std::move(file)),
      path_(active.path),
      base_offset_(active.base_offset),
      written_bytes_(active.durable_bytes),
      end_offset_(active.end_offset),
      last_appended_at_ms_(active.last_appended_at_ms) {}

SegmentWriter::SegmentWriter(SegmentWriter&& other) noexcept
    : registry_(other.registry_),
      file_(std::move(other.file_)),
      path_(std::move(other.path_)),
      base_offset_(other.base_offset_),
      written_bytes_(other.written_bytes_),
      end_offset_(other.end_offset_),
      last_appended_at_ms_(other.last_appended_at_ms_),
      fsyncs_(other.fsyncs_.load()) {}

core::Status SegmentWriter::append(std::span<const std::byte> records, std::uint64_t end_offset,
                                   std::int64_t last_appended_at_ms) {
  if (auto written = write_all(file_.get(), records, written_bytes_, path_); !written) {
    return written;
  }
  written_bytes_ += records.size();
  end_offset_ = end_offset;
  last_appended_at_ms_ = last_appended_at_ms;
  registry_.set_active_written(written_bytes_);
  return core::ok_status();
}

core::Status SegmentWriter::sync() {
  fsyncs_.fetch_add(1, std::memory_order_relaxed);
  return sync_data(file_.get(), path_);
}

void SegmentWriter::publish_durable() {
  registry_.set_active_durable(written_bytes_, end_offset_, last_appended_at_ms_);
}

core::Status SegmentWriter::roll(bool sync_sealed) {
  if (sync_sealed) {
    if (auto synced = sync(); !synced) return synced;
  }
  publish_durable();
  const auto next_path = segment_path(path_.parent_path(), end_offset_);
  auto next_file = open_file(next_path, O_WRONLY | O_CREAT | O_EXCL);
  if (!next_file) return core::Error{next_file.error()};
  if (auto synced = sync_directory(path_.parent_path()); !synced) return synced;

  SegmentState next;
  next.base_offset = end_offset_;
  next.path = next_path;
  next.end_offset = end_offset_;
  next.last_appended_at_ms = last_appended_at_ms_;
  registry_.seal_active(next);

  file_ = std::move(next_file.value());
  path_ = next_path;
  base_offset_ = end_offset_;
  written_bytes_ = 0;
  return core::ok_status();
}

}  // namespace shoplake::log
