#include "query_watchdog.hpp"

namespace shoplake::sql {

QueryWatchdog::QueryWatchdog() : thread_([this] { run(); }) {}

QueryWatchdog::~QueryWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::uint64_t QueryWatchdog::arm(duckdb_connection connection, Clock::time_point deadline) {
  std::uint64_t id;
  bool sooner;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    watches_.emplace(id, Watch{connection, deadline});
    sooner = deadline < sleeping_until_;
  }
  // Queries come one after another with the same timeout, so the watchdog, asleep until an
  // earlier deadline, rarely needs waking: a wake-up per query cost a tenth of a small query.
  if (sooner) wake_.notify_all();
  return id;
}

bool QueryWatchdog::disarm(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto watch = watches_.find(id);
  if (watch == watches_.end()) return false;
  bool fired = watch->second.fired;
  watches_.erase(watch);
  return fired;
}

void QueryWatchdog::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto next_deadline = Clock::time_point::max();
    auto now = Clock::now();
    for (auto& [id, watch] : watches_) {
      if (watch.fired) continue;
      if (watch.deadline <= now) {
        // Under the lock, so disarm() cannot return while the interrupt is still being sent.
        duckdb_interrupt(watch.connection);
        watch.fired = true;
      } else {
        next_deadline = std::min(next_deadline, watch.deadline);
      }
    }
    sleeping_until_ = next_deadline;
    if (next_deadline == Clock::time_point::max()) {
      wake_.wait(lock);
    } else {
      wake_.wait_until(lock, next_deadline);
    }
  }
}

}  // namespace shoplake::sql
