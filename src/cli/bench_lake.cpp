// `shoplake bench lake`: the lake's three figures. Landing throughput (simulator events already in
// the durable event log, drained into bronze.events: decode, stage, Parquet, commit); commit
// latency (a small append, and a commit with no data); and the time to load a snapshot of a table
// with 10,000 commits, from JSON commits alone and from a checkpoint.
#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bench_statistics.hpp"
#include "commands.hpp"
#include "parquet_io.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/lake/bronze_writer.hpp"
#include "shoplake/lake/delta_table.hpp"
#include "shoplake/lake/log_store.hpp"
#include "shoplake/log/event_log.hpp"
#include "shoplake/sim/simulator.hpp"

namespace shoplake::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchLakeOptions {
  std::uint64_t events = 2'000'000;
  int runs = 3;
  int commits = 10'000;
  int latency_commits = 50;
  std::string directory;  // scratch space; default: a fresh folder under the temp directory
};

double seconds_since(Clock::time_point started) {
  return std::chrono::duration<double>(Clock::now() - started).count();
}

std::filesystem::path scratch_directory(const BenchLakeOptions& options) {
  std::filesystem::path base = options.directory.empty() ? std::filesystem::temp_directory_path()
                                                         : std::filesystem::path(options.directory);
  std::string pattern = (base / "shoplake-bench-lake-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw CommandError{1, fmt::format("cannot create a scratch folder under {}", base.string())};
  }
  return pattern;
}

// Simulator traffic at the highest rate it models, appended in collector-sized records, a
// run's worth at a time.
class LogFiller {
 public:
  explicit LogFiller(const std::filesystem::path& directory) {
    log::LogOptions log_options;
    log_options.directory = directory;
    log_options.durability.mode = log::FsyncMode::never;
    auto opened = log::EventLog::open(log_options);
    if (!opened) throw CommandError{1, opened.error()};
    log_ = std::move(opened).value();
    sim::SimulatorConfig config;
    config.seed = 23;
    config.start_ms = core::now_ms() / core::kMillisPerDay * core::kMillisPerDay;
    config.events_per_second = sim::kMaxEventsPerSecond;
    simulator_ = std::make_unique<sim::Simulator>(config);
  }

  void append(std::uint64_t count) {
    core::EventView view;
    std::string payload;
    std::uint32_t in_record = 0;
    auto flush = [&] {
      log::RecordToAppend record;
      record.payload = payload;
      record.count = in_record;
      if (log_->append(std::span(&record, 1)).status != log::AppendStatus::durable) {
        throw CommandError{1, "bench lake: the event log refused an append"};
      }
      payload.clear();
      in_record = 0;
    };
    for (std::uint64_t i = 0; i < count && simulator_->next(view); ++i) {
      core::append_encoded_event(view, payload);
      if (++in_record == 1000) flush();
    }
    if (in_record > 0) flush();
  }

  log::EventLog& log() { return *log_; }

 private:
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<sim::Simulator> simulator_;
};

struct LandingRun {
  double seconds = 0;
  double commit_seconds = 0;  // Parquet writing and the commit, without decoding and staging
};

// One writer and one lake for every run, as a running server keeps them: its staging memory is
// warm from the batch before (StagedRows::clear says why that matters here). Run 0 warms up and
// is not counted.
void bench_landing(const BenchLakeOptions& options, const std::filesystem::path& scratch,
                   lake::ParquetIo& parquet) {
  LogFiller filler(scratch / "log");
  lake::BronzeOptions writer_options;
  writer_options.lake_directory = scratch / "lake";
  writer_options.optimize_interval = std::chrono::milliseconds(0);
  auto writer = lake::BronzeWriter::open(filler.log(), parquet, writer_options);
  if (!writer) throw CommandError{1, writer.error()};
  std::vector<double> rates;
  for (int run = 0; run <= options.runs; ++run) {
    fmt::print("appending {} simulator events to the event log …\n", options.events);
    std::fflush(stdout);
    filler.append(options.events);
    const auto before = writer.value()->stats();
    const auto started = Clock::now();
    if (auto landed = writer.value()->land_available(); !landed) {
      throw CommandError{1, landed.error()};
    }
    LandingRun landing;
    landing.seconds = seconds_since(started);
    const auto after = writer.value()->stats();
    landing.commit_seconds =
        static_cast<double>(after.total_commit_ms - before.total_commit_ms) / 1000;
    if (after.events_landed - before.events_landed != options.events) {
      throw CommandError{1,
                         fmt::format("bench lake: {} events landed, expected {}",
                                     after.events_landed - before.events_landed, options.events)};
    }
    const double rate = static_cast<double>(options.events) / landing.seconds;
    if (run > 0) rates.push_back(rate);
    fmt::print("  {}: {:.2f} s ({:.2f} s of it Parquet and commit), {:.2f} M events/s\n",
               run == 0 ? "warm-up run (not counted)" : fmt::format("run {}", run), landing.seconds,
               landing.commit_seconds, rate / 1e6);
  }
  const auto landed = writer.value()->stats().events_landed;
  const auto log_bytes = filler.log().stats().bytes_appended;
  auto snapshot =
      lake::load_snapshot(lake::BronzeWriter::events_root(writer_options.lake_directory));
  if (!snapshot) throw CommandError{1, snapshot.error()};
  const double log_bytes_per_event = static_cast<double>(log_bytes) / static_cast<double>(landed);
  fmt::print(
      "landing: {:.2f} M events/s (median of {}), {:.0f} MB/s of event log in, {} Parquet files "
      "for {} events, {:.1f} bytes per event in Parquet ({:.1f} in the log)\n",
      median(rates) / 1e6, options.runs, median(rates) * log_bytes_per_event / 1e6,
      snapshot.value().files.size(), landed,
      static_cast<double>(snapshot.value().size_bytes()) / static_cast<double>(landed),
      log_bytes_per_event);
}

lake::TableDefinition small_definition() {
  lake::TableDefinition definition;
  definition.name = "bench.commits";
  definition.schema.fields = {{"id", "long", false, "{}"}, {"event_date", "date", false, "{}"}};
  definition.partition_columns = {"event_date"};
  return definition;
}

void bench_commit_latency(const BenchLakeOptions& options, const std::filesystem::path& scratch,
                          lake::ParquetIo& parquet) {
  lake::TableOptions table_options;
  table_options.checkpoint_interval = 0;  // checkpoints are timed apart
  auto table = lake::DeltaTable::open_or_create(scratch / "latency", small_definition(), parquet,
                                                table_options);
  if (!table) throw CommandError{1, table.error()};
  auto connection = parquet.connect();
  if (!connection) throw CommandError{1, connection.error()};
  std::vector<double> append_ms;
  std::vector<double> empty_ms;
  for (int i = 0; i < options.latency_commits; ++i) {
    const auto started = Clock::now();
    auto appended = table.value()->append(
        connection.value().get(),
        fmt::format("SELECT range + {} AS id, DATE '2026-11-25' AS event_date FROM range(1000)",
                    i * 1000));
    if (!appended) throw CommandError{1, appended.error()};
    append_ms.push_back(seconds_since(started) * 1000);
    const auto txn_started = Clock::now();
    lake::CommitRequest request;
    request.operation = "WRITE";
    request.actions.emplace_back(lake::Txn{"bench", i, core::now_ms()});
    if (auto committed = table.value()->commit(std::move(request)); !committed) {
      throw CommandError{1, committed.error()};
    }
    empty_ms.push_back(seconds_since(txn_started) * 1000);
  }
  const auto checkpoint_started = Clock::now();
  if (auto written = table.value()->checkpoint(); !written) {
    throw CommandError{1, written.error()};
  }
  fmt::print(
      "commit latency: append of 1,000 rows p50 {:.1f} ms p99 {:.1f} ms; a commit without data "
      "(txn only) p50 {:.2f} ms p99 {:.2f} ms; a checkpoint of {} files {:.1f} ms\n",
      percentile(append_ms, 0.5), percentile(append_ms, 0.99), percentile(empty_ms, 0.5),
      percentile(empty_ms, 0.99), table.value()->snapshot().files.size(),
      seconds_since(checkpoint_started) * 1000);
}

// A table of `commits` versions, each adding one file (the log only: loading never opens data).
std::filesystem::path write_long_log(const std::filesystem::path& root, int commits) {
  const auto log_directory = root / "_delta_log";
  std::filesystem::create_directories(log_directory);
  lake::Metadata metadata;
  metadata.id = "00000000-0000-4000-8000-000000000000";
  metadata.schema_string = lake::serialize_schema(small_definition().schema);
  metadata.partition_columns = {"event_date"};
  metadata.created_time = core::now_ms();
  for (int version = 0; version < commits; ++version) {
    std::vector<lake::Action> actions;
    if (version == 0) {
      actions.emplace_back(lake::Protocol{});
      actions.emplace_back(metadata);
    }
    lake::AddFile add;
    add.path = fmt::format("event_date=2026-11-25/part-{:05}.parquet", version);
    add.partition_values = {{"event_date", "2026-11-25"}};
    add.size = 4096;
    add.modification_time = core::now_ms();
    add.stats =
        R"({"numRecords":1000,"minValues":{"id":0},"maxValues":{"id":999},"nullCount":{"id":0}})";
    actions.emplace_back(std::move(add));
    if (version % 2 == 1) actions.emplace_back(lake::Txn{"bench", version, core::now_ms()});
    lake::CommitInfo info;
    info.timestamp = core::now_ms();
    info.operation = "WRITE";
    info.json = fmt::format(R"({{"timestamp":{},"operation":"WRITE"}})", *info.timestamp);
    actions.emplace_back(std::move(info));
    std::ofstream(log_directory / lake::LogStore::commit_file_name(version))
        << lake::serialize_commit(actions);
  }
  return root;
}

double median_load_ms(const std::filesystem::path& root, int runs, std::int64_t expected_version) {
  std::vector<double> times;
  for (int run = 0; run < runs; ++run) {
    const auto started = Clock::now();
    auto snapshot = lake::load_snapshot(root);
    times.push_back(seconds_since(started) * 1000);
    if (!snapshot) throw CommandError{1, snapshot.error()};
    if (snapshot.value().version != expected_version) {
      throw CommandError{1, "bench lake: the snapshot has the wrong version"};
    }
  }
  return median(times);
}

void bench_snapshot_load(const BenchLakeOptions& options, const std::filesystem::path& scratch,
                         lake::ParquetIo& parquet) {
  const auto root = write_long_log(scratch / "long", options.commits);
  const std::int64_t last = options.commits - 1;
  const double json_only = median_load_ms(root, 5, last);
  auto snapshot = lake::load_snapshot(root);
  if (!snapshot) throw CommandError{1, snapshot.error()};
  auto written = parquet.write_checkpoint(snapshot.value());
  if (!written) throw CommandError{1, written.error()};
  if (auto hint = lake::LogStore(root).write_last_checkpoint({last, written.value(), {}}); !hint) {
    throw CommandError{1, hint.error()};
  }
  const double from_checkpoint = median_load_ms(root, 5, last);
  fmt::print(
      "snapshot load, {} commits and {} live files: {:.1f} ms from JSON commits alone, {:.1f} ms "
      "from a checkpoint (medians of 5)\n",
      options.commits, snapshot.value().files.size(), json_only, from_checkpoint);
}

void run_bench_lake(const BenchLakeOptions& options) {
  const auto scratch = scratch_directory(options);
  lake::ParquetOptions parquet_options;
  parquet_options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto parquet = lake::ParquetIo::open(parquet_options);
  if (!parquet) throw CommandError{1, parquet.error()};
  bench_landing(options, scratch, *parquet.value());
  bench_commit_latency(options, scratch, *parquet.value());
  bench_snapshot_load(options, scratch, *parquet.value());
  std::filesystem::remove_all(scratch);
}

}  // namespace

void add_bench_lake_command(CLI::App& bench) {
  auto options = std::make_shared<BenchLakeOptions>();
  auto* command = bench.add_subcommand(
      "lake",
      "The lake: landing throughput (simulator events in the event log, into bronze.events: "
      "decode, stage, Parquet, commit; one writer for a warm-up run, not counted, and the runs, "
      "each landing --events new events), commit latency, and snapshot load time for a table of "
      "10,000 commits with and without a checkpoint");
  command->add_option("--events", options->events, "Events per landing run")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--runs", options->runs,
                   "Landing runs after the warm-up; the median is reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--commits", options->commits, "Commits of the snapshot-load table")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--latency-commits", options->latency_commits, "Commits timed for latency")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--directory", options->directory,
                      "Scratch folder (default: the temp directory); it needs ~1 GB free");
  command->callback([options] { run_bench_lake(*options); });
}

}  // namespace shoplake::cli
