#include "event_staging.hpp"

#include <fmt/format.h>

#include "bronze_tables.hpp"
#include "shoplake/core/event_codec.hpp"

namespace shoplake::lake {
namespace {

// Records queued for the helper at most: enough to keep it busy, few enough to bound the copies.
constexpr std::size_t kMaxQueuedRecords = 4;

core::Status stage_events(DayStagings& stagings, std::string_view payload,
                          std::uint64_t first_offset, std::uint64_t skip_below,
                          std::int64_t appended_at_ms) {
  core::EncodedEventReader reader(payload);
  core::EventView event;
  std::uint64_t offset = first_offset;
  // A record's events nearly all fall on one day: its staging is looked up when the day changes.
  StagedRows* day_rows = nullptr;
  std::int32_t rows_day = 0;
  while (reader.next(event)) {
    if (offset >= skip_below) {
      const std::int32_t day = event_day(event);
      if (day_rows == nullptr || day != rows_day) {
        day_rows = &stagings.rows_of(day);
        rows_day = day;
      }
      stage_event(*day_rows, event, offset, appended_at_ms);
    }
    ++offset;
  }
  if (!reader.error().empty()) {
    return core::Error{
        fmt::format("log record at offset {} does not decode: {}", first_offset, reader.error())};
  }
  return core::ok_status();
}

}  // namespace

EventStaging::EventStaging()
    : own_(bronze_events_staging_columns()),
      helper_(bronze_events_staging_columns()),
      helper_thread_([this] { help(); }) {}

EventStaging::~EventStaging() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  work_ready_.notify_all();
  helper_thread_.join();
}

core::Status EventStaging::add(const log::Record& record, std::uint64_t skip_below) {
  if (record.end_offset() <= skip_below) return core::ok_status();
  entries_ += record.end_offset() - std::max(record.first_offset, skip_below);
  helper_turn_ = !helper_turn_;
  if (!helper_turn_) {
    return stage_events(own_, record.payload, record.first_offset, skip_below,
                        record.appended_at_ms);
  }
  std::unique_lock lock(mutex_);
  work_done_.wait(lock, [&] { return queue_.size() < kMaxQueuedRecords; });
  PendingRecord pending;
  if (!free_payloads_.empty()) {
    pending.payload = std::move(free_payloads_.back());
    free_payloads_.pop_back();
  }
  pending.payload.assign(record.payload);
  pending.first_offset = record.first_offset;
  pending.skip_below = skip_below;
  pending.appended_at_ms = record.appended_at_ms;
  queue_.push_back(std::move(pending));
  work_ready_.notify_one();
  return core::ok_status();
}

void EventStaging::help() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [&] { return !queue_.empty() || closing_; });
    if (queue_.empty()) return;
    PendingRecord pending = std::move(queue_.front());
    queue_.pop_front();
    helper_busy_ = true;
    // After a record that does not decode, the batch fails: the rest is not worth staging.
    const bool failed = !helper_error_.empty();
    lock.unlock();
    auto staged = failed ? core::ok_status()
                         : stage_events(helper_, pending.payload, pending.first_offset,
                                        pending.skip_below, pending.appended_at_ms);
    lock.lock();
    if (!staged && helper_error_.empty()) helper_error_ = staged.error();
    free_payloads_.push_back(std::move(pending.payload));
    helper_busy_ = false;
    work_done_.notify_all();
  }
}

core::Status EventStaging::finish() {
  std::unique_lock lock(mutex_);
  work_done_.wait(lock, [&] { return queue_.empty() && !helper_busy_; });
  if (!helper_error_.empty()) return core::Error{helper_error_};
  return core::ok_status();
}

std::map<std::int32_t, std::string> EventStaging::select_per_day() const {
  std::map<std::int32_t, std::string> selects;
  own_.add_selects(selects);
  helper_.add_selects(selects);
  return selects;
}

void EventStaging::clear() {
  own_.clear_for_reuse();
  helper_.clear_for_reuse();
  entries_ = 0;
  helper_turn_ = false;
  std::lock_guard lock(mutex_);
  helper_error_.clear();
}

}  // namespace shoplake::lake
