#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "shoplake/alert/sinks.hpp"
#include "sink.hpp"

namespace shoplake::alert {

// One sink's queue and the worker that empties it, so that a slow webhook delays only itself.
struct AlertDispatcher::Lane {
  Lane(const SinkConfig& config, std::unique_ptr<Sink> sink)
      : name(config.name),
        type(config.type),
        label(sink_label(config)),
        capacity(std::max<std::size_t>(config.queue_capacity, 1)),
        sink(std::move(sink)) {}

  void enqueue(const Alert& alert) {
    std::uint64_t dropped_so_far = 0;
    {
      std::lock_guard lock(mutex);
      if (closing) {
        ++tally.dropped;
        return;
      }
      if (queue.size() >= capacity) {
        queue.pop_front();
        dropped_so_far = ++tally.dropped;
        if (overflowing) dropped_so_far = 0;  // this overflow has been reported already
        overflowing = true;
      }
      queue.push_back(alert);
    }
    changed.notify_all();
    if (dropped_so_far > 0) {
      spdlog::warn(
          "{}: {} alerts are waiting, the most it holds; dropping the oldest ({} dropped "
          "so far)",
          label, capacity, dropped_so_far);
    }
  }

  void run(std::stop_token abort) {
    std::uint64_t abandoned = 0;
    for (;;) {
      Alert alert;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, abort, [&] { return !queue.empty() || closing; });
        if (abort.stop_requested() || queue.empty()) break;
        alert = std::move(queue.front());
        queue.pop_front();
        if (queue.empty()) overflowing = false;
      }
      const core::Status sent = sink->send(alert, abort, tally);
      if (sent) {
        ++tally.sent;
      } else if (abort.stop_requested()) {
        ++abandoned;
        ++tally.dropped;
      } else {
        ++tally.failed;
        spdlog::warn("{}: alert {} ({}) not delivered: {}", label, alert.id, alert.rule,
                     sent.error());
      }
    }
    {
      std::lock_guard lock(mutex);
      abandoned += queue.size();
      tally.dropped += queue.size();
      queue.clear();
      finished = true;
    }
    changed.notify_all();
    if (abandoned > 0) {
      spdlog::warn("{}: stopped with {} alerts undelivered", label, abandoned);
    }
  }

  void close() {
    {
      std::lock_guard lock(mutex);
      closing = true;
    }
    changed.notify_all();
  }

  void wait_finished(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex);
    changed.wait_until(lock, deadline, [&] { return finished; });
  }

  SinkCounters counters() const {
    SinkCounters counters;
    counters.name = name;
    counters.type = type;
    counters.sent = tally.sent;
    counters.failed = tally.failed;
    counters.dropped = tally.dropped;
    counters.retried = tally.retried;
    std::lock_guard lock(mutex);
    counters.queued = queue.size();
    return counters;
  }

  const std::string name;
  const SinkType type;
  const std::string label;
  const std::size_t capacity;
  const std::unique_ptr<Sink> sink;
  SinkTally tally;
  mutable std::mutex mutex;
  std::condition_variable_any changed;
  std::deque<Alert> queue;
  bool closing = false;
  bool finished = false;
  bool overflowing = false;  // has dropped since the queue was last empty
  std::jthread worker;       // last: destroyed, so stopped and joined, first
};

core::Result<std::unique_ptr<AlertDispatcher>> AlertDispatcher::start(
    std::vector<SinkConfig> sinks) {
  std::vector<std::unique_ptr<Lane>> lanes;
  for (const SinkConfig& config : sinks) {
    auto sink = make_sink(config);
    if (!sink) return core::Error{sink_label(config) + ": " + sink.error()};
    lanes.push_back(std::make_unique<Lane>(config, std::move(sink.value())));
  }
  for (auto& lane : lanes) {
    lane->worker = std::jthread([lane = lane.get()](std::stop_token abort) { lane->run(abort); });
  }
  return std::unique_ptr<AlertDispatcher>(new AlertDispatcher(std::move(lanes)));
}

AlertDispatcher::AlertDispatcher(std::vector<std::unique_ptr<Lane>> lanes)
    : lanes_(std::move(lanes)) {}

AlertDispatcher::~AlertDispatcher() {
  stop();
}

void AlertDispatcher::deliver(const Alert& alert) {
  for (auto& lane : lanes_) lane->enqueue(alert);
}

void AlertDispatcher::stop(std::chrono::milliseconds drain_timeout) {
  const auto deadline = std::chrono::steady_clock::now() + drain_timeout;
  for (auto& lane : lanes_) lane->close();
  for (auto& lane : lanes_) lane->wait_finished(deadline);
  for (auto& lane : lanes_) {
    if (!lane->worker.joinable()) continue;
    lane->worker.request_stop();
    lane->worker.join();
  }
}

std::vector<SinkCounters> AlertDispatcher::counters() const {
  std::vector<SinkCounters> all;
  all.reserve(lanes_.size());
  for (const auto& lane : lanes_) all.push_back(lane->counters());
  return all;
}

}  // namespace shoplake::alert
