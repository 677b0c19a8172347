#include "shoplake/ingest/decompress.hpp"

#include <gtest/gtest.h>

#include <zstd.h>
#include "compression.hpp"

namespace shoplake::ingest {
namespace {

using testing::gzip;

std::string zstd(std::string_view text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3));
  return out;
}

std::string sample(std::size_t repeat) {
  std::string text;
  for (std::size_t i = 0; i < repeat; ++i) {
    text += R"({"event_id":"e-)" + std::to_string(i) + R"(","event_type":"view"})" + "\n";
  }
  return text;
}

TEST(Decompress, IdentityPassesThrough) {
  std::string out;
  EXPECT_EQ(decompress("", "abc", 10, out).error, DecompressError::none);
  EXPECT_EQ(out, "abc");
  EXPECT_EQ(decompress("identity", "abc", 10, out).error, DecompressError::none);
}

TEST(Decompress, GzipAndZstdInflateToTheOriginal) {
  const std::string text = sample(20'000);  // several output chunks
  std::string out;
  ASSERT_EQ(decompress("gzip", gzip(text), 1 << 26, out).error, DecompressError::none);
  EXPECT_EQ(out, text);
  ASSERT_EQ(decompress("zstd", zstd(text), 1 << 26, out).error, DecompressError::none);
  EXPECT_EQ(out, text);
}

TEST(Decompress, InflatingPastTheLimitIsRefused) {
  const std::string text(10 << 20, 'a');  // a 10 MiB bomb compresses to a few kB
  std::string out;
  EXPECT_EQ(decompress("gzip", gzip(text), 1 << 20, out).error, DecompressError::too_large);
  EXPECT_LE(out.size(), std::size_t{1} << 20);
  EXPECT_EQ(decompress("zstd", zstd(text), 1 << 20, out).error, DecompressError::too_large);
  EXPECT_EQ(decompress("", text, 1 << 20, out).error, DecompressError::too_large);
}

TEST(Decompress, CorruptAndTruncatedBodiesAreReported) {
  const std::string text = sample(1000);
  std::string out;
  std::string compressed = gzip(text);
  compressed.resize(compressed.size() / 2);
  const auto truncated = decompress("gzip", compressed, 1 << 26, out);
  EXPECT_EQ(truncated.error, DecompressError::corrupt);
  EXPECT_FALSE(truncated.message.empty());
  EXPECT_EQ(decompress("gzip", "not gzip at all", 1 << 26, out).error, DecompressError::corrupt);
  compressed = zstd(text);
  compressed.resize(compressed.size() / 2);
  EXPECT_EQ(decompress("zstd", compressed, 1 << 26, out).error, DecompressError::corrupt);
  EXPECT_EQ(decompress("zstd", "not zstd", 1 << 26, out).error, DecompressError::corrupt);
}

TEST(Decompress, UnknownEncodingNamesWhatIsSupported) {
  std::string out;
  const auto result = decompress("br", "x", 10, out);
  EXPECT_EQ(result.error, DecompressError::unsupported);
  EXPECT_NE(result.message.find("gzip"), std::string::npos);
}

}  // namespace
}  // namespace shoplake::ingest
