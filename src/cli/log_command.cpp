// `shoplake log`: look into the durable event log while the platform is stopped: what it holds,
// from which offset, and each consumer's position.
#include <fmt/core.h>

#include "commands.hpp"
#include "data_directory.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/core/ndjson_writer.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::cli {

namespace {

struct LogDumpOptions {
  std::uint64_t from = 0;
  bool rejections = false;
};

std::unique_ptr<log::EventLog> open_log(const GlobalOptions& global) {
  log::LogOptions options;
  options.directory = std::filesystem::path(global.data_dir) / "log";
  if (!std::filesystem::is_directory(options.directory)) {
    throw CommandError{1, fmt::format("no event log at {}: has shoplake up run with --data-dir {}?",
                                      options.directory.string(), global.data_dir)};
  }
  auto opened = log::EventLog::open(options);
  if (!opened) throw CommandError{1, opened.error()};
  return std::move(opened).value();
}

void append_rejection_json(std::uint64_t offset, const core::RejectionView& rejection,
                           std::string& out) {
  out += "{\"offset\":" + std::to_string(offset) + ",\"line\":" + std::to_string(rejection.line) +
         ",\"field\":";
  core::append_json_string(rejection.field, out);
  out += ",\"error\":";
  core::append_json_string(rejection.error, out);
  out += ",\"raw\":";
  core::append_json_string(rejection.raw, out);
  out += "}\n";
}

// Accepted events as NDJSON in the contract's form; with `rejections`, the refused lines instead.
void dump(const GlobalOptions& global, const LogDumpOptions& options) {
  const DataDirectoryLock lock(global.data_dir);
  const auto event_log = open_log(global);
  const std::uint64_t from = std::max(options.from, event_log->start_offset());
  auto cursor = event_log->read_from(from);
  if (!cursor) throw CommandError{1, cursor.error()};
  std::string out;
  while (true) {
    auto record = cursor.value()->next();
    if (!record) throw CommandError{1, record.error()};
    if (!record.value()) break;
    const log::Record& current = *record.value();
    std::uint64_t offset = current.first_offset;
    if (current.kind == log::RecordKind::events && !options.rejections) {
      core::EncodedEventReader reader(current.payload);
      core::EventView event;
      for (; reader.next(event); ++offset) {
        if (offset >= from) core::append_ndjson(event, out);
      }
    } else if (current.kind == log::RecordKind::rejections && options.rejections) {
      core::EncodedRejectionReader reader(current.payload);
      core::RejectionView rejection;
      for (; reader.next(rejection); ++offset) {
        if (offset >= from) append_rejection_json(offset, rejection, out);
      }
    }
    if (out.size() > (1u << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void stats(const GlobalOptions& global) {
  const DataDirectoryLock lock(global.data_dir);
  const auto event_log = open_log(global);
  const log::LogStats totals = event_log->stats();
  fmt::print(
      "offsets      {} to {} ({} entries stored)\n"
      "segments     {} ({} bytes)\n",
      event_log->start_offset(), event_log->durable_end_offset(),
      event_log->durable_end_offset() - event_log->start_offset(), totals.segments,
      totals.bytes_on_disk);
  if (totals.recovered_cut_bytes > 0) {
    fmt::print("recovered    cut {} bytes of torn tail at open\n", totals.recovered_cut_bytes);
  }
  for (const auto& [key, value] : event_log->latest_origins()) {
    fmt::print("origin       {} = {}\n", key, value);
  }
}

}  // namespace

void add_log_command(CLI::App& app, const GlobalOptions& global) {
  auto* command = app.add_subcommand(
      "log", "Inspect the durable event log of a stopped shoplake (it takes the data directory)");
  command->require_subcommand(1);
  auto dump_options = std::make_shared<LogDumpOptions>();
  auto* dump_command = command->add_subcommand(
      "dump", "Print the accepted events as NDJSON (or, with --rejections, the refused lines)");
  dump_command->add_option("--from", dump_options->from, "First offset to print")
      ->capture_default_str();
  dump_command->add_flag("--rejections", dump_options->rejections,
                         "Print the refused lines with their reasons instead");
  dump_command->callback([&global, dump_options] { dump(global, *dump_options); });
  command->add_subcommand("stats", "Offsets, segments and recovery of the event log")
      ->callback([&global] { stats(global); });
}

}  // namespace shoplake::cli
