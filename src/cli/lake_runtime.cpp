#include "lake_runtime.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <thread>

#include "commands.hpp"
#include "parquet_io.hpp"
#include "shoplake/lake/bronze_writer.hpp"
#include "shoplake/lake/lake_catalog.hpp"

namespace shoplake::cli {

void add_lake_flags(CLI::App& command, LakeOptions& options) {
  with_env(command
               .add_option("--bronze-commit-interval-seconds", options.commit_interval_seconds,
                           "Seconds between commits of the bronze landing (events reach "
                           "bronze.* within about this long)")
               ->check(CLI::Range(0.05, 3600.0))
               ->capture_default_str());
  with_env(command
               .add_option("--bronze-commit-events", options.commit_events,
                           "A bronze commit as soon as this many events are staged")
               ->check(CLI::PositiveNumber)
               ->capture_default_str());
  with_env(command
               .add_option("--lake-optimize-interval-minutes", options.optimize_interval_minutes,
                           "Minutes between background compactions of bronze's small files "
                           "(0: never)")
               ->check(CLI::Range(0.0, 10080.0))
               ->capture_default_str());
  with_env(command
               .add_option("--lake-checkpoint-interval", options.checkpoint_interval,
                           "A Delta checkpoint every N commits of a table")
               ->check(CLI::Range(1, 100000))
               ->capture_default_str());
}

struct LakeRuntime::State {
  sql::Catalog* catalog = nullptr;
  std::filesystem::path lake_directory;
  std::unique_ptr<lake::ParquetIo> parquet;
  std::unique_ptr<lake::LakePublisher> publisher;
  std::unique_ptr<lake::BronzeWriter> bronze;
};

LakeRuntime::LakeRuntime(std::unique_ptr<State> state) : state_(std::move(state)) {}

LakeRuntime::~LakeRuntime() {
  stop();
  if (state_->catalog != nullptr) state_->catalog->set_time_travel_resolver({});
}

std::unique_ptr<LakeRuntime> LakeRuntime::start(log::EventLog& log, sql::Catalog& catalog,
                                                const std::filesystem::path& data_dir,
                                                const LakeOptions& options) {
  auto state = std::make_unique<State>();
  state->lake_directory = std::filesystem::absolute(data_dir / "lake").lexically_normal();
  lake::ParquetOptions parquet_options;
  parquet_options.memory_limit = options.parquet_memory_limit;
  parquet_options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto parquet = lake::ParquetIo::open(parquet_options);
  if (!parquet) throw CommandError{1, "lake: " + parquet.error()};
  state->parquet = std::move(parquet).value();
  state->publisher = std::make_unique<lake::LakePublisher>(catalog, *state->parquet);

  lake::BronzeOptions bronze_options;
  bronze_options.lake_directory = state->lake_directory;
  bronze_options.commit_interval = std::chrono::milliseconds(
      static_cast<std::int64_t>(std::llround(options.commit_interval_seconds * 1000)));
  bronze_options.commit_events = options.commit_events;
  bronze_options.optimize_interval = std::chrono::milliseconds(
      static_cast<std::int64_t>(std::llround(options.optimize_interval_minutes * 60'000)));
  bronze_options.checkpoint_interval = options.checkpoint_interval;
  auto bronze = lake::BronzeWriter::open(
      log, *state->parquet, bronze_options,
      [publisher = state->publisher.get()](const std::string& table,
                                           const lake::Snapshot& snapshot) {
        if (auto published = publisher->publish("bronze", table, snapshot); !published) {
          spdlog::warn("lake: cannot publish bronze.{}: {}", table, published.error());
        }
      });
  if (!bronze) throw CommandError{1, "lake: " + bronze.error()};
  state->bronze = std::move(bronze).value();
  if (auto published = state->publisher->publish_all(state->lake_directory); !published) {
    throw CommandError{1, "lake: " + published.error()};
  }
  state->catalog = &catalog;
  catalog.set_time_travel_resolver([lake_directory = state->lake_directory,
                                    parquet = state->parquet.get()](
                                       const std::string& schema, const std::string& name,
                                       const sql::TimeTravelPoint& point)
                                       -> core::Result<std::string> {
    auto location = lake::locate_lake_table(lake_directory, schema + "." + name);
    if (!location) return core::Error{location.error()};
    if (!std::filesystem::is_directory(location.value().root / "_delta_log")) {
      return core::Error{fmt::format("{}.{} is not a lake table", schema, name)};
    }
    auto snapshot = lake::load_snapshot(location.value().root, {point.version, point.timestamp_ms});
    if (!snapshot) return core::Error{fmt::format("{}.{}: {}", schema, name, snapshot.error())};
    return parquet->scan_sql(snapshot.value());
  });
  state->bronze->start();
  return std::unique_ptr<LakeRuntime>(new LakeRuntime(std::move(state)));
}

void LakeRuntime::stop() {
  if (state_ && state_->bronze) state_->bronze->stop();
}

void LakeRuntime::add_metrics(server::MainServer& http) const {
  http.add_metrics([bronze = state_->bronze.get()](server::MetricsText& metrics) {
    const lake::BronzeStats stats = bronze->stats();
    metrics.counter("shoplake_bronze_events_landed_total", "Events committed to bronze.events.",
                    static_cast<double>(stats.events_landed));
    metrics.counter("shoplake_bronze_rejections_landed_total",
                    "Rejected lines committed to bronze.rejected.",
                    static_cast<double>(stats.rejections_landed));
    metrics.counter("shoplake_bronze_commits_total", "Delta commits of the bronze landing.",
                    static_cast<double>(stats.commits));
    metrics.gauge("shoplake_bronze_landed_offset",
                  "Every event log entry before this offset is committed to bronze.",
                  static_cast<double>(stats.landed_offset));
    metrics.gauge("shoplake_bronze_events_version", "Current Delta version of bronze.events.",
                  static_cast<double>(stats.events_version));
    metrics.gauge("shoplake_bronze_last_commit_seconds",
                  "Duration of the last bronze commit, Parquet writing included.",
                  static_cast<double>(stats.last_commit_ms) / 1000.0);
    metrics.counter("shoplake_bronze_compactions_total", "Background compactions committed.",
                    static_cast<double>(stats.optimizations));
  });
}

void LakeRuntime::add_health_check(server::MainServer& http) const {
  http.add_health_check([bronze = state_->bronze.get()] {
    const std::string failure = bronze->failure();
    return failure.empty() ? failure : "bronze landing stopped: " + failure;
  });
}

std::string LakeRuntime::banner() const {
  return fmt::format("  lake            {}  (bronze.events at version {}; `shoplake lake ls`)\n",
                     state_->lake_directory.string(), state_->bronze->stats().events_version);
}

const std::filesystem::path& LakeRuntime::lake_directory() const {
  return state_->lake_directory;
}

lake::ParquetIo& LakeRuntime::parquet() const {
  return *state_->parquet;
}

void LakeRuntime::publish(const std::string& layer, const std::string& name,
                          const lake::Snapshot& snapshot) const {
  if (auto published = state_->publisher->publish(layer, name, snapshot); !published) {
    spdlog::warn("lake: cannot publish {}.{}: {}", layer, name, published.error());
  }
}

bool LakeRuntime::wait_for_bronze(std::uint64_t offset, std::chrono::milliseconds timeout) const {
  return state_->bronze->wait_for_offset(offset, timeout);
}

std::int64_t LakeRuntime::bronze_events_version() const {
  return state_->bronze->stats().events_version;
}

}  // namespace shoplake::cli
