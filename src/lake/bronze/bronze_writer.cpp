#include "shoplake/lake/bronze_writer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "bronze_tables.hpp"
#include "day_stagings.hpp"
#include "event_staging.hpp"
#include "parquet_io.hpp"
#include "shoplake/lake/delta_table.hpp"

namespace shoplake::lake {
namespace {

constexpr const char* kConsumerName = "bronze";
constexpr std::chrono::milliseconds kPollInterval{100};

std::optional<std::uint64_t> committed_offset(const Snapshot& snapshot) {
  auto found = snapshot.app_versions.find(kBronzeAppId);
  if (found == snapshot.app_versions.end() || found->second < 0) return std::nullopt;
  return static_cast<std::uint64_t>(found->second);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A table's partitions of a batch, from each day's SELECT.
std::vector<PartitionRows> partitions_of(std::map<std::int32_t, std::string> selects) {
  std::vector<PartitionRows> partitions;
  for (auto& [day, select] : selects) {
    partitions.push_back({day_partition(day), std::move(select)});
  }
  return partitions;
}

}  // namespace

struct BronzeWriter::State {
  State(log::EventLog& log, ParquetIo& parquet, BronzeOptions options,
        BronzeCommitListener listener)
      : log(log), parquet(parquet), options(std::move(options)), listener(std::move(listener)) {}

  core::Status stage(const log::Record& record);
  core::Status flush();
  // Commits one table's staged partitions with its txn.
  core::Status commit_table(DeltaTable& table, const std::vector<PartitionRows>& partitions,
                            const std::string& name, std::vector<Txn> txns,
                            std::uint64_t& table_offset);
  // Stages up to a few dozen records; `draining` ignores stop() (the last pass before it ends).
  core::Result<bool> land_some(log::LogCursor& cursor, bool draining = false);
  void run();
  void maintain();
  void fail(const std::string& message);

  log::EventLog& log;
  ParquetIo& parquet;
  BronzeOptions options;
  BronzeCommitListener listener;

  sql::duck::Connection connection;
  std::unique_ptr<DeltaTable> events;
  std::unique_ptr<DeltaTable> rejected;
  EventStaging events_stage;
  DayStagings rejected_stage{bronze_rejected_staging_columns()};
  std::uint64_t events_offset = 0;    // the events table holds every event before it
  std::uint64_t rejected_offset = 0;  // the rejected table every rejection before it
  std::uint64_t read_offset = 0;      // where the cursor starts
  std::uint64_t staged_end = 0;       // one past the last entry staged
  std::map<std::string, std::string> staged_origins;
  std::chrono::steady_clock::time_point batch_started;
  bool batch_open = false;

  mutable std::mutex mutex;
  mutable std::condition_variable progressed;
  BronzeStats stats;
  std::string failure;

  std::atomic<bool> stopping{false};
  std::thread worker;
  std::thread maintenance;
  std::mutex maintenance_mutex;
  std::condition_variable maintenance_wakeup;
};

std::filesystem::path BronzeWriter::events_root(const std::filesystem::path& lake_directory) {
  return lake_directory / "bronze" / "events";
}
std::filesystem::path BronzeWriter::rejected_root(const std::filesystem::path& lake_directory) {
  return lake_directory / "bronze" / "rejected";
}

core::Status BronzeWriter::State::stage(const log::Record& record) {
  const std::uint64_t first = record.first_offset;
  if (record.kind == log::RecordKind::events) {
    if (auto staged = events_stage.add(record, events_offset); !staged) return staged;
  } else if (record.kind == log::RecordKind::rejections && record.end_offset() > rejected_offset) {
    core::EncodedRejectionReader reader(record.payload);
    core::RejectionView rejection;
    std::uint64_t offset = first;
    while (reader.next(rejection)) {
      if (offset >= rejected_offset) {
        stage_rejection(rejected_stage.rows_of(rejection_day(record.appended_at_ms)), rejection,
                        offset, record.appended_at_ms);
      }
      ++offset;
    }
    if (!reader.error().empty()) {
      return core::Error{
          fmt::format("log record at offset {} does not decode: {}", first, reader.error())};
    }
  }
  if (!record.origin.key.empty()) {
    staged_origins[std::string(record.origin.key)] = std::string(record.origin.value);
  }
  staged_end = std::max(staged_end, record.end_offset());
  if (!batch_open) {
    batch_open = true;
    batch_started = std::chrono::steady_clock::now();
  }
  return core::ok_status();
}

core::Status BronzeWriter::State::commit_table(DeltaTable& table,
                                               const std::vector<PartitionRows>& partitions,
                                               const std::string& name, std::vector<Txn> txns,
                                               std::uint64_t& table_offset) {
  txns.insert(txns.begin(), Txn{kBronzeAppId, static_cast<std::int64_t>(staged_end), now_ms()});
  auto committed = table.append_partitions(connection.get(), partitions, txns);
  if (!committed) return core::Error{committed.error()};
  table_offset = staged_end;
  if (listener) listener(name, table.snapshot());
  std::lock_guard lock(mutex);
  ++stats.commits;
  if (name == "events") {
    stats.events_landed += committed.value().rows_added;
    stats.events_version = table.snapshot().version;
  } else {
    stats.rejections_landed += committed.value().rows_added;
    stats.rejected_version = table.snapshot().version;
  }
  return core::ok_status();
}

core::Status BronzeWriter::State::flush() {
  if (!batch_open) return core::ok_status();
  if (auto staged = events_stage.finish(); !staged) return staged;
  const auto started = std::chrono::steady_clock::now();
  // A table with nothing new gets no commit; its txn lags, which the skip on restart and the
  // log consumer offset (both tables are landed up to staged_end) account for.
  // A txn never goes back: after a restart the lagging table re-lands while the other skips.
  if (staged_end > events_offset && (!events_stage.empty() || !staged_origins.empty())) {
    std::vector<Txn> origin_txns;
    for (const auto& [key, value] : staged_origins) {
      std::int64_t next = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), next);
      if (error == std::errc{} && end == value.data() + value.size()) {
        origin_txns.push_back(Txn{key, next, now_ms()});
      }
    }
    if (auto committed = commit_table(*events, partitions_of(events_stage.select_per_day()),
                                      "events", std::move(origin_txns), events_offset);
        !committed) {
      return committed;
    }
    events_stage.clear();
  }
  if (staged_end > rejected_offset && !rejected_stage.empty()) {
    std::map<std::int32_t, std::string> selects;
    rejected_stage.add_selects(selects);
    if (auto committed = commit_table(*rejected, partitions_of(std::move(selects)), "rejected", {},
                                      rejected_offset);
        !committed) {
      return committed;
    }
    rejected_stage.clear_for_reuse();
  }
  staged_origins.clear();
  batch_open = false;
  if (auto committed = log.commit_consumer(kConsumerName, staged_end); !committed) {
    spdlog::warn("bronze: cannot record the landed log offset {}: {}", staged_end,
                 committed.error());
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  {
    std::lock_guard lock(mutex);
    stats.landed_offset = staged_end;
    stats.last_commit_ms = elapsed.count();
    stats.total_commit_ms += elapsed.count();
  }
  progressed.notify_all();
  return core::ok_status();
}

core::Result<bool> BronzeWriter::State::land_some(log::LogCursor& cursor, bool draining) {
  bool any = false;
  for (int batch = 0; batch < 64 && (draining || !stopping.load()); ++batch) {
    auto next = cursor.next();
    if (!next) return core::Error{next.error()};
    if (!next.value()) break;
    if (auto staged = stage(*next.value()); !staged) return core::Error{staged.error()};
    any = true;
    if (events_stage.entries() + rejected_stage.rows() >= options.commit_events) {
      if (auto flushed = flush(); !flushed) return core::Error{flushed.error()};
    }
  }
  return any;
}

void BronzeWriter::State::fail(const std::string& message) {
  spdlog::error("bronze: {}; landing stops here (the log keeps everything not landed)", message);
  std::lock_guard lock(mutex);
  failure = message;
}

void BronzeWriter::State::run() {
  auto cursor = log.read_from(read_offset, log::ReadVisibility::durable);
  if (!cursor) {
    fail("cannot read the event log: " + cursor.error());
    return;
  }
  while (!stopping.load()) {
    auto landed = land_some(*cursor.value());
    if (!landed) {
      fail(landed.error());
      return;
    }
    if (batch_open && std::chrono::steady_clock::now() - batch_started >= options.commit_interval) {
      if (auto flushed = flush(); !flushed) {
        fail(flushed.error());
        return;
      }
    }
    if (!landed.value()) log.wait_for_durable(staged_end, kPollInterval);
  }
  // What was acknowledged before stop() is landed before the threads end: under an interval
  // policy it becomes readable at the next fsync.
  const std::uint64_t appended = log.appended_end_offset();
  if (appended > 0) log.wait_for_durable(appended - 1, std::chrono::seconds(5));
  while (true) {
    auto landed = land_some(*cursor.value(), true);
    if (!landed) {
      fail(landed.error());
      return;
    }
    if (!landed.value()) break;
  }
  if (auto flushed = flush(); !flushed) fail(flushed.error());
}

void BronzeWriter::State::maintain() {
  if (options.optimize_interval.count() <= 0) return;
  TableOptions table_options;
  table_options.checkpoint_interval = options.checkpoint_interval;
  std::unique_lock lock(maintenance_mutex);
  while (!stopping.load()) {
    maintenance_wakeup.wait_for(lock, options.optimize_interval, [&] { return stopping.load(); });
    if (stopping.load()) break;
    // Its own table handles: compaction is a concurrent writer like any other, and its commit
    // never conflicts with the appends (it only removes files no append touches).
    for (const auto& root :
         {events_root(options.lake_directory), rejected_root(options.lake_directory)}) {
      auto table = DeltaTable::open(root, parquet, table_options);
      if (!table) {
        spdlog::warn("bronze: compaction: {}", table.error());
        continue;
      }
      auto optimized = table.value()->optimize(options.optimize_target_bytes);
      if (!optimized) {
        spdlog::warn("bronze: compaction of {} left for the next run: {}", root.string(),
                     optimized.error());
        continue;
      }
      if (optimized.value().version) {
        spdlog::info("bronze: compacted {} files into {} in {} (version {})",
                     optimized.value().files_removed, optimized.value().files_added, root.string(),
                     *optimized.value().version);
        if (listener) {
          listener(root.filename().string(), table.value()->snapshot());
        }
        std::lock_guard stats_lock(mutex);
        ++stats.optimizations;
      }
    }
  }
}

BronzeWriter::BronzeWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}

BronzeWriter::~BronzeWriter() {
  stop();
}

core::Result<std::unique_ptr<BronzeWriter>> BronzeWriter::open(log::EventLog& log,
                                                               ParquetIo& parquet,
                                                               BronzeOptions options,
                                                               BronzeCommitListener listener) {
  if (auto registered = log.register_consumer(kConsumerName); !registered) {
    return core::Error{registered.error()};
  }
  auto state = std::make_unique<State>(log, parquet, std::move(options), std::move(listener));
  TableOptions table_options;
  table_options.checkpoint_interval = state->options.checkpoint_interval;
  auto events = DeltaTable::open_or_create(events_root(state->options.lake_directory),
                                           bronze_events_definition(), parquet, table_options);
  if (!events) return core::Error{events.error()};
  auto rejected = DeltaTable::open_or_create(rejected_root(state->options.lake_directory),
                                             bronze_rejected_definition(), parquet, table_options);
  if (!rejected) return core::Error{rejected.error()};
  state->events = std::move(events).value();
  state->rejected = std::move(rejected).value();

  auto connection = parquet.connect();
  if (!connection) return core::Error{connection.error()};
  state->connection = std::move(connection).value();
  if (auto registered = StagedRows::register_function(state->connection.get()); !registered) {
    return core::Error{registered.error()};
  }

  // Each table's txn says how far it holds the log; entries below the consumer offset are in
  // both (it is recorded only after both committed).
  const std::uint64_t consumer = log.consumer_offset(kConsumerName).value_or(0);
  state->events_offset =
      std::max(committed_offset(state->events->snapshot()).value_or(0), consumer);
  state->rejected_offset =
      std::max(committed_offset(state->rejected->snapshot()).value_or(0), consumer);
  std::uint64_t resume = std::min(state->events_offset, state->rejected_offset);
  if (resume < log.start_offset()) {
    spdlog::warn(
        "bronze: the lake holds the log up to offset {}, but the log starts at {}: entries in "
        "between were truncated before they landed",
        resume, log.start_offset());
    resume = log.start_offset();
  }
  state->read_offset = resume;
  state->staged_end = resume;
  state->stats.landed_offset = resume;
  state->stats.events_version = state->events->snapshot().version;
  state->stats.rejected_version = state->rejected->snapshot().version;
  spdlog::info("bronze: landing the event log from offset {} (bronze.events at version {})", resume,
               state->events->snapshot().version);
  return std::unique_ptr<BronzeWriter>(new BronzeWriter(std::move(state)));
}

void BronzeWriter::start() {
  if (state_->worker.joinable()) return;
  state_->stopping = false;
  state_->worker = std::thread([state = state_.get()] { state->run(); });
  state_->maintenance = std::thread([state = state_.get()] { state->maintain(); });
}

void BronzeWriter::stop() {
  if (!state_ || !state_->worker.joinable()) return;
  {
    std::lock_guard lock(state_->maintenance_mutex);
    state_->stopping = true;
  }
  state_->maintenance_wakeup.notify_all();
  state_->worker.join();
  state_->maintenance.join();
}

core::Status BronzeWriter::land_available() {
  if (state_->worker.joinable()) {
    return core::Error{"land_available: the writer's own thread is landing"};
  }
  const std::uint64_t appended = state_->log.appended_end_offset();
  if (appended > 0) state_->log.wait_for_durable(appended - 1, std::chrono::seconds(5));
  auto cursor = state_->log.read_from(state_->staged_end, log::ReadVisibility::durable);
  if (!cursor) return core::Error{cursor.error()};
  while (true) {
    auto landed = state_->land_some(*cursor.value(), true);
    if (!landed) return core::Error{landed.error()};
    if (!landed.value()) break;
  }
  return state_->flush();
}

bool BronzeWriter::wait_for_offset(std::uint64_t offset, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->progressed.wait_for(lock, timeout, [&] {
    return state_->stats.landed_offset >= offset || !state_->failure.empty();
  }) && state_->stats.landed_offset >= offset;
}

BronzeStats BronzeWriter::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

std::string BronzeWriter::failure() const {
  std::lock_guard lock(state_->mutex);
  return state_->failure;
}

}  // namespace shoplake::lake
