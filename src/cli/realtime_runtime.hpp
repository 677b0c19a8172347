// The real-time part of `shoplake up`: the stream engine counting the event log into realtime.*,
// the anomaly detector on its settled minutes, the alert history (realtime.alerts,
// GET /v1/alerts) and the sinks alerts go to. Built from the flags `up` shares with `alerts test`.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "shoplake/alert/alert_history.hpp"
#include "shoplake/log/event_log.hpp"
#include "shoplake/server/main_server.hpp"
#include "shoplake/sql/catalog.hpp"

namespace shoplake::cli {

struct RealtimeOptions {
  std::string time_zone = "UTC";
  double allowed_lateness_seconds = 300;
  double retention_days = 7;
  double idle_advance_seconds = 30;
  std::string alerts_config;  // a TOML file with [rules.*] and [[sinks]]; empty: defaults
  // Alerts decided on minutes older than this (a replay of history after a restart, a backfill)
  // are kept in the history but not sent: nobody wants last week's incident paged now.
  double alert_delivery_max_age_minutes = 15;
};

// Adds the flags above to a command.
void add_realtime_flags(CLI::App& command, RealtimeOptions& options);

class RealtimeRuntime {
 public:
  // Opens everything and publishes realtime.*; throws CommandError naming the flag at fault.
  static std::unique_ptr<RealtimeRuntime> start(log::EventLog& log, sql::Catalog& catalog,
                                                const std::filesystem::path& data_dir,
                                                const RealtimeOptions& options);
  ~RealtimeRuntime();
  void stop();

  const alert::AlertHistory& history() const;
  // An alert decided elsewhere (the pipeline's reconciliation): into the history and out to the
  // sinks, like the detector's own.
  void raise(const alert::Alert& alert);
  void add_metrics(server::MainServer& http) const;
  void add_health_check(server::MainServer& http) const;
  std::string banner() const;  // the lines `up` prints about it

 private:
  struct State;
  explicit RealtimeRuntime(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace shoplake::cli
