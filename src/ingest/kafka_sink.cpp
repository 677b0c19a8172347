#include "shoplake/ingest/kafka_sink.hpp"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "kafka_log.hpp"

namespace shoplake::ingest {

namespace {

constexpr int kQueueFullWaitMs = 100;
constexpr std::chrono::milliseconds kFlushMargin{5000};

}  // namespace

// The handle and what the delivery reports said since the last send.
struct KafkaSink::Producer {
  ~Producer() {
    if (topic != nullptr) rd_kafka_topic_destroy(topic);
    if (handle != nullptr) rd_kafka_destroy(handle);
  }

  rd_kafka_t* handle = nullptr;
  rd_kafka_topic_t* topic = nullptr;
  std::uint64_t delivered = 0;
  std::string first_error;  // of a delivery report; empty when all went well
  bool closed = false;
};

namespace {

void on_delivery(rd_kafka_t* /*handle*/, const rd_kafka_message_t* message, void* opaque) {
  auto& producer = *static_cast<KafkaSink::Producer*>(opaque);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++producer.delivered;
  } else if (producer.first_error.empty()) {
    producer.first_error = rd_kafka_err2str(message->err);
  }
}

}  // namespace

core::Result<KafkaSinkOptions> kafka_sink_options_from_url(std::string_view url) {
  constexpr std::string_view scheme = "kafka://";
  if (url.substr(0, scheme.size()) != scheme) {
    return core::Error{"'" + std::string(url) + "' is not a kafka:// URL"};
  }
  const std::string_view rest = url.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  KafkaSinkOptions options;
  options.brokers = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos && slash + 1 < rest.size()) {
    options.topic = std::string(rest.substr(slash + 1));
  }
  if (options.brokers.empty()) {
    return core::Error{"'" + std::string(url) + "' names no broker (kafka://HOST:PORT/TOPIC)"};
  }
  if (options.topic.find('/') != std::string::npos) {
    return core::Error{"'" + std::string(url) + "': a topic name holds no '/'"};
  }
  return options;
}

core::Result<std::unique_ptr<KafkaSink>> KafkaSink::create(const KafkaSinkOptions& options) {
  if (options.brokers.empty()) return core::Error{"kafka sink: no brokers given"};
  if (options.topic.empty()) return core::Error{"kafka sink: no topic given"};
  std::unique_ptr<KafkaSink> sink(new KafkaSink(options));
  Producer& producer = *sink->producer_;
  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::map<std::string, std::string> settings{
      {"bootstrap.servers", options.brokers},
      {"client.id", "shoplake-simulate"},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      // Messages are batches of lines already: spread them over every partition (random
      // partitioning) rather than filling one partition at a time, so consumers share the load.
      {"sticky.partitioning.linger.ms", "0"},
      {"message.timeout.ms", std::to_string(options.delivery_timeout.count())},
      {"message.max.bytes",
       std::to_string(std::max<std::size_t>(options.max_message_bytes * 2, 1'000'000))},
  };
  for (const auto& [name, value] : options.librdkafka_config) settings[name] = value;
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason, sizeof reason) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return core::Error{"kafka sink: " + name + "=" + value + ": " + reason};
    }
  }
  rd_kafka_conf_set_opaque(conf, &producer);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_log_cb(conf, log_from_librdkafka);
  producer.handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
  if (producer.handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return core::Error{std::string("kafka sink: ") + reason};
  }
  producer.topic = rd_kafka_topic_new(producer.handle, options.topic.c_str(), nullptr);
  if (producer.topic == nullptr) {
    return core::Error{"kafka sink: topic " + options.topic + ": " +
                       rd_kafka_err2str(rd_kafka_last_error())};
  }
  return sink;
}

KafkaSink::KafkaSink(const KafkaSinkOptions& options)
    : options_(options), producer_(std::make_unique<Producer>()) {}

KafkaSink::~KafkaSink() {
  const core::Status closed = close();
  if (!closed) spdlog::warn("{}", closed.error());
}

core::Status KafkaSink::send(std::string_view ndjson) {
  if (producer_->closed) return core::Error{"kafka sink: closed"};
  producer_->first_error.clear();
  const std::uint64_t delivered_before = producer_->delivered;
  std::uint64_t produced = 0;
  // Whole lines, packed up to max_message_bytes; a line longer than that goes alone.
  while (!ndjson.empty()) {
    std::size_t end = 0;
    std::uint64_t lines = 0;
    while (end < ndjson.size()) {
      std::size_t line_end = ndjson.find('\n', end);
      line_end = line_end == std::string_view::npos ? ndjson.size() : line_end + 1;
      if (lines > 0 && line_end > options_.max_message_bytes) break;
      end = line_end;
      ++lines;
    }
    const core::Status queued = produce(ndjson.substr(0, end), lines);
    if (!queued) return queued;
    ++produced;
    ndjson.remove_prefix(end);
  }
  const core::Status flushed = wait_for_delivery();
  if (!flushed) return flushed;
  if (!producer_->first_error.empty()) {
    return core::Error{"kafka sink: delivery to " + options_.topic +
                       " failed: " + producer_->first_error};
  }
  if (producer_->delivered - delivered_before != produced) {
    return core::Error{
        "kafka sink: " + std::to_string(produced - (producer_->delivered - delivered_before)) +
        " messages to " + options_.topic + " were not acknowledged"};
  }
  totals_.messages += produced;
  return core::ok_status();
}

core::Status KafkaSink::produce(std::string_view message, std::uint64_t lines) {
  while (true) {
    // RD_KAFKA_MSG_F_COPY: the caller's buffer is reused as soon as send() returns.
    if (rd_kafka_produce(producer_->topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                         const_cast<char*>(message.data()), message.size(), nullptr, 0,
                         nullptr) == 0) {
      totals_.lines += lines;
      totals_.bytes += message.size();
      return core::ok_status();
    }
    const rd_kafka_resp_err_t error = rd_kafka_last_error();
    if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return core::Error{"kafka sink: producing to " + options_.topic + ": " +
                         rd_kafka_err2str(error)};
    }
    rd_kafka_poll(producer_->handle, kQueueFullWaitMs);  // serves delivery reports, frees room
  }
}

// Every message fails or succeeds by itself within the delivery timeout; the margin only guards
// against waiting forever.
core::Status KafkaSink::wait_for_delivery() {
  const auto timeout = options_.delivery_timeout + kFlushMargin;
  const rd_kafka_resp_err_t error =
      rd_kafka_flush(producer_->handle, static_cast<int>(timeout.count()));
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return core::Error{"kafka sink: " + std::to_string(rd_kafka_outq_len(producer_->handle)) +
                       " messages to " + options_.topic + " still unacknowledged after " +
                       std::to_string(timeout.count()) + " ms"};
  }
  return core::ok_status();
}

core::Status KafkaSink::close() {
  if (producer_->closed || producer_->handle == nullptr) return core::ok_status();
  producer_->closed = true;
  return wait_for_delivery();
}

}  // namespace shoplake::ingest
