#include "shoplake/lake/durable_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <set>
#include <system_error>

namespace shoplake::lake {

namespace fs = std::filesystem;

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

int FileDescriptor::close() {
  const int result = ::close(fd_);
  fd_ = -1;
  return result;
}

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

core::Status sync_directory(const fs::path& directory) {
  FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return core::Error{
        fmt::format("cannot sync directory {}: {}", directory.string(), errno_text(errno))};
  }
  return core::ok_status();
}

core::Status create_directories_durably(const fs::path& directory) {
  std::error_code error;
  if (fs::is_directory(directory, error)) return core::ok_status();
  fs::path existing = directory.lexically_normal();
  while (!existing.empty() && existing != existing.parent_path() && !fs::exists(existing, error)) {
    existing = existing.parent_path();
  }
  fs::create_directories(directory, error);
  if (error) {
    return core::Error{fmt::format("cannot create {}: {}", directory.string(), error.message())};
  }
  // From the innermost new folder up to the folder that already existed, each parent learns
  // its new entry.
  for (fs::path created = directory.lexically_normal(); created != existing && !created.empty();
       created = created.parent_path()) {
    const fs::path parent = created.has_parent_path() ? created.parent_path() : fs::path(".");
    if (auto synced = sync_directory(parent); !synced) return synced;
    if (created == created.parent_path()) break;
  }
  return core::ok_status();
}

core::Status sync_new_files(const std::vector<fs::path>& files, const fs::path& root) {
  const fs::path normal_root = root.lexically_normal();
  std::set<fs::path> directories;
  for (const auto& file : files) {
    FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
      return core::Error{fmt::format("cannot sync {}: {}", file.string(), errno_text(errno))};
    }
    for (fs::path directory = file.lexically_normal().parent_path();
         !directory.empty() && directories.insert(directory).second;
         directory = directory.parent_path()) {
      if (directory == normal_root || directory == directory.parent_path()) break;
    }
  }
  for (const auto& directory : directories) {
    if (auto synced = sync_directory(directory); !synced) return synced;
  }
  return core::ok_status();
}

}  // namespace shoplake::lake
