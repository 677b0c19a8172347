// `shoplake simulate`: the shop simulator as a command. History mode writes a span of event time
// as fast as it can; live mode runs from now against the wall clock. Output is NDJSON, one event
// a line, to stdout, a file, a collector (http://) or a Kafka topic (kafka://).
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "shoplake/core/time.hpp"
#include "shoplake/ingest/http_sender.hpp"
#include "shoplake/ingest/kafka_sink.hpp"
#include "shoplake/sim/output.hpp"
#include "shoplake/sim/runner.hpp"
#include "shoplake/sim/simulator.hpp"

namespace shoplake::cli {

namespace {

constexpr double kDefaultEventsPerSecond = 5;

struct SimulateOptions {
  std::optional<double> days;
  std::string start;
  std::string end;
  std::string rate = "5";
  std::optional<std::uint64_t> count;
  std::uint64_t seed = 1;
  std::uint32_t users = 1000;
  std::vector<std::string> injections;
  std::string to = "-";
  std::string write_key;
};

CommandError usage_error(const std::string& message) {
  return CommandError{2, message};
}

// "2026-11-25" (midnight UTC) or an RFC 3339 timestamp.
std::int64_t parse_instant(const std::string& flag, const std::string& text) {
  if (text.size() == 10) {
    if (const auto midnight = core::parse_rfc3339_ms(text + "T00:00:00Z")) return *midnight;
  } else if (const auto instant = core::parse_rfc3339_ms(text)) {
    return *instant;
  }
  throw usage_error(
      fmt::format("{} '{}': expected YYYY-MM-DD or an RFC 3339 timestamp such as "
                  "2026-11-25T13:00:00Z",
                  flag, text));
}

// The event-time span of a history run, from whichever two of --start, --end, --days are given
// (--days alone ends now).
void resolve_history_span(const SimulateOptions& options, sim::SimulatorConfig& config) {
  const bool has_start = !options.start.empty();
  const bool has_end = !options.end.empty();
  if (has_start && has_end && options.days) {
    throw usage_error("give at most two of --start, --end and --days");
  }
  std::optional<std::int64_t> span_ms;
  if (options.days) {
    if (!(*options.days > 0) || *options.days > 21900) {
      throw usage_error(
          fmt::format("--days {}: expected a number of days above 0 and at most 21900 (60 years)",
                      *options.days));
    }
    span_ms = static_cast<std::int64_t>(std::llround(*options.days * core::kMillisPerDay));
  }
  if (has_start && has_end) {
    config.start_ms = parse_instant("--start", options.start);
    config.end_ms = parse_instant("--end", options.end);
  } else if (has_start) {
    if (!span_ms) throw usage_error("--start needs --end or --days");
    config.start_ms = parse_instant("--start", options.start);
    config.end_ms = config.start_ms + *span_ms;
  } else {
    if (!span_ms) throw usage_error("--end needs --start or --days");
    config.end_ms = has_end ? parse_instant("--end", options.end) : core::now_ms();
    config.start_ms = config.end_ms - *span_ms;
  }
  if (config.end_ms <= config.start_ms) throw usage_error("--end must be after --start");
}

// --rate: a positive number of events per second, or "max".
std::optional<double> parse_rate(const std::string& text) {
  if (text == "max") return std::nullopt;
  std::size_t used = 0;
  double rate = 0;
  try {
    rate = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(rate > 0) || !(rate <= sim::kMaxEventsPerSecond)) {
    throw usage_error(fmt::format(
        "--rate '{}': expected a number of events per second above 0 and at most {}, or max", text,
        sim::kMaxEventsPerSecond));
  }
  return rate;
}

std::vector<sim::Injection> parse_injections(const std::vector<std::string>& specs) {
  std::vector<sim::Injection> injections;
  for (const std::string& spec : specs) {
    sim::InjectionParse parsed = sim::parse_injection(spec);
    if (!parsed.injection) throw usage_error("--inject: " + parsed.error);
    injections.push_back(*parsed.injection);
  }
  return injections;
}

bool is_http_destination(const std::string& to) {
  return to.rfind("http://", 0) == 0 || to.rfind("https://", 0) == 0;
}

bool is_kafka_destination(const std::string& to) {
  return to.rfind("kafka://", 0) == 0;
}

void reject_unsupported_destination(const std::string& to) {
  const std::size_t scheme_end = to.find("://");
  if (scheme_end == std::string::npos || is_http_destination(to) || is_kafka_destination(to)) {
    return;
  }
  throw usage_error(fmt::format(
      "--to {}: unknown destination scheme '{}'; expected -, a file, http(s):// or kafka://", to,
      to.substr(0, scheme_end)));
}

// Ctrl-C or SIGTERM ends the run cleanly: what was produced is written and the summary printed.
// The signals are blocked in this thread and taken by a watcher thread that asks the run to stop.
// A second one ends the process at once, for when the output cannot drain (a stuck reader).
class StopOnSignal {
 public:
  explicit StopOnSignal(std::stop_source& stop) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
    watcher_ = std::jthread([this, &stop](std::stop_token done) {
      const timespec poll_interval{0, 100'000'000};
      while (!done.stop_requested()) {
        const int signal = sigtimedwait(&signals_, nullptr, &poll_interval);
        if (signal <= 0) continue;
        if (stop.stop_requested()) std::_Exit(128 + signal);
        stop.request_stop();
      }
    });
  }
  ~StopOnSignal() {
    watcher_.request_stop();
    watcher_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

 private:
  sigset_t signals_;
  sigset_t previous_;
  std::jthread watcher_;
};

// What the flags ask for: the shop and its span of event time, and how to pace the run.
struct SimulationPlan {
  sim::SimulatorConfig config;
  sim::RunOptions run;
};

SimulationPlan plan_from(const SimulateOptions& options) {
  SimulationPlan plan;
  plan.config.seed = options.seed;
  if (options.users == 0) throw usage_error("--users: expected at least 1");
  plan.config.initial_users = options.users;
  plan.config.injections = parse_injections(options.injections);
  const std::optional<double> rate = parse_rate(options.rate);
  plan.config.events_per_second = rate.value_or(kDefaultEventsPerSecond);
  const bool history = options.days || !options.start.empty() || !options.end.empty();
  if (history) {
    if (!rate) {
      throw usage_error(
          "--rate max applies to live mode only; in history mode --rate N sets the traffic "
          "(events per second of event time) and the run always goes as fast as it can");
    }
    resolve_history_span(options, plan.config);
    plan.run.pacing = sim::Pacing::as_fast_as_possible;
  } else {
    plan.config.start_ms = core::now_ms();
    plan.run.pacing = rate ? sim::Pacing::wall_clock : sim::Pacing::stamp_wall_clock;
  }
  if (options.count) plan.run.max_events = *options.count;
  return plan;
}

std::unique_ptr<ingest::KafkaSink> open_kafka_sink(const std::string& to) {
  auto sink_options = ingest::kafka_sink_options_from_url(to);
  if (!sink_options) throw usage_error("--to: " + sink_options.error());
  auto created = ingest::KafkaSink::create(sink_options.value());
  if (!created) throw usage_error("--to: " + created.error());
  return std::move(created).value();
}

void run_simulate(const SimulateOptions& options) {
  const SimulationPlan plan = plan_from(options);
  reject_unsupported_destination(options.to);
  std::optional<sim::OutputFile> file;
  std::unique_ptr<ingest::HttpEventSender> sender;
  std::unique_ptr<ingest::KafkaSink> kafka;
  try {
    if (is_http_destination(options.to)) {
      auto created = ingest::HttpEventSender::create({options.to, options.write_key});
      if (!created) throw usage_error("--to: " + created.error());
      sender = std::move(created).value();
    } else if (is_kafka_destination(options.to)) {
      kafka = open_kafka_sink(options.to);
    } else if (options.to != "-") {
      file.emplace(options.to);
    }
    const sim::ChunkWriter write = [&file, &sender, &kafka](std::string_view ndjson) {
      if (sender) {
        const core::Status sent = sender->send(ndjson);
        if (!sent) throw CommandError{1, sent.error()};
      } else if (kafka) {
        const core::Status sent = kafka->send(ndjson);
        if (!sent) throw CommandError{1, sent.error()};
      } else if (file) {
        file->write(ndjson);
      } else {
        sim::write_all(STDOUT_FILENO, ndjson);
      }
    };
    sim::Simulator simulator(plan.config);
    std::stop_source stop;
    const StopOnSignal stop_on_signal(stop);
    sim::ProgressLine progress(stderr);
    sim::run_simulation(simulator, plan.run, write, std::ref(progress), stop.get_token());
    if (file) file->close();
    if (sender) {
      const auto& totals = sender->totals();
      fmt::print(stderr,
                 "simulate: the collector accepted {} events and rejected {} ({} retries)\n",
                 totals.accepted, totals.rejected, totals.retries);
    }
    if (kafka) {
      const core::Status closed = kafka->close();
      if (!closed) throw CommandError{1, closed.error()};
      fmt::print(stderr, "simulate: Kafka acknowledged {} events in {} messages\n",
                 kafka->totals().lines, kafka->totals().messages);
    }
  } catch (const std::invalid_argument& error) {
    throw usage_error(error.what());
  } catch (const std::system_error& error) {
    throw CommandError{1, error.what()};
  }
}

}  // namespace

void add_simulate_command(CLI::App& app, const GlobalOptions& /*global*/) {
  auto options = std::make_shared<SimulateOptions>();
  CLI::App* command = app.add_subcommand(
      "simulate",
      "Generate realistic shop events as NDJSON (one JSON object a line).\n"
      "History mode (--days, or --start/--end): a span of event time, as fast as possible.\n"
      "Live mode (neither): event time is wall time, from now until --count or Ctrl-C.\n"
      "The shop: users who return, sessions of login, views and searches, carts (about 70 % "
      "abandoned), checkouts and orders (buyers are 2-5 % of daily active users), 8 product "
      "categories, a day/night curve in UTC and busier weekends. The same seed and span give the "
      "same bytes.");

  with_env(command->add_option("--days", options->days,
                               "History: this many days of event time (fractions allowed), "
                               "ending now, or starting at --start / ending at --end"));
  with_env(command->add_option("--start", options->start,
                               "History: first instant of event time, YYYY-MM-DD (midnight UTC) "
                               "or RFC 3339"));
  with_env(command->add_option("--end", options->end,
                               "History: end of event time (exclusive), YYYY-MM-DD or RFC 3339"));
  with_env(
      command
          ->add_option(
              "--rate", options->rate,
              "Traffic in events per second: the mean over a week, shaped by the day/night curve "
              "(about 0.2x at 04:00 UTC to 2x at 20:00 UTC) and busier weekends. History: "
              "events per second of event time. Live: event time is wall time, so events are "
              "emitted at this rate, each when its time comes. 'max' (live only): as fast as "
              "possible, each event stamped with the wall-clock time it was produced, a load test")
          ->capture_default_str());
  with_env(command->add_option("--count", options->count,
                               "Stop after this many events (default: no limit; history mode "
                               "stops at its end anyway)"));
  with_env(command
               ->add_option("--seed", options->seed,
                            "Seed of the random shop: the same seed and span give the same "
                            "events")
               ->capture_default_str());
  with_env(command
               ->add_option("--users", options->users,
                            "Users at the start; 10 more join every simulated hour")
               ->capture_default_str());
  with_env(command->add_option(
      "--inject", options->injections,
      "Inject an anomaly, repeatable: <kind>@<offset>[,factor=F][,duration=D] with kind "
      "traffic_spike (session starts x F, default 5), traffic_drop (x F, default 0.2), "
      "revenue_drop (prices x F, default 0.3), zero_purchases (every payment fails) or "
      "conversion_drop (checkouts complete x F, default 0.1); offset from the start of the run "
      "and duration (default 15m) like 90s, 30m, 2h, 1d. Example: traffic_spike@2h,factor=8"));
  with_env(command
               ->add_option("--to", options->to,
                            "Where the NDJSON goes: - for stdout, a file (created or "
                            "truncated), a collector: http://HOST:PORT (POST /v1/events in "
                            "batches of about 1 MB, keep-alive, retried on 429 and 5xx), or "
                            "Kafka: kafka://HOST:PORT[,HOST:PORT]/TOPIC (messages of whole lines "
                            "up to 64 KiB, each acknowledged by the brokers)")
               ->capture_default_str());
  with_env(command->add_option("--write-key", options->write_key,
                               "Key for a collector that requires one (prefer the environment: "
                               "SHOPLAKE_WRITE_KEY)"));

  command->callback([options] { run_simulate(*options); });
}

}  // namespace shoplake::cli
