// A streamed execution that DuckDB 1.4.4 would hang on still answers, and an ordinary one still
// streams; errors and interrupts come back as the result's.
#include "streamed_execution.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

// Two joins under a UNION ALL: two pipelines feed the result, and 500,000 rows outgrow DuckDB's
// stream buffer before either pipeline ends.
constexpr const char* kUnionOfJoins =
    "SELECT a.range FROM range(1000000) a JOIN range(1000000) b ON a.range = b.range "
    "WHERE a.range % 4 = 0 UNION ALL SELECT a.range FROM range(1000000) a JOIN range(1000000) b "
    "ON a.range = b.range WHERE a.range % 4 = 1";

const auto kFarAway = std::chrono::steady_clock::now() + std::chrono::hours(1);

class StreamedExecutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = duck::open_in_memory({{"threads", "2"}}, "a test DuckDB");
    ASSERT_TRUE(database) << database.error();
    database_ = std::move(database).value();
    ASSERT_EQ(duckdb_connect(database_.get(), connection_.out()), DuckDBSuccess);
  }

  duck::PreparedStatement prepare(const std::string& sql) {
    duck::PreparedStatement statement;
    EXPECT_EQ(duckdb_prepare(connection_.get(), sql.c_str(), statement.out()), DuckDBSuccess)
        << duckdb_prepare_error(statement.get());
    return statement;
  }

  // Every row of the result, counted chunk by chunk, with the sum of its first (BIGINT) column.
  static std::pair<std::uint64_t, std::int64_t> drain(duckdb_result& result) {
    std::uint64_t rows = 0;
    std::int64_t sum = 0;
    while (duckdb_data_chunk chunk = duckdb_fetch_chunk(result)) {
      const idx_t size = duckdb_data_chunk_get_size(chunk);
      const auto* values = static_cast<const std::int64_t*>(
          duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)));
      for (idx_t i = 0; i < size; ++i) sum += values[i];
      rows += size;
      duckdb_destroy_data_chunk(&chunk);
    }
    return {rows, sum};
  }

  duck::Database database_;
  duck::Connection connection_;
};

TEST_F(StreamedExecutionTest, AnOrdinaryQueryStreams) {
  auto statement = prepare("SELECT range FROM range(3000000)");
  duck::Result result;
  const auto error = execute_streamed(statement.get(), result.out(), kFarAway);
  ASSERT_FALSE(error) << error->message;
  EXPECT_TRUE(duckdb_result_is_streaming(*result.get()));
  const auto [rows, sum] = drain(*result.get());
  EXPECT_EQ(rows, 3'000'000u);
  EXPECT_EQ(sum, std::int64_t{2'999'999} * 3'000'000 / 2);
}

TEST_F(StreamedExecutionTest, AStalledStreamIsAnsweredMaterialized) {
  auto statement = prepare(kUnionOfJoins);
  // Were the hang back, the test could not even end: it is given a minute, then the process.
  auto answered = std::async(std::launch::async, [&] {
    duck::Result result;
    const auto error = execute_streamed(statement.get(), result.out(), kFarAway);
    EXPECT_FALSE(error) << error->message;
    return error ? std::pair<std::uint64_t, std::int64_t>{} : drain(*result.get());
  });
  if (answered.wait_for(std::chrono::minutes(1)) != std::future_status::ready) {
    ADD_FAILURE() << "the streamed execution hung";
    std::_Exit(1);
  }
  const auto [rows, sum] = answered.get();
  EXPECT_EQ(rows, 500'000u);
  std::int64_t expected = 0;
  for (std::int64_t n = 0; n < 1'000'000; ++n) expected += n % 4 <= 1 ? n : 0;
  EXPECT_EQ(sum, expected);
}

TEST_F(StreamedExecutionTest, ErrorsAndInterruptsKeepTheirMessageAndType) {
  auto failing = prepare(
      "SELECT CASE WHEN range = 2500000 THEN error('row 2500000 is bad') ELSE range END FROM "
      "range(3000000)");
  duck::Result failed;
  auto error = execute_streamed(failing.get(), failed.out(), kFarAway);
  std::string message = error ? error->message : std::string();
  if (!error) {
    drain(*failed.get());  // the error may come with a later chunk
    ASSERT_NE(duckdb_result_error(failed.get()), nullptr);
    message = duckdb_result_error(failed.get());
  }
  EXPECT_NE(message.find("row 2500000 is bad"), std::string::npos) << message;

  auto endless = prepare("SELECT count(*) FROM range(100000000) a, range(100000000) b");
  std::thread interrupter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    duckdb_interrupt(connection_.get());
  });
  duck::Result interrupted;
  error = execute_streamed(endless.get(), interrupted.out(), kFarAway);
  interrupter.join();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->type, DUCKDB_ERROR_INTERRUPT) << error->message;
}

TEST_F(StreamedExecutionTest, NoMaterializedRunStartsAtTheDeadline) {
  // At the deadline a stalled query is over rather than started again, where the deadline's
  // interrupt could no longer reach it.
  auto statement = prepare(kUnionOfJoins);
  duck::Result result;
  const auto started = std::chrono::steady_clock::now();
  const auto error = execute_streamed(statement.get(), result.out(), started + kStreamRetryMargin,
                                      std::chrono::milliseconds(50));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->type, DUCKDB_ERROR_INTERRUPT) << error->message;
  EXPECT_GE(std::chrono::steady_clock::now() - started, kStreamRetryMargin);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace shoplake::sql
