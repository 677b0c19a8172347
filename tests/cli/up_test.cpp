// `shoplake up` as a process: it starts, serves, holds its data directory, and stops cleanly.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>

#include "child_process.hpp"
#include "running_shoplake.hpp"

namespace shoplake::testing {
namespace {

using std::chrono::seconds;

TEST(Up, ServesHealthAndStopsCleanlyOnSigterm) {
  TempDir dir;
  RunningShoplake shoplake(dir.path() + "/data");
  ASSERT_GT(shoplake.port(), 0) << shoplake.process().read_all_stderr();
  httplib::Client client("127.0.0.1", shoplake.port());
  const auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_NE(health->body.find(R"("status":"ok")"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/data"));

  shoplake.process().send_signal(SIGTERM);
  EXPECT_EQ(shoplake.process().wait(seconds(10)), 0);
}

TEST(Up, SecondInstanceOnTheSameDataDirectoryIsRefused) {
  TempDir dir;
  RunningShoplake first(dir.path());
  ASSERT_GT(first.port(), 0);
  const auto second = run_shoplake({"up", "--port", "0", "--data-dir", dir.path()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("in use by another shoplake"), std::string::npos) << second.err;
}

TEST(Up, DataDirectoryIsFreeAgainAfterKill9) {
  TempDir dir;
  {
    RunningShoplake first(dir.path());
    ASSERT_GT(first.port(), 0);
    first.process().send_signal(SIGKILL);
    EXPECT_EQ(first.process().wait(seconds(10)), 128 + SIGKILL);
  }
  RunningShoplake second(dir.path());
  EXPECT_GT(second.port(), 0) << second.process().read_all_stderr();
}

TEST(Up, RefusesANonLoopbackAddressWithoutCredentials) {
  TempDir dir;
  const auto result = run_shoplake({"up", "--bind", "0.0.0.0", "--data-dir", dir.path()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("SHOPLAKE_SQL_PASSWORD"), std::string::npos) << result.err;
  const auto half = run_shoplake(
      {"up", "--bind", "0.0.0.0", "--sql-password", "secret", "--data-dir", dir.path()});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.err.find("SHOPLAKE_WRITE_KEY"), std::string::npos) << half.err;
}

TEST(Up, UnwritableDataDirectoryIsReported) {
  const auto result = run_shoplake({"up", "--port", "0", "--data-dir", "/proc/shoplake-data"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("/proc/shoplake-data"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace shoplake::testing
