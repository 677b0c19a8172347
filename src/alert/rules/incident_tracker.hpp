// The lifecycle of one rule's incidents (one key: rule and dimensions): a breach that lasts
// `consecutive_minutes` fires; while it goes on, a reminder follows every `repeat_minutes`, and at
// once when it turns more severe; `resolve_minutes` clear minutes resolve it; `cooldown_minutes`
// pass before it may fire again. One incident at a time: further breaches while firing are the
// same incident. All in event-time minutes, so that a replay decides exactly what the live run did.
#pragma once

#include <cstdint>

#include "rules.hpp"

namespace shoplake::alert::rules {

enum class Transition : std::uint8_t { none, fire, repeat, escalate, resolve };

class IncidentTracker {
 public:
  // What this minute's judgement does to the incident. A minute the rule could not judge
  // (warm-up, no baseline) changes nothing but breaks both runs: it is neither evidence of a
  // breach nor of recovery. Volume and significance are asked of a start only: once firing, a
  // minute beyond the factor keeps the incident open and one within it counts towards resolving,
  // however little volume or z it has, so that an incident neither flaps on the z threshold nor
  // hangs open because the night got quiet.
  Transition step(std::int64_t minute, const Judgement& judgement, const RuleConfig& config);

  bool firing() const { return firing_; }
  std::int64_t started_minute() const { return started_minute_; }
  Severity severity() const { return severity_; }  // the worst seen so far in the incident

 private:
  Transition step_firing(std::int64_t minute, const Judgement& judgement, const RuleConfig& config);

  bool firing_ = false;
  std::uint32_t breach_run_ = 0;
  std::uint32_t clear_run_ = 0;
  Severity run_severity_ = Severity::info;  // the worst of the current breach run
  Severity severity_ = Severity::info;
  std::int64_t run_started_minute_ = 0;
  std::int64_t started_minute_ = 0;
  std::int64_t last_message_minute_ = 0;
  bool resolved_before_ = false;
  std::int64_t resolved_minute_ = 0;
};

}  // namespace shoplake::alert::rules
