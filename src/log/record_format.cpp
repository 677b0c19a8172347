#include "record_format.hpp"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "crc32c.hpp"

namespace shoplake::log {
namespace {

// Field positions, as in the layout table of the header file.
constexpr std::size_t kMagicAt = 4;
constexpr std::size_t kKindAt = 5;
constexpr std::size_t kReservedAt = 6;
constexpr std::size_t kPayloadLengthAt = 8;
constexpr std::size_t kCountAt = 12;
constexpr std::size_t kFirstOffsetAt = 16;
constexpr std::size_t kAppendedAtAt = 24;
constexpr std::size_t kOriginKeyLengthAt = 32;
constexpr std::size_t kOriginValueLengthAt = 36;

// The log targets little-endian Linux (x86-64, aarch64); storing host order keeps encoding a copy.
static_assert(std::endian::native == std::endian::little, "the record framing is little-endian");

template <typename Integer>
void put(std::byte* out, std::size_t at, Integer value) {
  std::memcpy(out + at, &value, sizeof value);
}

template <typename Integer>
Integer get(std::span<const std::byte, kRecordHeaderSize> bytes, std::size_t at) {
  Integer value{};
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}

std::string_view view_chars(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

bool is_valid_record_kind(RecordKind kind) {
  return kind == RecordKind::events || kind == RecordKind::rejections;
}

void encode_header(const RecordHeader& header, std::byte* out) {
  put(out, 0, header.crc);
  put(out, kMagicAt, kRecordMagic);
  put(out, kKindAt, static_cast<std::uint8_t>(header.kind));
  put(out, kReservedAt, std::uint16_t{0});
  put(out, kPayloadLengthAt, header.payload_length);
  put(out, kCountAt, header.count);
  put(out, kFirstOffsetAt, header.first_offset);
  put(out, kAppendedAtAt, header.appended_at_ms);
  put(out, kOriginKeyLengthAt, header.origin_key_length);
  put(out, kOriginValueLengthAt, header.origin_value_length);
}

core::Result<RecordHeader> decode_header(std::span<const std::byte, kRecordHeaderSize> bytes) {
  const auto magic = get<std::uint8_t>(bytes, kMagicAt);
  if (magic != kRecordMagic) {
    return core::Error{
        fmt::format("bad record magic 0x{:02x} (expected 0x{:02x})", magic, kRecordMagic)};
  }
  RecordHeader header;
  header.kind = static_cast<RecordKind>(get<std::uint8_t>(bytes, kKindAt));
  if (!is_valid_record_kind(header.kind)) {
    return core::Error{fmt::format("unknown record kind {}", static_cast<unsigned>(header.kind))};
  }
  if (get<std::uint16_t>(bytes, kReservedAt) != 0) {
    return core::Error{"reserved record header bits are set"};
  }
  header.crc = get<std::uint32_t>(bytes, 0);
  header.payload_length = get<std::uint32_t>(bytes, kPayloadLengthAt);
  header.count = get<std::uint32_t>(bytes, kCountAt);
  header.first_offset = get<std::uint64_t>(bytes, kFirstOffsetAt);
  header.appended_at_ms = get<std::int64_t>(bytes, kAppendedAtAt);
  header.origin_key_length = get<std::uint32_t>(bytes, kOriginKeyLengthAt);
  header.origin_value_length = get<std::uint32_t>(bytes, kOriginValueLengthAt);
  if (header.origin_key_length > kMaxOriginFieldBytes ||
      header.origin_value_length > kMaxOriginFieldBytes) {
    return core::Error{fmt::format("origin of {}+{} bytes exceeds the {} byte limit",
                                   header.origin_key_length, header.origin_value_length,
                                   kMaxOriginFieldBytes)};
  }
  return header;
}

std::uint32_t compute_record_crc(std::span<const std::byte> record) {
  return crc32c::extend(0, record.data() + kCrcFieldSize, record.size() - kCrcFieldSize);
}

void store_record_crc(std::span<std::byte> record) {
  put(record.data(), 0, compute_record_crc(record));
}

Record view_record(const RecordHeader& header, std::span<const std::byte> record) {
  const auto origin = record.subspan(kRecordHeaderSize);
  Record view;
  view.kind = header.kind;
  view.first_offset = header.first_offset;
  view.count = header.count;
  view.appended_at_ms = header.appended_at_ms;
  view.origin.key = view_chars(origin.first(header.origin_key_length));
  view.origin.value =
      view_chars(origin.subspan(header.origin_key_length, header.origin_value_length));
  view.payload = view_chars(origin.subspan(header.origin_bytes(), header.payload_length));
  return view;
}

}  // namespace shoplake::log
