// How one record is laid out in a segment file. All integers little-endian.
//
//   offset size  field
//        0    4  crc32c of bytes [4, record end): the header after this field, origin, payload
//        4    1  magic and format version (kRecordMagic)
//        5    1  kind (RecordKind)
//        6    2  reserved, zero
//        8    4  payload length
//       12    4  count: entries in the payload, which take offsets [first_offset, + count)
//       16    8  first offset
//       24    8  appended at, wall clock epoch milliseconds (signed)
//       32    4  origin key length
//       36    4  origin value length
//       40       origin key, origin value, payload
//
// Records follow each other with no padding; a segment is a run of records and nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "shoplake/core/result.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::log {

inline constexpr std::size_t kRecordHeaderSize = 40;
inline constexpr std::uint8_t kRecordMagic = 0xE1;
inline constexpr std::size_t kCrcFieldSize = 4;
// Origins are short identifiers (a Kafka topic/partition and an offset); the bound lets a reader
// reject a garbage header before trusting its lengths.
inline constexpr std::uint32_t kMaxOriginFieldBytes = 64 * 1024;

struct RecordHeader {
  std::uint32_t crc = 0;
  RecordKind kind = RecordKind::events;
  std::uint32_t payload_length = 0;
  std::uint32_t count = 0;
  std::uint64_t first_offset = 0;
  std::int64_t appended_at_ms = 0;
  std::uint32_t origin_key_length = 0;
  std::uint32_t origin_value_length = 0;

  std::uint64_t origin_bytes() const {
    return std::uint64_t{origin_key_length} + origin_value_length;
  }
  std::uint64_t record_bytes() const { return kRecordHeaderSize + origin_bytes() + payload_length; }
  std::uint64_t end_offset() const { return first_offset + count; }
};

void encode_header(const RecordHeader& header, std::byte* out);
// Checks magic, kind and reserved bits and the origin bounds; the caller checks the rest against
// the file (room left, offsets in sequence) and the checksum.
core::Result<RecordHeader> decode_header(std::span<const std::byte, kRecordHeaderSize> bytes);

// `record` is one whole encoded record.
std::uint32_t compute_record_crc(std::span<const std::byte> record);
void store_record_crc(std::span<std::byte> record);

bool is_valid_record_kind(RecordKind kind);

// Views of a whole record whose header was decoded from its first bytes.
Record view_record(const RecordHeader& header, std::span<const std::byte> record);

}  // namespace shoplake::log
