// The CLI as a user meets it: the real binary, its help, its errors, and where flags come from.
#include <gtest/gtest.h>

#include <fstream>

#include "child_process.hpp"

namespace shoplake::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Cli, VersionNamesShoplakeAndItsEngines) {
  const auto result = run_shoplake({"version"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "shoplake 0.")) << result.out;
  EXPECT_TRUE(contains(result.out, "DuckDB v1.4.4")) << result.out;
  EXPECT_TRUE(contains(result.out, "simdjson 3.")) << result.out;
}

TEST(Cli, HelpListsEveryCommand) {
  const auto result = run_shoplake({"--help"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  for (const char* command : {"version", "simulate", "up"}) {
    EXPECT_TRUE(contains(result.out, command)) << command << " missing from:\n" << result.out;
  }
  EXPECT_TRUE(contains(result.out, "SHOPLAKE_")) << "help must say how the environment is read";
}

TEST(Cli, EachCommandHasHelp) {
  for (const char* command : {"version", "simulate", "up"}) {
    const auto result = run_shoplake({command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command << ": " << result.err;
    EXPECT_TRUE(contains(result.out, "Usage")) << command << ": " << result.out;
  }
}

TEST(Cli, NoCommandIsAnErrorThatPointsToHelp) {
  const auto result = run_shoplake({});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(contains(result.err, "--help")) << result.err;
}

TEST(Cli, UnknownCommandIsRefused) {
  const auto result = run_shoplake({"frobnicate"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(contains(result.err, "frobnicate")) << result.err;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Precedence: flag > environment > file > default. `up --bind` makes it visible, because a
// non-loopback address is refused (exit 2) before anything starts, and a loopback one is not.
TEST(Cli, ConfigFileSetsACommandFlag) {
  TempDir dir;
  const std::string config = dir.path() + "/shoplake.toml";
  write_file(config, "[up]\nbind = \"0.0.0.0\"\n");
  const auto result = run_shoplake({"--config", config, "up", "--data-dir", dir.path() + "/d"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_TRUE(contains(result.err, "0.0.0.0")) << result.err;
}

TEST(Cli, ConfigFileIsNamedByEnvironmentToo) {
  TempDir dir;
  const std::string config = dir.path() + "/shoplake.toml";
  write_file(config, "[up]\nbind = \"0.0.0.0\"\n");
  const auto result =
      run_shoplake({"up", "--data-dir", dir.path() + "/d"}, {"SHOPLAKE_CONFIG=" + config});
  EXPECT_EQ(result.exit_code, 2) << result.err;
}

TEST(Cli, EnvironmentOverridesFileAndFlagOverridesEnvironment) {
  TempDir dir;
  const std::string config = dir.path() + "/shoplake.toml";
  write_file(config, "[up]\nbind = \"0.0.0.0\"\n");
  const auto env_wins = run_shoplake({"--config", config, "up", "--data-dir", dir.path() + "/d"},
                                     {"SHOPLAKE_BIND=10.1.2.3"});
  EXPECT_EQ(env_wins.exit_code, 2);
  EXPECT_TRUE(contains(env_wins.err, "10.1.2.3")) << env_wins.err;

  const auto flag_wins = run_shoplake(
      {"--config", config, "up", "--bind", "192.0.2.7", "--data-dir", dir.path() + "/d"},
      {"SHOPLAKE_BIND=10.1.2.3"});
  EXPECT_EQ(flag_wins.exit_code, 2);
  EXPECT_TRUE(contains(flag_wins.err, "192.0.2.7")) << flag_wins.err;
}

TEST(Cli, MisspeltConfigKeyIsAnError) {
  TempDir dir;
  const std::string config = dir.path() + "/shoplake.toml";
  write_file(config, "[up]\nprot = 8080\n");
  const auto result = run_shoplake({"--config", config, "version"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(contains(result.err, "prot")) << result.err;
}

TEST(Cli, BrokenConfigFileNamesTheLine) {
  TempDir dir;
  const std::string config = dir.path() + "/shoplake.toml";
  write_file(config, "data-dir = \"x\"\n[up\nport = 1\n");
  const auto result = run_shoplake({"--config", config, "version"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(contains(result.err, "line 2")) << result.err;
}

TEST(Cli, MissingConfigFileIsAnError) {
  const auto result = run_shoplake({"--config", "/nonexistent/shoplake.toml", "version"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(contains(result.err, "/nonexistent/shoplake.toml")) << result.err;
}

}  // namespace
}  // namespace shoplake::testing
