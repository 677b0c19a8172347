// The tasks of a DAG run: each after the models writing its inputs, up to `parallelism` side by
// side, none after an upstream failure or once stopping.
#include "shoplake/pipeline/dag_execution.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

namespace shoplake::pipeline {
namespace {

Model model_reading(std::string name, std::vector<std::string> inputs) {
  Model model;
  model.name = std::move(name);
  model.inputs = std::move(inputs);
  return model;
}

// silver.events from bronze, three gold tables from silver, and gold.d from gold.a.
std::vector<Model> pipeline_models() {
  std::vector<Model> models = {
      model_reading("silver.events", {"bronze.events"}), model_reading("gold.a", {"silver.events"}),
      model_reading("gold.b", {"silver.events"}), model_reading("gold.c", {"silver.rejected"}),
      model_reading("gold.d", {"gold.a"})};
  models[0].rejected_table = "silver.rejected";
  return models;
}

// Records which tasks ran, which had ended when each started, and how many ran at once. Each task
// waits (up to a bound) for a second one to be running, so that side-by-side runs overlap.
class Recorder {
 public:
  bool run(std::size_t index, bool succeed = true) {
    std::unique_lock lock(mutex_);
    started_.push_back(index);
    ended_before_[index] = ended_;
    most_at_once_ = std::max(most_at_once_, ++active_);
    changed_.notify_all();
    changed_.wait_for(lock, std::chrono::milliseconds(300), [this] { return active_ >= 2; });
    --active_;
    ended_.insert(index);
    return succeed;
  }
  std::vector<std::size_t> started() const { return started_; }
  std::set<std::size_t> ended_before(std::size_t index) const { return ended_before_.at(index); }
  int most_at_once() const { return most_at_once_; }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::size_t> started_;
  std::set<std::size_t> ended_;
  std::map<std::size_t, std::set<std::size_t>> ended_before_;
  int active_ = 0;
  int most_at_once_ = 0;
};

// Runs the pipeline's models with every task recorded and succeeding.
void run_recorded(Recorder& recorder, std::size_t parallelism) {
  DagExecution execution;
  execution.run_task = [&recorder](std::size_t i) { return recorder.run(i); };
  execute_dag(pipeline_models(), parallelism, execution);
}

TEST(DagExecutionTest, RunsEachModelAfterItsInputsAndTheReadyOnesSideBySide) {
  Recorder recorder;
  run_recorded(recorder, 2);
  ASSERT_EQ(recorder.started().size(), 5u);
  EXPECT_EQ(recorder.started().front(), 0u);
  for (std::size_t gold : {1u, 2u, 3u}) EXPECT_TRUE(recorder.ended_before(gold).contains(0));
  EXPECT_TRUE(recorder.ended_before(4).contains(1));
  EXPECT_EQ(recorder.most_at_once(), 2);
}

TEST(DagExecutionTest, OneAtATimeFollowsTheModelsOrder) {
  Recorder recorder;
  run_recorded(recorder, 1);
  EXPECT_EQ(recorder.started(), (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(recorder.most_at_once(), 1);
}

TEST(DagExecutionTest, AFailedModelSkipsWhatReadsItDownstream) {
  const auto models = pipeline_models();
  Recorder recorder;
  std::vector<std::size_t> skipped;
  DagExecution execution;
  execution.run_task = [&recorder](std::size_t i) { return recorder.run(i, i != 1); };
  execution.upstream_failed = [&skipped](std::size_t i) { skipped.push_back(i); };
  execute_dag(models, 2, execution);
  EXPECT_EQ(skipped, (std::vector<std::size_t>{4}));  // gold.d reads the failed gold.a
  EXPECT_EQ(recorder.started().size(), 4u);

  Recorder after_silver;
  skipped.clear();
  execution.run_task = [&after_silver](std::size_t i) { return after_silver.run(i, i != 0); };
  execute_dag(models, 2, execution);
  EXPECT_EQ(after_silver.started(), (std::vector<std::size_t>{0}));
  EXPECT_EQ(skipped, (std::vector<std::size_t>{1, 2, 3, 4}));  // through its rejected table too
}

TEST(DagExecutionTest, StoppingStartsNoFurtherTask) {
  const auto models = pipeline_models();
  Recorder recorder;
  std::atomic<bool> stopping = false;
  DagExecution execution;
  execution.run_task = [&](std::size_t i) {
    stopping = true;
    return recorder.run(i);
  };
  execution.stopping = [&stopping] { return stopping.load(); };
  execute_dag(models, 2, execution);
  EXPECT_EQ(recorder.started(), (std::vector<std::size_t>{0}));
}

}  // namespace
}  // namespace shoplake::pipeline
