// Sink configurations aimed at a test Receiver, fast enough for unit tests, and a typical alert.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

#include "receiver.hpp"
#include "shoplake/alert/sinks.hpp"

namespace shoplake::alert::testing {

// 2024-05-01 12:03:00 UTC
inline constexpr std::int64_t kStartedMs = 1'714'564'980'000;

inline SinkConfig sink_for(const Receiver& receiver, SinkType type, std::string name = "ops") {
  SinkConfig config;
  config.name = std::move(name);
  config.type = type;
  config.url_env = "TEST_WEBHOOK_URL";
  config.url = receiver.url();
  config.min_interval = std::chrono::milliseconds(0);
  config.max_attempts = 3;
  config.first_backoff = std::chrono::milliseconds(10);
  config.max_backoff = std::chrono::milliseconds(40);
  config.timeout = std::chrono::milliseconds(2000);
  return config;
}

inline Alert traffic_spike() {
  Alert alert;
  alert.id = "traffic_spike-5d41402a-20240501T1203Z";
  alert.rule = "traffic_spike";
  alert.dimensions = "category=electronics";
  alert.state = AlertState::firing;
  alert.severity = Severity::critical;
  alert.started_ms = kStartedMs;
  alert.minute_ms = kStartedMs + 2 * 60'000;
  alert.emitted_at_ms = kStartedMs + 2 * 60'000 + 4'321;
  alert.value = 310;
  alert.expected = 100;
  alert.summary = "Views of electronics at 310/min, 3.1x the usual 100/min";
  alert.hint = "source=mobile moved most: 240/min against 60/min usually";
  return alert;
}

inline nlohmann::json body_of(const ReceivedRequest& request) {
  return nlohmann::json::parse(request.body);
}

}  // namespace shoplake::alert::testing
