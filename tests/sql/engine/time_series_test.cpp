// A live time series: final rows handed to the engine (settled), the rest scanned per query.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>
#include <string>

#include "engine_test_support.hpp"
#include "shoplake/core/event.hpp"

namespace shoplake::sql {
namespace {

using testing::run;

const std::vector<TableColumn> kColumns = {{"minute", TableColumnType::timestamp_s},
                                           {"event_type", TableColumnType::string},
                                           {"event_count", TableColumnType::int64}};

// Minute m (epoch seconds m * 60) has two rows; the event type is long enough that DuckDB keeps
// it out of line, so a copy that lost its string heap would show.
void add_minute(ResultChunk& chunk, std::int64_t minute) {
  for (const char* type : {"add_to_cart_from_search", "view"}) {
    chunk.columns[0].i64.push_back(minute * 60);
    chunk.columns[1].str.emplace_back(type);
    chunk.columns[2].i64.push_back(minute * 10 + (type[0] == 'v' ? 1 : 0));
    ++chunk.rows;
  }
}

ResultChunk minutes(std::int64_t first, std::int64_t end) {
  ResultChunk chunk;
  chunk.columns.resize(3);
  for (std::int64_t m = first; m < end; ++m) add_minute(chunk, m);
  return chunk;
}

// A publisher's state: minutes [oldest, newest] exist; last_from is what the last scan asked for.
struct Source {
  std::mutex mutex;
  std::int64_t newest = -1;
  std::int64_t oldest = 0;
  std::atomic<std::int64_t> last_from = 0;

  TimeSeriesScan scan() {
    return [this](std::int64_t from_seconds) {
      last_from = from_seconds;
      std::lock_guard lock(mutex);
      const std::int64_t first =
          from_seconds == std::numeric_limits<std::int64_t>::min() ? oldest : from_seconds / 60;
      return minutes(std::max(first, oldest), newest + 1);
    };
  }
};

class TimeSeriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.lake_directory = lake_.path();
    engine_ = testing::open_engine(options);
    ASSERT_TRUE(engine_);
    ASSERT_TRUE(engine_->catalog().publish_time_series("realtime", "events_per_minute", kColumns,
                                                       "minute", source_.scan()));
  }

  // Every row, in order, as "seconds/type/count" lines.
  std::string rows() {
    auto outcome = run(*engine_,
                       "SELECT epoch(minute)::BIGINT, event_type, event_count FROM "
                       "realtime.events_per_minute ORDER BY minute, event_type");
    EXPECT_FALSE(outcome.error) << outcome.error->message;
    std::string text;
    for (std::size_t c = 0; c < outcome.chunks.size(); ++c) {
      for (std::size_t r = 0; r < outcome.chunks[c].rows; ++r) {
        text += std::to_string(outcome.column(0, c).i64[r]) + "/" + outcome.column(1, c).str[r] +
                "/" + std::to_string(outcome.column(2, c).i64[r]) + "\n";
      }
    }
    return text;
  }

  std::string expected(std::int64_t first, std::int64_t end) {
    std::string text;
    for (std::int64_t m = first; m < end; ++m) {
      text += std::to_string(m * 60) + "/add_to_cart_from_search/" + std::to_string(m * 10) + "\n";
      text += std::to_string(m * 60) + "/view/" + std::to_string(m * 10 + 1) + "\n";
    }
    return text;
  }

  void grow_to(std::int64_t newest) {
    std::lock_guard lock(source_.mutex);
    source_.newest = newest;
  }

  testing::TempDirectory lake_;
  std::unique_ptr<Engine> engine_;
  Source source_;
};

TEST_F(TimeSeriesTest, ServesSettledRowsAndAsksTheScanOnlyForTheRest) {
  grow_to(9);
  EXPECT_EQ(rows(), expected(0, 10));
  EXPECT_EQ(source_.last_from, std::numeric_limits<std::int64_t>::min());

  ASSERT_TRUE(engine_->catalog().settle_time_series("realtime", "events_per_minute", minutes(0, 7),
                                                    7 * 60, 0));
  EXPECT_EQ(rows(), expected(0, 10));
  EXPECT_EQ(source_.last_from, 7 * 60);

  // A retry hands over rows the engine holds already: nothing is added twice.
  ASSERT_TRUE(engine_->catalog().settle_time_series("realtime", "events_per_minute", minutes(0, 8),
                                                    8 * 60, 0));
  EXPECT_EQ(rows(), expected(0, 10));
  EXPECT_EQ(source_.last_from, 8 * 60);
}

TEST_F(TimeSeriesTest, KeepsSettledRowsIntactAcrossManySmallSettles) {
  // 3,000 minutes settled a few at a time: several full chunks, each topped up many times.
  std::int64_t settled = 0;
  for (std::int64_t newest = 0; newest < 3000; newest += 7) {
    grow_to(newest);
    const std::int64_t boundary = std::max<std::int64_t>(0, newest - 5);
    ASSERT_TRUE(engine_->catalog().settle_time_series(
        "realtime", "events_per_minute", minutes(settled, boundary), boundary * 60, 0));
    settled = boundary;
    if (newest % 700 == 0) {
      ASSERT_EQ(rows(), expected(0, newest + 1)) << "after minute " << newest;
    }
  }
  grow_to(3000);
  // Queries write the open rows into their own vectors, never into the settled ones they were
  // handed before: asking twice gives the same rows.
  const std::string all = expected(0, 3001);
  EXPECT_EQ(rows(), all);
  EXPECT_EQ(rows(), all);
}

// Minute 2,500 is in the middle of a chunk (1,024 minutes of two rows each fill one).
TEST_F(TimeSeriesTest, DropsRowsTheRetentionLeavesBehind) {
  grow_to(4999);
  ASSERT_TRUE(engine_->catalog().settle_time_series("realtime", "events_per_minute",
                                                    minutes(0, 4990), 4990 * 60, 0));
  {
    std::lock_guard lock(source_.mutex);
    source_.oldest = 2500;
  }
  grow_to(5005);
  ASSERT_TRUE(engine_->catalog().settle_time_series("realtime", "events_per_minute",
                                                    minutes(4990, 5000), 5000 * 60, 2500 * 60));
  EXPECT_EQ(rows(), expected(2500, 5006));
  auto count = run(*engine_, "SELECT count(*) FROM realtime.events_per_minute");
  ASSERT_FALSE(count.error);
  EXPECT_EQ(count.column(0).i64.at(0), 2 * (5006 - 2500));
}

TEST_F(TimeSeriesTest, RefusesWhatIsNotATimeSeries) {
  auto no_time = engine_->catalog().publish_time_series("realtime", "broken", kColumns,
                                                        "event_type", source_.scan());
  ASSERT_FALSE(no_time);
  EXPECT_NE(no_time.error().find("timestamp_s column event_type"), std::string::npos);

  auto unknown = engine_->catalog().settle_time_series("realtime", "nowhere", minutes(0, 1), 60, 0);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("realtime.nowhere is not a published time series"),
            std::string::npos);

  ResultChunk short_rows = minutes(0, 2);
  short_rows.columns[2].i64.pop_back();
  auto shape = engine_->catalog().settle_time_series("realtime", "events_per_minute",
                                                     std::move(short_rows), 120, 0);
  ASSERT_FALSE(shape);
  EXPECT_NE(shape.error().find("column event_count holds fewer values"), std::string::npos);
  grow_to(3);
  EXPECT_EQ(rows(), expected(0, 4));  // the refused rows changed nothing
}

// A column of event types: DuckDB sorts and compares it as the names, whether the rows were
// settled or scanned, and a value that is no event type reads as NULL.
TEST(EventTypeColumnTest, SortsAndComparesAsTheNames) {
  testing::TempDirectory lake;
  EngineOptions options;
  options.lake_directory = lake.path();
  auto engine = testing::open_engine(options);
  ASSERT_TRUE(engine);
  const std::vector<TableColumn> columns = {{"minute", TableColumnType::timestamp_s},
                                            {"event_type", TableColumnType::event_type},
                                            {"event_count", TableColumnType::int64}};
  // Minute 0 is settled, minute 1 scanned; each holds every type, in core::EventType's order,
  // and a value past the last type.
  auto minute_rows = [](std::int64_t minute) {
    ResultChunk chunk;
    chunk.columns.resize(3);
    for (std::uint64_t type = 0; type <= core::kEventTypeCount; ++type) {
      chunk.columns[0].i64.push_back(minute * 60);
      chunk.columns[1].u64.push_back(type);
      chunk.columns[2].i64.push_back(static_cast<std::int64_t>(type));
      ++chunk.rows;
    }
    return chunk;
  };
  ASSERT_TRUE(engine->catalog().publish_time_series("realtime", "events_per_minute", columns,
                                                    "minute",
                                                    [&](std::int64_t) { return minute_rows(1); }));
  ASSERT_TRUE(
      engine->catalog().settle_time_series("realtime", "events_per_minute", minute_rows(0), 60, 0));

  auto sorted = run(*engine,
                    "SELECT event_type, sum(event_count) FROM realtime.events_per_minute "
                    "GROUP BY event_type ORDER BY event_type NULLS LAST");
  ASSERT_FALSE(sorted.error) << sorted.error->message;
  EXPECT_EQ(sorted.columns[0].type.clickhouse_name, "String");
  ASSERT_EQ(sorted.chunks.at(0).rows, core::kEventTypeCount + 1);
  for (std::size_t i = 0; i < core::kEventTypeCount; ++i) {
    const std::string& name = sorted.column(0).str[i];
    if (i > 0) {
      EXPECT_LT(sorted.column(0).str[i - 1], name);  // the names' byte order
    }
    const auto type = core::event_type_from_name(name);
    ASSERT_TRUE(type) << name;
    EXPECT_EQ(sorted.column(1).str[i], std::to_string(2 * static_cast<int>(*type)));
  }
  EXPECT_EQ(sorted.column(0).null.back(), 1);

  auto compared = run(*engine,
                      "SELECT count(*) FILTER (WHERE event_type = 'purchase'), "
                      "count(*) FILTER (WHERE event_type IN ('view', 'no such type')), "
                      "count(*) FILTER (WHERE event_type LIKE '%_cart'), "
                      "count(*) FILTER (WHERE event_type > 'p') FROM realtime.events_per_minute");
  ASSERT_FALSE(compared.error) << compared.error->message;
  EXPECT_EQ(compared.column(0).i64.at(0), 2);
  EXPECT_EQ(compared.column(1).i64.at(0), 2);
  EXPECT_EQ(compared.column(2).i64.at(0), 4);
  EXPECT_EQ(compared.column(3).i64.at(0), 8);  // purchase, remove_from_cart, search, view
}

}  // namespace
}  // namespace shoplake::sql
