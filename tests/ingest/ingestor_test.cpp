#include "shoplake/ingest/ingestor.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "shoplake/core/event_codec.hpp"

namespace shoplake::ingest {
namespace {

constexpr std::int64_t kNow = 1'764'000'000'000;  // 2025-11-24T16:00:00Z

std::string event_line(const std::string& id, const std::string& extra = "") {
  return R"({"event_id":")" + id + R"(","event_type":"view","ts":)" + std::to_string(kNow) +
         R"(,"user_id":"u1")" + extra + "}";
}

class IngestorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("shoplake-ingest-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    log::LogOptions options;
    options.directory = directory_;
    options.durability.mode = log::FsyncMode::never;
    auto opened = log::EventLog::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error();
    log_ = std::move(opened).value();
    IngestOptions ingest_options;
    ingest_options.validation.now_ms = kNow;
    ingest_options.max_events_per_body = 5;
    ingestor_ = std::make_unique<Ingestor>(*log_, ingest_options);
  }
  void TearDown() override {
    ingestor_.reset();
    log_.reset();
    std::filesystem::remove_all(directory_);
  }

  // Every event id stored in the log, in order, and the number of stored rejections.
  std::pair<std::vector<std::string>, std::uint64_t> stored() {
    std::vector<std::string> ids;
    std::uint64_t rejections = 0;
    auto cursor = log_->read_from(log_->start_offset());
    EXPECT_TRUE(cursor.ok());
    while (true) {
      auto record = cursor.value()->next();
      EXPECT_TRUE(record.ok());
      if (!record.ok() || !record.value()) break;
      if (record.value()->kind == log::RecordKind::rejections) {
        rejections += record.value()->count;
        continue;
      }
      core::EncodedEventReader reader(record.value()->payload);
      core::EventView event;
      while (reader.next(event)) ids.emplace_back(event.event_id);
    }
    return {ids, rejections};
  }

  std::filesystem::path directory_;
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<Ingestor> ingestor_;
};

TEST_F(IngestorTest, NdjsonKeepsGoodLinesBesideBadOnes) {
  const std::string body = event_line("a") + "\n" + R"({"event_id":"b","event_type":"teleport"})" +
                           "\n" + event_line("c") + "\n";
  const IngestResult result = ingestor_->ingest(body);
  ASSERT_EQ(result.status, IngestStatus::stored) << result.message;
  EXPECT_EQ(result.accepted, 2u);
  EXPECT_EQ(result.rejected, 1u);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].line, 2u);
  EXPECT_EQ(result.errors[0].field, "event_type");
  const auto [ids, rejections] = stored();
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(rejections, 1u);
  EXPECT_EQ(result.end_offset - result.first_offset, 3u);
}

TEST_F(IngestorTest, ArrayElementsAreNumberedLikeLines) {
  const std::string body = "[" + event_line("a") + ", 5, " + event_line("b") + "]";
  const IngestResult result = ingestor_->ingest(body);
  ASSERT_EQ(result.status, IngestStatus::stored);
  EXPECT_EQ(result.accepted, 2u);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].line, 2u);
  EXPECT_EQ(stored().first, (std::vector<std::string>{"a", "b"}));
}

TEST_F(IngestorTest, APrettyPrintedObjectIsOneEvent) {
  const std::string body =
      "{\n  \"event_id\": \"p\",\n  \"event_type\": \"login\",\n  \"ts\": " + std::to_string(kNow) +
      ",\n  \"user_id\": 7\n}\n";
  const IngestResult result = ingestor_->ingest(body);
  ASSERT_EQ(result.status, IngestStatus::stored);
  EXPECT_EQ(result.accepted, 1u);
  EXPECT_EQ(stored().first, (std::vector<std::string>{"p"}));
}

TEST_F(IngestorTest, BrokenFirstLineDoesNotTakeTheRestDown) {
  const std::string body = "{\"event_id\":\"x\",\n" + event_line("b") + "\n";
  const IngestResult result = ingestor_->ingest(body);
  ASSERT_EQ(result.status, IngestStatus::stored);
  EXPECT_EQ(result.accepted, 1u);
  EXPECT_EQ(result.rejected, 1u);
}

TEST_F(IngestorTest, ABodyThatIsNotJsonStoresNothingAndNamesTheLine) {
  const IngestResult result = ingestor_->ingest("hello\nworld\n");
  EXPECT_EQ(result.status, IngestStatus::not_json);
  EXPECT_NE(result.message.find("line 1"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("not valid JSON"), std::string::npos) << result.message;
  EXPECT_TRUE(stored().first.empty());
  EXPECT_EQ(stored().second, 0u);
}

TEST_F(IngestorTest, TooManyEventsStoreNothing) {
  std::string body;
  for (int i = 0; i < 6; ++i) body += event_line("e" + std::to_string(i)) + "\n";
  const IngestResult result = ingestor_->ingest(body);
  EXPECT_EQ(result.status, IngestStatus::too_many);
  EXPECT_NE(result.message.find("at most 5"), std::string::npos) << result.message;
  EXPECT_TRUE(stored().first.empty());
}

TEST_F(IngestorTest, OnlyTheFirstErrorsAreReportedButAllAreStored) {
  IngestOptions options;
  options.validation.now_ms = kNow;
  options.max_reported_errors = 2;
  Ingestor ingestor(*log_, options);
  const IngestResult result = ingestor.ingest("{}\n{}\n{}\n{}\n");
  ASSERT_EQ(result.status, IngestStatus::stored);
  EXPECT_EQ(result.rejected, 4u);
  EXPECT_EQ(result.errors.size(), 2u);
  EXPECT_EQ(stored().second, 4u);
}

TEST_F(IngestorTest, OffsetsFollowEachOtherAcrossBodies) {
  const IngestResult first = ingestor_->ingest(event_line("a") + "\n" + event_line("b"));
  const IngestResult second = ingestor_->ingest(event_line("c"));
  EXPECT_EQ(first.end_offset, second.first_offset);
  EXPECT_EQ(second.end_offset - second.first_offset, 1u);
}

TEST(BodyShape, IsJudgedFromTheFirstLine) {
  EXPECT_EQ(detect_shape("  [{}]"), BodyShape::array);
  EXPECT_EQ(detect_shape("{\"a\":1}\n{\"a\":2}"), BodyShape::ndjson);
  EXPECT_EQ(detect_shape("{\n\"a\":1\n}"), BodyShape::object);
  EXPECT_EQ(detect_shape("{\"a\":\n{\"a\":2}"), BodyShape::ndjson);
  EXPECT_EQ(detect_shape(""), BodyShape::ndjson);
}

}  // namespace
}  // namespace shoplake::ingest
