// `shoplake simulate` as a user runs it: output, determinism, configuration, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "child_process.hpp"

namespace shoplake::testing {
namespace {

const std::vector<std::string> kHistory = {"simulate", "--start", "2026-11-02", "--end",
                                           "2026-11-02T01:00:00Z"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Simulate, HistoryIsDeterministicForASeed) {
  const auto first = run_shoplake(with(kHistory, {"--seed", "4"}));
  const auto again = run_shoplake(with(kHistory, {"--seed", "4"}));
  const auto other = run_shoplake(with(kHistory, {"--seed", "5"}));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_GT(count_lines(first.out), 1000u);
  EXPECT_EQ(first.out, again.out);
  EXPECT_NE(first.out, other.out);
  EXPECT_NE(first.err.find("simulate: wrote"), std::string::npos) << first.err;
}

TEST(Simulate, CountStopsAfterThatManyEvents) {
  const auto result = run_shoplake(with(kHistory, {"--count", "25"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(count_lines(result.out), 25u);
}

TEST(Simulate, WritesToAFile) {
  TempDir dir;
  const std::string path = dir.path() + "/events.ndjson";
  const auto result = run_shoplake(with(kHistory, {"--count", "10", "--to", path}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(result.out.empty());
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(count_lines(text.str()), 10u);
}

TEST(Simulate, SeedComesFromFileThenEnvironmentThenFlag) {
  TempDir dir;
  const std::string config = dir.path() + "/shoplake.toml";
  std::ofstream(config) << "[simulate]\nseed = 7\n";
  const auto seven = run_shoplake(with(kHistory, {"--count", "50", "--seed", "7"}));
  const auto eight = run_shoplake(with(kHistory, {"--count", "50", "--seed", "8"}));
  const auto nine = run_shoplake(with(kHistory, {"--count", "50", "--seed", "9"}));
  ASSERT_NE(seven.out, eight.out);

  const auto from_file =
      run_shoplake(with({"--config", config}, with(kHistory, {"--count", "50"})));
  EXPECT_EQ(from_file.out, seven.out) << from_file.err;
  const auto from_env = run_shoplake(with({"--config", config}, with(kHistory, {"--count", "50"})),
                                     {"SHOPLAKE_SEED=8"});
  EXPECT_EQ(from_env.out, eight.out) << from_env.err;
  const auto from_flag =
      run_shoplake(with({"--config", config}, with(kHistory, {"--count", "50", "--seed", "9"})),
                   {"SHOPLAKE_SEED=8"});
  EXPECT_EQ(from_flag.out, nine.out) << from_flag.err;
}

TEST(Simulate, ZeroPurchasesInjectionEmptiesItsWindow) {
  const auto result =
      run_shoplake({"simulate", "--start", "2026-11-04", "--end", "2026-11-04T12:00:00Z", "--rate",
                    "50", "--inject", "zero_purchases@0s,duration=12h"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_GT(count_lines(result.out), 10000u);
  EXPECT_EQ(result.out.find("\"purchase\""), std::string::npos);
  const auto normal = run_shoplake(
      {"simulate", "--start", "2026-11-04", "--end", "2026-11-04T12:00:00Z", "--rate", "50"});
  EXPECT_NE(normal.out.find("\"purchase\""), std::string::npos);
}

TEST(Simulate, BadInjectionIsNamed) {
  const auto result = run_shoplake(with(kHistory, {"--inject", "traffic_spike@soon"}));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("traffic_spike@soon"), std::string::npos) << result.err;
}

TEST(Simulate, StartAfterEndIsRefused) {
  const auto result = run_shoplake({"simulate", "--start", "2026-11-03", "--end", "2026-11-02"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_FALSE(result.err.empty());
}

TEST(Simulate, UnwritableDestinationIsReported) {
  const auto result = run_shoplake(with(kHistory, {"--to", "/proc/no/such/file.ndjson"}));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("/proc/no/such/file.ndjson"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace shoplake::testing
