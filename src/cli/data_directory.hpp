// The data directory is owned by one shoplake process at a time (`up`, or an offline command such
// as `log dump`): a second one would interleave writes to the same files.
#pragma once

#include <filesystem>

namespace shoplake::cli {

// Creates the directory if needed and takes its lock, which the kernel drops when the process
// ends, even on kill -9. Throws CommandError naming the directory when it cannot.
class DataDirectoryLock {
 public:
  explicit DataDirectoryLock(const std::filesystem::path& data_dir);
  ~DataDirectoryLock();
  DataDirectoryLock(const DataDirectoryLock&) = delete;
  DataDirectoryLock& operator=(const DataDirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace shoplake::cli
