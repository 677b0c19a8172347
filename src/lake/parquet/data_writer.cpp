#include "data_writer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <system_error>

#include "duck_values.hpp"
#include "file_stats.hpp"
#include "lake_paths.hpp"
#include "shoplake/lake/durable_files.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::lake::parquet_detail {
namespace {

namespace duck = sql::duck;
namespace fs = std::filesystem;

bool same_name_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// A trailing semicolon would end the statement that wraps the SELECT.
std::string without_terminator(std::string_view sql) {
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) {
    sql.remove_suffix(1);
  }
  return std::string(sql);
}

// The names of the SELECT's result columns, from preparing it (nothing runs).
core::Result<std::vector<std::string>> select_column_names(duckdb_connection connection,
                                                           const std::string& select_sql) {
  const std::string probe = "SELECT * FROM (" + select_sql + ") AS shoplake_source";
  duck::PreparedStatement statement;
  if (duckdb_prepare(connection, probe.c_str(), statement.out()) != DuckDBSuccess) {
    const char* message = duckdb_prepare_error(statement.get());
    return core::Error{std::string("the SELECT to write is invalid: ") +
                       (message != nullptr ? message : "unknown DuckDB error")};
  }
  std::vector<std::string> names;
  const idx_t count = duckdb_prepared_statement_column_count(statement.get());
  for (idx_t i = 0; i < count; ++i) {
    // The name is the caller's to free (a const char* DuckDB allocated with malloc).
    duck::DuckString name(
        const_cast<char*>(duckdb_prepared_statement_column_name(statement.get(), i)));
    names.emplace_back(name ? name.get() : "");
  }
  return names;
}

// One column of the table, and the SELECT column that feeds it.
struct ColumnSource {
  const DeltaField* field;
  std::string select_name;
  bool partition;
};

// Pairs every schema field with a SELECT column: by exact name, else ignoring case (DuckDB
// resolves identifiers that way too). A SELECT column the schema lacks, or a field no column
// feeds, is an error naming it.
core::Result<std::vector<ColumnSource>> match_columns(
    const std::vector<std::string>& select_names, const DeltaSchema& schema,
    const std::vector<std::string>& partition_columns) {
  std::vector<bool> used(select_names.size(), false);
  std::vector<ColumnSource> sources;
  std::vector<std::string> missing;
  for (const auto& field : schema.fields) {
    std::optional<std::size_t> match;
    for (std::size_t i = 0; i < select_names.size() && !match; ++i) {
      if (!used[i] && select_names[i] == field.name) match = i;
    }
    for (std::size_t i = 0; i < select_names.size() && !match; ++i) {
      if (!used[i] && same_name_ignoring_case(select_names[i], field.name)) match = i;
    }
    if (!match) {
      missing.push_back(field.name);
      continue;
    }
    used[*match] = true;
    const bool partition = std::find(partition_columns.begin(), partition_columns.end(),
                                     field.name) != partition_columns.end();
    sources.push_back({&field, select_names[*match], partition});
  }
  std::vector<std::string> extra;
  for (std::size_t i = 0; i < select_names.size(); ++i) {
    if (!used[i]) extra.push_back(select_names[i]);
  }
  if (!missing.empty() || !extra.empty()) {
    std::string message = "the SELECT's columns do not match the table schema:";
    if (!missing.empty()) message += fmt::format(" missing [{}]", fmt::join(missing, ", "));
    if (!extra.empty()) message += fmt::format(" not in the schema [{}]", fmt::join(extra, ", "));
    return core::Error{message};
  }
  return sources;
}

core::Status check_partition_columns(const DeltaSchema& schema,
                                     const std::vector<std::string>& partition_columns) {
  for (const auto& name : partition_columns) {
    if (schema.find(name) == nullptr) {
      return core::Error{fmt::format("partition column \"{}\" is not in the table schema", name)};
    }
  }
  return core::ok_status();
}

// The SELECT that COPY writes: data columns cast to the schema's types, so the files' physical
// types are the table's whatever the caller's SELECT produced, and partition columns as the
// text Delta logs, so the hive folder DuckDB names after it holds exactly that value.
core::Result<std::string> write_select(const std::string& select_sql,
                                       const std::vector<ColumnSource>& sources) {
  std::vector<std::string> items;
  for (const auto& source : sources) {
    const std::string value = "shoplake_source." + duck::quote_identifier(source.select_name);
    const std::string alias = duck::quote_identifier(source.field->name);
    if (source.partition) {
      auto text = partition_text_expression(*source.field, value);
      if (!text) return core::Error{text.error()};
      items.push_back(text.value() + " AS " + alias);
      continue;
    }
    auto type = duckdb_type_of(source.field->type);
    if (!type)
      return core::Error{fmt::format("column \"{}\": {}", source.field->name, type.error())};
    items.push_back(fmt::format("CAST({} AS {}) AS {}", value, type.value(), alias));
  }
  return fmt::format("SELECT {} FROM ({}) AS shoplake_source", fmt::join(items, ", "), select_sql);
}

std::string copy_statement(const std::string& select, const std::string& target,
                           const std::vector<std::string>& partition_columns,
                           const WriteSettings& settings) {
  std::string options =
      fmt::format("FORMAT parquet, COMPRESSION {}, ROW_GROUP_SIZE {}",
                  duck::quote_literal(settings.compression), settings.row_group_rows);
  if (settings.zstd_level != 0 && settings.compression == "zstd") {
    options += fmt::format(", COMPRESSION_LEVEL {}", settings.zstd_level);
  }
  if (!partition_columns.empty()) {
    std::vector<std::string> quoted;
    for (const auto& name : partition_columns) quoted.push_back(duck::quote_identifier(name));
    // APPEND: DuckDB picks another name rather than overwrite a file that exists.
    options += fmt::format(", PARTITION_BY ({}), FILENAME_PATTERN 'part-{{uuid}}', APPEND",
                           fmt::join(quoted, ", "));
  }
  options += ", RETURN_STATS true";
  return fmt::format("COPY ({}) TO {} ({})", select, duck::quote_literal(target), options);
}

// One file COPY reported.
struct WrittenFile {
  std::string filename;
  std::int64_t rows = 0;
  std::int64_t size = 0;
  NestedStringMap column_statistics;
  StringMap partition_keys;
};

core::Result<std::vector<WrittenFile>> read_copy_result(duckdb_result* result) {
  const auto filename = column_index(result, "filename");
  const auto count = column_index(result, "count");
  const auto size = column_index(result, "file_size_bytes");
  const auto statistics = column_index(result, "column_statistics");
  const auto partitions = column_index(result, "partition_keys");
  if (!filename || !count || !size || !statistics || !partitions) {
    return core::Error{"COPY … RETURN_STATS returned an unexpected result layout"};
  }
  const duckdb_type count_type = duckdb_column_type(result, *count);
  const duckdb_type size_type = duckdb_column_type(result, *size);
  std::vector<WrittenFile> files;
  std::optional<std::string> problem;
  for_each_chunk(result, [&](duckdb_data_chunk chunk) {
    const idx_t rows = duckdb_data_chunk_get_size(chunk);
    for (idx_t row = 0; row < rows; ++row) {
      WrittenFile file;
      auto name = string_at(duckdb_data_chunk_get_vector(chunk, *filename), row);
      auto records = integer_at(duckdb_data_chunk_get_vector(chunk, *count), count_type, row);
      auto bytes = integer_at(duckdb_data_chunk_get_vector(chunk, *size), size_type, row);
      if (!name || !records || !bytes) {
        problem = "COPY … RETURN_STATS returned a file without name, count or size";
        return false;
      }
      file.filename = std::move(*name);
      file.rows = *records;
      file.size = *bytes;
      file.column_statistics =
          nested_string_map_at(duckdb_data_chunk_get_vector(chunk, *statistics), row);
      file.partition_keys = string_map_at(duckdb_data_chunk_get_vector(chunk, *partitions), row);
      files.push_back(std::move(file));
    }
    return true;
  });
  if (problem) return core::Error{*problem};
  return files;
}

core::Result<AddFile> to_add_file(const WrittenFile& file, const fs::path& root,
                                  const std::vector<std::string>& partition_columns,
                                  const std::vector<DeltaField>& data_fields, bool data_change) {
  const std::string relative = relative_inside(root, fs::path(file.filename));
  if (relative.empty()) {
    return core::Error{
        fmt::format("DuckDB wrote {} outside the table root {}", file.filename, root.string())};
  }
  auto mtime = modification_time_ms(root / relative);
  if (!mtime) return core::Error{mtime.error()};
  AddFile add;
  add.path = encode_path(relative);
  for (const auto& column : partition_columns) {
    auto entry = std::find_if(file.partition_keys.begin(), file.partition_keys.end(),
                              [&](const auto& key) { return key.first == column; });
    if (entry == file.partition_keys.end()) {
      return core::Error{fmt::format("DuckDB reported no value of partition column \"{}\" for {}",
                                     column, file.filename)};
    }
    add.partition_values.emplace_back(column, entry->second);
  }
  add.size = file.size;
  add.modification_time = mtime.value();
  add.data_change = data_change;
  add.stats = delta_stats_json(file.rows, file.column_statistics, data_fields);
  return add;
}

void remove_quietly(const fs::path& file) {
  std::error_code ignored;
  fs::remove(file, ignored);
}

// The SELECT that COPY runs, once select_sql's columns are known to be the schema's.
core::Result<std::string> checked_write_select(duckdb_connection connection,
                                               const std::string& select_sql,
                                               const DeltaSchema& schema,
                                               const std::vector<std::string>& partition_columns) {
  if (auto checked = check_partition_columns(schema, partition_columns); !checked) {
    return core::Error{checked.error()};
  }
  const std::string select = without_terminator(select_sql);
  auto names = select_column_names(connection, select);
  if (!names) return core::Error{names.error()};
  auto sources = match_columns(names.value(), schema, partition_columns);
  if (!sources) return core::Error{sources.error()};
  return write_select(select, sources.value());
}

core::Result<std::vector<AddFile>> to_add_files(const std::vector<WrittenFile>& written,
                                                const fs::path& root, const DeltaSchema& schema,
                                                const std::vector<std::string>& partition_columns,
                                                bool data_change) {
  std::vector<DeltaField> data_fields;
  for (const auto& field : schema.fields) {
    if (std::find(partition_columns.begin(), partition_columns.end(), field.name) ==
        partition_columns.end()) {
      data_fields.push_back(field);
    }
  }
  std::vector<AddFile> adds;
  for (const auto& file : written) {
    if (file.rows == 0) {
      // Only an unpartitioned COPY of an empty SELECT writes an empty file; the log never sees it.
      remove_quietly(fs::path(file.filename));
      continue;
    }
    auto add = to_add_file(file, root, partition_columns, data_fields, data_change);
    if (!add) return core::Error{add.error()};
    adds.push_back(std::move(add).value());
  }
  return adds;
}

// The files a COPY wrote (an empty one is removed, not kept) made durable before any commit
// names them.
core::Status sync_written(const std::vector<WrittenFile>& written, const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& file : written) {
    if (file.rows != 0) files.emplace_back(file.filename);
  }
  return sync_new_files(files, root);
}

}  // namespace

core::Result<std::string> partition_text_expression(const DeltaField& field,
                                                    const std::string& value) {
  const std::string& type = field.type;
  std::string text;
  if (type == "string") {
    text = fmt::format("CAST({} AS VARCHAR)", value);
  } else if (type == "date") {
    text = fmt::format("CAST(CAST({} AS DATE) AS VARCHAR)", value);
  } else if (type == "timestamp") {
    // timezone('UTC', …) reads the instant's UTC wall clock whatever the session's TimeZone.
    text = fmt::format(
        "strftime(timezone('UTC', CAST({} AS TIMESTAMPTZ)), '%Y-%m-%dT%H:%M:%S.%fZ')", value);
  } else if (type == "timestamp_ntz") {
    text = fmt::format("strftime(CAST({} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%f')", value);
  } else if (type == "boolean" || type == "long" || type == "integer" || type == "short" ||
             type == "byte" || type == "float" || type == "double" ||
             type.starts_with("decimal(")) {
    auto duck_type = duckdb_type_of(type);
    if (!duck_type) return core::Error{duck_type.error()};
    text = fmt::format("CAST(CAST({} AS {}) AS VARCHAR)", value, duck_type.value());
  } else {
    return core::Error{
        fmt::format("partition column \"{}\" has type {}, which cannot be a partition column",
                    field.name, is_nested_type(type) ? std::string("struct/array/map") : type)};
  }
  return fmt::format("NULLIF({}, '')", text);
}

core::Result<std::vector<AddFile>> write_data_files(
    duckdb_connection connection, const std::string& select_sql,
    const std::filesystem::path& table_root, const DeltaSchema& schema,
    const std::vector<std::string>& partition_columns, bool data_change,
    const WriteSettings& settings) {
  auto select = checked_write_select(connection, select_sql, schema, partition_columns);
  if (!select) return core::Error{select.error()};
  const fs::path root = normalized_root(table_root);
  if (auto made = create_directories_durably(root); !made) {
    return core::Error{"cannot create the table directory: " + made.error()};
  }
  const std::string target = partition_columns.empty()
                                 ? (root / ("part-" + random_uuid() + ".parquet")).string()
                                 : root.string();
  auto copied =
      query(connection, copy_statement(select.value(), target, partition_columns, settings),
            "writing Parquet under " + root.string());
  if (!copied) return core::Error{copied.error()};
  auto written = read_copy_result(copied.value().get());
  if (!written) return core::Error{written.error()};
  if (auto synced = sync_written(written.value(), root); !synced) {
    return core::Error{synced.error()};
  }
  return to_add_files(written.value(), root, schema, partition_columns, data_change);
}

std::string partition_folder(const PartitionValues& partition) {
  std::string folder;
  for (const auto& [column, value] : partition) {
    if (!folder.empty()) folder += '/';
    folder += column + '=';
    if (!value) {
      folder += "__HIVE_DEFAULT_PARTITION__";
      continue;
    }
    // Hive's escaping: what a file system or a URI would misread becomes %XX.
    for (const unsigned char c : *value) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == ' ') {
        folder += static_cast<char>(c);
      } else {
        folder += fmt::format("%{:02X}", c);
      }
    }
  }
  return folder;
}

core::Result<std::vector<AddFile>> write_partition_file(
    duckdb_connection connection, const std::string& select_sql,
    const std::filesystem::path& table_root, const DeltaSchema& schema,
    const PartitionValues& partition, bool data_change, const WriteSettings& settings) {
  DeltaSchema data_schema;
  for (const auto& field : schema.fields) {
    const bool partition_column =
        std::any_of(partition.begin(), partition.end(),
                    [&](const auto& entry) { return entry.first == field.name; });
    if (!partition_column) data_schema.fields.push_back(field);
  }
  auto select = checked_write_select(connection, select_sql, data_schema, {});
  if (!select) return core::Error{select.error()};
  const fs::path root = normalized_root(table_root);
  const fs::path folder = root / partition_folder(partition);
  if (auto made = create_directories_durably(folder); !made) {
    return core::Error{"cannot create the partition directory: " + made.error()};
  }
  const std::string target = (folder / ("part-" + random_uuid() + ".parquet")).string();
  auto copied = query(connection, copy_statement(select.value(), target, {}, settings),
                      "writing Parquet under " + folder.string());
  if (!copied) return core::Error{copied.error()};
  auto written = read_copy_result(copied.value().get());
  if (!written) return core::Error{written.error()};
  // The folder's own entry became durable when it was created: the file and the folder suffice.
  if (auto synced = sync_written(written.value(), folder); !synced) {
    return core::Error{synced.error()};
  }
  auto adds = to_add_files(written.value(), root, data_schema, {}, data_change);
  if (!adds) return adds;
  for (AddFile& add : adds.value()) add.partition_values = partition;
  return adds;
}

}  // namespace shoplake::lake::parquet_detail
