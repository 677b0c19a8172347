// Making files and directory entries survive an OS crash or a power cut, not only kill -9: a
// commit may name a file only once the file's bytes, and the entries leading to it, are on disk.
// For the lake's writers: the log store's commits, the Parquet writer's data files and
// checkpoints.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"

namespace shoplake::lake {

// An open file descriptor, closed when it goes.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error a deferred close would swallow.
  int close();

 private:
  int fd_;
};

std::string errno_text(int error);

// Makes a new directory entry (link, rename, a new file or subdirectory) durable.
core::Status sync_directory(const std::filesystem::path& directory);

// Creates `directory` and the parents it lacks, and makes each new entry durable (the parent of
// every folder it created is fsynced): a new table survives a power cut with its first commit.
// Does nothing when the directory exists.
core::Status create_directories_durably(const std::filesystem::path& directory);

// Makes files that something else wrote (DuckDB's COPY) durable: each file's bytes, then the
// entries of the directories they are in and of every directory between those and `root`
// (a new partition folder is itself a new entry in its parent). Every path must be under `root`.
core::Status sync_new_files(const std::vector<std::filesystem::path>& files,
                            const std::filesystem::path& root);

}  // namespace shoplake::lake
