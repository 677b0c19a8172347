#include "incident_tracker.hpp"

#include <algorithm>

namespace shoplake::alert::rules {

Transition IncidentTracker::step(std::int64_t minute, const Judgement& judgement,
                                 const RuleConfig& config) {
  if (!judgement.judged) {
    breach_run_ = 0;
    clear_run_ = 0;
    return Transition::none;
  }
  if (firing_) return step_firing(minute, judgement, config);
  if (!judgement.breach) {  // a breach needs enough volume, too little is no start either
    breach_run_ = 0;
    return Transition::none;
  }
  if (breach_run_ == 0) {
    run_started_minute_ = minute;
    run_severity_ = judgement.severity;
  }
  ++breach_run_;
  run_severity_ = std::max(run_severity_, judgement.severity);
  const bool cooling_down =
      resolved_before_ &&
      minute - resolved_minute_ <= static_cast<std::int64_t>(config.cooldown_minutes);
  if (breach_run_ < config.consecutive_minutes || cooling_down) return Transition::none;
  firing_ = true;
  breach_run_ = 0;
  clear_run_ = 0;
  started_minute_ = run_started_minute_;
  severity_ = run_severity_;
  last_message_minute_ = minute;
  return Transition::fire;
}

Transition IncidentTracker::step_firing(std::int64_t minute, const Judgement& judgement,
                                        const RuleConfig& config) {
  if (!judgement.beyond_factor) {
    ++clear_run_;
    if (clear_run_ < config.resolve_minutes) return Transition::none;
    firing_ = false;
    clear_run_ = 0;
    resolved_before_ = true;
    resolved_minute_ = minute;
    return Transition::resolve;
  }
  clear_run_ = 0;
  if (judgement.severity > severity_) {
    severity_ = judgement.severity;
    last_message_minute_ = minute;
    return Transition::escalate;
  }
  if (config.repeat_minutes == 0 || minute - last_message_minute_ < config.repeat_minutes) {
    return Transition::none;
  }
  last_message_minute_ = minute;
  return Transition::repeat;
}

}  // namespace shoplake::alert::rules
