#include "shoplake/lake/durable_files.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "protocol_test_support.hpp"

namespace shoplake::lake {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(DurableFiles, SyncsFilesInTheRootAndInNewPartitionFolders) {
  ScratchDir scratch;
  const fs::path root = scratch.path() / "table";
  const std::vector<fs::path> files = {
      root / "part-a.parquet", root / "event_date=2026-01-01" / "part-b.parquet",
      root / "event_date=2026-01-01" / "part-c.parquet", root / "a=1" / "b=2" / "part-d.parquet"};
  for (const auto& file : files) write_file(file, "PAR1");
  const auto synced = sync_new_files(files, root);
  EXPECT_TRUE(synced) << synced.error();
  EXPECT_TRUE(sync_new_files({}, root));
}

TEST(DurableFiles, CreatesMissingFoldersAndAcceptsExistingOnes) {
  ScratchDir scratch;
  const fs::path deep = scratch.path() / "lake" / "bronze" / "events" / "_delta_log";
  ASSERT_TRUE(create_directories_durably(deep));
  EXPECT_TRUE(fs::is_directory(deep));
  EXPECT_TRUE(create_directories_durably(deep));
  write_file(scratch.path() / "plain-file", "x");
  const auto blocked = create_directories_durably(scratch.path() / "plain-file" / "sub");
  ASSERT_FALSE(blocked);
  EXPECT_NE(blocked.error().find("plain-file"), std::string::npos) << blocked.error();
}

// A file that is not there (a COPY that reported a name it did not write) fails the write,
// naming the file, rather than letting a commit name it.
TEST(DurableFiles, AMissingFileIsAnErrorNamingIt) {
  ScratchDir scratch;
  const fs::path root = scratch.path() / "table";
  write_file(root / "part-a.parquet", "PAR1");
  const auto synced =
      sync_new_files({root / "part-a.parquet", root / "x=1" / "part-missing.parquet"}, root);
  ASSERT_FALSE(synced);
  EXPECT_NE(synced.error().find("part-missing.parquet"), std::string::npos) << synced.error();
  const auto directory = sync_directory(root / "no-such-folder");
  ASSERT_FALSE(directory);
  EXPECT_NE(directory.error().find("no-such-folder"), std::string::npos) << directory.error();
}

}  // namespace
}  // namespace shoplake::lake
