// Reads records out of one segment file through a read-ahead buffer, checking framing, offset
// order and (when asked) the checksum. Used by cursors, by recovery and by the header walk at open.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "record_format.hpp"

namespace shoplake::log {

enum class RecordCheck : std::uint8_t {
  whole,        // read header, origin and payload; verify the checksum
  header_only,  // read header and origin, skip the payload (no checksum)
};

struct ReadRecordOutcome {
  enum class Status : std::uint8_t {
    record,       // `header` and `bytes` hold the record
    end_of_data,  // position == limit
    torn,         // the record runs past `limit`: a write that never finished
    corrupt,      // bad header, checksum or offset sequence
    io_error,     // the file could not be read
  };
  Status status = Status::end_of_data;
  RecordHeader header;
  // The record from its first byte: whole, or header and origin for RecordCheck::header_only.
  // Valid until the next read.
  std::span<const std::byte> bytes;
  std::string problem;  // for torn, corrupt, io_error: what is wrong, with the position
};

class SegmentReader {
 public:
  // `read_ahead`: the least a read fetches, so that small records do not cost a system call each.
  explicit SegmentReader(std::size_t read_ahead);

  // Switches to another file; the buffer is kept for reuse.
  void attach(int fd, std::filesystem::path path);
  const std::filesystem::path& path() const { return path_; }

  // The record starting at `position`, which must lie wholly below `limit` (the end of the
  // readable part of the file) and carry `expected_first_offset`.
  ReadRecordOutcome read(std::uint64_t position, std::uint64_t limit,
                         std::uint64_t expected_first_offset, RecordCheck check);

 private:
  // Makes [position, position + size) available in the buffer, reading ahead no further than
  // `limit`: past it the writer may be half way through a write. False with `problem` set on a
  // read error or when the file is shorter than expected.
  bool load(std::uint64_t position, std::size_t size, std::uint64_t limit, std::string& problem);
  std::span<const std::byte> buffered(std::uint64_t position, std::size_t size) const;

  std::size_t read_ahead_;
  int fd_ = -1;
  std::filesystem::path path_;
  std::unique_ptr<std::byte[]> buffer_;
  std::size_t buffer_capacity_ = 0;
  std::uint64_t buffer_position_ = 0;  // file position of buffer_[0]
  std::size_t buffer_size_ = 0;        // valid bytes in buffer_
};

}  // namespace shoplake::log
