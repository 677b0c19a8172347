#include "shoplake/lake/snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <unordered_map>

#include "checkpoint_reader.hpp"
#include "json_text.hpp"
#include "shoplake/lake/log_store.hpp"

namespace shoplake::lake {
namespace {

namespace fs = std::filesystem;

// A checkpoint whose every file is present, as a starting point for replay.
struct CompleteCheckpoint {
  std::int64_t version = 0;
  std::vector<fs::path> files;  // one for a classic checkpoint, all parts in order otherwise
  std::int64_t modification_time_ms = 0;
};

// What one listing of `_delta_log` says: which commits exist, which checkpoints can be read, and
// so which versions can be rebuilt. Listed once per load; nothing below lists again.
struct Listing {
  std::map<std::int64_t, LogFile> commits;
  std::vector<CompleteCheckpoint> checkpoints;  // ascending version
  std::vector<std::int64_t> v2_checkpoints;     // ascending version
  std::int64_t latest = -1;
  std::int64_t earliest_readable = -1;  // -1: nothing can be rebuilt with a classic log
};

std::vector<CompleteCheckpoint> complete_checkpoints(const std::vector<LogFile>& files) {
  // version -> classic file; version -> parts count -> part number -> file
  std::map<std::int64_t, const LogFile*> classic;
  std::map<std::int64_t, std::map<int, std::map<int, const LogFile*>>> multipart;
  for (const auto& file : files) {
    if (file.kind == LogFileKind::checkpoint) classic[file.version] = &file;
    if (file.kind == LogFileKind::multipart_checkpoint) {
      multipart[file.version][file.parts][file.part] = &file;
    }
  }
  std::map<std::int64_t, CompleteCheckpoint> chosen;
  for (const auto& [version, by_count] : multipart) {
    for (const auto& [count, parts] : by_count) {
      if (static_cast<int>(parts.size()) != count) continue;  // a writer died mid-checkpoint
      CompleteCheckpoint checkpoint{version, {}, 0};
      for (const auto& [part, file] : parts) {
        checkpoint.files.push_back(file->path);
        checkpoint.modification_time_ms =
            std::max(checkpoint.modification_time_ms, file->modification_time_ms);
      }
      chosen[version] = std::move(checkpoint);
    }
  }
  // A classic file is a whole checkpoint by itself; prefer it to parts of the same version.
  for (const auto& [version, file] : classic) {
    chosen[version] = CompleteCheckpoint{version, {file->path}, file->modification_time_ms};
  }
  std::vector<CompleteCheckpoint> result;
  for (auto& [version, checkpoint] : chosen) result.push_back(std::move(checkpoint));
  return result;
}

core::Result<Listing> list_log(const LogStore& store) {
  std::error_code error;
  if (!fs::is_directory(store.log_directory(), error)) {
    return core::Error{fmt::format("{} is not a Delta table (no _delta_log directory)",
                                   store.table_root().string())};
  }
  auto files = store.list();
  if (!files) return core::Error{files.error()};
  Listing listing;
  for (const auto& file : files.value()) {
    if (file.kind == LogFileKind::commit) listing.commits.emplace(file.version, file);
    if (file.kind == LogFileKind::v2_checkpoint &&
        (listing.v2_checkpoints.empty() || listing.v2_checkpoints.back() != file.version)) {
      listing.v2_checkpoints.push_back(file.version);
    }
  }
  listing.checkpoints = complete_checkpoints(files.value());
  if (!listing.commits.empty()) listing.latest = listing.commits.rbegin()->first;
  if (!listing.checkpoints.empty()) {
    listing.latest = std::max(listing.latest, listing.checkpoints.back().version);
  }
  if (listing.commits.contains(0)) {
    listing.earliest_readable = 0;
  } else if (!listing.checkpoints.empty()) {
    listing.earliest_readable = listing.checkpoints.front().version;
  }
  if (listing.latest < 0) {
    return core::Error{fmt::format("{} is not a Delta table (_delta_log holds no commits)",
                                   store.table_root().string())};
  }
  return listing;
}

std::string readable_versions(const Listing& listing) {
  if (listing.earliest_readable < 0) {
    return "no version can be read (no commit 0 and no complete checkpoint)";
  }
  if (listing.earliest_readable == listing.latest) {
    return fmt::format("only version {} can be read", listing.latest);
  }
  return fmt::format("versions {} to {} can be read", listing.earliest_readable, listing.latest);
}

std::string iso_time(std::int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000 - (epoch_ms % 1000 < 0 ? 1 : 0));
  std::tm parts{};
  if (gmtime_r(&seconds, &parts) == nullptr) return fmt::format("{} ms", epoch_ms);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  return fmt::format("{}.{:03}Z", text, ((epoch_ms % 1000) + 1000) % 1000);
}

core::Result<std::vector<Action>> read_commit_file(const LogStore& store, std::int64_t version) {
  auto bytes = store.read_commit(version);
  if (!bytes) return core::Error{bytes.error()};
  return parse_commit(bytes.value(),
                      (store.log_directory() / LogStore::commit_file_name(version)).string());
}

// The commit's time: commitInfo.timestamp when the writer recorded one, else the file's mtime.
std::int64_t commit_timestamp(const std::vector<Action>& actions, std::int64_t file_mtime_ms) {
  for (const auto& action : actions) {
    if (const auto* info = std::get_if<CommitInfo>(&action); info && info->timestamp) {
      return *info->timestamp;
    }
  }
  return file_mtime_ms;
}

// The table state while replaying (PROTOCOL.md, "Action Reconciliation"), keyed by path so each
// action costs O(1) whatever the table size.
class Replay {
 public:
  Replay() = default;
  explicit Replay(const Snapshot& base)
      : protocol_(base.protocol), metadata_(base.metadata), app_versions_(base.app_versions) {
    files_.reserve(base.files.size());
    for (const auto& file : base.files) files_.emplace(file.path, file);
    for (const auto& tombstone : base.tombstones) tombstones_.emplace(tombstone.path, tombstone);
  }

  void apply(Action&& action) {
    if (auto* protocol = std::get_if<Protocol>(&action)) {
      protocol_ = std::move(*protocol);
    } else if (auto* metadata = std::get_if<Metadata>(&action)) {
      metadata_ = std::move(*metadata);
    } else if (auto* add = std::get_if<AddFile>(&action)) {
      tombstones_.erase(add->path);
      std::string path = add->path;
      files_.insert_or_assign(std::move(path), std::move(*add));
    } else if (auto* remove = std::get_if<RemoveFile>(&action)) {
      files_.erase(remove->path);
      std::string path = remove->path;
      tombstones_.insert_or_assign(std::move(path), std::move(*remove));
    } else if (auto* txn = std::get_if<Txn>(&action)) {
      app_versions_[txn->app_id] = txn->version;
    }
  }

  const std::optional<Protocol>& protocol() const { return protocol_; }

  // The snapshot at `version`, or why this reader cannot give it.
  core::Result<Snapshot> finish(const fs::path& root, std::int64_t version) && {
    std::string where = fmt::format("{} version {}", root.string(), version);
    if (!protocol_) return core::Error{where + ": the log has no protocol action"};
    if (auto supported = check_reader_support(*protocol_); !supported) {
      return core::Error{fmt::format("{}: {}", where, supported.error())};
    }
    if (!metadata_) return core::Error{where + ": the log has no metaData action"};
    Snapshot snapshot;
    snapshot.table_root = root;
    snapshot.version = version;
    snapshot.protocol = std::move(*protocol_);
    snapshot.metadata = std::move(*metadata_);
    snapshot.files.reserve(files_.size());
    for (auto& [path, file] : files_) {
      if (file.has_deletion_vector) {
        return core::Error{fmt::format(
            "{}: file {} has a deletion vector (reader version 3, feature deletionVectors); "
            "shoplake reads version 1 tables (docs/LAKE.md)",
            where, path)};
      }
      snapshot.files.push_back(std::move(file));
    }
    auto schema = parse_schema(snapshot.metadata.schema_string);
    if (!schema) {
      return core::Error{
          fmt::format("{}: metaData.schemaString cannot be read: {}", where, schema.error())};
    }
    snapshot.schema = std::move(schema).value();
    snapshot.tombstones.reserve(tombstones_.size());
    for (auto& [path, tombstone] : tombstones_) snapshot.tombstones.push_back(std::move(tombstone));
    auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
    std::sort(snapshot.files.begin(), snapshot.files.end(), by_path);
    std::sort(snapshot.tombstones.begin(), snapshot.tombstones.end(), by_path);
    snapshot.app_versions = std::move(app_versions_);
    return snapshot;
  }

 private:
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  std::unordered_map<std::string, AddFile> files_;
  std::unordered_map<std::string, RemoveFile> tombstones_;
  std::map<std::string, std::int64_t> app_versions_;
};

// A failure while replaying a table whose protocol this reader already knows it cannot read is
// reported as that protocol problem: the malformed-looking part is most likely a newer feature.
core::Error replay_error(const Replay& replay, const fs::path& root, std::int64_t version,
                         std::string message) {
  if (replay.protocol()) {
    if (auto supported = check_reader_support(*replay.protocol()); !supported) {
      return core::Error{
          fmt::format("{} version {}: {}", root.string(), version, supported.error())};
    }
  }
  return core::Error{std::move(message)};
}

struct ReplayedCommits {
  int count = 0;
  std::optional<std::int64_t> last_timestamp_ms;  // of the last commit replayed
};

// Applies commits first..last, each of which must exist.
core::Result<ReplayedCommits> replay_commits(const LogStore& store, const Listing& listing,
                                             Replay& replay, std::int64_t first,
                                             std::int64_t last) {
  ReplayedCommits replayed;
  for (std::int64_t version = first; version <= last; ++version) {
    auto file = listing.commits.find(version);
    if (file == listing.commits.end()) {
      return core::Error{
          fmt::format("{}: the log is missing commit {} ({}); {}", store.table_root().string(),
                      version, LogStore::commit_file_name(version), readable_versions(listing))};
    }
    auto actions = read_commit_file(store, version);
    if (!actions) return replay_error(replay, store.table_root(), version, actions.error());
    replayed.last_timestamp_ms =
        commit_timestamp(actions.value(), file->second.modification_time_ms);
    for (auto& action : actions.value()) replay.apply(std::move(action));
    ++replayed.count;
  }
  return replayed;
}

// The time of `version` when no commit after a checkpoint was replayed: its commit file if it is
// still there, else the checkpoint's own mtime.
std::int64_t checkpoint_version_timestamp(const LogStore& store, const Listing& listing,
                                          const CompleteCheckpoint& checkpoint) {
  auto commit = listing.commits.find(checkpoint.version);
  if (commit != listing.commits.end()) {
    if (auto actions = read_commit_file(store, checkpoint.version)) {
      return commit_timestamp(actions.value(), commit->second.modification_time_ms);
    }
    return commit->second.modification_time_ms;
  }
  return checkpoint.modification_time_ms;
}

core::Result<Snapshot> snapshot_at(const LogStore& store, const Listing& listing,
                                   std::int64_t version) {
  const fs::path& root = store.table_root();
  if (version < 0 || version > listing.latest) {
    return core::Error{fmt::format("{}: version {} does not exist; {}", root.string(), version,
                                   readable_versions(listing))};
  }
  // The newest complete checkpoint at or before the version; `_last_checkpoint` is not consulted
  // since the listing is authoritative and the hint may be stale or ahead of `version`.
  const CompleteCheckpoint* checkpoint = nullptr;
  for (const auto& candidate : listing.checkpoints) {
    if (candidate.version > version) break;
    checkpoint = &candidate;
  }
  if (checkpoint == nullptr && !listing.commits.contains(0)) {
    bool v2_only = std::any_of(listing.v2_checkpoints.begin(), listing.v2_checkpoints.end(),
                               [&](std::int64_t v2) { return v2 <= version; });
    if (v2_only) {
      return core::Error{fmt::format(
          "{}: version {} can only be rebuilt from a v2 checkpoint: table needs reader version 3 "
          "with features [v2Checkpoint]; shoplake reads version 1 tables (docs/LAKE.md)",
          root.string(), version)};
    }
    std::string why = listing.checkpoints.empty()
                          ? "commit 0 is missing and there is no checkpoint to start from"
                          : fmt::format(
                                "it is older than the first checkpoint (version {}) and "
                                "commit 0 was cleaned up",
                                listing.checkpoints.front().version);
    return core::Error{fmt::format("{}: version {} cannot be read: {}; {}", root.string(), version,
                                   why, readable_versions(listing))};
  }
  Replay replay;
  std::int64_t first_commit = 0;
  if (checkpoint != nullptr) {
    auto read = detail::read_checkpoint(checkpoint->files,
                                        [&](Action&& action) { replay.apply(std::move(action)); });
    if (!read) return replay_error(replay, root, version, read.error());
    first_commit = checkpoint->version + 1;
  }
  auto replayed = replay_commits(store, listing, replay, first_commit, version);
  if (!replayed) return core::Error{replayed.error()};
  auto snapshot = std::move(replay).finish(root, version);
  if (!snapshot) return snapshot;
  Snapshot& result = snapshot.value();
  if (checkpoint != nullptr) result.checkpoint_version = checkpoint->version;
  result.commits_replayed = replayed.value().count;
  result.timestamp_ms = replayed.value().last_timestamp_ms
                            ? *replayed.value().last_timestamp_ms
                            : checkpoint_version_timestamp(store, listing, *checkpoint);
  return snapshot;
}

// The latest version committed at or before `timestamp_ms`. Walks from the newest commit, so
// recent timestamps (the usual case) read few files, and non-monotonic clocks still give the
// latest matching version.
core::Result<std::int64_t> version_at(const LogStore& store, const Listing& listing,
                                      std::int64_t timestamp_ms) {
  std::optional<std::pair<std::int64_t, std::int64_t>> earliest;  // version, timestamp
  for (auto it = listing.commits.rbegin(); it != listing.commits.rend(); ++it) {
    auto actions = read_commit_file(store, it->first);
    if (!actions) return core::Error{actions.error()};
    std::int64_t committed = commit_timestamp(actions.value(), it->second.modification_time_ms);
    if (committed <= timestamp_ms) {
      if (it->first < listing.earliest_readable) break;
      return it->first;
    }
    earliest = {it->first, committed};
  }
  if (!earliest) {
    return core::Error{fmt::format("{}: timestamp {} is before the earliest readable commit; {}",
                                   store.table_root().string(), iso_time(timestamp_ms),
                                   readable_versions(listing))};
  }
  return core::Error{
      fmt::format("{}: timestamp {} is before the first readable commit (version {} at {})",
                  store.table_root().string(), iso_time(timestamp_ms), earliest->first,
                  iso_time(earliest->second))};
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += ", ";
    text += item;
  }
  return text;
}

std::string needs(const char* role, int version, const std::vector<std::string>& features) {
  if (features.empty()) return fmt::format("table needs {} version {}", role, version);
  return fmt::format("table needs {} version {} with features [{}]", role, version, join(features));
}

}  // namespace

std::int64_t Snapshot::num_records() const {
  std::int64_t total = 0;
  for (const auto& file : files) {
    if (!file.stats) return -1;
    detail::Json stats;
    if (detail::parse_json(*file.stats, stats) || !stats.is_object()) return -1;
    auto records = stats.find("numRecords");
    if (records == stats.end() || !records->is_number_integer()) return -1;
    total += records->get<std::int64_t>();
  }
  return total;
}

std::int64_t Snapshot::size_bytes() const {
  std::int64_t total = 0;
  for (const auto& file : files) total += file.size;
  return total;
}

core::Status check_reader_support(const Protocol& protocol) {
  if (protocol.min_reader_version > kSupportedReaderVersion) {
    std::string reason = needs("reader", protocol.min_reader_version, protocol.reader_features);
    if (protocol.min_reader_version == 2) reason += " (column mapping)";
    return core::Error{fmt::format("{}; shoplake reads version {} tables (docs/LAKE.md)", reason,
                                   kSupportedReaderVersion)};
  }
  if (!protocol.reader_features.empty()) {
    return core::Error{fmt::format(
        "table lists reader features [{}] with reader version {}; shoplake reads version {} "
        "tables without features (docs/LAKE.md)",
        join(protocol.reader_features), protocol.min_reader_version, kSupportedReaderVersion)};
  }
  return core::ok_status();
}

core::Status check_writer_support(const Protocol& protocol) {
  if (protocol.min_writer_version > kSupportedWriterVersion || !protocol.writer_features.empty()) {
    return core::Error{
        fmt::format("{}; shoplake writes version {} tables (docs/LAKE.md)",
                    needs("writer", protocol.min_writer_version, protocol.writer_features),
                    kSupportedWriterVersion)};
  }
  return core::ok_status();
}

core::Result<Snapshot> load_snapshot(const std::filesystem::path& table_root,
                                     const SnapshotRequest& request) {
  if (request.version && request.timestamp_ms) {
    return core::Error{"ask for a version or a timestamp, not both"};
  }
  LogStore store(table_root);
  auto listing = list_log(store);
  if (!listing) return core::Error{listing.error()};
  std::int64_t version = request.version.value_or(listing.value().latest);
  if (request.timestamp_ms) {
    auto found = version_at(store, listing.value(), *request.timestamp_ms);
    if (!found) return core::Error{found.error()};
    version = found.value();
  }
  return snapshot_at(store, listing.value(), version);
}

core::Result<Snapshot> update_snapshot(const Snapshot& base) {
  if (base.version < 0) return load_snapshot(base.table_root);  // nothing loaded to build on
  LogStore store(base.table_root);
  auto listing = list_log(store);
  if (!listing) return core::Error{listing.error()};
  const Listing& log = listing.value();
  if (log.latest <= base.version) return base;
  // Commits cleaned up since `base` was loaded leave only the checkpoints to start from.
  for (std::int64_t version = base.version + 1; version <= log.latest; ++version) {
    if (!log.commits.contains(version)) return snapshot_at(store, log, log.latest);
  }
  Replay replay(base);
  auto replayed = replay_commits(store, log, replay, base.version + 1, log.latest);
  if (!replayed) return core::Error{replayed.error()};
  auto snapshot = std::move(replay).finish(base.table_root, log.latest);
  if (!snapshot) return snapshot;
  snapshot.value().checkpoint_version = base.checkpoint_version;
  snapshot.value().commits_replayed = base.commits_replayed + replayed.value().count;
  snapshot.value().timestamp_ms = replayed.value().last_timestamp_ms.value_or(base.timestamp_ms);
  return snapshot;
}

core::Result<std::vector<HistoryEntry>> read_history(const std::filesystem::path& table_root,
                                                     std::size_t limit) {
  LogStore store(table_root);
  auto listing = list_log(store);
  if (!listing) return core::Error{listing.error()};
  std::vector<HistoryEntry> history;
  const auto& commits = listing.value().commits;
  for (auto it = commits.rbegin(); it != commits.rend(); ++it) {
    if (limit != 0 && history.size() >= limit) break;
    auto actions = read_commit_file(store, it->first);
    if (!actions) return core::Error{actions.error()};
    HistoryEntry entry;
    entry.version = it->first;
    entry.timestamp_ms = commit_timestamp(actions.value(), it->second.modification_time_ms);
    entry.commit_info_json = "{}";
    for (const auto& action : actions.value()) {
      if (std::holds_alternative<AddFile>(action)) ++entry.files_added;
      if (std::holds_alternative<RemoveFile>(action)) ++entry.files_removed;
      if (const auto* info = std::get_if<CommitInfo>(&action)) {
        entry.operation = info->operation;
        entry.commit_info_json = info->json;
      }
    }
    history.push_back(std::move(entry));
  }
  return history;
}

core::Result<std::vector<Action>> read_commit_actions(const std::filesystem::path& table_root,
                                                      std::int64_t version) {
  return read_commit_file(LogStore(table_root), version);
}

}  // namespace shoplake::lake
