#include "file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

namespace shoplake::log {

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

int FileDescriptor::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

core::Error system_error(std::string_view what, const std::filesystem::path& path,
                         int error_number) {
  return core::Error{
      fmt::format("{} {}: {}", what, path.string(), std::generic_category().message(error_number))};
}

core::Result<FileDescriptor> open_file(const std::filesystem::path& path, int flags,
                                       unsigned mode) {
  for (;;) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd >= 0) return FileDescriptor(fd);
    if (errno != EINTR) return system_error("cannot open", path, errno);
  }
}

core::Status write_all(int fd, std::span<const std::byte> data, std::uint64_t position,
                       const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t written = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(position));
    if (written < 0) {
      if (errno == EINTR) continue;
      return system_error("cannot write", path, errno);
    }
    data = data.subspan(static_cast<std::size_t>(written));
    position += static_cast<std::uint64_t>(written);
  }
  return core::ok_status();
}

core::Result<std::size_t> read_at(int fd, std::span<std::byte> data, std::uint64_t position,
                                  const std::filesystem::path& path) {
  std::size_t total = 0;
  while (total < data.size()) {
    const ssize_t got =
        ::pread(fd, data.data() + total, data.size() - total, static_cast<off_t>(position + total));
    if (got < 0) {
      if (errno == EINTR) continue;
      return system_error("cannot read", path, errno);
    }
    if (got == 0) break;
    total += static_cast<std::size_t>(got);
  }
  return total;
}

core::Status sync_data(int fd, const std::filesystem::path& path) {
  while (::fdatasync(fd) != 0) {
    if (errno != EINTR) return system_error("cannot fsync", path, errno);
  }
  return core::ok_status();
}

core::Status truncate_file(int fd, std::uint64_t size, const std::filesystem::path& path) {
  while (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    if (errno != EINTR) return system_error("cannot truncate", path, errno);
  }
  return core::ok_status();
}

core::Result<std::uint64_t> file_size(int fd, const std::filesystem::path& path) {
  struct stat status {};
  if (::fstat(fd, &status) != 0) return system_error("cannot stat", path, errno);
  return static_cast<std::uint64_t>(status.st_size);
}

core::Status sync_directory(const std::filesystem::path& directory) {
  auto opened = open_file(directory, O_RDONLY | O_DIRECTORY);
  if (!opened) return core::Error{opened.error()};
  while (::fsync(opened.value().get()) != 0) {
    if (errno != EINTR) return system_error("cannot fsync directory", directory, errno);
  }
  return core::ok_status();
}

core::Status ensure_directory(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return system_error("cannot create directory", directory, error.value());
  return core::ok_status();
}

core::Status replace_file_atomically(const std::filesystem::path& path,
                                     std::span<const std::byte> contents) {
  std::filesystem::path temporary = path;
  temporary += kTemporarySuffix;
  {
    auto opened = open_file(temporary, O_WRONLY | O_CREAT | O_TRUNC);
    if (!opened) return core::Error{opened.error()};
    if (auto written = write_all(opened.value().get(), contents, 0, temporary); !written) {
      return written;
    }
    if (auto synced = sync_data(opened.value().get(), temporary); !synced) return synced;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return system_error("cannot rename " + temporary.string() + " to", path, errno);
  }
  return sync_directory(path.parent_path());
}

core::Result<std::string> read_whole_file(const std::filesystem::path& path) {
  auto opened = open_file(path, O_RDONLY);
  if (!opened) return core::Error{opened.error()};
  auto size = file_size(opened.value().get(), path);
  if (!size) return core::Error{size.error()};
  std::string contents(size.value(), '\0');
  auto got = read_at(opened.value().get(),
                     {reinterpret_cast<std::byte*>(contents.data()), contents.size()}, 0, path);
  if (!got) return core::Error{got.error()};
  contents.resize(got.value());
  return contents;
}

}  // namespace shoplake::log
