// The lake part of `shoplake up`: the bronze writer landing the event log into bronze.events and
// bronze.rejected, and every Delta table of <data>/lake published in the SQL catalog as its
// current snapshot, switched on each commit.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "shoplake/log/event_log.hpp"
#include "shoplake/server/main_server.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::lake {
class ParquetIo;
struct Snapshot;
}  // namespace shoplake::lake

namespace shoplake::cli {

struct LakeOptions {
  double commit_interval_seconds = 5;
  std::uint64_t commit_events = 1'000'000;
  double optimize_interval_minutes = 10;
  std::int64_t checkpoint_interval = 10;
  std::string parquet_memory_limit = "1GB";
};

void add_lake_flags(CLI::App& command, LakeOptions& options);

class LakeRuntime {
 public:
  // Publishes the existing tables and starts landing; throws CommandError on failure.
  static std::unique_ptr<LakeRuntime> start(log::EventLog& log, sql::Catalog& catalog,
                                            const std::filesystem::path& data_dir,
                                            const LakeOptions& options);
  ~LakeRuntime();
  // Lands what the log holds, commits it and stops.
  void stop();

  void add_metrics(server::MainServer& http) const;
  void add_health_check(server::MainServer& http) const;
  std::string banner() const;

  // For the batch pipeline, which writes silver and gold beside bronze.
  const std::filesystem::path& lake_directory() const;
  lake::ParquetIo& parquet() const;
  // Switches layer.name in the SQL catalog to `snapshot` (what bronze commits do too).
  void publish(const std::string& layer, const std::string& name,
               const lake::Snapshot& snapshot) const;
  // Blocks until every log entry before `offset` is in bronze, or the timeout passes.
  bool wait_for_bronze(std::uint64_t offset, std::chrono::milliseconds timeout) const;
  std::int64_t bronze_events_version() const;

 private:
  struct State;
  explicit LakeRuntime(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::cli
