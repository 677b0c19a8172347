// A table's state at one version: protocol, metadata, the live files, tombstones and application
// transaction versions, rebuilt from the newest complete checkpoint at or before that version plus
// the JSON commits after it (PROTOCOL.md, "Action Reconciliation"). Also the commit history and
// time travel by version or timestamp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shoplake/core/result.hpp"
#include "shoplake/lake/actions.hpp"
#include "shoplake/lake/delta_schema.hpp"

namespace shoplake::lake {

struct Snapshot {
  std::filesystem::path table_root;
  std::int64_t version = -1;
  Protocol protocol;
  Metadata metadata;
  DeltaSchema schema;                                // parsed metadata.schema_string
  std::vector<AddFile> files;                        // live files, sorted by path
  std::vector<RemoveFile> tombstones;                // removes not yet superseded, sorted by path
  std::map<std::string, std::int64_t> app_versions;  // txn: appId -> version
  std::int64_t timestamp_ms = 0;  // of the commit that made this version (commitInfo or mtime)
  std::optional<std::int64_t> checkpoint_version;  // the checkpoint the replay started from
  int commits_replayed = 0;                        // JSON commits read after it

  std::int64_t num_records() const;  // sum of stats.numRecords; -1 if any file lacks stats
  std::int64_t size_bytes() const;
};

struct SnapshotRequest {
  std::optional<std::int64_t> version;       // at most one of the two
  std::optional<std::int64_t> timestamp_ms;  // the latest version committed at or before it
};

// What this implementation reads and writes (docs/LAKE.md): reader version 1, writer version 2.
inline constexpr int kSupportedReaderVersion = 1;
inline constexpr int kSupportedWriterVersion = 2;

// An error naming what a table needs that this reader lacks ("needs reader version 3 with
// features [deletionVectors]; shoplake reads version 1").
core::Status check_reader_support(const Protocol& protocol);
core::Status check_writer_support(const Protocol& protocol);

// Loads the snapshot. Errors: no `_delta_log` ("<root> is not a Delta table"), a version that
// does not exist or was cleaned up (naming the versions that can be read), a timestamp before the
// first commit, a protocol this reader does not support, a malformed file (named, with line).
core::Result<Snapshot> load_snapshot(const std::filesystem::path& table_root,
                                     const SnapshotRequest& request = {});

// Replays from `base` (already loaded) up to the latest version, reading only the commits after
// base.version; returns base itself when nothing is new. Writers call it to catch up after losing
// a race.
core::Result<Snapshot> update_snapshot(const Snapshot& base);

struct HistoryEntry {
  std::int64_t version = 0;
  std::int64_t timestamp_ms = 0;
  std::string operation;         // commitInfo.operation, or "" if absent
  std::string commit_info_json;  // "{}" if absent
  int files_added = 0;
  int files_removed = 0;
};

// Newest first; at most `limit` entries (0: all).
core::Result<std::vector<HistoryEntry>> read_history(const std::filesystem::path& table_root,
                                                     std::size_t limit = 0);

// The actions of one version's commit file, parsed.
core::Result<std::vector<Action>> read_commit_actions(const std::filesystem::path& table_root,
                                                      std::int64_t version);

}  // namespace shoplake::lake
