#include "segment_reader.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "file_io.hpp"

namespace shoplake::log {
namespace {

ReadRecordOutcome problem_at(ReadRecordOutcome::Status status, std::uint64_t position,
                             std::string_view what) {
  ReadRecordOutcome outcome;
  outcome.status = status;
  outcome.problem = fmt::format("record at position {}: {}", position, what);
  return outcome;
}

}  // namespace

SegmentReader::SegmentReader(std::size_t read_ahead) : read_ahead_(read_ahead) {}

void SegmentReader::attach(int fd, std::filesystem::path path) {
  fd_ = fd;
  path_ = std::move(path);
  buffer_size_ = 0;
}

std::span<const std::byte> SegmentReader::buffered(std::uint64_t position, std::size_t size) const {
  return {buffer_.get() + (position - buffer_position_), size};
}

bool SegmentReader::load(std::uint64_t position, std::size_t size, std::uint64_t limit,
                         std::string& problem) {
  if (position >= buffer_position_ && position + size <= buffer_position_ + buffer_size_) {
    return true;
  }
  const auto wanted = static_cast<std::size_t>(
      std::min<std::uint64_t>(std::max(size, read_ahead_), limit - position));
  if (wanted > buffer_capacity_) {
    buffer_ = std::make_unique_for_overwrite<std::byte[]>(wanted);
    buffer_capacity_ = wanted;
  }
  buffer_position_ = position;
  buffer_size_ = 0;
  auto got = read_at(fd_, {buffer_.get(), wanted}, position, path_);
  if (!got) {
    problem = got.error();
    return false;
  }
  buffer_size_ = got.value();
  if (buffer_size_ < size) {
    problem = fmt::format("the file ends {} bytes into a {} byte read", buffer_size_, size);
    return false;
  }
  return true;
}

ReadRecordOutcome SegmentReader::read(std::uint64_t position, std::uint64_t limit,
                                      std::uint64_t expected_first_offset, RecordCheck check) {
  using Status = ReadRecordOutcome::Status;
  if (position >= limit) return {};
  if (limit - position < kRecordHeaderSize) {
    return problem_at(
        Status::torn, position,
        fmt::format("only {} bytes left, a header takes {}", limit - position, kRecordHeaderSize));
  }
  std::string problem;
  if (!load(position, kRecordHeaderSize, limit, problem)) {
    return problem_at(Status::io_error, position, problem);
  }
  auto header = decode_header(buffered(position, kRecordHeaderSize).first<kRecordHeaderSize>());
  if (!header) return problem_at(Status::corrupt, position, header.error());
  const RecordHeader& decoded = header.value();
  if (decoded.record_bytes() > limit - position) {
    return problem_at(Status::torn, position,
                      fmt::format("{} bytes long but only {} are left", decoded.record_bytes(),
                                  limit - position));
  }
  if (decoded.first_offset != expected_first_offset) {
    return problem_at(Status::corrupt, position,
                      fmt::format("first offset {} where {} was expected", decoded.first_offset,
                                  expected_first_offset));
  }
  const auto wanted = static_cast<std::size_t>(check == RecordCheck::whole
                                                   ? decoded.record_bytes()
                                                   : kRecordHeaderSize + decoded.origin_bytes());
  if (!load(position, wanted, limit, problem))
    return problem_at(Status::io_error, position, problem);
  ReadRecordOutcome outcome;
  outcome.status = Status::record;
  outcome.header = decoded;
  outcome.bytes = buffered(position, wanted);
  if (check == RecordCheck::whole) {
    const std::uint32_t actual = compute_record_crc(outcome.bytes);
    if (actual != decoded.crc) {
      return problem_at(
          Status::corrupt, position,
          fmt::format("checksum 0x{:08x} does not match the stored 0x{:08x}", actual, decoded.crc));
    }
  }
  return outcome;
}

}  // namespace shoplake::log
