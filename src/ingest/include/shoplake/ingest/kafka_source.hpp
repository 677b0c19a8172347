// A Kafka consumer-group member that feeds the event log: message values are NDJSON lines,
// gathered per partition into batches and handed to the Ingestor with the partition's next offset
// as the record's origin. Exactly once into the log: on assignment each partition resumes from
// the offset the log itself recorded (or the group's commit when that is further), and offsets
// are committed to the group only after the batch is durable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "shoplake/core/result.hpp"
#include "shoplake/ingest/ingestor.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::ingest {

struct KafkaSourceOptions {
  std::string brokers;  // HOST:PORT[,HOST:PORT…]
  std::string topic = "user-events";
  std::string group = "shoplake";
  std::size_t max_batch_bytes = std::size_t{1} << 20;  // a partition's batch is stored past this
  std::chrono::milliseconds max_batch_delay{100};      // … or once its first message is this old
  std::chrono::milliseconds first_backoff{50};  // when the log is overloaded; doubled, up to 2 s
  // Further librdkafka properties (name → value), applied last: timeouts, security, tuning.
  std::map<std::string, std::string> librdkafka_config;
  IngestOptions ingest;  // ndjson_stream and the per-body event limit are set by the source
};

struct KafkaSourceCounters {
  std::uint64_t messages = 0;
  std::uint64_t events_accepted = 0;
  std::uint64_t events_rejected = 0;
  std::uint64_t batches = 0;
  std::uint64_t overloaded_retries = 0;
};

class KafkaSource {
 public:
  // Checks the options and builds the consumer; nothing is consumed before start().
  static core::Result<std::unique_ptr<KafkaSource>> create(log::EventLog& log,
                                                           const KafkaSourceOptions& options);
  ~KafkaSource();  // stop()
  KafkaSource(const KafkaSource&) = delete;
  KafkaSource& operator=(const KafkaSource&) = delete;

  // Subscribes to the topic and starts the consuming thread.
  core::Status start();
  // Stores what is batched, commits it, leaves the group and joins the thread. Idempotent.
  void stop();

  KafkaSourceCounters counters() const;
  // Empty while running well; otherwise why the consuming thread gave up (the log failed).
  std::string failure() const;

  struct Consumer;  // the librdkafka side, kept out of this header

 private:
  KafkaSource(log::EventLog& log, const KafkaSourceOptions& options);
  void run();

  log::EventLog& log_;
  KafkaSourceOptions options_;
  std::unique_ptr<Consumer> consumer_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace shoplake::ingest
