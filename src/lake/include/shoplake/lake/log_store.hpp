// The `_delta_log` directory of one table on a local filesystem: listing its files, reading
// them, and creating a commit file atomically with put-if-absent semantics (the one primitive the
// protocol needs for concurrent writers: whoever creates `<version>.json` first owns that version).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"

namespace shoplake::lake {

enum class LogFileKind {
  commit,                // 00000000000000000007.json
  checkpoint,            // 00000000000000000010.checkpoint.parquet
  multipart_checkpoint,  // 00000000000000000010.checkpoint.0000000001.0000000003.parquet
  v2_checkpoint,         // 00000000000000000010.checkpoint.<uuid>.json|parquet (reader 3)
  checksum,              // 00000000000000000007.crc
};

struct LogFile {
  LogFileKind kind = LogFileKind::commit;
  std::int64_t version = 0;
  int part = 0;   // multipart checkpoints: 1-based part number
  int parts = 0;  // multipart checkpoints: number of parts
  std::filesystem::path path;
  std::int64_t modification_time_ms = 0;
};

// The content of `_last_checkpoint` (a hint: a reader still lists, since it may be stale).
struct LastCheckpoint {
  std::int64_t version = 0;
  std::int64_t size = 0;  // actions in the checkpoint
  std::optional<int> parts;
};

enum class PutOutcome { written, already_exists };

class LogStore {
 public:
  explicit LogStore(std::filesystem::path table_root);
  const std::filesystem::path& table_root() const { return table_root_; }
  std::filesystem::path log_directory() const;  // <root>/_delta_log

  // Every recognized file of the log, sorted by version, then kind. Other files are ignored.
  core::Result<std::vector<LogFile>> list() const;
  // The bytes of one commit file; an error naming the file if it is missing or unreadable.
  core::Result<std::string> read_commit(std::int64_t version) const;
  // Creates `<version>.json` with `bytes` unless it exists: writes a temporary file in the log
  // directory, fsyncs it, then link()s it to the final name, which fails if the name is taken,
  // and fsyncs the directory. Never replaces a commit.
  core::Result<PutOutcome> put_commit_if_absent(std::int64_t version,
                                                const std::string& bytes) const;
  // Any file of the log directory, replaced atomically (rename), for checkpoints and
  // `_last_checkpoint`, which readers never trust blindly.
  core::Status write_file_atomically(const std::string& name, const std::string& bytes) const;

  core::Result<std::optional<LastCheckpoint>> read_last_checkpoint() const;
  core::Status write_last_checkpoint(const LastCheckpoint& checkpoint) const;

  static std::string commit_file_name(std::int64_t version);  // 20 digits + ".json"
  static std::string checkpoint_file_name(
      std::int64_t version);  // 20 digits + ".checkpoint.parquet"

 private:
  std::filesystem::path table_root_;
};

}  // namespace shoplake::lake
