// The actions of the Delta Lake transaction log (PROTOCOL.md, "Actions"), as the log files hold
// them: one JSON object per line in `<version>.json`, one row per action in a checkpoint. Parsing
// and serializing are exact inverses for every field this reader knows; unknown fields and actions
// (cdc, domainMetadata, …) are skipped when reading and never written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "shoplake/core/result.hpp"

namespace shoplake::lake {

// partitionValues: column name -> value as a string; nullopt is JSON null (a NULL partition).
// Kept in the order of the log (for a table written here: the order of partitionColumns).
using PartitionValues = std::vector<std::pair<std::string, std::optional<std::string>>>;

struct Protocol {
  int min_reader_version = 1;
  int min_writer_version = 2;
  std::vector<std::string> reader_features;  // only with reader version 3
  std::vector<std::string> writer_features;  // only with writer version 7
  bool operator==(const Protocol&) const = default;
};

struct Metadata {
  std::string id;  // a UUID
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string format_provider = "parquet";
  std::map<std::string, std::string> format_options;
  std::string schema_string;  // the table schema as Delta's JSON StructType
  std::vector<std::string> partition_columns;
  std::optional<std::int64_t> created_time;  // epoch ms
  std::map<std::string, std::string> configuration;
  bool operator==(const Metadata&) const = default;
};

struct AddFile {
  std::string path;  // relative to the table root and URL-encoded, or an absolute URI
  PartitionValues partition_values;
  std::int64_t size = 0;
  std::int64_t modification_time = 0;  // epoch ms
  bool data_change = true;
  std::optional<std::string> stats;  // JSON text: numRecords, minValues, maxValues, nullCount
  std::map<std::string, std::string> tags;
  // A deletion vector (reader 3): present only so a reader can refuse the table.
  bool has_deletion_vector = false;
  bool operator==(const AddFile&) const = default;
};

struct RemoveFile {
  std::string path;
  std::optional<std::int64_t> deletion_timestamp;  // epoch ms
  bool data_change = true;
  bool extended_file_metadata = false;
  PartitionValues partition_values;  // written only with extended_file_metadata
  std::optional<std::int64_t> size;
  bool operator==(const RemoveFile&) const = default;
};

// An application's transaction id: "appId has committed everything up to `version`". The bronze
// writer stores its event-log offset here, which makes replay after a crash exactly-once.
struct Txn {
  std::string app_id;
  std::int64_t version = 0;
  std::optional<std::int64_t> last_updated;  // epoch ms
  bool operator==(const Txn&) const = default;
};

// Free-form provenance; `timestamp` (epoch ms) and `operation` are what history and time travel
// by timestamp read. `json` is the whole object as written, for `lake history`.
struct CommitInfo {
  std::optional<std::int64_t> timestamp;
  std::string operation;
  std::string json;  // the action's object, e.g. {"timestamp":…,"operation":"WRITE",…}
  bool operator==(const CommitInfo&) const = default;
};

using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, Txn, CommitInfo>;

// Parses the actions of one commit file (newline-delimited JSON; blank lines are skipped).
// Errors name `source` (e.g. "_delta_log/00000000000000000003.json"), the line and the field:
// "…003.json line 2: add.size: expected a number".
core::Result<std::vector<Action>> parse_commit(std::string_view text, std::string_view source);

// Parses one action object, e.g. `{"add":{…}}`. A row of a checkpoint, with null for the other
// action columns (`{"txn":null,"add":{…},"remove":null,…}`), is accepted too. Unknown actions
// give an empty vector.
core::Result<std::vector<Action>> parse_action_object(std::string_view json,
                                                      std::string_view source);

// One line of a commit file, without the newline.
std::string serialize_action(const Action& action);

// A commit file's bytes: each action on its own line, newline-terminated.
std::string serialize_commit(const std::vector<Action>& actions);

// Paths in the log are URIs: percent-encoded relative paths. `encode_path` escapes everything but
// unreserved characters and '/', as Spark does ("x=A%2FA" for a folder named "x=A/A" becomes
// "x=A%252FA"); `decode_path` undoes one level and fails on a malformed escape.
std::string encode_path(std::string_view relative_path);
core::Result<std::string> decode_path(std::string_view logged_path);

}  // namespace shoplake::lake
