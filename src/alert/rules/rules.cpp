#include "rules.hpp"

#include <algorithm>
#include <cmath>

namespace shoplake::alert::rules {

namespace {

// Traffic present, for a rule that needs it: at least this share of the window's usual events.
constexpr double kTrafficPresentShare = 0.5;

// A share of the expected value the z-score's scale never goes below: a series that happened to
// be flat for an hour would otherwise turn any wobble into a huge z.
constexpr double kMinimumRelativeScale = 0.02;

// Order values spread about as much as their mean (coefficient of variation ~1), so a sum of n
// orders varies by √(2n) orders' worth rather than √n.
constexpr double kRevenueDispersion = 2;

bool beyond_factor(Direction direction, double value, double expected, double factor) {
  switch (direction) {
    case Direction::up:
      return value > factor * expected;
    case Direction::down:
      return value < factor * expected;
    case Direction::none:
      return value <= 0;
  }
  return false;
}

bool beyond_z(Direction direction, double z, double threshold) {
  return direction == Direction::up ? z >= threshold : z <= -threshold;
}

}  // namespace

std::optional<Baseline> RuleJudge::baseline(const MinuteHistory& history, Quantity quantity,
                                            std::int64_t end, std::uint32_t width) {
  for (const Remembered& entry : remembered_) {
    if (entry.quantity == quantity && entry.width == width && entry.end == end) {
      return entry.baseline;
    }
  }
  // Only the current minute's entries are ever asked for again.
  std::erase_if(remembered_, [end](const Remembered& entry) { return entry.end != end; });
  remembered_.push_back(
      Remembered{quantity, width, end, estimator_.estimate(history, quantity, end, width)});
  return remembered_.back().baseline;
}

double RuleJudge::counting_noise(const MinuteHistory& history, Quantity quantity, double expected,
                                 std::int64_t end, std::uint32_t width) {
  // Relative noise of a count of n: 1/√n. No count behind the value: as noisy as it is large.
  const auto relative = [](double dispersion, double count) {
    return count > 0 ? std::sqrt(dispersion / count) : 1.0;
  };
  switch (quantity) {
    case Quantity::revenue: {
      const auto orders = baseline(history, Quantity::orders, end, width);
      return expected * relative(kRevenueDispersion, orders ? orders->expected : 0);
    }
    case Quantity::conversion: {
      const auto users = history.window_value(Quantity::active_users, end, width);
      return expected * relative(1, users ? expected * *users : 0);
    }
    default:
      return std::sqrt(std::max(expected, 0.0));
  }
}

bool RuleJudge::usual_volume_reaches(const MinuteHistory& history, Quantity quantity,
                                     double minimum, std::int64_t end, std::uint32_t width) {
  if (minimum <= 0) return true;
  const auto usual = baseline(history, quantity, end, width);
  return usual.has_value() && usual->expected >= minimum;
}

Judgement RuleJudge::judge(const RuleSpec& spec, const RuleConfig& config,
                           const MinuteHistory& history, std::int64_t minute) {
  Judgement judgement;
  // Warm-up: the minutes before this one.
  if (!config.enabled || history.minutes_seen() <= config.warmup_minutes) return judgement;
  const std::uint32_t width = config.window_minutes;
  const auto value = history.window_value(spec.quantity, minute, width);
  if (!value) return judgement;
  const auto usual = baseline(history, spec.quantity, minute, width);
  // With nothing usual there is nothing to compare with (and no ratio to state).
  if (!usual || usual->expected <= 0) return judgement;
  judgement.enough_volume =
      usual_volume_reaches(history, Quantity::events, config.min_events, minute, width) &&
      usual_volume_reaches(history, Quantity::active_users, config.min_users, minute, width) &&
      usual_volume_reaches(history, Quantity::orders, config.min_orders, minute, width);
  if (spec.needs_traffic) {
    const auto usual_events = baseline(history, Quantity::events, minute, width);
    const auto events = history.window_value(Quantity::events, minute, width);
    judgement.enough_volume = judgement.enough_volume && usual_events && events &&
                              *events >= kTrafficPresentShare * usual_events->expected;
  }

  judgement.judged = true;
  judgement.value = *value;
  judgement.expected = usual->expected;
  judgement.baseline = usual->kind;
  // The scale: the history's own spread, but never less than counting noise alone makes.
  const double scale = std::max(
      {usual->scale, counting_noise(history, spec.quantity, usual->expected, minute, width),
       kMinimumRelativeScale * usual->expected, 1e-12});
  judgement.z = (*value - usual->expected) / scale;
  const bool fixed = config.fixed_threshold > 0 && spec.direction != Direction::none;
  judgement.beyond_factor =
      fixed ? beyond_factor(spec.direction, *value, config.fixed_threshold, 1.0)
            : beyond_factor(spec.direction, *value, usual->expected, config.factor);
  judgement.breach = judgement.enough_volume && judgement.beyond_factor;
  if (config.method == RuleMethod::robust_z && !fixed) {
    judgement.breach =
        judgement.breach && beyond_z(spec.direction, judgement.z, config.z_threshold);
  }
  const bool extreme =
      spec.direction != Direction::none &&
      beyond_factor(spec.direction, *value, usual->expected, config.critical_factor);
  judgement.severity = extreme ? Severity::critical : config.severity;
  // A rule configured critical stays critical whatever the size of the breach.
  judgement.severity = std::max(judgement.severity, config.severity);
  return judgement;
}

}  // namespace shoplake::alert::rules
