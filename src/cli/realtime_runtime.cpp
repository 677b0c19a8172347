#include "realtime_runtime.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <iterator>

#include "alerts_config.hpp"
#include "commands.hpp"
#include "shoplake/alert/detector.hpp"
#include "shoplake/alert/sinks.hpp"
#include "shoplake/core/time_zone.hpp"
#include "shoplake/stream/stream_engine.hpp"

namespace shoplake::cli {
namespace {

std::int64_t seconds_to_ms(double seconds) {
  return static_cast<std::int64_t>(std::llround(seconds * 1000));
}

stream::StreamOptions stream_options(const std::filesystem::path& data_dir,
                                     const RealtimeOptions& options) {
  auto zone = core::TimeZone::load(options.time_zone);
  if (!zone) throw CommandError{2, "--time-zone: " + zone.error()};
  stream::StreamOptions stream;
  stream.aggregation.time_zone = zone.value();
  stream.aggregation.allowed_lateness_ms = seconds_to_ms(options.allowed_lateness_seconds);
  stream.aggregation.retention_ms =
      static_cast<std::int64_t>(std::llround(options.retention_days * core::kMillisPerDay));
  stream.state_directory = data_dir / "stream";
  stream.idle_advance_after =
      std::chrono::milliseconds(seconds_to_ms(options.idle_advance_seconds));
  return stream;
}

}  // namespace

void add_realtime_flags(CLI::App& command, RealtimeOptions& options) {
  with_env(command
               .add_option("--time-zone", options.time_zone,
                           "IANA time zone of realtime.kpis_today's day (Europe/Berlin, "
                           "America/New_York, UTC, +02:00)")
               ->capture_default_str());
  with_env(command
               .add_option("--allowed-lateness-seconds", options.allowed_lateness_seconds,
                           "A minute of realtime.* takes late events until the newest event "
                           "time is this far past it; later ones are left to the batch layer")
               ->check(CLI::Range(0.0, 86400.0))
               ->capture_default_str());
  with_env(command
               .add_option("--realtime-retention-days", options.retention_days,
                           "Days of minute rows realtime.* keeps (memory is bounded by it)")
               ->check(CLI::Range(0.01, 90.0))
               ->capture_default_str());
  with_env(command
               .add_option("--idle-advance-seconds", options.idle_advance_seconds,
                           "With no new events for this long, event time follows the wall clock "
                           "so that minutes close and a silent shop shows as silent (0: never)")
               ->check(CLI::Range(0.0, 86400.0))
               ->capture_default_str());
  with_env(command
               .add_option("--alerts-config", options.alerts_config,
                           "TOML file of alert rules ([defaults], [rules.NAME]) and sinks "
                           "([[sinks]]), see docs/ALERTS.md (default: built-in rules, the log, "
                           "and SHOPLAKE_SLACK_WEBHOOK_URL / SHOPLAKE_ALERT_WEBHOOK_URL if set)")
               ->check(CLI::ExistingFile));
  with_env(command
               .add_option("--alert-delivery-max-age-minutes",
                           options.alert_delivery_max_age_minutes,
                           "Alerts about minutes older than this (a replay of history) are kept "
                           "in realtime.alerts but not sent to Slack or webhooks")
               ->check(CLI::PositiveNumber)
               ->capture_default_str());
}

struct RealtimeRuntime::State {
  RealtimeOptions options;
  alert::AnomalyDetector detector;
  std::unique_ptr<alert::AlertHistory> history;
  std::unique_ptr<alert::AlertDispatcher> dispatcher;
  std::unique_ptr<stream::StreamEngine> engine;
  log::EventLog* log = nullptr;
  std::size_t sink_count = 0;
  std::string time_zone;
  std::atomic<std::uint64_t> alerts_decided{0};
  std::atomic<std::uint64_t> alerts_withheld{0};  // about minutes too old to send

  explicit State(const alert::AlertRulesConfig& rules) : detector(rules) {}

  // On the stream engine's thread: every settled minute through the rules, every decision into
  // the history, the recent ones out to the sinks.
  void on_settled(std::span<const core::MinuteSummary> minutes) {
    const std::int64_t now = core::now_ms();
    const auto max_age_ms = static_cast<std::int64_t>(
        std::llround(options.alert_delivery_max_age_minutes * core::kMillisPerMinute));
    for (const auto& minute : minutes) {
      for (const alert::Alert& decided : detector.observe(minute, now)) {
        alerts_decided.fetch_add(1, std::memory_order_relaxed);
        if (auto recorded = history->record(decided); !recorded) {
          spdlog::warn("alerts: {}", recorded.error());
        }
        if (decided.minute_ms + max_age_ms < now) {
          alerts_withheld.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        dispatcher->deliver(decided);
      }
    }
  }
};

RealtimeRuntime::RealtimeRuntime(std::unique_ptr<State> state) : state_(std::move(state)) {}

RealtimeRuntime::~RealtimeRuntime() {
  stop();
}

std::unique_ptr<RealtimeRuntime> RealtimeRuntime::start(log::EventLog& log, sql::Catalog& catalog,
                                                        const std::filesystem::path& data_dir,
                                                        const RealtimeOptions& options) {
  const AlertsConfig alerts = read_alerts_config(options.alerts_config);
  auto state = std::make_unique<State>(alerts.rules);
  state->options = options;
  state->log = &log;
  state->sink_count = alerts.sinks.size();

  auto history = alert::AlertHistory::open({data_dir / "alerts" / "history.ndjson"});
  if (!history) throw CommandError{1, "alert history: " + history.error()};
  state->history = std::move(history).value();
  auto dispatcher = alert::AlertDispatcher::start(alerts.sinks);
  if (!dispatcher) throw CommandError{2, "alert sinks: " + dispatcher.error()};
  state->dispatcher = std::move(dispatcher).value();

  auto stream = stream_options(data_dir, options);
  state->time_zone = stream.aggregation.time_zone.name();
  State* listener_state = state.get();
  auto engine = stream::StreamEngine::open(
      log, std::move(stream), [listener_state](std::span<const core::MinuteSummary> minutes) {
        listener_state->on_settled(minutes);
      });
  if (!engine) throw CommandError{1, "stream: " + engine.error()};
  state->engine = std::move(engine).value();
  // A restart resumes counting where the checkpoint stopped; the rules relearn their baselines
  // from the minutes kept, and what they decide about those minutes was decided before.
  for (const auto& minute : state->engine->settled_history()) {
    (void)state->detector.observe(minute, core::now_ms());
  }
  if (auto published = state->engine->publish_tables(catalog); !published) {
    throw CommandError{1, "stream: " + published.error()};
  }
  if (auto published = state->history->publish_table(catalog); !published) {
    throw CommandError{1, "alerts: " + published.error()};
  }
  state->engine->start();
  return std::unique_ptr<RealtimeRuntime>(new RealtimeRuntime(std::move(state)));
}

void RealtimeRuntime::stop() {
  if (!state_) return;
  if (state_->engine) state_->engine->stop();
  if (state_->dispatcher) state_->dispatcher->stop();
}

void RealtimeRuntime::raise(const alert::Alert& alert) {
  state_->alerts_decided.fetch_add(1, std::memory_order_relaxed);
  if (auto recorded = state_->history->record(alert); !recorded) {
    spdlog::warn("alerts: {}", recorded.error());
  }
  state_->dispatcher->deliver(alert);
}

const alert::AlertHistory& RealtimeRuntime::history() const {
  return *state_->history;
}

void RealtimeRuntime::add_health_check(server::MainServer& http) const {
  http.add_health_check([engine = state_->engine.get()] {
    const std::string failure = engine->failure();
    return failure.empty() ? failure : "real-time engine stopped: " + failure;
  });
}

void RealtimeRuntime::add_metrics(server::MainServer& http) const {
  http.add_metrics([state = state_.get()](server::MetricsText& metrics) {
    const stream::StreamStats stats = state->engine->stats();
    metrics.counter("shoplake_stream_events_total", "Events counted into realtime.*.",
                    static_cast<double>(stats.aggregation.counted_events));
    metrics.counter("shoplake_stream_late_events_total",
                    "Events after their minute closed (left to the batch layer).",
                    static_cast<double>(stats.aggregation.late_events));
    metrics.counter("shoplake_stream_duplicate_order_lines_total",
                    "Purchases of an order line already counted (not counted again).",
                    static_cast<double>(stats.aggregation.duplicate_order_lines));
    metrics.counter("shoplake_stream_future_events_total",
                    "Events stamped too far ahead of the wall clock (left out).",
                    static_cast<double>(stats.future_events));
    metrics.gauge("shoplake_stream_lag_entries",
                  "Log entries written but not yet counted into realtime.*.",
                  static_cast<double>(state->log->written_end_offset() - stats.processed_offset));
    metrics.gauge("shoplake_stream_memory_bytes", "Memory held by the realtime state.",
                  static_cast<double>(stats.memory_bytes));
    metrics.gauge("shoplake_stream_event_time_seconds", "The newest event time counted.",
                  static_cast<double>(stats.clock_ms) / 1000.0);
    metrics.counter("shoplake_alerts_total", "Alert messages decided (firing, repeat, resolved).",
                    static_cast<double>(state->alerts_decided.load()));
    metrics.counter("shoplake_alerts_withheld_total",
                    "Alert messages about minutes too old to send (kept in realtime.alerts).",
                    static_cast<double>(state->alerts_withheld.load()));
    std::uint64_t sent = 0, failed = 0, dropped = 0;
    for (const auto& sink : state->dispatcher->counters()) {
      sent += sink.sent;
      failed += sink.failed;
      dropped += sink.dropped;
    }
    metrics.counter("shoplake_alert_deliveries_total", "Alert messages delivered to sinks.",
                    static_cast<double>(sent));
    metrics.counter("shoplake_alert_delivery_failures_total",
                    "Alert messages a sink gave up on (4xx, or attempts exhausted).",
                    static_cast<double>(failed));
    metrics.counter("shoplake_alert_deliveries_dropped_total",
                    "Alert messages dropped from a full sink queue.", static_cast<double>(dropped));
  });
}

std::string RealtimeRuntime::banner() const {
  const auto& options = state_->options;
  return fmt::format(
      "  realtime        realtime.* live, time zone {}, lateness {} s, {} days of minutes\n"
      "  alerts          GET /v1/alerts, realtime.alerts; {} sink{}{}\n",
      state_->time_zone, options.allowed_lateness_seconds, options.retention_days,
      state_->sink_count, state_->sink_count == 1 ? "" : "s",
      options.alerts_config.empty() ? "" : fmt::format(" ({})", options.alerts_config));
}

}  // namespace shoplake::cli
