#include "record_format.hpp"

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace shoplake::log {
namespace {

std::vector<std::byte> encode_record(const RecordHeader& header, std::string_view key,
                                     std::string_view value, std::string_view payload) {
  std::vector<std::byte> record(header.record_bytes());
  encode_header(header, record.data());
  std::memcpy(record.data() + kRecordHeaderSize, key.data(), key.size());
  std::memcpy(record.data() + kRecordHeaderSize + key.size(), value.data(), value.size());
  std::memcpy(record.data() + kRecordHeaderSize + key.size() + value.size(), payload.data(),
              payload.size());
  store_record_crc(record);
  return record;
}

RecordHeader sample_header() {
  RecordHeader header;
  header.kind = RecordKind::rejections;
  header.payload_length = 11;
  header.count = 3;
  header.first_offset = 0x0123456789ABCDEFULL;
  header.appended_at_ms = -42;
  header.origin_key_length = 5;
  header.origin_value_length = 2;
  return header;
}

std::span<const std::byte, kRecordHeaderSize> header_bytes(const std::vector<std::byte>& record) {
  return std::span<const std::byte>(record).first<kRecordHeaderSize>();
}

TEST(RecordFormat, HeaderRoundTrips) {
  const RecordHeader header = sample_header();
  const auto record = encode_record(header, "kafka", "17", "hello world");
  ASSERT_EQ(record.size(), kRecordHeaderSize + 5 + 2 + 11);
  auto decoded = decode_header(header_bytes(record));
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded.value().kind, RecordKind::rejections);
  EXPECT_EQ(decoded.value().payload_length, 11U);
  EXPECT_EQ(decoded.value().count, 3U);
  EXPECT_EQ(decoded.value().first_offset, 0x0123456789ABCDEFULL);
  EXPECT_EQ(decoded.value().appended_at_ms, -42);
  EXPECT_EQ(decoded.value().origin_key_length, 5U);
  EXPECT_EQ(decoded.value().origin_value_length, 2U);
  EXPECT_EQ(decoded.value().crc, compute_record_crc(record));
  EXPECT_EQ(decoded.value().end_offset(), 0x0123456789ABCDEFULL + 3);
}

TEST(RecordFormat, ViewsSplitOriginAndPayload) {
  const auto record = encode_record(sample_header(), "kafka", "17", "hello world");
  const Record view = view_record(decode_header(header_bytes(record)).value(), record);
  EXPECT_EQ(view.origin.key, "kafka");
  EXPECT_EQ(view.origin.value, "17");
  EXPECT_EQ(view.payload, "hello world");
  EXPECT_EQ(view.count, 3U);
  EXPECT_EQ(view.kind, RecordKind::rejections);
}

TEST(RecordFormat, LayoutIsLittleEndianAtDocumentedPositions) {
  const auto record = encode_record(sample_header(), "kafka", "17", "hello world");
  EXPECT_EQ(record[4], std::byte{kRecordMagic});
  EXPECT_EQ(record[5], std::byte{2});  // rejections
  std::uint64_t first_offset = 0;
  std::memcpy(&first_offset, record.data() + 16, sizeof first_offset);
  EXPECT_EQ(first_offset, 0x0123456789ABCDEFULL);
  EXPECT_EQ(record[16], std::byte{0xEF});
}

TEST(RecordFormat, ChecksumCoversEveryByteAfterIt) {
  const auto record = encode_record(sample_header(), "kafka", "17", "hello world");
  const std::uint32_t stored = decode_header(header_bytes(record)).value().crc;
  for (std::size_t i = kCrcFieldSize; i < record.size(); ++i) {
    auto damaged = record;
    damaged[i] ^= std::byte{0x01};
    EXPECT_NE(compute_record_crc(damaged), stored) << "byte " << i << " is not covered";
  }
}

TEST(RecordFormat, RejectsBadMagicKindAndReservedBits) {
  const auto record = encode_record(sample_header(), "kafka", "17", "hello world");
  auto bad_magic = record;
  bad_magic[4] = std::byte{0x00};
  auto magic = decode_header(header_bytes(bad_magic));
  ASSERT_FALSE(magic);
  EXPECT_NE(magic.error().find("magic"), std::string::npos) << magic.error();

  auto bad_kind = record;
  bad_kind[5] = std::byte{9};
  auto kind = decode_header(header_bytes(bad_kind));
  ASSERT_FALSE(kind);
  EXPECT_NE(kind.error().find("kind 9"), std::string::npos) << kind.error();

  auto bad_reserved = record;
  bad_reserved[6] = std::byte{1};
  EXPECT_FALSE(decode_header(header_bytes(bad_reserved)));
}

TEST(RecordFormat, RejectsOversizedOriginLengths) {
  RecordHeader header = sample_header();
  header.origin_value_length = kMaxOriginFieldBytes + 1;
  std::array<std::byte, kRecordHeaderSize> bytes{};
  encode_header(header, bytes.data());
  auto decoded = decode_header(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().find("origin"), std::string::npos) << decoded.error();
}

}  // namespace
}  // namespace shoplake::log
