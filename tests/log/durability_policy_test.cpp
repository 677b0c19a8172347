#include <string>

#include <gtest/gtest.h>

#include "shoplake/log/event_log.hpp"

namespace shoplake::log {
namespace {

using namespace std::chrono_literals;

TEST(DurabilityPolicy, ParsesEveryForm) {
  EXPECT_EQ(parse_durability_policy("always").value().mode, FsyncMode::always);
  EXPECT_EQ(parse_durability_policy("never").value().mode, FsyncMode::never);
  EXPECT_EQ(parse_durability_policy("interval").value(),
            (DurabilityPolicy{FsyncMode::interval, 10ms}));
  EXPECT_EQ(parse_durability_policy("interval(25)").value(),
            (DurabilityPolicy{FsyncMode::interval, 25ms}));
  EXPECT_EQ(parse_durability_policy("interval(250ms)").value(),
            (DurabilityPolicy{FsyncMode::interval, 250ms}));
}

TEST(DurabilityPolicy, DefaultIsTenMillisecondGroupCommit) {
  EXPECT_EQ(DurabilityPolicy{}, (DurabilityPolicy{FsyncMode::interval, 10ms}));
  EXPECT_EQ(LogOptions{}.durability, parse_durability_policy("interval").value());
}

TEST(DurabilityPolicy, RejectsBadTextWithTheReason) {
  for (const char* bad : {"", "Always", "sometimes", "interval(", "interval()", "interval(abc)",
                          "interval(10s)", "interval(0)", "interval(-5)", "interval(10",
                          "interval 10", "interval(99999999999999999999)", " always"}) {
    auto parsed = parse_durability_policy(bad);
    ASSERT_FALSE(parsed) << "accepted \"" << bad << "\"";
    EXPECT_NE(parsed.error().find("durability policy"), std::string::npos) << parsed.error();
    EXPECT_NE(parsed.error().find(bad), std::string::npos) << parsed.error();
  }
}

TEST(DurabilityPolicy, ToStringParsesBack) {
  for (const auto& policy :
       {DurabilityPolicy{FsyncMode::always, 10ms}, DurabilityPolicy{FsyncMode::never, 10ms},
        DurabilityPolicy{FsyncMode::interval, 10ms}, DurabilityPolicy{FsyncMode::interval, 3ms}}) {
    const std::string text = to_string(policy);
    auto parsed = parse_durability_policy(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error();
    EXPECT_EQ(parsed.value(), policy) << text;
  }
  EXPECT_EQ(to_string(DurabilityPolicy{FsyncMode::interval, 25ms}), "interval(25ms)");
}

}  // namespace
}  // namespace shoplake::log
