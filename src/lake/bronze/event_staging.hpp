// The events of a landing batch, staged per UTC day on two threads: the landing thread decodes
// every other log record itself and hands the others (a copy of the payload: the log's read
// buffer is reused) to a helper thread with stagings of its own. Decoding and staging was a
// quarter of the landing, and the Parquet writer after it runs on both cores anyway, so the two
// share the work instead of one waiting.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "day_stagings.hpp"
#include "shoplake/core/result.hpp"
#include "shoplake/log/event_log.hpp"

namespace shoplake::lake {

class EventStaging {
 public:
  EventStaging();
  ~EventStaging();
  EventStaging(const EventStaging&) = delete;
  EventStaging& operator=(const EventStaging&) = delete;

  // Stages the events of an events record, those at `skip_below` and after. A record that does
  // not decode is reported by this call or by finish().
  core::Status add(const log::Record& record, std::uint64_t skip_below);
  // Waits until every record added is staged; the first decode error, if any.
  core::Status finish();

  // Log entries added since clear() (the batch's size, before decoding).
  std::uint64_t entries() const { return entries_; }
  bool empty() const { return entries_ == 0; }
  // After finish(): per day, the SELECT of its staged rows, valid until clear().
  std::map<std::int32_t, std::string> select_per_day() const;
  // After finish(): empties the stagings and keeps their memory for the next batch.
  void clear();

 private:
  struct PendingRecord {
    std::string payload;
    std::uint64_t first_offset = 0;
    std::uint64_t skip_below = 0;
    std::int64_t appended_at_ms = 0;
  };
  void help();

  DayStagings own_;     // the landing thread's
  DayStagings helper_;  // the helper thread's, read by others only after finish()
  std::uint64_t entries_ = 0;
  bool helper_turn_ = false;

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  std::deque<PendingRecord> queue_;
  std::vector<std::string> free_payloads_;  // their memory, kept warm
  bool helper_busy_ = false;
  bool closing_ = false;
  std::string helper_error_;
  std::thread helper_thread_;
};

}  // namespace shoplake::lake
