// `shoplake lake`: the Delta tables of <data>/lake, from the files alone (no server needed, and
// safe while one runs: maintenance commits are Delta commits like any other).
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "parquet_io.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/lake/delta_table.hpp"
#include "shoplake/lake/lake_catalog.hpp"
#include "shoplake/lake/snapshot.hpp"

namespace shoplake::cli {
namespace {

struct LakeCommandOptions {
  std::string table;
  std::optional<std::int64_t> version;
  std::string timestamp;
  std::size_t limit = 20;
  double retention_hours = 168;
  bool dry_run = false;
  double target_mb = 128;
};

std::filesystem::path lake_directory(const GlobalOptions& global) {
  return std::filesystem::absolute(std::filesystem::path(global.data_dir) / "lake")
      .lexically_normal();
}

lake::LakeTableLocation locate(const GlobalOptions& global, const std::string& name) {
  auto location = lake::locate_lake_table(lake_directory(global), name);
  if (!location) throw CommandError{2, location.error()};
  if (!std::filesystem::is_directory(location.value().root / "_delta_log")) {
    throw CommandError{1, fmt::format("{} does not exist (no Delta log under {}); `shoplake lake "
                                      "ls` lists the tables",
                                      name, location.value().root.string())};
  }
  return location.value();
}

std::unique_ptr<lake::ParquetIo> open_parquet() {
  auto parquet = lake::ParquetIo::open();
  if (!parquet) throw CommandError{1, parquet.error()};
  return std::move(parquet).value();
}

std::string human_bytes(std::int64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

lake::SnapshotRequest snapshot_request(const LakeCommandOptions& options) {
  lake::SnapshotRequest request;
  request.version = options.version;
  if (!options.timestamp.empty()) {
    if (options.version) throw CommandError{2, "give --version or --timestamp, not both"};
    auto parsed = core::parse_rfc3339_ms(options.timestamp);
    if (!parsed) {
      throw CommandError{2, fmt::format("--timestamp {}: expected RFC 3339, e.g. "
                                        "2026-11-25T10:00:00Z",
                                        options.timestamp)};
    }
    request.timestamp_ms = *parsed;
  }
  return request;
}

void list_tables(const GlobalOptions& global) {
  const auto tables = lake::list_lake_tables(lake_directory(global));
  if (tables.empty()) {
    fmt::print("no tables under {} yet\n", lake_directory(global).string());
    return;
  }
  fmt::print("{:<28} {:>8} {:>7} {:>14} {:>10}\n", "table", "version", "files", "rows", "size");
  for (const auto& table : tables) {
    auto snapshot = lake::load_snapshot(table.root);
    const std::string name = table.layer + "." + table.name;
    if (!snapshot) {
      fmt::print("{:<28} unreadable: {}\n", name, snapshot.error());
      continue;
    }
    const auto rows = snapshot.value().num_records();
    fmt::print("{:<28} {:>8} {:>7} {:>14} {:>10}\n", name, snapshot.value().version,
               snapshot.value().files.size(), rows < 0 ? std::string("?") : std::to_string(rows),
               human_bytes(snapshot.value().size_bytes()));
  }
}

void describe(const GlobalOptions& global, const LakeCommandOptions& options) {
  const auto table = locate(global, options.table);
  auto snapshot = lake::load_snapshot(table.root, snapshot_request(options));
  if (!snapshot) throw CommandError{1, snapshot.error()};
  const lake::Snapshot& s = snapshot.value();
  fmt::print("table       {}\nlocation    {}\nversion     {}  (committed {})\n", options.table,
             table.root.string(), s.version, core::format_rfc3339_ms(s.timestamp_ms));
  fmt::print("protocol    reader {} / writer {}\n", s.protocol.min_reader_version,
             s.protocol.min_writer_version);
  fmt::print("table id    {}\npartitions  {}\n", s.metadata.id,
             s.metadata.partition_columns.empty()
                 ? std::string("none")
                 : fmt::format("{}", fmt::join(s.metadata.partition_columns, ", ")));
  const auto rows = s.num_records();
  fmt::print("files       {} ({})\nrows        {}\n", s.files.size(), human_bytes(s.size_bytes()),
             rows < 0 ? std::string("unknown (a file has no stats)") : std::to_string(rows));
  if (s.checkpoint_version) {
    fmt::print("read from   checkpoint {} + {} commits\n", *s.checkpoint_version,
               s.commits_replayed);
  } else {
    fmt::print("read from   {} commits\n", s.commits_replayed);
  }
  for (const auto& [app, version] : s.app_versions) {
    fmt::print("txn         {} = {}\n", app, version);
  }
  fmt::print("columns\n");
  for (const auto& field : s.schema.fields) {
    fmt::print("  {:<20} {}{}\n", field.name, field.type, field.nullable ? "" : " not null");
  }
}

void history(const GlobalOptions& global, const LakeCommandOptions& options) {
  const auto table = locate(global, options.table);
  auto entries = lake::read_history(table.root, options.limit);
  if (!entries) throw CommandError{1, entries.error()};
  fmt::print("{:>8}  {:<24}  {:<14} {:>6} {:>8}  {}\n", "version", "committed", "operation",
             "added", "removed", "parameters");
  for (const auto& entry : entries.value()) {
    auto info = nlohmann::json::parse(entry.commit_info_json, nullptr, false);
    std::string parameters;
    if (info.is_object() && info.contains("operationParameters")) {
      parameters = info["operationParameters"].dump();
    }
    fmt::print("{:>8}  {:<24}  {:<14} {:>6} {:>8}  {}\n", entry.version,
               core::format_rfc3339_ms(entry.timestamp_ms), entry.operation, entry.files_added,
               entry.files_removed, parameters);
  }
}

std::unique_ptr<lake::DeltaTable> open_table(const lake::LakeTableLocation& table,
                                             lake::ParquetIo& parquet) {
  auto opened = lake::DeltaTable::open(table.root, parquet);
  if (!opened) throw CommandError{1, opened.error()};
  return std::move(opened).value();
}

void checkpoint(const GlobalOptions& global, const LakeCommandOptions& options) {
  const auto table = locate(global, options.table);
  const auto parquet = open_parquet();
  auto written = open_table(table, *parquet)->checkpoint();
  if (!written) throw CommandError{1, written.error()};
  fmt::print("{}: checkpoint written at version {}\n", options.table, written.value());
}

void optimize(const GlobalOptions& global, const LakeCommandOptions& options) {
  const auto table = locate(global, options.table);
  const auto parquet = open_parquet();
  auto optimized = open_table(table, *parquet)
                       ->optimize(static_cast<std::uint64_t>(options.target_mb * 1024 * 1024));
  if (!optimized) throw CommandError{1, optimized.error()};
  if (!optimized.value().version) {
    fmt::print("{}: nothing to compact\n", options.table);
    return;
  }
  fmt::print("{}: compacted {} files into {} in {} partitions (version {})\n", options.table,
             optimized.value().files_removed, optimized.value().files_added,
             optimized.value().partitions_compacted, *optimized.value().version);
}

void vacuum(const GlobalOptions& global, const LakeCommandOptions& options) {
  const auto table = locate(global, options.table);
  const auto parquet = open_parquet();
  auto vacuumed =
      open_table(table, *parquet)
          ->vacuum(std::chrono::hours(static_cast<std::int64_t>(options.retention_hours)),
                   options.dry_run);
  if (!vacuumed) throw CommandError{1, vacuumed.error()};
  for (const auto& path : vacuumed.value().deleted) {
    fmt::print("{}{}\n", options.dry_run ? "would delete " : "deleted ",
               path.lexically_relative(table.root).string());
  }
  fmt::print("{}: {} {} files ({}) unreferenced for over {} hours\n", options.table,
             options.dry_run ? "would delete" : "deleted", vacuumed.value().deleted.size(),
             human_bytes(static_cast<std::int64_t>(vacuumed.value().bytes)),
             options.retention_hours);
}

CLI::App* add_table_argument(CLI::App* command, LakeCommandOptions& options) {
  command->add_option("table", options.table, "The table, <layer>.<table> (e.g. bronze.events)")
      ->required();
  return command;
}

}  // namespace

void add_lake_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<LakeCommandOptions>();
  auto* lake = app.add_subcommand(
      "lake",
      "The Delta tables of <data>/lake (bronze, silver, gold): list, describe (also at a past "
      "version or time), history, checkpoint, optimize, vacuum. Works on the files; safe while "
      "`shoplake up` runs.");
  lake->require_subcommand(1);

  lake->add_subcommand("ls", "Every table with its version, files, rows and size")
      ->callback([&global] { list_tables(global); });

  auto* describe_command = add_table_argument(
      lake->add_subcommand("describe",
                           "Schema, partitioning, files, rows and txn versions of a "
                           "table, now or at --version / --timestamp (time travel)"),
      *options);
  describe_command->add_option("--version", options->version, "Describe this version");
  describe_command->add_option("--timestamp", options->timestamp,
                               "Describe the latest version committed at or before this time "
                               "(RFC 3339, e.g. 2026-11-25T10:00:00Z)");
  describe_command->callback([&global, options] { describe(global, *options); });

  auto* history_command = add_table_argument(
      lake->add_subcommand("history", "The commits of a table, newest first"), *options);
  history_command->add_option("--limit", options->limit, "Show at most this many (0: all)")
      ->capture_default_str();
  history_command->callback([&global, options] { history(global, *options); });

  add_table_argument(
      lake->add_subcommand("checkpoint", "Write a checkpoint of the current version now"), *options)
      ->callback([&global, options] { checkpoint(global, *options); });

  auto* optimize_command =
      add_table_argument(lake->add_subcommand("optimize",
                                              "Compact small files per partition into bigger ones "
                                              "(a commit with dataChange=false; time travel keeps "
                                              "working)"),
                         *options);
  optimize_command->add_option("--target-mb", options->target_mb, "Target file size in MB")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  optimize_command->callback([&global, options] { optimize(global, *options); });

  auto* vacuum_command = add_table_argument(
      lake->add_subcommand("vacuum",
                           "Delete data files no version within the retention "
                           "references (time travel to older versions stops working)"),
      *options);
  vacuum_command
      ->add_option("--retention-hours", options->retention_hours,
                   "Keep files removed less than this long ago")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  vacuum_command->add_flag("--dry-run", options->dry_run,
                           "List what would be deleted, delete "
                           "nothing");
  vacuum_command->callback([&global, options] { vacuum(global, *options); });
}

}  // namespace shoplake::cli
