// The bronze landing from a real event log into real Delta tables: every event and rejection lands
// once, typed; a restart resumes after the last commit; the txn records the log offset; the log is
// released behind it.
#include "shoplake/lake/bronze_writer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "engine_test_support.hpp"
#include "parquet_io.hpp"
#include "shoplake/core/event_codec.hpp"
#include "shoplake/sim/simulator.hpp"
#include "support/lake_test_support.hpp"

namespace shoplake::lake {
namespace {

using namespace std::chrono_literals;
using sql::testing::TempDirectory;

constexpr std::int64_t kStartMs = 1767225600000;  // 2026-01-01T00:00:00Z

std::vector<core::Event> simulate(std::uint64_t seed, std::int64_t minutes) {
  sim::SimulatorConfig config;
  config.seed = seed;
  config.start_ms = kStartMs;
  config.end_ms = kStartMs + minutes * 60'000;
  config.events_per_second = 50;
  sim::Simulator simulator(config);
  std::vector<core::Event> events;
  core::EventView view;
  while (simulator.next(view)) events.emplace_back(view);
  return events;
}

void append_events(log::EventLog& log, const std::vector<core::Event>& events, std::size_t from,
                   std::size_t to) {
  for (std::size_t first = from; first < to; first += 400) {
    const std::size_t last = std::min(to, first + 400);
    std::string payload;
    for (std::size_t i = first; i < last; ++i)
      core::append_encoded_event(events[i].view(), payload);
    log::RecordToAppend record;
    record.payload = payload;
    record.count = static_cast<std::uint32_t>(last - first);
    ASSERT_EQ(log.append(std::span(&record, 1)).status, log::AppendStatus::durable);
  }
}

void append_rejections(log::EventLog& log, int count) {
  std::string payload;
  for (int i = 0; i < count; ++i) {
    const std::string raw = fmt::format("{{\"event_type\":\"teleport\",\"n\":{}}}", i);
    core::append_encoded_rejection(
        core::Rejection{static_cast<std::uint64_t>(i + 1), "event_type", "unknown event type", raw},
        payload);
  }
  log::RecordToAppend record;
  record.kind = log::RecordKind::rejections;
  record.payload = payload;
  record.count = static_cast<std::uint32_t>(count);
  ASSERT_EQ(log.append(std::span(&record, 1)).status, log::AppendStatus::durable);
}

class BronzeWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::LogOptions log_options;
    log_options.directory = directory_.path() / "log";
    auto opened = log::EventLog::open(log_options);
    ASSERT_TRUE(opened) << opened.error();
    log_ = std::move(opened).value();
    ASSERT_NO_FATAL_FAILURE(testing::open_lake_duck(duck_));
  }

  BronzeOptions options() const {
    BronzeOptions options;
    options.lake_directory = directory_.path() / "lake";
    options.commit_interval = 200ms;
    options.optimize_interval = 0ms;
    return options;
  }

  std::unique_ptr<BronzeWriter> open_writer(BronzeOptions bronze_options) {
    auto writer = BronzeWriter::open(*log_, *duck_.parquet, bronze_options);
    EXPECT_TRUE(writer) << writer.error();
    return writer ? std::move(writer).value() : nullptr;
  }

  // One text value per row of `sql` over a table's current snapshot.
  std::vector<std::string> query(const std::filesystem::path& root, const std::string& sql) {
    auto snapshot = load_snapshot(root);
    EXPECT_TRUE(snapshot) << snapshot.error();
    if (!snapshot) return {};
    auto select = duck_.parquet->scan_sql(snapshot.value());
    EXPECT_TRUE(select) << select.error();
    return testing::first_column_texts(duck_.connection.get(),
                                       fmt::format("WITH t AS ({}) {}", select.value(), sql));
  }

  std::filesystem::path events_root() const {
    return BronzeWriter::events_root(directory_.path() / "lake");
  }
  std::filesystem::path rejected_root() const {
    return BronzeWriter::rejected_root(directory_.path() / "lake");
  }

  TempDirectory directory_;
  std::unique_ptr<log::EventLog> log_;
  testing::LakeDuck duck_;
};

TEST_F(BronzeWriterTest, LandsEveryEventAndRejectionOnceTyped) {
  const auto events = simulate(7, 30);
  ASSERT_GT(events.size(), 50'000u);
  append_events(*log_, events, 0, events.size());
  append_rejections(*log_, 3);
  auto writer = open_writer(options());
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->land_available());
  const auto stats = writer->stats();
  EXPECT_EQ(stats.events_landed, events.size());
  EXPECT_EQ(stats.rejections_landed, 3u);
  EXPECT_EQ(stats.landed_offset, events.size() + 3);

  EXPECT_EQ(query(events_root(), "SELECT count(*) FROM t")[0], std::to_string(events.size()));
  EXPECT_EQ(query(events_root(), "SELECT count(DISTINCT log_offset) FROM t")[0],
            std::to_string(events.size()));
  // The first event, field by field.
  const core::Event& first = events.front();
  const auto row = query(events_root(),
                         "SELECT event_id || '|' || event_type || '|' || user_id || '|' || "
                         "strftime(event_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%g') || '|' "
                         "|| CAST(event_date AS VARCHAR) || '|' || currency FROM t WHERE "
                         "log_offset = 0");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0],
            fmt::format("{}|{}|{}|2026-01-01T00:00:{:02}.{:03}|2026-01-01|{}", first.event_id,
                        core::to_string(first.type), first.user_id, (first.ts_ms - kStartMs) / 1000,
                        first.ts_ms % 1000, first.currency));
  // Purchases keep their money; views have no product line.
  double revenue = 0;
  for (const auto& event : events) {
    if (event.type == core::EventType::purchase) revenue += event.price * event.quantity;
  }
  const auto landed_revenue =
      query(events_root(),
            "SELECT round(sum(price * quantity), 2) FROM t WHERE event_type = "
            "'purchase'");
  ASSERT_EQ(landed_revenue.size(), 1u);
  EXPECT_NEAR(std::strtod(landed_revenue[0].c_str(), nullptr), revenue, 0.01) << landed_revenue[0];
  EXPECT_EQ(query(events_root(),
                  "SELECT count(*) FROM t WHERE event_type = 'view' AND price IS NOT NULL")[0],
            "0");
  EXPECT_EQ(
      query(rejected_root(), "SELECT string_agg(error || ':' || raw, ';' ORDER BY line) FROM t")[0],
      "unknown event type:{\"event_type\":\"teleport\",\"n\":0};unknown event "
      "type:{\"event_type\":\"teleport\",\"n\":1};unknown event "
      "type:{\"event_type\":\"teleport\",\"n\":2}");

  auto snapshot = load_snapshot(events_root());
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot.value().app_versions.at(kBronzeAppId),
            static_cast<std::int64_t>(events.size() + 3));
  EXPECT_EQ(log_->consumer_offset("bronze"), events.size() + 3);
}

// Records are decoded on two threads, alternately; a record that does not decode stops the
// landing whichever thread read it, names its offset, and commits nothing of its batch.
class BronzeWriterCorruptRecordTest : public BronzeWriterTest,
                                      public ::testing::WithParamInterface<std::size_t> {};

TEST_P(BronzeWriterCorruptRecordTest, StopsTheBatchAndNamesTheRecord) {
  const auto events = simulate(11, 2);
  ASSERT_GT(events.size(), 1'200u);
  const std::size_t corrupt_position = GetParam();
  std::size_t first_offset = 0;
  std::size_t corrupt_offset = 0;
  for (std::size_t position = 0; position < 4; ++position) {
    if (position == corrupt_position) {
      log::RecordToAppend record;
      record.payload = "\x07 not an encoded event";
      record.count = 3;
      ASSERT_EQ(log_->append(std::span(&record, 1)).status, log::AppendStatus::durable);
      corrupt_offset = first_offset;
      first_offset += 3;
    } else {
      ASSERT_NO_FATAL_FAILURE(append_events(*log_, events, position * 300, position * 300 + 300));
      first_offset += 300;
    }
  }
  auto writer = open_writer(options());
  ASSERT_TRUE(writer);
  auto landed = writer->land_available();
  ASSERT_FALSE(landed);
  EXPECT_NE(
      landed.error().find(fmt::format("log record at offset {} does not decode", corrupt_offset)),
      std::string::npos)
      << landed.error();
  EXPECT_EQ(writer->stats().events_landed, 0u);
  EXPECT_EQ(writer->stats().landed_offset, 0u);
}

// The first record goes to the helper thread, the second stays on the landing thread.
INSTANTIATE_TEST_SUITE_P(EitherThread, BronzeWriterCorruptRecordTest, ::testing::Values(0u, 1u));

TEST_F(BronzeWriterTest, ARefusedLineThatIsNotUtf8IsKeptReadable) {
  std::string payload;
  const std::string raw = "{\"event_id\":\"\xff\xfe\"}";
  core::append_encoded_rejection(core::Rejection{1, "", "the body is not valid UTF-8", raw},
                                 payload);
  log::RecordToAppend record;
  record.kind = log::RecordKind::rejections;
  record.payload = payload;
  record.count = 1;
  ASSERT_EQ(log_->append(std::span(&record, 1)).status, log::AppendStatus::durable);
  auto writer = open_writer(options());
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->land_available());
  EXPECT_EQ(query(rejected_root(), "SELECT raw FROM t")[0],
            "{\"event_id\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
  EXPECT_EQ(query(rejected_root(), "SELECT count(*) FROM t WHERE field IS NULL")[0], "1");
}

TEST_F(BronzeWriterTest, ARestartResumesAfterTheLastCommitWithoutDuplicates) {
  const auto events = simulate(11, 10);
  const std::size_t half = events.size() / 2;
  append_events(*log_, events, 0, half);
  {
    auto writer = open_writer(options());
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->land_available());
  }
  append_rejections(*log_, 2);
  append_events(*log_, events, half, events.size());
  {
    auto writer = open_writer(options());
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->land_available());
    EXPECT_EQ(writer->stats().events_landed, events.size() - half);
  }
  {
    // Nothing new: a third run lands nothing and commits nothing.
    auto writer = open_writer(options());
    ASSERT_TRUE(writer);
    const auto version = writer->stats().events_version;
    ASSERT_TRUE(writer->land_available());
    EXPECT_EQ(writer->stats().events_version, version);
  }
  EXPECT_EQ(query(events_root(), "SELECT count(*) FROM t")[0], std::to_string(events.size()));
  EXPECT_EQ(query(events_root(), "SELECT count(DISTINCT event_id) FROM t")[0],
            std::to_string(events.size()));
  EXPECT_EQ(query(rejected_root(), "SELECT count(*) FROM t")[0], "2");
}

TEST_F(BronzeWriterTest, ALaggingTableReLandsWhileTheOtherSkips) {
  append_rejections(*log_, 2);
  const auto events = simulate(5, 2);
  append_events(*log_, events, 0, events.size());
  {
    auto writer = open_writer(options());
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->land_available());
  }
  // As if the process died after committing bronze.events but before bronze.rejected: the
  // rejected table's last commit and the log consumer are rolled back.
  std::filesystem::remove(rejected_root() / "_delta_log" / "00000000000000000001.json");
  ASSERT_TRUE(log_->commit_consumer("bronze", 0));
  auto writer = open_writer(options());
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->land_available());
  EXPECT_EQ(writer->stats().events_landed, 0u);
  EXPECT_EQ(writer->stats().rejections_landed, 2u);
  EXPECT_EQ(query(events_root(), "SELECT count(*) FROM t")[0], std::to_string(events.size()));
  EXPECT_EQ(query(rejected_root(), "SELECT count(*) FROM t")[0], "2");
}

TEST_F(BronzeWriterTest, TheRunningWriterCommitsOnItsIntervalAndStopsCleanly) {
  const auto events = simulate(3, 5);
  auto writer = open_writer(options());
  ASSERT_TRUE(writer);
  std::vector<std::string> published;
  writer->start();
  append_events(*log_, events, 0, events.size() / 2);
  EXPECT_TRUE(writer->wait_for_offset(events.size() / 2, 20s));
  append_events(*log_, events, events.size() / 2, events.size());
  writer->stop();
  EXPECT_EQ(writer->failure(), "");
  EXPECT_EQ(writer->stats().landed_offset, events.size());
  EXPECT_GE(writer->stats().commits, 2u);
  EXPECT_EQ(query(events_root(), "SELECT count(*) FROM t")[0], std::to_string(events.size()));
}

TEST_F(BronzeWriterTest, CompactsSmallFilesInTheBackground) {
  const auto events = simulate(13, 3);
  BronzeOptions compacting = options();
  compacting.commit_interval = 20ms;
  compacting.optimize_interval = 300ms;
  auto writer = open_writer(compacting);
  ASSERT_TRUE(writer);
  writer->start();
  // Several commits, one small file each (the events span one day).
  for (int part = 0; part < 4; ++part) {
    append_events(*log_, events, events.size() * part / 4, events.size() * (part + 1) / 4);
    ASSERT_TRUE(writer->wait_for_offset(events.size() * (part + 1) / 4, 20s));
  }
  // Each compaction run rewrites a partition's small files into one; nothing new arrives now.
  std::size_t files = 0;
  for (int i = 0; i < 200; ++i) {
    auto snapshot = load_snapshot(events_root());
    ASSERT_TRUE(snapshot) << snapshot.error();
    files = snapshot.value().files.size();
    if (files == 1) break;
    std::this_thread::sleep_for(50ms);
  }
  writer->stop();
  EXPECT_GE(writer->stats().optimizations, 1u);
  EXPECT_EQ(files, 1u);
  EXPECT_EQ(query(events_root(), "SELECT count(*) FROM t")[0], std::to_string(events.size()));
  EXPECT_EQ(query(events_root(), "SELECT count(DISTINCT log_offset) FROM t")[0],
            std::to_string(events.size()));
}

}  // namespace
}  // namespace shoplake::lake
