#include "crc32c.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace shoplake::log {
namespace {

using Implementation = std::uint32_t (*)(std::uint32_t, const std::byte*, std::size_t);

std::uint32_t crc_of(Implementation implementation, const std::vector<std::uint8_t>& bytes) {
  return implementation(0, reinterpret_cast<const std::byte*>(bytes.data()), bytes.size());
}

std::uint32_t crc_of(Implementation implementation, std::string_view text) {
  return implementation(0, reinterpret_cast<const std::byte*>(text.data()), text.size());
}

// One bit at a time, straight from the definition: the yardstick for the fast versions.
std::uint32_t bitwise_crc32c(const std::uint8_t* data, std::size_t size) {
  std::uint32_t crc = 0xFFFFFFFF;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1U) ? 0x82F63B78U : 0U);
  }
  return ~crc;
}

class Crc32cTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam() && !crc32c::hardware_available()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  }
  Implementation implementation() const {
    return GetParam() ? &crc32c::extend_hardware : &crc32c::extend_portable;
  }
};

TEST_P(Crc32cTest, MatchesPublishedVectors) {
  EXPECT_EQ(crc_of(implementation(), "123456789"), 0xE3069283U);
  EXPECT_EQ(crc_of(implementation(), ""), 0x00000000U);
  EXPECT_EQ(crc_of(implementation(), "a"), 0xC1D04330U);
  // RFC 3720 (iSCSI), appendix B.4.
  EXPECT_EQ(crc_of(implementation(), std::vector<std::uint8_t>(32, 0x00)), 0x8A9136AAU);
  EXPECT_EQ(crc_of(implementation(), std::vector<std::uint8_t>(32, 0xFF)), 0x62A8AB43U);
  std::vector<std::uint8_t> ascending(32);
  std::vector<std::uint8_t> descending(32);
  for (std::uint8_t i = 0; i < 32; ++i) {
    ascending[i] = i;
    descending[i] = static_cast<std::uint8_t>(31 - i);
  }
  EXPECT_EQ(crc_of(implementation(), ascending), 0x46DD794EU);
  EXPECT_EQ(crc_of(implementation(), descending), 0x113FDB5CU);
}

TEST_P(Crc32cTest, AgreesWithTheBitwiseDefinitionAtEveryLengthAndAlignment) {
  std::mt19937 random(7);
  std::vector<std::uint8_t> data(600);
  for (auto& byte : data) byte = static_cast<std::uint8_t>(random());
  for (std::size_t start = 0; start < 8; ++start) {
    for (std::size_t size = 0; size + start <= data.size(); size += (size < 64 ? 1 : 37)) {
      const auto* bytes = reinterpret_cast<const std::byte*>(data.data() + start);
      ASSERT_EQ(implementation()(0, bytes, size), bitwise_crc32c(data.data() + start, size))
          << "start " << start << " size " << size;
    }
  }
}

TEST_P(Crc32cTest, ExtendingContinuesAChecksum) {
  const std::string text = "the quick brown fox jumps over the lazy dog, twice over";
  const auto* bytes = reinterpret_cast<const std::byte*>(text.data());
  const std::uint32_t whole = implementation()(0, bytes, text.size());
  for (std::size_t split = 0; split <= text.size(); ++split) {
    const std::uint32_t head = implementation()(0, bytes, split);
    EXPECT_EQ(implementation()(head, bytes + split, text.size() - split), whole) << split;
  }
}

INSTANTIATE_TEST_SUITE_P(BothPaths, Crc32cTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("Sse42") : std::string("SlicingBy8");
                         });

TEST(Crc32cDispatch, ComputeUsesACorrectPath) {
  EXPECT_EQ(crc32c::compute(std::string_view("123456789")), 0xE3069283U);
}

}  // namespace
}  // namespace shoplake::log
