// Interrupts queries that run past their deadline. One thread for all queries: a query only
// registers its deadline, so the common case (it finishes in time) costs two map updates.
#pragma once

#include <duckdb.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace shoplake::sql {

class QueryWatchdog {
 public:
  using Clock = std::chrono::steady_clock;
  QueryWatchdog();
  ~QueryWatchdog();
  QueryWatchdog(const QueryWatchdog&) = delete;
  QueryWatchdog& operator=(const QueryWatchdog&) = delete;

  // Interrupts `connection` at `deadline` unless disarmed first.
  std::uint64_t arm(duckdb_connection connection, Clock::time_point deadline);
  // After this returns the watchdog no longer touches the connection. True if it interrupted it.
  bool disarm(std::uint64_t id);

 private:
  struct Watch {
    duckdb_connection connection;
    Clock::time_point deadline;
    bool fired = false;
  };
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::uint64_t, Watch> watches_;
  std::uint64_t next_id_ = 1;
  Clock::time_point sleeping_until_ = Clock::time_point::min();  // until the thread's first wait
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace shoplake::sql
