// Event log append throughput: 64 KiB and 1 MiB records under each durability policy, from one
// and from two appending threads. Bytes/s and items/s are records appended and acknowledged.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include <benchmark/benchmark.h>

#include "shoplake/log/event_log.hpp"

namespace {

using shoplake::log::AppendStatus;
using shoplake::log::EventLog;
using shoplake::log::LogOptions;
using shoplake::log::RecordKind;
using shoplake::log::RecordToAppend;

const char* const kPolicies[] = {"never", "interval(10)", "always"};

std::filesystem::path fresh_directory() {
  static std::atomic<int> counter{0};
  return std::filesystem::temp_directory_path() /
         ("shoplake-log-bench-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

// Shared by the benchmark's threads; thread 0 opens it before the timed loop and removes it
// after (the loop starts and ends on a barrier across threads).
std::unique_ptr<EventLog> shared_log;
std::filesystem::path shared_directory;

void open_shared_log(benchmark::State& state, const char* policy) {
  shared_directory = fresh_directory();
  LogOptions options;
  options.directory = shared_directory;
  options.durability = shoplake::log::parse_durability_policy(policy).value();
  auto opened = EventLog::open(options);
  if (!opened) {
    state.SkipWithError(opened.error().c_str());
    return;
  }
  shared_log = std::move(opened.value());
}

void close_shared_log() {
  shared_log.reset();
  std::error_code ignored;
  std::filesystem::remove_all(shared_directory, ignored);
}

void BM_Append(benchmark::State& state) {
  const auto payload_bytes = static_cast<std::size_t>(state.range(0));
  const char* policy = kPolicies[state.range(1)];
  if (state.thread_index() == 0) open_shared_log(state, policy);
  const std::string payload(payload_bytes, 'e');
  const RecordToAppend record{RecordKind::events, payload, 1, {}};
  for (auto _ : state) {
    if (!shared_log) {
      state.SkipWithError("the event log did not open");
      break;
    }
    const auto outcome = shared_log->append({&record, 1});
    if (outcome.status != AppendStatus::durable) {
      state.SkipWithError(outcome.message.c_str());
      break;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload_bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel(policy);
  if (state.thread_index() == 0) close_shared_log();
}

BENCHMARK(BM_Append)
    ->ArgNames({"payload", "policy"})
    ->ArgsProduct({{64 << 10, 1 << 20}, {0, 1, 2}})
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
