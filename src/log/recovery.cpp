#include "recovery.hpp"

#include <fcntl.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "file_io.hpp"
#include "record_format.hpp"
#include "segment_files.hpp"
#include "segment_reader.hpp"

namespace shoplake::log {
namespace {

// The header walk reads little beyond each header; the check of the last segment reads it all.
constexpr std::size_t kHeaderWalkReadAhead = 16 * 1024;
constexpr std::size_t kCheckReadAhead = 1024 * 1024;

void note_origin(const ReadRecordOutcome& outcome, std::uint64_t segment_base,
                 OriginIndex& origins) {
  if (outcome.header.origin_key_length == 0) return;
  const Record view = view_record(outcome.header, outcome.bytes);
  origins.apply(view.origin.key, view.origin.value, segment_base);
}

core::Result<SegmentState> create_first_segment(const std::filesystem::path& directory) {
  SegmentState first;
  first.path = segment_path(directory, 0);
  auto created = open_file(first.path, O_WRONLY | O_CREAT | O_EXCL);
  if (!created) return core::Error{created.error()};
  if (auto synced = sync_directory(directory); !synced) return core::Error{synced.error()};
  return first;
}

core::Result<SegmentState> walk_sealed_segment(const SegmentFile& file, std::uint64_t next_base,
                                               OriginIndex& origins) {
  auto opened = open_file(file.path, O_RDONLY);
  if (!opened) return core::Error{opened.error()};
  auto size = file_size(opened.value().get(), file.path);
  if (!size) return core::Error{size.error()};

  SegmentReader reader(kHeaderWalkReadAhead);
  reader.attach(opened.value().get(), file.path);
  SegmentState sealed;
  sealed.base_offset = file.base_offset;
  sealed.path = file.path;
  sealed.written_bytes = sealed.durable_bytes = size.value();
  sealed.end_offset = next_base;
  sealed.sealed = true;

  std::uint64_t position = 0;
  std::uint64_t expected_offset = file.base_offset;
  for (;;) {
    const auto outcome =
        reader.read(position, size.value(), expected_offset, RecordCheck::header_only);
    using Status = ReadRecordOutcome::Status;
    if (outcome.status == Status::end_of_data) break;
    if (outcome.status == Status::io_error) {
      return core::Error{fmt::format("event log: {}: {}", file.path.string(), outcome.problem)};
    }
    if (outcome.status != Status::record) {
      // Sealed segments are never cut: what follows the damage may be good, and a reader that
      // reaches it gets this error too rather than a silent gap.
      spdlog::error("event log: sealed segment {} is damaged: {}", file.path.string(),
                    outcome.problem);
      return sealed;
    }
    note_origin(outcome, file.base_offset, origins);
    position += outcome.header.record_bytes();
    expected_offset = outcome.header.end_offset();
    sealed.last_appended_at_ms = outcome.header.appended_at_ms;
  }
  if (expected_offset != next_base) {
    spdlog::error("event log: sealed segment {} ends at offset {}, the next one starts at {}",
                  file.path.string(), expected_offset, next_base);
  }
  return sealed;
}

core::Result<SegmentState> check_last_segment(const SegmentFile& file, OriginIndex& origins,
                                              std::uint64_t& cut_bytes) {
  auto opened = open_file(file.path, O_RDWR);
  if (!opened) return core::Error{opened.error()};
  const int fd = opened.value().get();
  auto size = file_size(fd, file.path);
  if (!size) return core::Error{size.error()};

  SegmentReader reader(kCheckReadAhead);
  reader.attach(fd, file.path);
  SegmentState active;
  active.base_offset = file.base_offset;
  active.path = file.path;

  std::uint64_t position = 0;
  std::uint64_t expected_offset = file.base_offset;
  for (;;) {
    const auto outcome = reader.read(position, size.value(), expected_offset, RecordCheck::whole);
    using Status = ReadRecordOutcome::Status;
    if (outcome.status == Status::end_of_data) break;
    if (outcome.status == Status::io_error) {
      return core::Error{fmt::format("event log: {}: {}", file.path.string(), outcome.problem)};
    }
    if (outcome.status != Status::record) {
      const std::uint64_t cut = size.value() - position;
      if (auto truncated = truncate_file(fd, position, file.path); !truncated) {
        return core::Error{truncated.error()};
      }
      if (auto synced = sync_data(fd, file.path); !synced) return core::Error{synced.error()};
      spdlog::warn("event log: cut {} bytes of torn tail from {} at position {} ({})", cut,
                   file.path.string(), position, outcome.problem);
      cut_bytes += cut;
      break;
    }
    note_origin(outcome, file.base_offset, origins);
    position += outcome.header.record_bytes();
    expected_offset = outcome.header.end_offset();
    active.last_appended_at_ms = outcome.header.appended_at_ms;
  }
  active.written_bytes = active.durable_bytes = position;
  active.end_offset = expected_offset;
  return active;
}

}  // namespace

core::Result<RecoveredSegments> recover_segments(const std::filesystem::path& directory,
                                                 OriginIndex& origins) {
  auto files = list_segment_files(directory);
  if (!files) return core::Error{files.error()};
  RecoveredSegments recovered;
  if (files.value().empty()) {
    auto first = create_first_segment(directory);
    if (!first) return core::Error{first.error()};
    recovered.segments.push_back(std::move(first.value()));
    return recovered;
  }
  const auto& segment_files = files.value();
  for (std::size_t i = 0; i + 1 < segment_files.size(); ++i) {
    auto sealed = walk_sealed_segment(segment_files[i], segment_files[i + 1].base_offset, origins);
    if (!sealed) return core::Error{sealed.error()};
    recovered.segments.push_back(std::move(sealed.value()));
  }
  auto active = check_last_segment(segment_files.back(), origins, recovered.cut_bytes);
  if (!active) return core::Error{active.error()};
  recovered.segments.push_back(std::move(active.value()));
  return recovered;
}

}  // namespace shoplake::log
