#include "background_checkpoints.hpp"

#include <spdlog/spdlog.h>

#include "shoplake/lake/delta_table.hpp"

namespace shoplake::pipeline {

BackgroundCheckpoints::BackgroundCheckpoints(lake::ParquetIo& parquet, std::int64_t interval)
    : parquet_(parquet), interval_(interval), worker_([this] { run(); }) {}

BackgroundCheckpoints::~BackgroundCheckpoints() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void BackgroundCheckpoints::committed(const lake::Snapshot& snapshot) {
  if (interval_ <= 0 || snapshot.version <= 0 || snapshot.version % interval_ != 0) return;
  {
    const std::lock_guard lock(mutex_);
    queued_.push_back(snapshot);
  }
  changed_.notify_all();
}

void BackgroundCheckpoints::wait_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queued_.empty() && !writing_; });
}

void BackgroundCheckpoints::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopping, and nothing left to write
    const lake::Snapshot snapshot = std::move(queued_.front());
    queued_.pop_front();
    writing_ = true;
    lock.unlock();
    if (auto written = lake::DeltaTable::checkpoint(snapshot, parquet_); !written) {
      spdlog::warn("pipeline: {}: checkpoint at version {} failed: {}",
                   snapshot.table_root.string(), snapshot.version, written.error());
    }
    lock.lock();
    writing_ = false;
    changed_.notify_all();
  }
}

}  // namespace shoplake::pipeline
