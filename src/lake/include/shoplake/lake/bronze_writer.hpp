// The bronze landing: drains the event log into the Delta tables bronze.events (every accepted
// event, typed, partitioned by its UTC event_date) and bronze.rejected (each refused line with its
// reason), committing every few seconds or every N events, whichever comes first. Each commit
// carries a txn action (appId "shoplake.bronze", version = the log offset it covers; plus one per
// Kafka partition with the next Kafka offset), so a restart resumes exactly after the last commit:
// kill -9 at any point loses no row and duplicates none. The log is truncated only behind
// committed offsets, and small files are compacted in the background.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "shoplake/core/result.hpp"
#include "shoplake/lake/snapshot.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::lake {

class ParquetIo;

inline constexpr const char* kBronzeAppId = "shoplake.bronze";

struct BronzeOptions {
  std::filesystem::path lake_directory;  // tables go to <lake>/bronze/events and …/rejected
  std::chrono::milliseconds commit_interval{std::chrono::seconds(5)};
  std::uint64_t commit_events = 1'000'000;  // a commit once this many are staged
  // Background compaction: every interval, partitions with several files below the target are
  // rewritten into one (0 interval: never).
  std::chrono::milliseconds optimize_interval{std::chrono::minutes(10)};
  std::uint64_t optimize_target_bytes = std::uint64_t{128} << 20;
  std::int64_t checkpoint_interval = 10;
};

struct BronzeStats {
  std::uint64_t events_landed = 0;
  std::uint64_t rejections_landed = 0;
  std::uint64_t commits = 0;
  std::uint64_t landed_offset = 0;  // every log entry before it is in bronze
  std::int64_t events_version = -1;
  std::int64_t rejected_version = -1;
  std::uint64_t optimizations = 0;
  std::int64_t last_commit_ms = 0;   // duration of the last commit, Parquet included
  std::int64_t total_commit_ms = 0;  // of every commit since open
};

// Called after each commit with the table's new snapshot ("events" or "rejected"), e.g. to switch
// the SQL catalog to it.
using BronzeCommitListener = std::function<void(const std::string& table, const Snapshot&)>;

class BronzeWriter {
 public:
  // Creates the tables if missing and finds where the last commit stopped.
  static core::Result<std::unique_ptr<BronzeWriter>> open(log::EventLog& log, ParquetIo& parquet,
                                                          BronzeOptions options,
                                                          BronzeCommitListener listener = {});
  ~BronzeWriter();  // stop()
  BronzeWriter(const BronzeWriter&) = delete;
  BronzeWriter& operator=(const BronzeWriter&) = delete;

  void start();
  // Lands what is durable in the log now, commits it, and stops the threads.
  void stop();
  // Lands and commits everything appended to the log up to now (once durable), on the caller's
  // thread, while the writer's own thread is not started: for tests and one-off landings.
  core::Status land_available();

  // Blocks until every entry before `offset` is committed to bronze, or the timeout passes.
  bool wait_for_offset(std::uint64_t offset, std::chrono::milliseconds timeout) const;
  BronzeStats stats() const;
  std::string failure() const;  // why landing stopped, or empty

  static std::filesystem::path events_root(const std::filesystem::path& lake_directory);
  static std::filesystem::path rejected_root(const std::filesystem::path& lake_directory);

 private:
  struct State;
  explicit BronzeWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::lake
