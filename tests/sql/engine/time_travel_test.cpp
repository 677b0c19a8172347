// Spark's VERSION AS OF / TIMESTAMP AS OF become subqueries from the resolver; everything else in
// the query text stays as it was.
#include "time_travel.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace shoplake::sql {
namespace {

struct Call {
  std::string schema;
  std::string name;
  TimeTravelPoint point;
};

class TimeTravelTest : public ::testing::Test {
 protected:
  TimeTravelResolver resolver() {
    return [this](const std::string& schema, const std::string& name,
                  const TimeTravelPoint& point) -> core::Result<std::string> {
      calls_.push_back({schema, name, point});
      if (point.version && *point.version == 99) return core::Error{"version 99 does not exist"};
      return std::string("SELECT 1");
    };
  }
  std::vector<Call> calls_;
};

TEST_F(TimeTravelTest, ReplacesVersionAsOfWithTheResolvedSubquery) {
  auto expanded = expand_time_travel(
      "SELECT count(*) FROM bronze.events VERSION AS OF 3 WHERE x = 1", resolver());
  ASSERT_TRUE(expanded) << expanded.error();
  EXPECT_EQ(expanded.value(), "SELECT count(*) FROM (SELECT 1) AS \"events\" WHERE x = 1");
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_EQ(calls_[0].schema, "bronze");
  EXPECT_EQ(calls_[0].name, "events");
  EXPECT_EQ(calls_[0].point.version, 3);
}

TEST_F(TimeTravelTest, ReadsTimestampsAsUtcInSparksForms) {
  for (const char* sql :
       {"SELECT * FROM gold.revenue_daily timestamp as of '2026-11-25 10:00:00'",
        "SELECT * FROM gold.revenue_daily TIMESTAMP AS OF '2026-11-25T10:00:00Z'"}) {
    calls_.clear();
    auto expanded = expand_time_travel(sql, resolver());
    ASSERT_TRUE(expanded) << expanded.error();
    ASSERT_EQ(calls_.size(), 1u) << sql;
    EXPECT_EQ(calls_[0].point.timestamp_ms, 1795600800000) << sql;
  }
  calls_.clear();
  ASSERT_TRUE(expand_time_travel("SELECT * FROM gold.t TIMESTAMP AS OF '2026-11-25'", resolver()));
  EXPECT_EQ(calls_[0].point.timestamp_ms, 1795564800000);
}

TEST_F(TimeTravelTest, LeavesLiteralsCommentsAndOrdinaryQueriesAlone) {
  const std::string plain =
      "SELECT 'gold.t VERSION AS OF 3' AS s -- gold.t VERSION AS OF 4\n"
      "FROM gold.t /* bronze.events VERSION AS OF 5 */";
  auto expanded = expand_time_travel(plain, resolver());
  ASSERT_TRUE(expanded) << expanded.error();
  EXPECT_EQ(expanded.value(), plain);
  EXPECT_TRUE(calls_.empty());
  // Without a resolver an ordinary query still runs.
  ASSERT_TRUE(expand_time_travel("SELECT 1", {}));
}

TEST_F(TimeTravelTest, ReportsBadPointsAndTheResolversErrors) {
  auto missing = expand_time_travel("SELECT * FROM gold.t VERSION AS OF 99", resolver());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "version 99 does not exist");
  auto bad_time =
      expand_time_travel("SELECT * FROM gold.t TIMESTAMP AS OF 'yesterday'", resolver());
  ASSERT_FALSE(bad_time);
  EXPECT_NE(bad_time.error().find("'yesterday'"), std::string::npos) << bad_time.error();
  auto no_lake = expand_time_travel("SELECT * FROM gold.t VERSION AS OF 1", {});
  ASSERT_FALSE(no_lake);
  // Past int64 (found by time_travel_fuzz): an error naming the range, not an exception.
  for (const char* version : {"9223372036854775808", "399999999990200000000000020", "-1"}) {
    auto too_large = expand_time_travel(
        fmt::format("SELECT * FROM gold.t VERSION AS OF {}", version), resolver());
    ASSERT_FALSE(too_large) << version;
    EXPECT_NE(too_large.error().find("expected a version number from 0 to"), std::string::npos)
        << too_large.error();
  }
  ASSERT_TRUE(
      expand_time_travel("SELECT * FROM gold.t VERSION AS OF 9223372036854775807", resolver()));
  EXPECT_EQ(calls_.back().point.version, std::numeric_limits<std::int64_t>::max());
}

}  // namespace
}  // namespace shoplake::sql
