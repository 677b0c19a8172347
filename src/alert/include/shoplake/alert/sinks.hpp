// Where alerts go: Slack incoming webhooks, a generic JSON webhook and the log. Configured by the
// [[sinks]] entries of the alerts file and by SHOPLAKE_* environment variables; delivered off the
// caller's thread by an AlertDispatcher (one queue and one worker per sink).
// Webhook URLs are secrets: nothing here logs one or puts one in an error; a sink goes by its name.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shoplake/alert/alert.hpp"
#include "shoplake/core/result.hpp"

namespace shoplake::alert {

enum class SinkType : std::uint8_t { log, slack, webhook };
std::string_view to_string(SinkType type);

struct SinkConfig {
  std::string name;  // letters, digits, '-', '_', '.': what logs, errors and metrics call it
  SinkType type = SinkType::log;
  std::string url_env;  // the environment variable the URL came from
  std::string url;      // secret
  std::vector<std::pair<std::string, std::string>> headers;  // webhook only; values may be secret
  std::chrono::milliseconds min_interval{1000};              // between two requests to this webhook
  int max_attempts = 5;                                      // per alert, retries included
  std::chrono::milliseconds first_backoff{500};  // after a 5xx or no answer; doubles per retry
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds timeout{10000};  // to connect, and to read the answer
  std::size_t queue_capacity = 256;          // alerts waiting; beyond it the oldest are dropped
};

// "slack sink 'ops'": how messages name a sink.
std::string sink_label(const SinkConfig& sink);

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// The process environment; an empty value counts as not set.
std::optional<std::string> process_environment(std::string_view name);

// The [[sinks]] entries of an alerts TOML file (other tables in it are ignored). URLs and header
// values written "env:NAME" are read through `getenv`. Errors name the entry, its line and key.
core::Result<std::vector<SinkConfig>> parse_sink_configs(std::string_view toml_text,
                                                         const EnvLookup& getenv);

// Adds what works without a file: a Slack sink "slack" when SHOPLAKE_SLACK_WEBHOOK_URL is set, a
// webhook sink "webhook" when SHOPLAKE_ALERT_WEBHOOK_URL is (with
// SHOPLAKE_ALERT_WEBHOOK_AUTHORIZATION as its Authorization header), unless a configured sink
// already reads that variable; and the log sink "log" unless one is configured. A CLI flag reaches
// this through its `getenv`.
core::Status add_default_sinks(std::vector<SinkConfig>& sinks, const EnvLookup& getenv);

struct SinkCounters {
  std::string name;
  SinkType type = SinkType::log;
  std::uint64_t sent = 0;
  std::uint64_t failed = 0;   // given up on: a 4xx, or attempts exhausted
  std::uint64_t dropped = 0;  // never tried: the queue was full, or shutdown came first
  std::uint64_t retried = 0;  // requests repeated after a 429, a 5xx or no answer
  std::size_t queued = 0;
};

class AlertDispatcher {
 public:
  static constexpr std::chrono::milliseconds kDefaultDrainTimeout{5000};

  static core::Result<std::unique_ptr<AlertDispatcher>> start(std::vector<SinkConfig> sinks);
  ~AlertDispatcher();  // stop(kDefaultDrainTimeout)
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  // Queues the alert for every sink and returns at once: never waits for a network.
  void deliver(const Alert& alert);
  // Delivers what is queued until `drain_timeout`, then abandons the rest (counted as dropped)
  // and interrupts requests in flight. Later calls, and deliver() after it, do nothing.
  void stop(std::chrono::milliseconds drain_timeout = kDefaultDrainTimeout);
  std::vector<SinkCounters> counters() const;

 private:
  struct Lane;
  explicit AlertDispatcher(std::vector<std::unique_ptr<Lane>> lanes);
  std::vector<std::unique_ptr<Lane>> lanes_;
};

// `shoplake alerts test`: sends `alert` to each sink now, on this thread, retrying as configured.
struct SinkTestResult {
  std::string sink;  // sink_label()
  core::Status status;
};
std::vector<SinkTestResult> send_test_alert(const std::vector<SinkConfig>& sinks,
                                            const Alert& alert);
// A recognisable firing alert for that test, decided at `now_ms`.
Alert sample_alert(std::int64_t now_ms);

}  // namespace shoplake::alert
