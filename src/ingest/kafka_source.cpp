#include "shoplake/ingest/kafka_source.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>

#include "kafka_log.hpp"

namespace shoplake::ingest {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kMaxBackoff{2000};
constexpr std::chrono::milliseconds kIdlePoll{100};
constexpr int kCommittedLookupTimeoutMs = 10'000;
constexpr std::chrono::milliseconds kDurableWait{10'000};

std::optional<std::int64_t> parse_offset(std::string_view text) {
  std::int64_t offset = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), offset);
  if (error != std::errc{} || end != text.data() + text.size() || offset < 0) return std::nullopt;
  return offset;
}

// Broker errors: librdkafka reconnects by itself, so they are reported and consumption goes on.
void log_broker_error(rd_kafka_t* /*handle*/, int error, const char* reason, void* /*opaque*/) {
  spdlog::warn("kafka: {}: {}", rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(error)), reason);
}

// A failed commit loses nothing: the log's origins say where each partition resumes.
void log_commit_result(rd_kafka_t* /*handle*/, rd_kafka_resp_err_t error,
                       rd_kafka_topic_partition_list_t* /*offsets*/, void* /*opaque*/) {
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    spdlog::warn("kafka: committing offsets to the group failed: {}", rd_kafka_err2str(error));
  }
}

}  // namespace

// Everything on the librdkafka side. Only the consuming thread touches it after start(): the
// rebalance callback runs inside rd_kafka_consumer_poll on that thread.
struct KafkaSource::Consumer {
  struct PendingBatch {
    std::string body;
    std::int64_t next_offset = 0;  // one past the last message in body
    std::uint64_t messages = 0;
    Clock::time_point started;
  };

  Consumer(log::EventLog& event_log, const KafkaSourceOptions& source_options,
           const std::atomic<bool>& stop_requested)
      : log(event_log),
        options(source_options),
        ingestor(event_log, source_options.ingest),
        stopping(stop_requested) {}
  ~Consumer() {
    if (handle != nullptr) rd_kafka_destroy(handle);
  }
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  core::Status connect();
  void on_assign(rd_kafka_topic_partition_list_t* partitions);
  void on_revoke(rd_kafka_topic_partition_list_t* partitions);
  void take(const rd_kafka_message_t& message);
  bool store(std::int32_t partition, const PendingBatch& batch);
  void commit(std::int32_t partition, std::int64_t next_offset, bool wait);
  void commit_durable(bool wait_for_all);
  void store_due_batches(bool all);
  std::chrono::milliseconds poll_timeout() const;
  void fail(const std::string& why);
  bool failed() const;

  log::EventLog& log;
  const KafkaSourceOptions& options;
  Ingestor ingestor;
  const std::atomic<bool>& stopping;
  rd_kafka_t* handle = nullptr;
  bool cooperative = false;
  std::map<std::int32_t, PendingBatch> pending;
  std::map<std::int32_t, std::int64_t> stored_next;  // per assigned partition, what the log holds
  // Stored batches whose Kafka offsets wait for the log to make them durable (fsync under the
  // interval policy) before the group may move past them.
  struct AwaitingCommit {
    std::int32_t partition = 0;
    std::uint64_t log_end_offset = 0;
    std::int64_t next_offset = 0;
  };
  std::deque<AwaitingCommit> awaiting_durability;

  std::atomic<std::uint64_t> messages{0};
  std::atomic<std::uint64_t> events_accepted{0};
  std::atomic<std::uint64_t> events_rejected{0};
  std::atomic<std::uint64_t> batches{0};
  std::atomic<std::uint64_t> overloaded_retries{0};
  mutable std::mutex failure_mutex;
  std::string failure;
};

namespace {

void on_rebalance(rd_kafka_t* /*handle*/, rd_kafka_resp_err_t error,
                  rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto& consumer = *static_cast<KafkaSource::Consumer*>(opaque);
  if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    consumer.on_assign(partitions);
  } else {
    consumer.on_revoke(partitions);
  }
}

}  // namespace

core::Status KafkaSource::Consumer::connect() {
  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> settings{
      {"bootstrap.servers", options.brokers},
      {"group.id", options.group},
      {"client.id", "shoplake"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
  };
  for (const auto& [name, value] : options.librdkafka_config) settings[name] = value;
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason, sizeof reason) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return core::Error{"kafka source: " + name + "=" + value + ": " + reason};
    }
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
  rd_kafka_conf_set_offset_commit_cb(conf, log_commit_result);
  rd_kafka_conf_set_error_cb(conf, log_broker_error);
  rd_kafka_conf_set_log_cb(conf, log_from_librdkafka);
  handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, reason, sizeof reason);
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return core::Error{std::string("kafka source: ") + reason};
  }
  rd_kafka_poll_set_consumer(handle);
  cooperative = std::string_view(rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE";
  return core::ok_status();
}

// Each partition resumes where the log says it stopped, or at the group's commit when that is
// further on (another member stored the partition since). Commits follow durable appends, so the
// log is never behind this member's own commits: a crash between the two re-reads nothing.
void KafkaSource::Consumer::on_assign(rd_kafka_topic_partition_list_t* partitions) {
  const std::map<std::string, std::string> origins = log.latest_origins();
  rd_kafka_topic_partition_list_t* committed = rd_kafka_topic_partition_list_copy(partitions);
  const rd_kafka_resp_err_t lookup =
      rd_kafka_committed(handle, committed, kCommittedLookupTimeoutMs);
  if (lookup != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("kafka: reading the group's committed offsets failed ({}); resuming from the log",
                 rd_kafka_err2str(lookup));
  }
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& partition = partitions->elems[i];
    std::optional<std::int64_t> resume;
    const auto origin = origins.find("kafka/" + std::string(partition.topic) + "/" +
                                     std::to_string(partition.partition));
    if (origin != origins.end()) resume = parse_offset(origin->second);
    if (lookup == RD_KAFKA_RESP_ERR_NO_ERROR && committed->elems[i].err == 0 &&
        committed->elems[i].offset >= 0) {
      resume = std::max(resume.value_or(0), committed->elems[i].offset);
    }
    partition.offset = resume.value_or(RD_KAFKA_OFFSET_INVALID);
    stored_next[partition.partition] = resume.value_or(0);
    spdlog::info("kafka: {} [{}] assigned, resuming at {}", partition.topic, partition.partition,
                 resume ? std::to_string(*resume) : std::string("the earliest offset"));
  }
  rd_kafka_topic_partition_list_destroy(committed);
  rd_kafka_error_t* error = nullptr;
  if (cooperative) {
    error = rd_kafka_incremental_assign(handle, partitions);
  } else if (const rd_kafka_resp_err_t assigned = rd_kafka_assign(handle, partitions)) {
    spdlog::error("kafka: assigning partitions failed: {}", rd_kafka_err2str(assigned));
  }
  if (error != nullptr) {
    spdlog::error("kafka: assigning partitions failed: {}", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

// Batches of revoked partitions are dropped unstored: neither the log nor the group has moved
// past them, so whoever gets the partition next reads them again. What was stored is committed
// first, so the next owner does not read it again.
void KafkaSource::Consumer::on_revoke(rd_kafka_topic_partition_list_t* partitions) {
  commit_durable(true);
  for (int i = 0; i < partitions->cnt; ++i) {
    pending.erase(partitions->elems[i].partition);
    stored_next.erase(partitions->elems[i].partition);
  }
  if (cooperative) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(handle, partitions)) {
      spdlog::error("kafka: unassigning partitions failed: {}", rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    }
  } else {
    rd_kafka_assign(handle, nullptr);
  }
}

void KafkaSource::Consumer::take(const rd_kafka_message_t& message) {
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("kafka: {}", rd_kafka_message_errstr(&message));
    return;
  }
  const std::int32_t partition = message.partition;
  PendingBatch& batch = pending[partition];
  const std::int64_t expected = batch.messages > 0 ? batch.next_offset : stored_next[partition];
  if (message.offset < expected) {
    if (batch.messages == 0) pending.erase(partition);
    return;  // already in the log (a fetch that overlapped a seek)
  }
  ++messages;
  if (batch.messages == 0) batch.started = Clock::now();
  ++batch.messages;
  batch.body.append(static_cast<const char*>(message.payload), message.len);
  if (!batch.body.empty() && batch.body.back() != '\n') batch.body.push_back('\n');
  batch.next_offset = message.offset + 1;
  if (batch.body.size() >= options.max_batch_bytes) {
    store(partition, batch);
    pending.erase(partition);
  }
}

// Appends the batch with its origin, retrying while the log is overloaded, then commits. False
// when it was not stored (stopping, or the log failed): it will be read again.
bool KafkaSource::Consumer::store(std::int32_t partition, const PendingBatch& batch) {
  const std::string key = "kafka/" + options.topic + "/" + std::to_string(partition);
  const std::string value = std::to_string(batch.next_offset);
  std::chrono::milliseconds backoff = options.first_backoff;
  while (true) {
    const IngestResult result = ingestor.ingest(batch.body, log::Origin{key, value});
    if (result.status == IngestStatus::stored) {
      events_accepted += result.accepted;
      events_rejected += result.rejected;
      ++batches;
      stored_next[partition] = batch.next_offset;
      awaiting_durability.push_back({partition, result.end_offset, batch.next_offset});
      return true;
    }
    if (result.status != IngestStatus::overloaded) {
      fail("storing a batch of " + key + " up to offset " + value + " failed: " + result.message);
      return false;
    }
    if (stopping) return false;
    ++overloaded_retries;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

void KafkaSource::Consumer::commit(std::int32_t partition, std::int64_t next_offset, bool wait) {
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(offsets, options.topic.c_str(), partition)->offset =
      next_offset;
  const rd_kafka_resp_err_t error = rd_kafka_commit(handle, offsets, wait ? 0 : 1);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    spdlog::warn("kafka: committing {} [{}] at {} failed: {}", options.topic, partition,
                 next_offset, rd_kafka_err2str(error));
  }
  rd_kafka_topic_partition_list_destroy(offsets);
}

// Commits the Kafka offsets of every stored batch the log has made durable; with `wait_for_all`,
// waits for the log to make all of them durable first and commits synchronously.
void KafkaSource::Consumer::commit_durable(bool wait_for_all) {
  if (awaiting_durability.empty()) return;
  if (wait_for_all) {
    log.wait_for_durable(awaiting_durability.back().log_end_offset - 1, kDurableWait);
  }
  const std::uint64_t durable_end = log.durable_end_offset();
  std::map<std::int32_t, std::int64_t> committable;
  while (!awaiting_durability.empty() &&
         awaiting_durability.front().log_end_offset <= durable_end) {
    const AwaitingCommit& done = awaiting_durability.front();
    committable[done.partition] = done.next_offset;
    awaiting_durability.pop_front();
  }
  for (const auto& [partition, next_offset] : committable) {
    commit(partition, next_offset, wait_for_all);
  }
}

// Stores the batches whose delay has passed (or every batch), oldest partitions first.
void KafkaSource::Consumer::store_due_batches(bool all) {
  const Clock::time_point now = Clock::now();
  for (auto it = pending.begin(); it != pending.end() && !failed();) {
    if (all || now - it->second.started >= options.max_batch_delay) {
      store(it->first, it->second);
      it = pending.erase(it);
    } else {
      ++it;
    }
  }
}

std::chrono::milliseconds KafkaSource::Consumer::poll_timeout() const {
  std::chrono::milliseconds timeout = kIdlePoll;
  const Clock::time_point now = Clock::now();
  for (const auto& [partition, batch] : pending) {
    const auto due = std::chrono::duration_cast<std::chrono::milliseconds>(
        batch.started + options.max_batch_delay - now);
    timeout = std::min(timeout, std::max(due, std::chrono::milliseconds{0}));
  }
  return timeout;
}

void KafkaSource::Consumer::fail(const std::string& why) {
  spdlog::error("kafka source stops: {}", why);
  const std::lock_guard lock(failure_mutex);
  failure = why;
}

bool KafkaSource::Consumer::failed() const {
  const std::lock_guard lock(failure_mutex);
  return !failure.empty();
}

core::Result<std::unique_ptr<KafkaSource>> KafkaSource::create(log::EventLog& log,
                                                               const KafkaSourceOptions& options) {
  if (options.brokers.empty()) return core::Error{"kafka source: no brokers given"};
  if (options.topic.empty()) return core::Error{"kafka source: no topic given"};
  if (options.group.empty()) return core::Error{"kafka source: no consumer group given"};
  if (options.max_batch_bytes == 0) return core::Error{"kafka source: max_batch_bytes is 0"};
  std::unique_ptr<KafkaSource> source(new KafkaSource(log, options));
  const core::Status connected = source->consumer_->connect();
  if (!connected) return core::Error{connected.error()};
  return source;
}

KafkaSource::KafkaSource(log::EventLog& log, const KafkaSourceOptions& options)
    : log_(log), options_(options) {
  // Every batch is NDJSON and nobody is there to take a refusal; its size is bounded in bytes.
  options_.ingest.ndjson_stream = true;
  options_.ingest.max_events_per_body = std::numeric_limits<std::uint64_t>::max();
  consumer_ = std::make_unique<Consumer>(log_, options_, stopping_);
}

KafkaSource::~KafkaSource() {
  stop();
}

core::Status KafkaSource::start() {
  if (thread_.joinable()) return core::Error{"kafka source: already started"};
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, options_.topic.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t error = rd_kafka_subscribe(consumer_->handle, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return core::Error{"kafka source: subscribing to " + options_.topic + ": " +
                       rd_kafka_err2str(error)};
  }
  thread_ = std::thread([this] { run(); });
  return core::ok_status();
}

void KafkaSource::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void KafkaSource::run() {
  Consumer& consumer = *consumer_;
  while (!stopping_ && !consumer.failed()) {
    rd_kafka_message_t* message =
        rd_kafka_consumer_poll(consumer.handle, static_cast<int>(consumer.poll_timeout().count()));
    if (message != nullptr) {
      consumer.take(*message);
      rd_kafka_message_destroy(message);
    }
    consumer.store_due_batches(false);
    consumer.commit_durable(false);
  }
  if (!consumer.failed()) {
    consumer.store_due_batches(true);
    consumer.commit_durable(true);
    // Earlier asynchronous commits may still be in flight: make the last position of each
    // partition the group's before leaving it (all of it durable now).
    for (const auto& [partition, next_offset] : consumer.stored_next) {
      if (next_offset > 0) consumer.commit(partition, next_offset, true);
    }
  }
  if (const rd_kafka_resp_err_t error = rd_kafka_consumer_close(consumer.handle)) {
    spdlog::warn("kafka: leaving the group: {}", rd_kafka_err2str(error));
  }
}

KafkaSourceCounters KafkaSource::counters() const {
  return KafkaSourceCounters{consumer_->messages, consumer_->events_accepted,
                             consumer_->events_rejected, consumer_->batches,
                             consumer_->overloaded_retries};
}

std::string KafkaSource::failure() const {
  const std::lock_guard lock(consumer_->failure_mutex);
  return consumer_->failure;
}

}  // namespace shoplake::ingest
