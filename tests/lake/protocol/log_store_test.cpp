#include "shoplake/lake/log_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "protocol_test_support.hpp"

namespace shoplake::lake {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

void touch(const fs::path& path, const std::string& bytes = "") {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(LogStore, FileNames) {
  EXPECT_EQ(LogStore::commit_file_name(7), "00000000000000000007.json");
  EXPECT_EQ(LogStore::checkpoint_file_name(10), "00000000000000000010.checkpoint.parquet");
  EXPECT_EQ(LogStore::commit_file_name(12345678901234), "00000012345678901234.json");
  LogStore store("/tmp/t");
  EXPECT_EQ(store.log_directory(), fs::path("/tmp/t/_delta_log"));
}

TEST(LogStore, PutIfAbsentKeepsTheFirstCommit) {
  ScratchDir dir;
  LogStore store(dir.path() / "table");
  auto first = store.put_commit_if_absent(0, "first\n");
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first.value(), PutOutcome::written);
  auto second = store.put_commit_if_absent(0, "second\n");
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second.value(), PutOutcome::already_exists);
  EXPECT_EQ(store.read_commit(0).value(), "first\n");
  // No temporaries are left behind, won or lost.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(store.log_directory())) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"00000000000000000000.json"});
}

TEST(LogStore, RacingWritersHaveExactlyOneWinner) {
  ScratchDir dir;
  LogStore store(dir.path());
  for (int version = 0; version < 5; ++version) {
    std::atomic<int> written{0};
    std::atomic<int> lost{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> writers;
    for (int writer = 0; writer < 8; ++writer) {
      writers.emplace_back([&, writer] {
        while (!go.load()) std::this_thread::yield();
        auto outcome = store.put_commit_if_absent(version, "writer " + std::to_string(writer));
        ASSERT_TRUE(outcome.ok()) << outcome.error();
        (outcome.value() == PutOutcome::written ? written : lost)++;
      });
    }
    go = true;
    for (auto& thread : writers) thread.join();
    EXPECT_EQ(written.load(), 1);
    EXPECT_EQ(lost.load(), 7);
    EXPECT_EQ(store.read_commit(version).value().rfind("writer ", 0), 0u);
  }
  auto files = store.list();
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files.value().size(), 5u);
}

TEST(LogStore, ListClassifiesAndSorts) {
  ScratchDir dir;
  LogStore store(dir.path());
  const fs::path log = store.log_directory();
  for (const char* name : {
           "00000000000000000010.checkpoint.0000000002.0000000002.parquet",
           "00000000000000000010.checkpoint.0000000001.0000000002.parquet",
           "00000000000000000010.checkpoint.parquet",
           "00000000000000000010.json",
           "00000000000000000002.json",
           "00000000000000000002.crc",
           "00000000000000000008.checkpoint.e5ac4dc4-be27-4106-8a55-609707487f83.json",
           "00000000000000000006.checkpoint.f5ee283b-37c7-46af-b64c-8f77c6a5c43a.parquet",
           // ignored:
           "_last_checkpoint",
           ".00000000000000000011.json.0123456789abcdef.tmp",
           "00000000000000000011.json.tmp",
           "0000000000000000001.json",
           "000000000000000000011.json",
           "00000000000000000000.00000000000000000001.compacted.json",
           "00000000000000000010.checkpoint.0000000003.0000000002.parquet",
           "00000000000000000010.checkpoint.not-a-uuid.json",
           "abcdefghijabcdefghij.json",
           "README",
       }) {
    touch(log / name, "x");
  }
  fs::create_directories(log / "00000000000000000012.json");  // a directory is not a commit
  auto files = store.list();
  ASSERT_TRUE(files.ok()) << files.error();
  std::vector<std::tuple<std::int64_t, LogFileKind, int, int, std::string>> got;
  for (const auto& file : files.value()) {
    got.emplace_back(file.version, file.kind, file.part, file.parts, file.path.filename().string());
    EXPECT_GT(file.modification_time_ms, 1'600'000'000'000);
  }
  using K = LogFileKind;
  decltype(got) expected = {
      {2, K::commit, 0, 0, "00000000000000000002.json"},
      {2, K::checksum, 0, 0, "00000000000000000002.crc"},
      {6, K::v2_checkpoint, 0, 0,
       "00000000000000000006.checkpoint.f5ee283b-37c7-46af-b64c-8f77c6a5c43a.parquet"},
      {8, K::v2_checkpoint, 0, 0,
       "00000000000000000008.checkpoint.e5ac4dc4-be27-4106-8a55-609707487f83.json"},
      {10, K::commit, 0, 0, "00000000000000000010.json"},
      {10, K::checkpoint, 0, 0, "00000000000000000010.checkpoint.parquet"},
      {10, K::multipart_checkpoint, 1, 2,
       "00000000000000000010.checkpoint.0000000001.0000000002.parquet"},
      {10, K::multipart_checkpoint, 2, 2,
       "00000000000000000010.checkpoint.0000000002.0000000002.parquet"},
  };
  EXPECT_EQ(got, expected);
}

TEST(LogStore, ListAndReadErrorsNameTheFile) {
  ScratchDir dir;
  LogStore store(dir.path() / "nothing");
  auto files = store.list();
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.error().find("_delta_log"), std::string::npos);
  auto missing = store.read_commit(3);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("00000000000000000003.json"), std::string::npos);
}

TEST(LogStore, LastCheckpointRoundTrip) {
  ScratchDir dir;
  LogStore store(dir.path());
  auto none = store.read_last_checkpoint();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value());

  ASSERT_TRUE(store.write_last_checkpoint({10, 42, std::nullopt}).ok());
  EXPECT_EQ(slurp(store.log_directory() / "_last_checkpoint"), R"({"version":10,"size":42})");
  auto read = store.read_last_checkpoint();
  ASSERT_TRUE(read.ok()) << read.error();
  ASSERT_TRUE(read.value());
  EXPECT_EQ(read.value()->version, 10);
  EXPECT_EQ(read.value()->size, 42);
  EXPECT_FALSE(read.value()->parts);

  ASSERT_TRUE(store.write_last_checkpoint({20, 7, 3}).ok());
  EXPECT_EQ(slurp(store.log_directory() / "_last_checkpoint"),
            R"({"version":20,"size":7,"parts":3})");
  read = store.read_last_checkpoint();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.value()->version, 20);
  EXPECT_EQ(read.value()->parts, 3);

  // Other writers add fields (sizeInBytes, checksum, v2Checkpoint): ignored.
  touch(store.log_directory() / "_last_checkpoint",
        R"({"size":6,"size_in_bytes":23521,"version":1,"checksum":"abc"})");
  read = store.read_last_checkpoint();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.value()->version, 1);
  EXPECT_EQ(read.value()->size, 6);

  touch(store.log_directory() / "_last_checkpoint", "{not json");
  read = store.read_last_checkpoint();
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().find("_last_checkpoint"), std::string::npos);
}

TEST(LogStore, WriteFileAtomicallyReplaces) {
  ScratchDir dir;
  LogStore store(dir.path());
  ASSERT_TRUE(store.write_file_atomically("00000000000000000001.checkpoint.parquet", "a").ok());
  ASSERT_TRUE(store.write_file_atomically("00000000000000000001.checkpoint.parquet", "bb").ok());
  EXPECT_EQ(slurp(store.log_directory() / "00000000000000000001.checkpoint.parquet"), "bb");
  EXPECT_FALSE(store.write_file_atomically("../escape", "x").ok());
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(store.log_directory())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

}  // namespace
}  // namespace shoplake::lake
