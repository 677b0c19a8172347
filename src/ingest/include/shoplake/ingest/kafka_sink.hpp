// A Kafka producer for NDJSON: `shoplake simulate --to kafka://…` uses it, and the tests feed the
// Kafka source with it. Lines are packed into messages of whole lines up to max_message_bytes:
// one message per event would cost a header and a delivery report per ~300-byte line at load-test
// rates, while messages far below Kafka's 1 MB limit keep partitions evenly fed. The source takes
// any number of lines per message.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "shoplake/core/result.hpp"

namespace shoplake::ingest {

struct KafkaSinkOptions {
  std::string brokers;  // HOST:PORT[,HOST:PORT…]
  std::string topic = "user-events";
  std::size_t max_message_bytes = 64 * 1024;  // a longer single line goes alone in its message
  std::chrono::milliseconds delivery_timeout{60'000};  // per message, retries included
  // Further librdkafka properties (name → value), applied last.
  std::map<std::string, std::string> librdkafka_config;
};

// kafka://HOST:PORT[,HOST:PORT…][/TOPIC]; the topic defaults to user-events.
core::Result<KafkaSinkOptions> kafka_sink_options_from_url(std::string_view url);

struct KafkaSinkTotals {
  std::uint64_t messages = 0;  // delivered
  std::uint64_t lines = 0;
  std::uint64_t bytes = 0;
};

class KafkaSink {
 public:
  static core::Result<std::unique_ptr<KafkaSink>> create(const KafkaSinkOptions& options);
  ~KafkaSink();  // close()
  KafkaSink(const KafkaSink&) = delete;
  KafkaSink& operator=(const KafkaSink&) = delete;

  // Produces the NDJSON (whole lines) and returns once every message is acknowledged by the
  // brokers (acks=all, idempotent: a retry never duplicates), or with the first delivery error.
  core::Status send(std::string_view ndjson);
  // Waits for anything still in flight; later sends fail. Idempotent.
  core::Status close();
  const KafkaSinkTotals& totals() const { return totals_; }

  struct Producer;  // the librdkafka side, kept out of this header

 private:
  explicit KafkaSink(const KafkaSinkOptions& options);
  core::Status produce(std::string_view message, std::uint64_t lines);
  core::Status wait_for_delivery();

  KafkaSinkOptions options_;
  std::unique_ptr<Producer> producer_;
  KafkaSinkTotals totals_;
};

}  // namespace shoplake::ingest
