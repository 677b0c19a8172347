#include "checkpoint_writer.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <system_error>
#include <type_traits>
#include <variant>

#include "duck_values.hpp"
#include "lake_paths.hpp"
#include "shoplake/lake/durable_files.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::lake::parquet_detail {
namespace {

namespace duck = sql::duck;
namespace fs = std::filesystem;

// The checkpoint schema (PROTOCOL.md, "Checkpoint Schema") as a json_transform structure: each
// row's JSON becomes typed STRUCT / MAP / LIST columns, which DuckDB writes as Parquet groups,
// MAP (key_value) and LIST, the layout Spark and delta-rs read.
constexpr const char* kRowStructure = R"json({
  "txn": {"appId": "VARCHAR", "version": "BIGINT", "lastUpdated": "BIGINT"},
  "add": {"path": "VARCHAR", "partitionValues": "MAP(VARCHAR, VARCHAR)", "size": "BIGINT",
          "modificationTime": "BIGINT", "dataChange": "BOOLEAN", "stats": "VARCHAR",
          "tags": "MAP(VARCHAR, VARCHAR)"},
  "remove": {"path": "VARCHAR", "deletionTimestamp": "BIGINT", "dataChange": "BOOLEAN",
             "extendedFileMetadata": "BOOLEAN", "partitionValues": "MAP(VARCHAR, VARCHAR)",
             "size": "BIGINT"},
  "metaData": {"id": "VARCHAR", "name": "VARCHAR", "description": "VARCHAR",
               "format": {"provider": "VARCHAR", "options": "MAP(VARCHAR, VARCHAR)"},
               "schemaString": "VARCHAR", "partitionColumns": ["VARCHAR"],
               "configuration": "MAP(VARCHAR, VARCHAR)", "createdTime": "BIGINT"},
  "protocol": {"minReaderVersion": "INTEGER", "minWriterVersion": "INTEGER",
               "readerFeatures": ["VARCHAR"], "writerFeatures": ["VARCHAR"]}
})json";

constexpr const char* kRowsTable = "shoplake_checkpoint_rows";

// A minimal JSON writer: the rows are flat and their text is known to be valid UTF-8 (it came
// from parsed JSON), so escaping is all that is needed, and it is fast for 100k-file tables.
class JsonOut {
 public:
  void string(std::string_view text) {
    out_ += '"';
    for (char c : text) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            out_ += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }
  void key(std::string_view name) {
    comma();
    string(name);
    out_ += ':';
    need_comma_ = false;
  }
  void open_object() {
    comma();
    out_ += '{';
    need_comma_ = false;
  }
  void close_object() {
    out_ += '}';
    need_comma_ = true;
  }
  void open_array() {
    comma();
    out_ += '[';
    need_comma_ = false;
  }
  void close_array() {
    out_ += ']';
    need_comma_ = true;
  }
  void value_string(std::string_view text) {
    comma();
    string(text);
    need_comma_ = true;
  }
  void value_raw(std::string_view text) {
    comma();
    out_ += text;
    need_comma_ = true;
  }
  void value_number(std::int64_t number) { value_raw(std::to_string(number)); }
  void value_bool(bool value) { value_raw(value ? "true" : "false"); }
  void value_null() { value_raw("null"); }

  template <typename T>
  void field_optional(std::string_view name, const std::optional<T>& value) {
    key(name);
    if (!value) {
      value_null();
    } else if constexpr (std::is_same_v<T, std::string>) {
      value_string(*value);
    } else {
      value_number(*value);
    }
  }

  std::string take() { return std::move(out_); }

 private:
  void comma() {
    if (need_comma_) out_ += ',';
  }

  std::string out_;
  bool need_comma_ = false;
};

void write_partition_values(JsonOut& json, const PartitionValues& values) {
  json.open_object();
  for (const auto& [name, value] : values) json.field_optional(name, value);
  json.close_object();
}

template <typename Map>
void write_string_map(JsonOut& json, const Map& map) {
  json.open_object();
  for (const auto& [name, value] : map) {
    json.key(name);
    json.value_string(value);
  }
  json.close_object();
}

void write_string_list(JsonOut& json, const std::vector<std::string>& items) {
  json.open_array();
  for (const auto& item : items) json.value_string(item);
  json.close_array();
}

void write_action(JsonOut& json, const Protocol& protocol) {
  json.key("protocol");
  json.open_object();
  json.key("minReaderVersion");
  json.value_number(protocol.min_reader_version);
  json.key("minWriterVersion");
  json.value_number(protocol.min_writer_version);
  // Present (non-null) exactly when the protocol version has table features.
  if (protocol.min_reader_version >= 3) {
    json.key("readerFeatures");
    write_string_list(json, protocol.reader_features);
  }
  if (protocol.min_writer_version >= 7) {
    json.key("writerFeatures");
    write_string_list(json, protocol.writer_features);
  }
  json.close_object();
}

void write_action(JsonOut& json, const Metadata& metadata) {
  json.key("metaData");
  json.open_object();
  json.key("id");
  json.value_string(metadata.id);
  json.field_optional("name", metadata.name);
  json.field_optional("description", metadata.description);
  json.key("format");
  json.open_object();
  json.key("provider");
  json.value_string(metadata.format_provider);
  json.key("options");
  write_string_map(json, metadata.format_options);
  json.close_object();
  json.key("schemaString");
  json.value_string(metadata.schema_string);
  json.key("partitionColumns");
  write_string_list(json, metadata.partition_columns);
  json.key("configuration");
  write_string_map(json, metadata.configuration);
  json.field_optional("createdTime", metadata.created_time);
  json.close_object();
}

void write_action(JsonOut& json, const AddFile& add) {
  json.key("add");
  json.open_object();
  json.key("path");
  json.value_string(add.path);
  json.key("partitionValues");
  write_partition_values(json, add.partition_values);
  json.key("size");
  json.value_number(add.size);
  json.key("modificationTime");
  json.value_number(add.modification_time);
  json.key("dataChange");
  json.value_bool(false);
  json.field_optional("stats", add.stats);
  if (!add.tags.empty()) {
    json.key("tags");
    write_string_map(json, add.tags);
  }
  json.close_object();
}

void write_action(JsonOut& json, const RemoveFile& remove) {
  json.key("remove");
  json.open_object();
  json.key("path");
  json.value_string(remove.path);
  json.field_optional("deletionTimestamp", remove.deletion_timestamp);
  json.key("dataChange");
  json.value_bool(false);
  json.key("extendedFileMetadata");
  json.value_bool(remove.extended_file_metadata);
  if (remove.extended_file_metadata) {
    json.key("partitionValues");
    write_partition_values(json, remove.partition_values);
  }
  json.field_optional("size", remove.size);
  json.close_object();
}

void write_action(JsonOut& json, const Txn& txn) {
  json.key("txn");
  json.open_object();
  json.key("appId");
  json.value_string(txn.app_id);
  json.key("version");
  json.value_number(txn.version);
  json.field_optional("lastUpdated", txn.last_updated);
  json.close_object();
}

void write_action(JsonOut&, const CommitInfo&) {}  // never part of a checkpoint

struct Appender {
  duckdb_appender handle = nullptr;
  ~Appender() {
    if (handle != nullptr) duckdb_appender_destroy(&handle);
  }
  std::string error() const {
    const char* message = duckdb_appender_error(handle);
    return message != nullptr ? message : "unknown DuckDB error";
  }
};

// The snapshot's actions in checkpoint order: protocol, metaData, txns, adds, removes.
core::Result<std::int64_t> append_rows(duckdb_connection connection, const Snapshot& snapshot) {
  Appender appender;
  if (duckdb_appender_create_ext(connection, "temp", "main", kRowsTable, &appender.handle) !=
      DuckDBSuccess) {
    return core::Error{"cannot append checkpoint rows: " + appender.error()};
  }
  std::int64_t rows = 0;
  std::optional<std::string> failure;
  auto append = [&](const Action& action) {
    if (failure) return;
    const std::string line = checkpoint_row_json(action);
    if (duckdb_appender_begin_row(appender.handle) != DuckDBSuccess ||
        duckdb_append_varchar_length(appender.handle, line.data(), line.size()) != DuckDBSuccess ||
        duckdb_appender_end_row(appender.handle) != DuckDBSuccess) {
      failure = appender.error();
      return;
    }
    ++rows;
  };
  append(snapshot.protocol);
  append(snapshot.metadata);
  for (const auto& [app_id, version] : snapshot.app_versions) {
    append(Txn{app_id, version, std::nullopt});
  }
  for (const auto& add : snapshot.files) append(add);
  for (const auto& remove : snapshot.tombstones) append(remove);
  if (!failure && duckdb_appender_close(appender.handle) != DuckDBSuccess) {
    failure = appender.error();
  }
  if (failure) return core::Error{"cannot append checkpoint rows: " + *failure};
  return rows;
}

std::string checkpoint_copy(const fs::path& target) {
  return fmt::format(
      "COPY (SELECT r.txn AS txn, r.add AS add, r.remove AS remove, r.metaData AS metaData, "
      "r.protocol AS protocol FROM (SELECT json_transform(line, {}) AS r FROM temp.main.{})) "
      // Snappy, as Spark writes checkpoints: every Delta reader, however old, can open it.
      "TO {} (FORMAT parquet, COMPRESSION snappy)",
      duck::quote_literal(kRowStructure), kRowsTable, duck::quote_literal(target.string()));
}

}  // namespace

std::string checkpoint_row_json(const Action& action) {
  JsonOut json;
  json.open_object();
  std::visit([&](const auto& value) { write_action(json, value); }, action);
  json.close_object();
  return json.take();
}

core::Result<std::int64_t> write_checkpoint(duckdb_connection connection,
                                            const Snapshot& snapshot) {
  if (snapshot.version < 0) return core::Error{"cannot checkpoint a table that has no version"};
  const fs::path log_dir = normalized_root(snapshot.table_root) / "_delta_log";
  const std::string name = fmt::format("{:020}.checkpoint.parquet", snapshot.version);
  const fs::path final_path = log_dir / name;
  // Hidden, and not named like a checkpoint, so no reader lists it before the rename.
  const fs::path temporary = log_dir / fmt::format(".{}.{}.tmp", name, random_uuid());

  std::error_code error;
  fs::create_directories(log_dir, error);
  if (error) {
    return core::Error{
        fmt::format("cannot create log directory {}: {}", log_dir.string(), error.message())};
  }
  if (auto created = execute(
          connection, fmt::format("CREATE OR REPLACE TEMP TABLE {} (line VARCHAR)", kRowsTable),
          "preparing the checkpoint");
      !created) {
    return core::Error{created.error()};
  }
  auto rows = append_rows(connection, snapshot);
  core::Status copied = rows ? execute(connection, checkpoint_copy(temporary),
                                       "writing checkpoint " + final_path.string())
                             : core::Status(core::Error{rows.error()});
  // Frees the rows now; a failure leaves only a temporary table that dies with the connection.
  (void)execute(connection, fmt::format("DROP TABLE IF EXISTS temp.main.{}", kRowsTable),
                "dropping checkpoint rows");
  if (copied) copied = sync_new_files({temporary}, log_dir);
  if (!copied) {
    fs::remove(temporary, error);
    return core::Error{copied.error()};
  }
  fs::rename(temporary, final_path, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return core::Error{fmt::format("cannot rename checkpoint into place at {}: {}",
                                   final_path.string(), error.message())};
  }
  // _last_checkpoint, written next, must not point at a name the disk does not have yet.
  if (auto synced = sync_directory(log_dir); !synced) return core::Error{synced.error()};
  return rows.value();
}

}  // namespace shoplake::lake::parquet_detail
