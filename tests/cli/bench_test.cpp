// The benchmark commands on small inputs: they run, and where clickhouse-server is installed their
// answers agree with its answers (a benchmark of wrong answers fails, with exit status 1).
#include <gtest/gtest.h>

#include "child_process.hpp"

namespace shoplake::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Bench, QueryAnswersEveryPanelAsClickHouseServerDoes) {
  const auto result =
      run_shoplake({"bench", "query", "--days", "1", "--realtime-days", "1", "--rate", "1",
                    "--iterations", "3", "--warmup", "1", "--runs", "1"},
                   {}, std::chrono::minutes(3));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_TRUE(contains(result.out, "shoplake: p99 <= 2 ms on ")) << result.out;
  if (contains(result.err, "clickhouse-server: not found")) {
    GTEST_SKIP() << "clickhouse-server is not installed: the answers were not compared";
  }
  EXPECT_TRUE(contains(result.out, "same rows on 8/8")) << result.out;
}

TEST(Bench, PipelineKpisAgreeWithClickHouseServer) {
  TempDir scratch;
  const auto result = run_shoplake({"bench", "pipeline", "--events", "100000", "--days", "2",
                                    "--runs", "1", "--hours", "1", "--scratch", scratch.path()},
                                   {}, std::chrono::minutes(3));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_TRUE(contains(result.out, "full rebuild bronze -> silver -> gold: ")) << result.out;
  EXPECT_TRUE(contains(result.out, "hourly incremental run")) << result.out;
  if (contains(result.out, "clickhouse-server: not found")) {
    GTEST_SKIP() << "clickhouse-server is not installed: the KPIs were not compared";
  }
  EXPECT_TRUE(contains(result.out, "KPIs after the full rebuild: both agree")) << result.out;
}

}  // namespace
}  // namespace shoplake::testing
