#include "data_directory.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "commands.hpp"

namespace shoplake::cli {

DataDirectoryLock::DataDirectoryLock(const std::filesystem::path& data_dir) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    throw CommandError{
        1, fmt::format("cannot create data directory {}: {}", data_dir.string(), error.message())};
  }
  const auto lock_path = data_dir / "LOCK";
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw CommandError{1, fmt::format("cannot open {}: {}", lock_path.string(), strerror(errno))};
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw CommandError{1, fmt::format("data directory {} is in use by another shoplake process",
                                      data_dir.string())};
  }
}

DataDirectoryLock::~DataDirectoryLock() {
  ::close(fd_);
}

}  // namespace shoplake::cli
