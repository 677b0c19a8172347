#include "streamed_execution.hpp"

#include <optional>
#include <thread>

#include "query_error_kind.hpp"
#include "shoplake/sql/duckdb_handles.hpp"

namespace shoplake::sql {
namespace {

using Clock = std::chrono::steady_clock;

// A dashboard query's pauses last microseconds: yielding over them keeps its latency (a sleep,
// even of 20 us, added 0.1-0.2 ms to a 1 ms query); a longer pause is a long query's, where a
// poll every 100 us costs nothing.
constexpr std::chrono::microseconds kSpinFor{1000};
constexpr std::chrono::microseconds kPollEvery{100};

std::optional<StreamedExecutionError> error_of(duckdb_state state, duckdb_result* result) {
  if (state == DuckDBSuccess) return std::nullopt;
  const char* message = duckdb_result_error(result);
  return StreamedExecutionError{duckdb_result_error_type(result),
                                message != nullptr ? message : "unknown DuckDB error"};
}

}  // namespace

std::optional<StreamedExecutionError> execute_streamed(duckdb_prepared_statement statement,
                                                       duckdb_result* out,
                                                       Clock::time_point deadline,
                                                       std::chrono::milliseconds stall_limit) {
  duck::PendingResult pending;
  if (duckdb_pending_prepared_streaming(statement, pending.out()) != DuckDBSuccess) {
    // Its error is reported through a result, which only an execution makes.
    return error_of(duckdb_execute_prepared_streaming(statement, out), out);
  }
  std::optional<Clock::time_point> idle_since;
  for (;;) {
    const duckdb_pending_state state = duckdb_pending_execute_task(pending.get());
    if (state == DUCKDB_PENDING_RESULT_READY) break;
    if (state == DUCKDB_PENDING_ERROR) {
      // Executing the pending result would only report that it failed, not why: its message says.
      const char* message = duckdb_pending_error(pending.get());
      const std::string text = message != nullptr ? message : "unknown DuckDB error";
      return StreamedExecutionError{duckdb_error_type_of_message(text), text};
    }
    if (state != DUCKDB_PENDING_NO_TASKS_AVAILABLE) {
      idle_since.reset();
      continue;
    }
    const Clock::time_point now = Clock::now();
    if (!idle_since) idle_since = now;
    if (now - *idle_since >= stall_limit) {
      pending.reset();  // cancels the streamed run
      if (now >= deadline - kStreamRetryMargin) {
        // The query is over: at its deadline, as the caller's interrupt would have ended it.
        std::this_thread::sleep_until(deadline);
        return StreamedExecutionError{DUCKDB_ERROR_INTERRUPT, "INTERRUPT Error: Interrupted!"};
      }
      return error_of(duckdb_execute_prepared(statement, out), out);
    }
    if (now - *idle_since < kSpinFor) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(kPollEvery);
    }
  }
  return error_of(duckdb_execute_pending(pending.get(), out), out);
}

}  // namespace shoplake::sql
