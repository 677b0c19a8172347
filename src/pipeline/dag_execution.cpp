#include "shoplake/pipeline/dag_execution.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace shoplake::pipeline {
namespace {

enum class TaskStatus { waiting, running, succeeded, failed };

// For each model, the models writing one of its inputs.
std::vector<std::vector<std::size_t>> upstream_of(const std::vector<Model>& models) {
  std::map<std::string, std::size_t> writer;
  for (std::size_t i = 0; i < models.size(); ++i) {
    writer.emplace(models[i].name, i);
    if (models[i].rejected_table) writer.emplace(*models[i].rejected_table, i);
  }
  std::vector<std::vector<std::size_t>> upstream(models.size());
  for (std::size_t i = 0; i < models.size(); ++i) {
    for (const auto& input : models[i].inputs) {
      if (const auto found = writer.find(input); found != writer.end() && found->second != i) {
        upstream[i].push_back(found->second);
      }
    }
  }
  return upstream;
}

}  // namespace

void execute_dag(const std::vector<Model>& models, std::size_t parallelism,
                 const DagExecution& execution) {
  const auto upstream = upstream_of(models);
  std::vector<TaskStatus> status(models.size(), TaskStatus::waiting);
  std::vector<std::thread> threads(models.size());
  std::mutex mutex;
  std::condition_variable ended;
  std::size_t running = 0;
  parallelism = std::max<std::size_t>(1, parallelism);

  std::unique_lock lock(mutex);
  while (true) {
    const bool stopping = execution.stopping && execution.stopping();
    bool waiting = false;
    // In model order, so that with one task at a time the order is the models'.
    for (std::size_t i = 0; i < models.size() && !stopping; ++i) {
      if (status[i] != TaskStatus::waiting) continue;
      const auto& before = upstream[i];
      if (std::any_of(before.begin(), before.end(),
                      [&status](std::size_t u) { return status[u] == TaskStatus::failed; })) {
        // Its own downstream comes later in the models' order and fails in turn.
        status[i] = TaskStatus::failed;
        if (execution.upstream_failed) execution.upstream_failed(i);
        continue;
      }
      if (!std::all_of(before.begin(), before.end(),
                       [&status](std::size_t u) { return status[u] == TaskStatus::succeeded; })) {
        waiting = true;
        continue;
      }
      if (running >= parallelism) {
        waiting = true;
        break;
      }
      status[i] = TaskStatus::running;
      ++running;
      threads[i] = std::thread([&, i] {
        const bool succeeded = execution.run_task(i);
        const std::lock_guard done(mutex);
        status[i] = succeeded ? TaskStatus::succeeded : TaskStatus::failed;
        --running;
        ended.notify_all();
      });
    }
    if (running == 0 && (stopping || !waiting)) break;
    ended.wait(lock);
  }
  lock.unlock();
  for (auto& thread : threads) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace shoplake::pipeline
