// The detector: each minute goes into the history, every rule is judged on it, each rule's
// incident tracker turns judgements into alerts, and anomalous minutes are kept out of later
// baselines.
#include "shoplake/alert/detector.hpp"

#include <algorithm>

#include "alert_text.hpp"
#include "baseline.hpp"
#include "config_limits.hpp"
#include "dimension_history.hpp"
#include "hint.hpp"
#include "incident_tracker.hpp"
#include "minute_history.hpp"
#include "rule_catalog.hpp"
#include "rules.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::alert {

namespace {

// Breakdowns with more names than this (a category per product?) are not tracked for hints.
constexpr std::size_t kMaxNamesPerBreakdown = 64;

// Years 0 to 9999: a minute outside is not the shop's and would overflow minute arithmetic.
constexpr std::int64_t kEarliestMs = -62167219200000;
constexpr std::int64_t kLatestMs = 253402300799999;

std::int64_t minute_of(std::int64_t ms) {
  std::int64_t minute = ms / core::kMillisPerMinute;
  if (ms % core::kMillisPerMinute < 0) --minute;
  return minute;
}

rules::MessageKind message_kind(rules::Transition transition) {
  switch (transition) {
    case rules::Transition::repeat:
      return rules::MessageKind::reminder;
    case rules::Transition::escalate:
      return rules::MessageKind::escalation;
    case rules::Transition::resolve:
      return rules::MessageKind::resolved;
    default:
      return rules::MessageKind::firing;
  }
}

std::uint32_t widest_window(const AlertRulesConfig& config) {
  std::uint32_t widest = 1;
  for (const RuleConfig& rule : config.rules) widest = std::max(widest, rule.window_minutes);
  return widest;
}

}  // namespace

struct AnomalyDetector::State {
  explicit State(const AlertRulesConfig& config_in)
      : config(config_in),
        capacity(rules::history_capacity(config.baseline, widest_window(config))),
        history(capacity),
        events_by_source(breakdown_minutes(), kMaxNamesPerBreakdown),
        events_by_category(breakdown_minutes(), kMaxNamesPerBreakdown),
        revenue_by_category(breakdown_minutes(), kMaxNamesPerBreakdown),
        judge(config.baseline) {}

  // A hint compares a part with its own level over the rolling span before the judged window.
  std::size_t breakdown_minutes() const {
    return config.baseline.rolling_minutes + 2 * static_cast<std::size_t>(widest_window(config));
  }

  std::vector<Alert> observe(const core::MinuteSummary& summary, std::int64_t now_wall_ms);
  void step(std::int64_t minute, const core::MinuteSummary& summary, std::int64_t now_wall_ms,
            std::vector<Alert>& out);
  void exclude_anomalous_minutes(std::int64_t minute,
                                 const std::array<rules::Judgement, kRuleCount>& judgements,
                                 const std::array<rules::Transition, kRuleCount>& transitions);
  Alert message(RuleId rule, rules::Transition transition, std::int64_t minute,
                const rules::Judgement& judgement, std::int64_t now_wall_ms);

  AlertRulesConfig config;
  std::size_t capacity;
  rules::MinuteHistory history;
  rules::DimensionHistory events_by_source;
  rules::DimensionHistory events_by_category;
  rules::DimensionHistory revenue_by_category;
  rules::RuleJudge judge;
  std::array<rules::IncidentTracker, kRuleCount> incidents;
  std::array<Alert, kRuleCount> latest;  // each rule's last message
  std::uint32_t anomalous_run = 0;       // minutes in a row kept out of the baselines
};

std::vector<Alert> AnomalyDetector::State::observe(const core::MinuteSummary& summary,
                                                   std::int64_t now_wall_ms) {
  std::vector<Alert> out;
  if (summary.minute_ms < kEarliestMs || summary.minute_ms > kLatestMs) return out;
  const std::int64_t minute = minute_of(summary.minute_ms);
  const auto last = history.last_minute();
  if (last && minute <= *last) return out;
  if (last) {
    // Skipped minutes had no activity. Only the horizon's worth matter: anything older would
    // fall out of the history anyway.
    const std::int64_t first_quiet =
        std::max(*last + 1, minute - static_cast<std::int64_t>(capacity));
    core::MinuteSummary quiet;
    for (std::int64_t quiet_minute = first_quiet; quiet_minute < minute; ++quiet_minute) {
      quiet.minute_ms = quiet_minute * core::kMillisPerMinute;
      step(quiet_minute, quiet, now_wall_ms, out);
    }
  }
  step(minute, summary, now_wall_ms, out);
  return out;
}

void AnomalyDetector::State::step(std::int64_t minute, const core::MinuteSummary& summary,
                                  std::int64_t now_wall_ms, std::vector<Alert>& out) {
  history.append(minute, summary);
  events_by_source.append(minute, summary.events_by_source);
  events_by_category.append(minute, summary.events_by_category);
  revenue_by_category.append(minute, summary.revenue_by_category);

  std::array<rules::Judgement, kRuleCount> judgements;
  std::array<rules::Transition, kRuleCount> transitions;
  for (const rules::RuleSpec& spec : rules::rule_specs()) {
    const auto index = static_cast<std::size_t>(spec.id);
    judgements[index] = judge.judge(spec, config.rule(spec.id), history, minute);
    transitions[index] = incidents[index].step(minute, judgements[index], config.rule(spec.id));
  }
  exclude_anomalous_minutes(minute, judgements, transitions);
  for (const rules::RuleSpec& spec : rules::rule_specs()) {
    const auto index = static_cast<std::size_t>(spec.id);
    if (transitions[index] == rules::Transition::none) continue;
    latest[index] = message(spec.id, transitions[index], minute, judgements[index], now_wall_ms);
    out.push_back(latest[index]);
  }
}

// Minutes where the shop was not itself stay out of every rolling baseline: the minutes of a
// breaching window, every minute while an incident is open, and the few minutes before an
// incident's first breach (an anomaly shows before it is significant: a traffic drop takes minutes
// to sink). No quantity learns from them (a conversion drop lowers orders too), so a 15-minute
// spike is judged against the shop before it, and the minutes after it are not judged against
// the spike. Not for ever: after a rolling window's worth of such minutes in a row the level is
// the shop's new normal, the baselines take it in and the incident resolves.
void AnomalyDetector::State::exclude_anomalous_minutes(
    std::int64_t minute, const std::array<rules::Judgement, kRuleCount>& judgements,
    const std::array<rules::Transition, kRuleCount>& transitions) {
  std::int64_t first_excluded = minute + 1;
  for (const rules::RuleSpec& spec : rules::rule_specs()) {
    const auto index = static_cast<std::size_t>(spec.id);
    if (judgements[index].breach) {
      first_excluded = std::min(first_excluded, minute - config.rule(spec.id).window_minutes + 1);
    }
    if (incidents[index].firing() || transitions[index] == rules::Transition::resolve) {
      first_excluded = std::min(first_excluded, minute);
    }
    if (transitions[index] == rules::Transition::fire) {
      first_excluded = std::min(first_excluded, incidents[index].started_minute() -
                                                    config.rule(spec.id).window_minutes + 1 -
                                                    rules::kBaselineGapMinutes);
    }
  }
  if (first_excluded > minute) {
    anomalous_run = 0;
    return;
  }
  if (anomalous_run >= config.baseline.rolling_minutes) return;
  ++anomalous_run;
  for (std::int64_t excluded = first_excluded; excluded <= minute; ++excluded) {
    history.exclude(excluded);
  }
}

Alert AnomalyDetector::State::message(RuleId rule, rules::Transition transition,
                                      std::int64_t minute, const rules::Judgement& judgement,
                                      std::int64_t now_wall_ms) {
  const rules::RuleSpec& spec = rules::rule_spec(rule);
  const RuleConfig& rule_config = config.rule(rule);
  const rules::IncidentTracker& incident = incidents[static_cast<std::size_t>(rule)];
  Alert alert;
  alert.rule = std::string(spec.name);
  alert.started_ms = incident.started_minute() * core::kMillisPerMinute;
  alert.id = rules::incident_id(alert.rule, alert.dimensions, alert.started_ms);
  alert.state =
      transition == rules::Transition::resolve ? AlertState::resolved : AlertState::firing;
  alert.severity = incident.severity();
  alert.repeat =
      transition == rules::Transition::repeat || transition == rules::Transition::escalate;
  alert.minute_ms = minute * core::kMillisPerMinute;
  alert.emitted_at_ms = now_wall_ms;
  alert.value = judgement.value;
  alert.expected = judgement.expected;

  rules::SummaryFacts facts;
  facts.spec = &spec;
  facts.kind = message_kind(transition);
  facts.severity = incident.severity();
  facts.width = rule_config.window_minutes;
  facts.value = judgement.value;
  facts.expected = judgement.expected;
  facts.minutes_since_start = minute - incident.started_minute();
  facts.with_z = rule_config.method == RuleMethod::robust_z;
  facts.z = judgement.z;
  alert.summary = rules::summary_line(facts);

  if (transition != rules::Transition::fire) {
    // What drove the incident, found when it started: later the parts' own recent levels are the
    // incident itself.
    alert.hint = latest[static_cast<std::size_t>(rule)].hint;
  } else {
    rules::HintFacts hint_facts;
    hint_facts.spec = &spec;
    hint_facts.minute = minute;
    hint_facts.width = rule_config.window_minutes;
    hint_facts.baseline_minutes = config.baseline.rolling_minutes;
    hint_facts.judgement = &judgement;
    const rules::Breakdowns breakdowns{&events_by_source, &events_by_category,
                                       &revenue_by_category};
    alert.hint = rules::make_hint(hint_facts, breakdowns, history, judge);
  }
  return alert;
}

AnomalyDetector::AnomalyDetector(const AlertRulesConfig& config)
    : state_(std::make_unique<State>(rules::clamped(config))) {}
AnomalyDetector::~AnomalyDetector() = default;
AnomalyDetector::AnomalyDetector(AnomalyDetector&&) noexcept = default;
AnomalyDetector& AnomalyDetector::operator=(AnomalyDetector&&) noexcept = default;

std::vector<Alert> AnomalyDetector::observe(const core::MinuteSummary& minute,
                                            std::int64_t now_wall_ms) {
  return state_->observe(minute, now_wall_ms);
}

std::vector<Alert> AnomalyDetector::active() const {
  std::vector<Alert> firing;
  for (std::size_t i = 0; i < kRuleCount; ++i) {
    if (state_->incidents[i].firing()) firing.push_back(state_->latest[i]);
  }
  return firing;
}

const AlertRulesConfig& AnomalyDetector::config() const {
  return state_->config;
}

}  // namespace shoplake::alert
