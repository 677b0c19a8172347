// The Kafka source and sink against librdkafka's mock cluster: the real Kafka protocol on
// loopback, consumer groups and broker outages included.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "shoplake/core/event_codec.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/ingest/kafka_sink.hpp"
#include "shoplake/ingest/kafka_source.hpp"

namespace shoplake::ingest {
namespace {

using namespace std::chrono_literals;

constexpr auto kWaitLimit = 60s;

// A cluster of mock brokers, owned by a producer handle of its own.
class MockCluster {
 public:
  explicit MockCluster(int brokers) {
    char reason[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", reason, sizeof reason);
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
    if (handle_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      ADD_FAILURE() << reason;
      return;
    }
    cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
  }
  ~MockCluster() {
    if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
    if (handle_ != nullptr) rd_kafka_destroy(handle_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  void create_topic(const std::string& topic, int partitions, int replication) {
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void set_broker_down(std::int32_t broker) {
    ASSERT_EQ(rd_kafka_mock_broker_set_down(cluster_, broker), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void set_broker_up(std::int32_t broker) {
    ASSERT_EQ(rd_kafka_mock_broker_set_up(cluster_, broker), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void set_leader(const std::string& topic, std::int32_t partition, std::int32_t broker) {
    ASSERT_EQ(rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }

 private:
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

std::string event_line(const std::string& id) {
  return R"({"event_id":")" + id + R"(","event_type":"view","ts":)" +
         std::to_string(core::now_ms()) + R"(,"user_id":"u1"})" + "\n";
}

// Events "<prefix>-<first>" … "<prefix>-<first + count - 1>", one a line.
std::string events(const std::string& prefix, int first, int count) {
  std::string ndjson;
  for (int i = first; i < first + count; ++i)
    ndjson += event_line(prefix + "-" + std::to_string(i));
  return ndjson;
}

std::vector<std::string> ids(const std::string& prefix, int first, int count) {
  std::vector<std::string> expected;
  for (int i = first; i < first + count; ++i) expected.push_back(prefix + "-" + std::to_string(i));
  return expected;
}

struct StoredEntries {
  std::vector<std::string> ids;  // in log order
  std::uint64_t rejections = 0;
};

class KafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("shoplake-kafka-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    open_log();
  }
  void TearDown() override {
    log_.reset();
    std::filesystem::remove_all(directory_);
  }

  void open_log() {
    log::LogOptions options;
    options.directory = directory_;
    options.durability.mode = log::FsyncMode::never;
    auto opened = log::EventLog::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error();
    log_ = std::move(opened).value();
  }

  // librdkafka timings for a cluster on loopback: quick reconnects, joins and fetches.
  static std::map<std::string, std::string> quick_settings() {
    return {{"reconnect.backoff.ms", "20"},
            {"reconnect.backoff.max.ms", "200"},
            {"topic.metadata.refresh.interval.ms", "500"},
            {"retry.backoff.ms", "50"},
            {"log_level", "3"}};
  }

  std::unique_ptr<KafkaSink> make_sink(const std::string& topic, std::size_t message_bytes) {
    KafkaSinkOptions options;
    options.brokers = cluster_->bootstraps();
    options.topic = topic;
    options.max_message_bytes = message_bytes;
    options.delivery_timeout = 30s;
    options.librdkafka_config = quick_settings();
    auto created = KafkaSink::create(options);
    EXPECT_TRUE(created.ok()) << created.error();
    return created ? std::move(created).value() : nullptr;
  }

  // A source started on the test's log; `fetch_bytes` small makes consumption take many steps.
  std::unique_ptr<KafkaSource> start_source(const std::string& topic, const std::string& group,
                                            int fetch_bytes = 1 << 20) {
    KafkaSourceOptions options;
    options.brokers = cluster_->bootstraps();
    options.topic = topic;
    options.group = group;
    options.max_batch_bytes = 4096;
    options.max_batch_delay = 20ms;
    options.librdkafka_config = quick_settings();
    options.librdkafka_config["session.timeout.ms"] = "6000";
    options.librdkafka_config["heartbeat.interval.ms"] = "300";
    options.librdkafka_config["fetch.wait.max.ms"] = "50";
    options.librdkafka_config["max.partition.fetch.bytes"] = std::to_string(fetch_bytes);
    auto created = KafkaSource::create(*log_, options);
    EXPECT_TRUE(created.ok()) << created.error();
    if (!created) return nullptr;
    const core::Status started = created.value()->start();
    EXPECT_TRUE(started.ok()) << started.error();
    return std::move(created).value();
  }

  StoredEntries stored() const {
    StoredEntries entries;
    auto cursor = log_->read_from(log_->start_offset());
    EXPECT_TRUE(cursor.ok());
    if (!cursor) return entries;
    while (true) {
      auto record = cursor.value()->next();
      EXPECT_TRUE(record.ok());
      if (!record.ok() || !record.value()) break;
      if (record.value()->kind == log::RecordKind::rejections) {
        entries.rejections += record.value()->count;
        continue;
      }
      core::EncodedEventReader reader(record.value()->payload);
      core::EventView event;
      while (reader.next(event)) entries.ids.emplace_back(event.event_id);
    }
    return entries;
  }

  bool wait_until(const std::function<bool(const StoredEntries&)>& done) const {
    const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done(stored())) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  bool wait_for_events(std::size_t count) const {
    return wait_until(
        [count](const StoredEntries& entries) { return entries.ids.size() >= count; });
  }

  // Every expected id stored exactly once and nothing else, after a pause that lets any
  // duplicate arrive.
  void expect_exactly_once(std::vector<std::string> expected) const {
    std::this_thread::sleep_for(300ms);
    std::vector<std::string> got = stored().ids;
    std::sort(got.begin(), got.end());
    std::sort(expected.begin(), expected.end());
    const auto duplicate = std::adjacent_find(got.begin(), got.end());
    EXPECT_EQ(duplicate, got.end()) << "stored twice: " << *duplicate;
    EXPECT_EQ(got.size(), expected.size());
    EXPECT_EQ(got, expected);
  }

  // The next offsets the log recorded per partition of `topic`, summed: the messages stored.
  std::int64_t stored_message_count(const std::string& topic) const {
    std::int64_t total = 0;
    for (const auto& [key, value] : log_->latest_origins()) {
      if (key.rfind("kafka/" + topic + "/", 0) == 0) total += std::stoll(value);
    }
    return total;
  }

  std::filesystem::path directory_;
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<MockCluster> cluster_ = std::make_unique<MockCluster>(3);
};

TEST_F(KafkaTest, ProducedEventsAreStoredOnceWithTheirNextOffsets) {
  cluster_->create_topic("user-events", 3, 1);
  auto sink = make_sink("user-events", 512);
  ASSERT_TRUE(sink);
  const core::Status sent = sink->send(events("e", 0, 1000));
  ASSERT_TRUE(sent.ok()) << sent.error();
  EXPECT_EQ(sink->totals().lines, 1000u);

  auto source = start_source("user-events", "shoplake");
  ASSERT_TRUE(source);
  ASSERT_TRUE(wait_for_events(1000));
  expect_exactly_once(ids("e", 0, 1000));
  source->stop();
  EXPECT_EQ(source->failure(), "");
  EXPECT_EQ(source->counters().messages, sink->totals().messages);
  EXPECT_EQ(source->counters().events_accepted, 1000u);
  EXPECT_EQ(stored_message_count("user-events"),
            static_cast<std::int64_t>(sink->totals().messages));
  EXPECT_EQ(log_->latest_origins().size(), 3u);
}

// The first source stops while events are still being produced; the second takes over.
TEST_F(KafkaTest, ARestartMidwayNeitherDuplicatesNorLoses) {
  cluster_->create_topic("user-events", 3, 1);
  auto sink = make_sink("user-events", 256);
  ASSERT_TRUE(sink);
  ASSERT_TRUE(sink->send(events("r", 0, 100)).ok());
  auto first = start_source("user-events", "shoplake", 1024);
  ASSERT_TRUE(first);
  ASSERT_TRUE(wait_for_events(100));

  std::thread producer([&sink] {
    for (int chunk = 1; chunk < 30; ++chunk) {
      const core::Status sent = sink->send(events("r", chunk * 100, 100));
      EXPECT_TRUE(sent.ok()) << sent.error();
      std::this_thread::sleep_for(50ms);
    }
  });
  const bool some_more = wait_for_events(400);
  first->stop();
  const std::size_t stored_by_first = stored().ids.size();
  first.reset();

  auto second = start_source("user-events", "shoplake", 1024);
  producer.join();
  ASSERT_TRUE(some_more);
  ASSERT_TRUE(second);
  ASSERT_TRUE(wait_for_events(3000));
  expect_exactly_once(ids("r", 0, 3000));
  second->stop();
  EXPECT_LT(stored_by_first, 3000u) << "the first source was meant to stop midway";
  EXPECT_EQ(second->counters().events_accepted, 3000u - stored_by_first);
}

TEST_F(KafkaTest, ARestartOfTheWholeProcessResumesFromTheLog) {
  cluster_->create_topic("user-events", 2, 1);
  auto sink = make_sink("user-events", 256);
  ASSERT_TRUE(sink);
  ASSERT_TRUE(sink->send(events("p", 0, 500)).ok());
  auto first = start_source("user-events", "shoplake", 1024);
  ASSERT_TRUE(first);
  ASSERT_TRUE(wait_for_events(200));
  first->stop();
  first.reset();
  log_.reset();  // the log closes and opens again, as after a restart
  open_log();
  ASSERT_TRUE(sink->send(events("p", 500, 500)).ok());
  auto second = start_source("user-events", "shoplake", 1024);
  ASSERT_TRUE(second);
  ASSERT_TRUE(wait_for_events(1000));
  expect_exactly_once(ids("p", 0, 1000));
}

// The crash window: batches are in the log with their origins but the group never heard of
// them (a fresh group has no committed offset at all). Resuming from the group's commit (or the
// earliest offset) would store everything again.
TEST_F(KafkaTest, OffsetsInTheLogWinOverAGroupThatCommittedNothing) {
  cluster_->create_topic("user-events", 3, 1);
  auto sink = make_sink("user-events", 256);
  ASSERT_TRUE(sink);
  ASSERT_TRUE(sink->send(events("c", 0, 600)).ok());
  auto first = start_source("user-events", "before-the-crash");
  ASSERT_TRUE(first);
  ASSERT_TRUE(wait_for_events(600));
  first->stop();
  first.reset();

  ASSERT_TRUE(sink->send(events("c", 600, 400)).ok());
  auto second = start_source("user-events", "after-the-crash");
  ASSERT_TRUE(second);
  ASSERT_TRUE(wait_for_events(1000));
  expect_exactly_once(ids("c", 0, 1000));
  second->stop();
  EXPECT_EQ(second->counters().events_accepted, 400u);
}

TEST_F(KafkaTest, ABrokerOutageMidwayLosesNothingAndDuplicatesNothing) {
  cluster_->create_topic("user-events", 3, 3);
  for (std::int32_t partition = 0; partition < 3; ++partition) {
    cluster_->set_leader("user-events", partition, partition + 1);
  }
  auto sink = make_sink("user-events", 256);
  ASSERT_TRUE(sink);
  ASSERT_TRUE(sink->send(events("o", 0, 500)).ok());
  auto source = start_source("user-events", "shoplake", 1024);
  ASSERT_TRUE(source);
  ASSERT_TRUE(wait_for_events(100));

  cluster_->set_broker_down(2);
  std::thread recover([this] {
    std::this_thread::sleep_for(2s);
    cluster_->set_broker_up(2);
  });
  // Messages to the partition led by broker 2 wait in the producer until it is back.
  const core::Status sent = sink->send(events("o", 500, 500));
  recover.join();
  ASSERT_TRUE(sent.ok()) << sent.error();

  ASSERT_TRUE(wait_for_events(1000));
  expect_exactly_once(ids("o", 0, 1000));
  source->stop();
  EXPECT_EQ(source->failure(), "");
  EXPECT_EQ(stored_message_count("user-events"),
            static_cast<std::int64_t>(sink->totals().messages));
}

TEST_F(KafkaTest, BadLinesBecomeRejectionsInTheLog) {
  cluster_->create_topic("user-events", 1, 1);
  auto sink = make_sink("user-events", 1);  // one line a message
  ASSERT_TRUE(sink);
  auto source = start_source("user-events", "shoplake");
  ASSERT_TRUE(source);

  // A batch without a single JSON object, one that looks like an array: stored, not refused.
  ASSERT_TRUE(sink->send("[1, 2]\nnot json at all\n").ok());
  ASSERT_TRUE(wait_until([](const StoredEntries& entries) { return entries.rejections == 2; }));

  ASSERT_TRUE(sink->send(event_line("good-1") + R"({"event_id":"b","event_type":"teleport"})" +
                         "\n{\"event_id\":\n" + event_line("good-2"))
                  .ok());
  ASSERT_TRUE(wait_for_events(2));
  ASSERT_TRUE(wait_until([](const StoredEntries& entries) { return entries.rejections == 4; }));
  expect_exactly_once({"good-1", "good-2"});
  source->stop();
  EXPECT_EQ(source->counters().events_rejected, 4u);
  EXPECT_EQ(source->counters().messages, 6u);
  EXPECT_EQ(stored_message_count("user-events"), 6);
}

TEST(KafkaSinkUrl, NamesBrokersAndTopic) {
  auto parsed = kafka_sink_options_from_url("kafka://a:9092,b:9092/clicks");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed.value().brokers, "a:9092,b:9092");
  EXPECT_EQ(parsed.value().topic, "clicks");
  parsed = kafka_sink_options_from_url("kafka://localhost:9092");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().topic, "user-events");
  EXPECT_FALSE(kafka_sink_options_from_url("kafka:///topic").ok());
  EXPECT_FALSE(kafka_sink_options_from_url("http://host/topic").ok());
}

TEST(KafkaSource, RefusesOptionsWithoutBrokers) {
  log::LogOptions options;
  options.directory = std::filesystem::temp_directory_path() /
                      ("shoplake-kafka-options-" + std::to_string(::getpid()));
  options.durability.mode = log::FsyncMode::never;
  auto log = log::EventLog::open(options);
  ASSERT_TRUE(log.ok()) << log.error();
  EXPECT_FALSE(KafkaSource::create(*log.value(), KafkaSourceOptions{}).ok());
  log.value().reset();
  std::filesystem::remove_all(options.directory);
}

}  // namespace
}  // namespace shoplake::ingest
