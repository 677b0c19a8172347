// The POSIX file calls the log needs, retried on EINTR and short transfers, with errors that name
// the file and the system's reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "shoplake/core/result.hpp"

namespace shoplake::log {

// Owns one file descriptor and closes it.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();

 private:
  int fd_ = -1;
};

// "<what> <path>: <strerror(error_number)>"
core::Error system_error(std::string_view what, const std::filesystem::path& path,
                         int error_number);

core::Result<FileDescriptor> open_file(const std::filesystem::path& path, int flags,
                                       unsigned mode = 0644);
core::Status write_all(int fd, std::span<const std::byte> data, std::uint64_t position,
                       const std::filesystem::path& path);
// Reads exactly data.size() bytes unless the file ends first; returns how many it read.
core::Result<std::size_t> read_at(int fd, std::span<std::byte> data, std::uint64_t position,
                                  const std::filesystem::path& path);
core::Status sync_data(int fd, const std::filesystem::path& path);
core::Status truncate_file(int fd, std::uint64_t size, const std::filesystem::path& path);
core::Result<std::uint64_t> file_size(int fd, const std::filesystem::path& path);

// Makes a directory's entries (files created, renamed or removed in it) durable.
core::Status sync_directory(const std::filesystem::path& directory);
core::Status ensure_directory(const std::filesystem::path& directory);

// Replaces `path` with `contents` so that a crash leaves either the old or the new file, never a
// mix: write a temporary sibling, fsync it, rename it over `path`, fsync the directory.
core::Status replace_file_atomically(const std::filesystem::path& path,
                                     std::span<const std::byte> contents);
core::Result<std::string> read_whole_file(const std::filesystem::path& path);

inline std::span<const std::byte> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

// Suffix of the temporary files replace_file_atomically leaves behind when a crash interrupts it.
inline constexpr std::string_view kTemporarySuffix = ".tmp";

}  // namespace shoplake::log
