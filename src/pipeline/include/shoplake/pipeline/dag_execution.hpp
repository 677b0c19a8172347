// Runs the tasks of one DAG run: each model after the models writing its inputs, up to
// `parallelism` side by side (the eight gold models need only silver, so they run together). The
// scheduler runs its runs with it, and `bench pipeline` times the same execution.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "shoplake/pipeline/model.hpp"

namespace shoplake::pipeline {

struct DagExecution {
  // Runs the task of models[index] on a thread of its own; true when it succeeded.
  std::function<bool(std::size_t index)> run_task;
  // Called, on the calling thread, for a model not run because a table it reads failed.
  std::function<void(std::size_t index)> upstream_failed;
  // Polled between tasks: once true, no task starts (those running are waited for).
  std::function<bool()> stopping;
};

// `models` in dependency order (load_models, order_models). Returns once every task has ended
// or been skipped, or, when stopping, once the running ones have ended.
void execute_dag(const std::vector<Model>& models, std::size_t parallelism,
                 const DagExecution& execution);

}  // namespace shoplake::pipeline
