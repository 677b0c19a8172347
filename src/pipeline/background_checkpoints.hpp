// Delta checkpoints of the tables the pipeline commits to, written on a thread of their own. A
// commit is readable without its checkpoint, which only spares readers the JSON commits before
// it; written inline, every table's tenth commit landed in the same hourly run and added a tenth
// to it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "shoplake/lake/snapshot.hpp"

namespace shoplake::lake {
class ParquetIo;
}

namespace shoplake::pipeline {

class BackgroundCheckpoints {
 public:
  // A checkpoint every `interval` versions of each table (0: none).
  BackgroundCheckpoints(lake::ParquetIo& parquet, std::int64_t interval);
  // Writes the checkpoints still queued, then stops.
  ~BackgroundCheckpoints();
  BackgroundCheckpoints(const BackgroundCheckpoints&) = delete;
  BackgroundCheckpoints& operator=(const BackgroundCheckpoints&) = delete;

  // After a commit: queues a checkpoint of `snapshot` when its version is due for one. A failed
  // checkpoint is logged; it costs readers time, not data.
  void committed(const lake::Snapshot& snapshot);
  // Returns once every checkpoint queued so far is written.
  void wait_idle();

 private:
  void run();

  lake::ParquetIo& parquet_;
  std::int64_t interval_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<lake::Snapshot> queued_;
  bool writing_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace shoplake::pipeline
