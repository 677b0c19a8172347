// Executing a statement for a streamed result without DuckDB 1.4's streaming hang.
#pragma once

#include <duckdb.h>

#include <chrono>
#include <optional>
#include <string>

namespace shoplake::sql {

// How long a streamed query may have no task runnable on the calling thread before it is taken
// for stalled and runs again with a materialized result. With one DuckDB thread (the server's
// default) only a stall leaves none; with more, a long task on another thread does too, and such
// a query may then run twice: the limit keeps that to tasks of over a second.
inline constexpr std::chrono::milliseconds kStreamStallLimit{1000};
// The materialized run is not started this close to the query's deadline: DuckDB forgets an
// interrupt when a statement starts, so the deadline's interrupt must find it running.
inline constexpr std::chrono::milliseconds kStreamRetryMargin{100};

struct StreamedExecutionError {
  duckdb_error_type type;
  std::string message;
};

// Runs `statement` (parameters bound) into `out`, as duckdb_execute_prepared_streaming does, but
// never hangs; on failure, the error (`out` may then hold no result). `deadline` is when the
// caller interrupts the connection.
//
// DuckDB 1.4.4 hangs forever, deaf to duckdb_interrupt, when a streamed result is fed by several
// pipelines (UNION ALL, outer joins) and fills its buffer before they finish (duckdb/duckdb#22215):
// each pipeline waits for a reader that waits for them. Driving the tasks here sees that state as
// "no task runnable"; past `stall_limit` of it, the streamed run is cancelled and the statement
// runs materialized, which has no such wait. A normal stream pauses only while another thread
// holds the last task: it spins briefly, then polls.
std::optional<StreamedExecutionError> execute_streamed(
    duckdb_prepared_statement statement, duckdb_result* out,
    std::chrono::steady_clock::time_point deadline,
    std::chrono::milliseconds stall_limit = kStreamStallLimit);

}  // namespace shoplake::sql
