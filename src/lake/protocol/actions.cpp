#include "shoplake/lake/actions.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <type_traits>
#include <unordered_map>

#include "json_text.hpp"

namespace shoplake::lake {
namespace {

using detail::Json;

// Thrown by the field readers below and caught in parse_action_object: a malformed field deep in
// an action aborts the whole action, and one catch keeps each reader a single line per field.
struct FieldError {
  std::string message;
};

[[noreturn]] void fail_field(const std::string& field, std::string_view what) {
  throw FieldError{fmt::format("{}: {}", field, what)};
}

// The member `key`, or nullptr when it is absent or JSON null: checkpoint rows have null for every
// column a writer did not fill, so both mean "not given".
const Json* member(const Json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return nullptr;
  return &*found;
}

const Json& require(const Json& object, const char* key, const std::string& field) {
  const Json* value = member(object, key);
  if (value == nullptr) fail_field(field, "missing");
  return *value;
}

std::string as_string(const Json& value, const std::string& field) {
  if (!value.is_string()) fail_field(field, "expected a string");
  return value.get<std::string>();
}

std::int64_t as_int64(const Json& value, const std::string& field) {
  if (value.is_number_integer() && !value.is_number_unsigned()) return value.get<std::int64_t>();
  if (value.is_number_unsigned()) {
    auto unsigned_value = value.get<std::uint64_t>();
    if (unsigned_value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail_field(field, "number out of range");
    }
    return static_cast<std::int64_t>(unsigned_value);
  }
  if (value.is_number_float()) {
    // Some writers emit 1.0e3 for a long; accept it when it is a whole number in range.
    double number = value.get<double>();
    if (std::trunc(number) != number || !(number >= -9.2e18 && number <= 9.2e18)) {
      fail_field(field, "expected an integer");
    }
    return static_cast<std::int64_t>(number);
  }
  fail_field(field, "expected a number");
}

int as_int(const Json& value, const std::string& field) {
  std::int64_t number = as_int64(value, field);
  if (number < std::numeric_limits<int>::min() || number > std::numeric_limits<int>::max()) {
    fail_field(field, "number out of range");
  }
  return static_cast<int>(number);
}

bool as_bool(const Json& value, const std::string& field) {
  if (!value.is_boolean()) fail_field(field, "expected true or false");
  return value.get<bool>();
}

std::optional<std::string> optional_string(const Json& object, const char* key,
                                           const std::string& field) {
  const Json* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  return as_string(*value, field);
}

std::optional<std::int64_t> optional_int64(const Json& object, const char* key,
                                           const std::string& field) {
  const Json* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  return as_int64(*value, field);
}

bool bool_or(const Json& object, const char* key, const std::string& field, bool fallback) {
  const Json* value = member(object, key);
  return value == nullptr ? fallback : as_bool(*value, field);
}

// A map value as text: the protocol says string, but a number or boolean some writer emitted is
// kept as its JSON text rather than refusing the whole log.
std::optional<std::string> map_value(const Json& value, const std::string& field) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  if (value.is_structured()) fail_field(field, "expected a string or null");
  return detail::dump_json(value);
}

// Visits each entry of a string map. A commit writes an object; DuckDB's to_json of a checkpoint
// MAP gives an object too, but older versions give [{"key":…,"value":…}], accepted as well.
template <typename Visit>
void for_each_map_entry(const Json& map, const std::string& field, Visit visit) {
  if (map.is_object()) {
    for (const auto& [key, value] : map.items()) {
      visit(key, map_value(value, field + "." + key));
    }
    return;
  }
  if (!map.is_array()) fail_field(field, "expected an object");
  for (std::size_t i = 0; i < map.size(); ++i) {
    const Json& entry = map[i];
    std::string entry_field = fmt::format("{}[{}]", field, i);
    if (!entry.is_object()) fail_field(entry_field, "expected an object with key and value");
    std::string key = as_string(require(entry, "key", entry_field + ".key"), entry_field + ".key");
    const Json* value = member(entry, "value");
    visit(key, value == nullptr ? std::nullopt : map_value(*value, entry_field + ".value"));
  }
}

// A key given twice (possible in the key/value-list form) keeps its first position and its last
// value, as a JSON object would, so what is read can be written back as an object unchanged.
PartitionValues partition_values(const Json& object, const std::string& field) {
  PartitionValues values;
  const Json* map = member(object, "partitionValues");
  if (map == nullptr) return values;
  std::unordered_map<std::string, std::size_t> position;
  for_each_map_entry(*map, field + ".partitionValues",
                     [&](const std::string& key, std::optional<std::string> value) {
                       auto [found, inserted] = position.emplace(key, values.size());
                       if (inserted) {
                         values.emplace_back(key, std::move(value));
                       } else {
                         values[found->second].second = std::move(value);
                       }
                     });
  return values;
}

// A map<string,string>; null values have no place in it and are dropped.
std::map<std::string, std::string> string_map(const Json& object, const char* key,
                                              const std::string& field) {
  std::map<std::string, std::string> values;
  const Json* map = member(object, key);
  if (map == nullptr) return values;
  for_each_map_entry(*map, field + "." + key,
                     [&](const std::string& name, std::optional<std::string> value) {
                       if (value) values[name] = std::move(*value);
                     });
  return values;
}

std::vector<std::string> string_list(const Json& object, const char* key,
                                     const std::string& field) {
  std::vector<std::string> values;
  const Json* list = member(object, key);
  if (list == nullptr) return values;
  std::string list_field = field + "." + key;
  if (!list->is_array()) fail_field(list_field, "expected an array");
  for (std::size_t i = 0; i < list->size(); ++i) {
    values.push_back(as_string((*list)[i], fmt::format("{}[{}]", list_field, i)));
  }
  return values;
}

const Json& expect_object(const Json& value, const std::string& field) {
  if (!value.is_object()) fail_field(field, "expected an object");
  return value;
}

Protocol parse_protocol(const Json& object) {
  const std::string f = "protocol";
  Protocol protocol;
  protocol.min_reader_version =
      as_int(require(object, "minReaderVersion", f + ".minReaderVersion"), f + ".minReaderVersion");
  protocol.min_writer_version =
      as_int(require(object, "minWriterVersion", f + ".minWriterVersion"), f + ".minWriterVersion");
  protocol.reader_features = string_list(object, "readerFeatures", f);
  protocol.writer_features = string_list(object, "writerFeatures", f);
  return protocol;
}

Metadata parse_metadata(const Json& object) {
  const std::string f = "metaData";
  Metadata metadata;
  metadata.id = as_string(require(object, "id", f + ".id"), f + ".id");
  metadata.name = optional_string(object, "name", f + ".name");
  metadata.description = optional_string(object, "description", f + ".description");
  if (const Json* format = member(object, "format")) {
    expect_object(*format, f + ".format");
    if (auto provider = optional_string(*format, "provider", f + ".format.provider")) {
      metadata.format_provider = std::move(*provider);
    }
    metadata.format_options = string_map(*format, "options", f + ".format");
  }
  metadata.schema_string =
      as_string(require(object, "schemaString", f + ".schemaString"), f + ".schemaString");
  metadata.partition_columns = string_list(object, "partitionColumns", f);
  metadata.created_time = optional_int64(object, "createdTime", f + ".createdTime");
  metadata.configuration = string_map(object, "configuration", f);
  return metadata;
}

// Without a `stats` string, a checkpoint may still carry `stats_parsed` (a struct column): it is
// turned back into the JSON text so numRecords and the min/max values read the same either way.
std::optional<std::string> add_stats(const Json& object, const std::string& field) {
  if (auto stats = optional_string(object, "stats", field + ".stats")) return stats;
  const Json* parsed = member(object, "stats_parsed");
  if (parsed == nullptr) return std::nullopt;
  expect_object(*parsed, field + ".stats_parsed");
  Json stats = Json::object();
  for (const auto& [key, value] : parsed->items()) {
    if (!value.is_null()) stats[key] = value;
  }
  return detail::dump_json(stats);
}

AddFile parse_add(const Json& object) {
  const std::string f = "add";
  AddFile add;
  add.path = as_string(require(object, "path", f + ".path"), f + ".path");
  add.partition_values = partition_values(object, f);
  add.size = as_int64(require(object, "size", f + ".size"), f + ".size");
  add.modification_time =
      optional_int64(object, "modificationTime", f + ".modificationTime").value_or(0);
  add.data_change = bool_or(object, "dataChange", f + ".dataChange", true);
  add.stats = add_stats(object, f);
  add.tags = string_map(object, "tags", f);
  add.has_deletion_vector = member(object, "deletionVector") != nullptr;
  return add;
}

RemoveFile parse_remove(const Json& object) {
  const std::string f = "remove";
  RemoveFile remove;
  remove.path = as_string(require(object, "path", f + ".path"), f + ".path");
  remove.deletion_timestamp = optional_int64(object, "deletionTimestamp", f + ".deletionTimestamp");
  remove.data_change = bool_or(object, "dataChange", f + ".dataChange", true);
  remove.extended_file_metadata =
      bool_or(object, "extendedFileMetadata", f + ".extendedFileMetadata", false);
  // The protocol defines partitionValues and size on a remove only together with
  // extendedFileMetadata; without it they are not read, which keeps parse and serialize inverse.
  if (remove.extended_file_metadata) {
    remove.partition_values = partition_values(object, f);
    remove.size = optional_int64(object, "size", f + ".size");
  }
  return remove;
}

Txn parse_txn(const Json& object) {
  const std::string f = "txn";
  Txn txn;
  txn.app_id = as_string(require(object, "appId", f + ".appId"), f + ".appId");
  txn.version = as_int64(require(object, "version", f + ".version"), f + ".version");
  txn.last_updated = optional_int64(object, "lastUpdated", f + ".lastUpdated");
  return txn;
}

// commitInfo is free-form: only a well-typed timestamp and operation are picked out, and nothing
// in it is an error.
CommitInfo parse_commit_info(const Json& object) {
  CommitInfo info;
  if (const Json* timestamp = member(object, "timestamp");
      timestamp != nullptr && timestamp->is_number_integer()) {
    if (!timestamp->is_number_unsigned()) {
      info.timestamp = timestamp->get<std::int64_t>();
    } else if (timestamp->get<std::uint64_t>() <=
               static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      info.timestamp = static_cast<std::int64_t>(timestamp->get<std::uint64_t>());
    }
  }
  if (const Json* operation = member(object, "operation"); operation && operation->is_string()) {
    info.operation = operation->get<std::string>();
  }
  info.json = detail::dump_json(object);
  return info;
}

std::vector<Action> parse_actions(const Json& line) {
  if (!line.is_object()) fail_field("action", "expected a JSON object per line");
  std::vector<Action> actions;
  for (const auto& [key, value] : line.items()) {
    if (value.is_null()) continue;
    if (key == "protocol") {
      actions.emplace_back(parse_protocol(expect_object(value, key)));
    } else if (key == "metaData") {
      actions.emplace_back(parse_metadata(expect_object(value, key)));
    } else if (key == "add") {
      actions.emplace_back(parse_add(expect_object(value, key)));
    } else if (key == "remove") {
      actions.emplace_back(parse_remove(expect_object(value, key)));
    } else if (key == "txn") {
      actions.emplace_back(parse_txn(expect_object(value, key)));
    } else if (key == "commitInfo") {
      actions.emplace_back(parse_commit_info(expect_object(value, key)));
    }
    // Anything else (cdc, domainMetadata, checkpointMetadata, sidecar, …) is not this reader's.
  }
  return actions;
}

Json partition_values_json(const PartitionValues& values) {
  Json object = Json::object();
  for (const auto& [key, value] : values) {
    object[key] = value ? Json(*value) : Json(nullptr);
  }
  return object;
}

Json string_map_json(const std::map<std::string, std::string>& values) {
  Json object = Json::object();
  for (const auto& [key, value] : values) object[key] = value;
  return object;
}

Json to_json(const Protocol& protocol) {
  Json object = Json::object();
  object["minReaderVersion"] = protocol.min_reader_version;
  object["minWriterVersion"] = protocol.min_writer_version;
  if (!protocol.reader_features.empty()) object["readerFeatures"] = protocol.reader_features;
  if (!protocol.writer_features.empty()) object["writerFeatures"] = protocol.writer_features;
  return Json{{"protocol", std::move(object)}};
}

Json to_json(const Metadata& metadata) {
  Json object = Json::object();
  object["id"] = metadata.id;
  if (metadata.name) object["name"] = *metadata.name;
  if (metadata.description) object["description"] = *metadata.description;
  object["format"] = Json{{"provider", metadata.format_provider},
                          {"options", string_map_json(metadata.format_options)}};
  object["schemaString"] = metadata.schema_string;
  object["partitionColumns"] = metadata.partition_columns;
  if (metadata.created_time) object["createdTime"] = *metadata.created_time;
  object["configuration"] = string_map_json(metadata.configuration);
  return Json{{"metaData", std::move(object)}};
}

// A deletion vector is known here only by its presence, and this writer never writes one: an add
// with has_deletion_vector comes back without it.
Json to_json(const AddFile& add) {
  Json object = Json::object();
  object["path"] = add.path;
  object["partitionValues"] = partition_values_json(add.partition_values);
  object["size"] = add.size;
  object["modificationTime"] = add.modification_time;
  object["dataChange"] = add.data_change;
  if (add.stats) object["stats"] = *add.stats;
  if (!add.tags.empty()) object["tags"] = string_map_json(add.tags);
  return Json{{"add", std::move(object)}};
}

Json to_json(const RemoveFile& remove) {
  Json object = Json::object();
  object["path"] = remove.path;
  if (remove.deletion_timestamp) object["deletionTimestamp"] = *remove.deletion_timestamp;
  object["dataChange"] = remove.data_change;
  object["extendedFileMetadata"] = remove.extended_file_metadata;
  if (remove.extended_file_metadata) {
    object["partitionValues"] = partition_values_json(remove.partition_values);
    if (remove.size) object["size"] = *remove.size;
  }
  return Json{{"remove", std::move(object)}};
}

Json to_json(const Txn& txn) {
  Json object = Json::object();
  object["appId"] = txn.app_id;
  object["version"] = txn.version;
  if (txn.last_updated) object["lastUpdated"] = *txn.last_updated;
  return Json{{"txn", std::move(object)}};
}

// Verbatim, so provenance written by other engines survives a rewrite untouched; built from the
// fields when a caller left `json` empty, and re-dumped only if it would break the one-line rule.
std::string commit_info_text(const CommitInfo& info) {
  if (info.json.empty()) {
    Json object = Json::object();
    if (info.timestamp) object["timestamp"] = *info.timestamp;
    if (!info.operation.empty()) object["operation"] = info.operation;
    return detail::dump_json(object);
  }
  if (info.json.find_first_of("\r\n") == std::string::npos) return info.json;
  Json object;
  if (detail::parse_json(info.json, object)) return "{}";
  return detail::dump_json(object);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// One object's actions, or the error without the source (added by the callers, only on failure,
// so a clean line costs no formatting).
core::Result<std::vector<Action>> parse_line(std::string_view json) {
  Json line;
  if (auto error = detail::parse_json(json, line)) return core::Error{*error};
  try {
    return parse_actions(line);
  } catch (const FieldError& error) {
    return core::Error{error.message};
  } catch (const nlohmann::json::exception& error) {
    // Not expected after the type checks above; kept so no exception ever leaves the parser.
    return core::Error{error.what()};
  }
}

}  // namespace

core::Result<std::vector<Action>> parse_action_object(std::string_view json,
                                                      std::string_view source) {
  auto parsed = parse_line(json);
  if (!parsed) return core::Error{fmt::format("{}: {}", source, parsed.error())};
  return parsed;
}

core::Result<std::vector<Action>> parse_commit(std::string_view text, std::string_view source) {
  std::vector<Action> actions;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto parsed = parse_line(line);
    if (!parsed) {
      return core::Error{fmt::format("{} line {}: {}", source, line_number, parsed.error())};
    }
    for (auto& action : parsed.value()) actions.push_back(std::move(action));
  }
  return actions;
}

std::string serialize_action(const Action& action) {
  return std::visit(
      [](const auto& value) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, CommitInfo>) {
          return "{\"commitInfo\":" + commit_info_text(value) + "}";
        } else {
          return detail::dump_json(to_json(value));
        }
      },
      action);
}

std::string serialize_commit(const std::vector<Action>& actions) {
  std::string text;
  for (const auto& action : actions) {
    text += serialize_action(action);
    text += '\n';
  }
  return text;
}

std::string encode_path(std::string_view relative_path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(relative_path.size());
  for (char c : relative_path) {
    auto byte = static_cast<unsigned char>(c);
    // '=' stays as Spark leaves it, so hive folders read "x=A%252FA", not "x%3DA%252FA".
    if (is_unreserved(byte) || c == '/' || c == '=') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 0x0F];
    }
  }
  return encoded;
}

core::Result<std::string> decode_path(std::string_view logged_path) {
  std::string decoded;
  decoded.reserve(logged_path.size());
  for (std::size_t i = 0; i < logged_path.size(); ++i) {
    if (logged_path[i] != '%') {
      decoded += logged_path[i];
      continue;
    }
    int high = i + 1 < logged_path.size() ? hex_value(logged_path[i + 1]) : -1;
    int low = i + 2 < logged_path.size() ? hex_value(logged_path[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return core::Error{fmt::format(
          "path \"{}\": malformed percent-escape at offset {} (expected %XX with two hex digits)",
          logged_path, i)};
    }
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

}  // namespace shoplake::lake
