#include "shoplake/stream/stream_engine.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "checkpoint_file.hpp"
#include "live_tables.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/sql/contract_tables.hpp"

namespace shoplake::stream {
namespace {

constexpr const char* kConsumerName = "stream";
constexpr auto kPollInterval = std::chrono::milliseconds(100);
constexpr auto kDurableWaitForCheckpoint = std::chrono::milliseconds(2000);
constexpr auto kSettleRetryInterval = std::chrono::seconds(10);

// The minutes a time series scan asks for: those starting at or after `from_seconds`.
MinuteRange minutes_from(std::int64_t from_seconds) {
  MinuteRange range;
  if (from_seconds > range.from_ms / core::kMillisPerSecond) {
    range.from_ms = from_seconds * core::kMillisPerSecond;
  }
  return range;
}

const sql::ContractTable* contract_table(std::string_view name) {
  for (const auto& table : sql::contract_tables()) {
    if (table.schema == "realtime" && table.name == name) return &table;
  }
  return nullptr;
}

}  // namespace

struct StreamEngine::State {
  State(log::EventLog& event_log, StreamOptions given, SettledMinutesListener given_listener)
      : log(event_log),
        options(std::move(given)),
        listener(std::move(given_listener)),
        aggregator(options.aggregation) {}

  log::EventLog& log;
  const StreamOptions options;
  const SettledMinutesListener listener;

  mutable std::mutex mutex;  // guards the aggregator and the counters below
  mutable std::condition_variable progressed;
  MinuteAggregator aggregator;
  std::uint64_t processed_offset = 0;
  std::uint64_t future_events = 0;
  std::uint64_t undecodable_records = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t checkpoint_offset = 0;
  std::string failure;  // why the engine stopped counting, empty while it counts

  std::mutex checkpoint_mutex;  // one checkpoint at a time

  // Closed minutes handed to the catalog, per table of kMinuteTableNames (settle_mutex).
  std::mutex settle_mutex;
  sql::Catalog* catalog = nullptr;  // set by publish_tables; outlives the worker
  std::array<std::int64_t, std::size(kMinuteTableNames)> settled_before_ms{};
  std::chrono::steady_clock::time_point next_settle_attempt{};
  std::atomic<bool> stopping{false};
  std::thread worker;

  void count_record(const log::Record& record, std::vector<core::MinuteSummary>& settled);
  core::Result<bool> process_available(log::LogCursor& cursor);
  void run();
  void fail(const std::string& message);
  void advance_while_idle(std::chrono::steady_clock::time_point last_progress);
  void settle_final_minutes();
  void settle_final_minutes_locked();  // with settle_mutex held
  core::Status write_checkpoint();
};

void StreamEngine::State::count_record(const log::Record& record,
                                       std::vector<core::MinuteSummary>& settled) {
  const std::int64_t latest_allowed_ms = core::now_ms() + options.max_future_ms;
  std::lock_guard lock(mutex);
  if (record.kind == log::RecordKind::events) {
    // A record that starts before the resume offset was partly counted before the checkpoint.
    std::uint64_t skip =
        processed_offset > record.first_offset ? processed_offset - record.first_offset : 0;
    core::EncodedEventReader reader(record.payload);
    core::EventView event;
    while (reader.next(event)) {
      if (skip > 0) {
        --skip;
        continue;
      }
      if (event.ts_ms > latest_allowed_ms) {
        ++future_events;
        continue;
      }
      aggregator.add(event, settled);
    }
    if (!reader.error().empty()) {
      ++undecodable_records;
      spdlog::error("stream: record at offset {} does not decode: {}", record.first_offset,
                    reader.error());
    }
  }
  processed_offset = std::max(processed_offset, record.end_offset());
}

core::Result<bool> StreamEngine::State::process_available(log::LogCursor& cursor) {
  bool any = false;
  std::vector<core::MinuteSummary> settled;
  for (int batch = 0; batch < 64 && !stopping.load(); ++batch) {
    auto next = cursor.next();
    if (!next) return core::Error{next.error()};
    if (!next.value()) break;
    count_record(*next.value(), settled);
    any = true;
  }
  if (any) progressed.notify_all();
  if (!settled.empty() && listener) listener(settled);
  return any;
}

void StreamEngine::State::advance_while_idle(std::chrono::steady_clock::time_point last_progress) {
  if (options.idle_advance_after.count() <= 0) return;
  if (std::chrono::steady_clock::now() - last_progress < options.idle_advance_after) return;
  std::vector<core::MinuteSummary> settled;
  {
    std::lock_guard lock(mutex);
    aggregator.advance_clock(core::now_ms() - options.idle_advance_after.count(), settled);
  }
  if (!settled.empty() && listener) listener(settled);
}

void StreamEngine::State::settle_final_minutes() {
  std::lock_guard settling(settle_mutex);
  settle_final_minutes_locked();
}

void StreamEngine::State::settle_final_minutes_locked() {
  if (catalog == nullptr || std::chrono::steady_clock::now() < next_settle_attempt) return;
  std::int64_t boundary_ms = 0;
  std::int64_t keep_ms = 0;
  std::array<sql::ResultChunk, std::size(kMinuteTableNames)> rows;
  {
    std::lock_guard lock(mutex);
    boundary_ms = aggregator.final_before_ms();
    keep_ms = aggregator.oldest_kept_ms();
    if (boundary_ms == std::numeric_limits<std::int64_t>::min()) return;  // nothing counted yet
    bool any = false;
    for (std::size_t t = 0; t < rows.size(); ++t) {
      if (settled_before_ms[t] >= boundary_ms) continue;
      rows[t] = scan_live_table(kMinuteTableNames[t], aggregator,
                                {std::max(settled_before_ms[t], keep_ms), boundary_ms});
      any = true;
    }
    if (!any) return;
  }
  for (std::size_t t = 0; t < rows.size(); ++t) {
    if (settled_before_ms[t] >= boundary_ms) continue;
    auto settled = catalog->settle_time_series(
        "realtime", std::string(kMinuteTableNames[t]), std::move(rows[t]),
        boundary_ms / core::kMillisPerSecond, keep_ms / core::kMillisPerSecond);
    if (!settled) {
      // The live scan still shows these minutes; a later attempt hands them over.
      spdlog::warn("stream: cannot hand closed minutes of realtime.{} to the SQL engine: {}",
                   kMinuteTableNames[t], settled.error());
      next_settle_attempt = std::chrono::steady_clock::now() + kSettleRetryInterval;
      return;
    }
    settled_before_ms[t] = boundary_ms;
  }
}

void StreamEngine::State::fail(const std::string& message) {
  spdlog::error("stream: {}; realtime tables stop here", message);
  std::lock_guard lock(mutex);
  failure = message;
}

void StreamEngine::State::run() {
  std::uint64_t resume_offset = 0;
  {
    std::lock_guard lock(mutex);
    resume_offset = processed_offset;
  }
  auto cursor = log.read_from(resume_offset, log::ReadVisibility::written);
  if (!cursor) {
    fail("cannot read the event log: " + cursor.error());
    return;
  }
  auto last_progress = std::chrono::steady_clock::now();
  auto next_checkpoint = last_progress + options.checkpoint_interval;
  while (!stopping.load()) {
    auto processed = process_available(*cursor.value());
    if (!processed) {
      fail("reading the event log failed: " + processed.error());
      return;
    }
    settle_final_minutes();
    const auto now = std::chrono::steady_clock::now();
    if (processed.value()) {
      last_progress = now;
      continue;
    }
    if (now >= next_checkpoint) {
      if (auto written = write_checkpoint(); !written) {
        spdlog::warn("stream: checkpoint failed: {}", written.error());
      }
      next_checkpoint = now + options.checkpoint_interval;
    }
    advance_while_idle(last_progress);
    settle_final_minutes();
    std::uint64_t offset = 0;
    {
      std::lock_guard lock(mutex);
      offset = processed_offset;
    }
    log.wait_for_written(offset, kPollInterval);
  }
  // What was written before stop() is counted before the final checkpoint.
  while (true) {
    auto processed = process_available(*cursor.value());
    if (!processed || !processed.value()) break;
  }
}

core::Status StreamEngine::State::write_checkpoint() {
  std::lock_guard one_at_a_time(checkpoint_mutex);
  std::string state_bytes;
  std::uint64_t offset = 0;
  {
    std::lock_guard lock(mutex);
    offset = processed_offset;
    if (offset == checkpoint_offset && checkpoints > 0) return core::ok_status();
    aggregator.save(state_bytes);
  }
  // The checkpoint may only cover what an OS crash cannot take back from the log.
  if (log.durable_end_offset() < offset &&
      log.wait_for_durable(offset - 1, kDurableWaitForCheckpoint) < offset) {
    return core::Error{fmt::format(
        "the event log is not yet durable up to offset {}; the next checkpoint will cover it",
        offset)};
  }
  if (auto saved = save_checkpoint(options.state_directory, offset, state_bytes); !saved) {
    return saved;
  }
  if (auto committed = log.commit_consumer(kConsumerName, offset); !committed) return committed;
  std::lock_guard lock(mutex);
  checkpoint_offset = offset;
  ++checkpoints;
  return core::ok_status();
}

StreamEngine::StreamEngine(std::shared_ptr<State> state) : state_(std::move(state)) {}

StreamEngine::~StreamEngine() {
  stop();
}

core::Result<std::unique_ptr<StreamEngine>> StreamEngine::open(log::EventLog& log,
                                                               StreamOptions options,
                                                               SettledMinutesListener listener) {
  if (auto registered = log.register_consumer(kConsumerName); !registered)
    return core::Error{registered.error()};
  auto state = std::make_shared<State>(log, std::move(options), std::move(listener));
  auto loaded = load_checkpoint(state->options.state_directory);
  if (!loaded) return core::Error{loaded.error()};
  std::uint64_t resume_offset = log.start_offset();
  if (loaded.value()) {
    const Checkpoint& checkpoint = *loaded.value();
    auto restored = MinuteAggregator::restore(checkpoint.state, state->options.aggregation);
    if (!restored) {
      spdlog::warn("stream: {}; rebuilding the realtime tables from the event log",
                   restored.error());
    } else if (checkpoint.offset < log.start_offset() ||
               checkpoint.offset > log.durable_end_offset()) {
      spdlog::warn(
          "stream: the checkpoint covers the log up to offset {}, but the log now holds offsets "
          "{} to {}; rebuilding the realtime tables from the event log",
          checkpoint.offset, log.start_offset(), log.durable_end_offset());
    } else {
      state->aggregator = std::move(restored).value();
      resume_offset = checkpoint.offset;
      state->checkpoint_offset = checkpoint.offset;
      state->checkpoints = 1;
    }
  }
  state->processed_offset = resume_offset;
  spdlog::info("stream: counting the event log from offset {}{}", resume_offset,
               state->checkpoints > 0 ? " (resumed from the checkpoint)" : "");
  return std::unique_ptr<StreamEngine>(new StreamEngine(std::move(state)));
}

void StreamEngine::start() {
  if (state_->worker.joinable()) return;
  state_->stopping = false;
  state_->worker = std::thread([state = state_.get()] { state->run(); });
}

void StreamEngine::stop() {
  if (!state_ || !state_->worker.joinable()) return;
  state_->stopping = true;
  state_->worker.join();
  if (auto written = state_->write_checkpoint(); !written) {
    spdlog::warn("stream: final checkpoint failed: {}", written.error());
  }
}

core::Status StreamEngine::publish_tables(sql::Catalog& catalog) {
  std::lock_guard settling(state_->settle_mutex);
  // The catalog may outlive the engine: a query after that finds the table empty.
  const auto scan = [weak = std::weak_ptr<State>(state_)](std::string_view name,
                                                          MinuteRange range) {
    const auto state = weak.lock();
    if (!state) return scan_live_table(name, MinuteAggregator());
    std::lock_guard lock(state->mutex);
    return scan_live_table(name, state->aggregator, range);
  };
  for (const std::string_view name : kMinuteTableNames) {
    const sql::ContractTable* table = contract_table(name);
    if (!table) return core::Error{fmt::format("realtime.{} is not a contract table", name)};
    auto published = catalog.publish_time_series(
        "realtime", table->name, table->columns, "minute",
        [scan, name](std::int64_t from_seconds) { return scan(name, minutes_from(from_seconds)); });
    if (!published) return published;
  }
  const sql::ContractTable* day = contract_table(kDayTableName);
  if (!day) return core::Error{fmt::format("realtime.{} is not a contract table", kDayTableName)};
  auto published = catalog.publish_live_table("realtime", day->name, day->columns,
                                              [scan] { return scan(kDayTableName, {}); });
  if (!published) return published;
  state_->catalog = &catalog;
  state_->settled_before_ms.fill(std::numeric_limits<std::int64_t>::min());
  state_->settle_final_minutes_locked();
  return core::ok_status();
}

bool StreamEngine::wait_for_offset(std::uint64_t offset, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->progressed.wait_for(lock, timeout,
                                     [&] { return state_->processed_offset >= offset; });
}

core::Status StreamEngine::checkpoint() {
  return state_->write_checkpoint();
}

StreamStats StreamEngine::stats() const {
  std::lock_guard lock(state_->mutex);
  StreamStats stats;
  stats.aggregation = state_->aggregator.counters();
  stats.future_events = state_->future_events;
  stats.undecodable_records = state_->undecodable_records;
  stats.processed_offset = state_->processed_offset;
  stats.checkpoints = state_->checkpoints;
  stats.checkpoint_offset = state_->checkpoint_offset;
  stats.memory_bytes = state_->aggregator.memory_bytes();
  stats.clock_ms = state_->aggregator.clock_ms();
  return stats;
}

std::vector<core::MinuteSummary> StreamEngine::settled_history() const {
  std::lock_guard lock(state_->mutex);
  return state_->aggregator.settled_history();
}

std::string StreamEngine::failure() const {
  std::lock_guard lock(state_->mutex);
  return state_->failure;
}

DayKpis StreamEngine::today() const {
  std::lock_guard lock(state_->mutex);
  return state_->aggregator.today();
}

}  // namespace shoplake::stream
